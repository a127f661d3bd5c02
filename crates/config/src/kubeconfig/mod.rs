//! kubeconfig files, loaded and merged exactly as kubectl (clientcmd) does.
//!
//! - [`Sources`] picks the files (`--kubeconfig`, `KUBECONFIG`, `$HOME/.kube/config`) and
//!   loads them into one merged [`Kubeconfig`];
//! - [`Kubeconfig::to_config`] resolves a context, with [`Overrides`], into a client
//!   [`Config`];
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

use crate::error::{KubeconfigConfigError, KubeconfigError};
use crate::{Config, Env, ProcessEnv};

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

impl Config {
    /// The client configuration from kubeconfig, as kubectl would resolve it: `KUBECONFIG`
    /// or `$HOME/.kube/config` from the process environment, then `overrides`.
    ///
    /// ```no_run
    /// use kubeset_config::Config;
    /// use kubeset_config::kubeconfig::Overrides;
    ///
    /// let config = Config::from_kubeconfig(&Overrides::default().context("staging"))?;
    /// # Ok::<(), kubeset_config::KubeconfigConfigError>(())
    /// ```
    pub fn from_kubeconfig(overrides: &Overrides) -> Result<Config, KubeconfigConfigError> {
        Config::from_kubeconfig_with(None, &ProcessEnv, overrides)
    }

    /// [`Config::from_kubeconfig`] with an explicit file (`--kubeconfig`, which must exist)
    /// and environment.
    pub fn from_kubeconfig_with(
        explicit: Option<&Path>,
        env: &dyn Env,
        overrides: &Overrides,
    ) -> Result<Config, KubeconfigConfigError> {
        let kubeconfig = Sources::from_env(explicit, env).load()?;
        Ok(kubeconfig.to_config(overrides)?)
    }
}
