//! `Config::infer()`: kubeconfig when there is one, else in-cluster.

use std::path::Path;

use crate::config::Config;
use crate::error::InferError;
use crate::kubeconfig::{Overrides, Sources, default_path};
use crate::{Env, ProcessEnv, incluster};

impl Config {
    /// Finds the configuration the way a client-go program does: the kubeconfig when
    /// `KUBECONFIG` is set or `$HOME/.kube/config` exists, else the pod's ServiceAccount.
    ///
    /// As in client-go's deferred loader, a kubeconfig that selects no cluster (no files, no
    /// current context, or a context naming a missing cluster) counts as empty and in-cluster
    /// configuration is tried. A kubeconfig that is broken otherwise (bad YAML, unknown
    /// context, missing certificate file) is an error, and in-cluster configuration is not
    /// tried: that must not silently switch identity. When both fail, the error says what
    /// each attempt found.
    ///
    /// ```no_run
    /// let config = kubeset_config::Config::infer()?;
    /// println!("talking to {} because:\n{}", config.cluster_url, config.provenance);
    /// # Ok::<(), kubeset_config::InferError>(())
    /// ```
    pub fn infer() -> Result<Config, InferError> {
        Config::infer_with(&ProcessEnv, Path::new(incluster::SERVICE_ACCOUNT_DIR))
    }

    /// [`Config::infer`] with an explicit environment and ServiceAccount directory.
    pub fn infer_with(env: &dyn Env, service_account_dir: &Path) -> Result<Config, InferError> {
        let sources = Sources::from_env(None, env);
        let found = match &sources {
            Sources::EnvList { paths } => Some(format!(
                "KUBECONFIG={}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(":")
            )),
            Sources::Default { path } if path.exists() => Some(path.display().to_string()),
            _ => None,
        };
        let kubeconfig_finding = match found {
            Some(found) => {
                let kubeconfig = sources.load().map_err(|source| InferError::Kubeconfig {
                    found: found.clone(),
                    source: Box::new(source.into()),
                })?;
                match kubeconfig.to_config(&Overrides::default()) {
                    Ok(config) => return Ok(config),
                    // client-go's deferred loader: an empty kubeconfig means "use the pod's
                    // identity if there is one".
                    Err(error) if error.is_empty_config() => format!("{found}: {error}"),
                    Err(error) => {
                        return Err(InferError::Kubeconfig {
                            found,
                            source: Box::new(error.into()),
                        });
                    }
                }
            }
            None => match env.var("HOME").filter(|home| !home.is_empty()) {
                Some(home) => format!(
                    "KUBECONFIG is not set and {} does not exist",
                    default_path(Path::new(&home)).display()
                ),
                None => String::from("neither KUBECONFIG nor HOME is set"),
            },
        };
        incluster::load_from(env, service_account_dir).map_err(|in_cluster| InferError::Neither {
            kubeconfig: kubeconfig_finding,
            in_cluster,
        })
    }

    /// In-cluster configuration from the process environment and the standard directory; see
    /// [`incluster::load`].
    pub fn incluster() -> Result<Config, crate::InClusterError> {
        incluster::load()
    }
}
