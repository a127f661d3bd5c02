//! Kubernetes client configuration, resolved the way client-go and kubectl resolve it.
//!
//! A [`Config`] says which API server to talk to and how: trust roots, credentials,
//! impersonation, proxy. It comes from the ServiceAccount files of a pod (in-cluster) or
//! from kubeconfig files.
//!
//! ```
//! use kubeset_config::Config;
//!
//! let config = Config::new("https://10.96.0.1:443".parse().unwrap());
//! assert!(config.impersonate.is_empty());
//! ```

mod config;
mod secret;

pub use config::{
    AuthConfig, AuthProvider, BasicAuth, BearerToken, Config, ExecConfig, Impersonation,
    InteractiveMode, Material, TlsConfig,
};
pub use secret::Secret;
