//! kubeset: an async Kubernetes client-set.
//!
//! This facade re-exports the crates of the workspace:
//! - [`config`]: in-cluster and kubeconfig configuration, resolved into one [`config::Config`];
//! - [`transport`]: tower layers that carry requests to the API server;
//! - [`clientset`]: the typed client;
//! - [`runtime`]: work queues, controllers, finalizers, Events and leader election;
//! - [`CustomResource`]: the derive for custom resource types and their CRDs;
//! - [`audit`]: least-privilege RBAC derived from audit logs, and manifests compared with it.
//!
//! ```
//! let config = kubeset::config::Config::new("https://127.0.0.1:6443".parse().unwrap());
//! assert_eq!(config.default_namespace, "default");
//! ```

pub use kubeset_audit as audit;
pub use kubeset_clientset as clientset;
pub use kubeset_config as config;
pub use kubeset_derive::CustomResource;
pub use kubeset_runtime as runtime;
pub use kubeset_transport as transport;
