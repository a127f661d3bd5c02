//! kubeconfig files, loaded and merged exactly as kubectl (clientcmd) does.
//!
//! - [`Sources`] picks the files (`--kubeconfig`, `KUBECONFIG`, `$HOME/.kube/config`) and
//!   loads them into one merged [`Kubeconfig`];
//! - [`Kubeconfig::to_config`] resolves a context, with [`Overrides`], into a client
//!   [`Config`](crate::Config);
//! - [`Kubeconfig::minify`], [`Kubeconfig::flatten`] and [`Kubeconfig::to_view_json`] are
//!   what `kubectl config view` prints.
//!
//! ```no_run
//! use kubeset_config::kubeconfig::{Overrides, Sources};
//! use kubeset_config::ProcessEnv;
//!
//! let kubeconfig = Sources::from_env(None, &ProcessEnv).load()?;
//! let config = kubeconfig.to_config(&Overrides::default())?;
//! println!("{}", config.cluster_url);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod exec;
mod gojson;
mod load;
mod merge;
mod model;
mod overrides;
mod resolve;
mod view;
mod wire;

use std::path::Path;

pub use load::Sources;
pub use model::{
    AuthInfo, AuthProviderConfig, Cluster, Context, ExecEnvVar, ExecSpec, Extensions, Kubeconfig,
    Preferences,
};
pub use overrides::Overrides;
pub use view::{DATA_OMITTED, REDACTED, ViewDocument};

pub(crate) use load::default_path;

use crate::error::KubeconfigError;

impl Kubeconfig {
    /// Parses one kubeconfig document (YAML or JSON). `path` is the file it came from: errors
    /// name it and relative paths inside resolve against its directory.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Kubeconfig, KubeconfigError> {
        wire::parse(text, path)
    }

    /// Merges kubeconfigs in precedence order, as for a `KUBECONFIG` list: the first file
    /// that defines a name or sets `current-context` wins.
    pub fn merge(files: impl IntoIterator<Item = Kubeconfig>) -> Kubeconfig {
        merge::merge(files)
    }
}
