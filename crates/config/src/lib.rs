//! Kubernetes client configuration, resolved the way client-go and kubectl resolve it.
//!
//! A [`Config`] says which API server to talk to and how: trust roots, credentials,
//! impersonation, proxy. It comes from the ServiceAccount files of a pod ([`incluster`]) or
//! from kubeconfig files ([`kubeconfig`]); [`Config::infer`] picks one as client-go does, and
//! [`Config::provenance`] says where each value came from.
//!
//! ```
//! use kubeset_config::Config;
//!
//! let config = Config::new("https://10.96.0.1:443".parse().unwrap());
//! assert!(config.impersonate.is_empty());
//! ```
//!
//! Loaders take the environment as an [`Env`] so that tests never depend on the process
//! environment:
//!
//! ```
//! use std::collections::BTreeMap;
//! use kubeset_config::{Config, InferError};
//!
//! let env = BTreeMap::from([("HOME", "/nonexistent")]);
//! let err = Config::infer_with(&env, "/nonexistent/sa".as_ref()).unwrap_err();
//! assert!(matches!(err, InferError::Neither { .. }));
//! ```
#![doc = include_str!("../docs/config.md")]

mod config;
mod env;
mod error;
pub mod incluster;
mod infer;
pub mod kubeconfig;
pub mod provenance;
mod secret;

pub use config::{
    AuthConfig, AuthProvider, BasicAuth, BearerToken, Config, ExecConfig, Impersonation,
    InteractiveMode, Material, TlsConfig,
};
pub use env::{Env, ProcessEnv};
pub use error::{
    EntryRef, InClusterError, InferError, KubeconfigConfigError, KubeconfigError, NoServerReason,
    ResolveError, Section, ViewError,
};
pub use secret::Secret;
