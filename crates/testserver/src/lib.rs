//! `kubeset-testserver`: an in-process Kubernetes API server that answers like kube-apiserver
//! v1.36, for tests without a cluster.
//!
//! It serves TLS on 127.0.0.1 (HTTP/2 and HTTP/1.1) with a generated CA, authenticates admin
//! client certificates, ServiceAccount tokens it mints itself and anonymous requests, stores
//! objects in memory with one global resourceVersion, authorizes with RBAC, and runs the
//! controllers a cluster without a kubelet has (default ServiceAccount, `kube-root-ca.crt`,
//! namespace deletion, legacy token Secrets, garbage collection, ClusterRole aggregation), and,
//! when asked to, the PersistentVolume binder and the pvc-/pv-protection controllers
//! ([`TestServerBuilder::pv_binder`], [`TestServerBuilder::storage_protection`]). Like
//! kube-apiserver it starts with the API Priority and Fairness configuration it keeps
//! ([`TestServerBuilder::flow_control_period`]) and the aggregator's local APIServices. Every
//! request is recorded in an audit log in kube-apiserver's format ([`TestServer::audit_events`]).
//!
//! # Code map
//!
//! - `server/`: start-up, TLS (with `pki`: CA, serving and client certificates via rcgen on ring),
//!   the accept loop (HTTP/2 and HTTP/1.1), kubeconfig and ServiceAccount environment files.
//! - `auth/`: who is asking (client certificates, RS256 ServiceAccount JWTs, legacy Secret
//!   tokens, anonymous); whether they may is `api/authz.rs` asking `rbac/` (`system:masters`,
//!   built-in discovery rules, RBAC over stored Roles and bindings).
//! - `registry/`: every served type in one catalog (`catalog.json`, the real discovery data),
//!   each with its `Strategy` (defaults, prepare, validation, status reset, field selectors,
//!   table columns, delete rules): one file per resource with behaviour of its own, registered
//!   in `builtin.rs`; `pipeline.rs` runs the write steps around it.
//! - `storage/`: the narrow `Store` trait and the in-memory store (persistent maps give O(1)
//!   snapshots for consistent pages and `Exact` reads; a bounded event history serves watches).
//! - `api/`: routing, one file per verb, the write pipeline (`write`), errors as `Status`
//!   (`answer/status.rs`: `answer` holds what the layers below `api` share with it, errors
//!   and the body type), representations (JSON, YAML, Table, PartialObjectMetadata, protobuf
//!   input), pod subresources (`pods/`: binding, eviction with PodDisruptionBudgets, log, and exec,
//!   attach and portforward in `connect.rs`); `hooks.rs` and `write.rs` are the generic store,
//!   `authz.rs` authorization.
//! - `node_agent/`: the scripted kubelet behind exec, attach and port-forward
//!   ([`TestServer::node_agent`]): handlers and port targets tests register, and the kubelet's
//!   side of the WebSocket channel protocols.
//! - `rbac/`: evaluation, bootstrap policy, 403 texts, escalation checks, self reviews.
//! - `admission/`, `validation/`, `selector/`, `fields/`: pure functions over JSON objects
//!   (defaulting, admission plugins, validation, selectors, managedFields, strategic merge),
//!   called by the strategies and `api/hooks.rs`; `shared/`: what they all use (JSON helpers,
//!   quantities, fixed API facts), depending on nothing. `strict/`: unknown and duplicate
//!   fields (`fieldValidation`) of write bodies, from the field table `fields/known/`.
//! - `controllers/`: default ServiceAccount, `kube-root-ca.crt`, namespace deletion, legacy
//!   token Secrets, garbage collection by ownerReferences (`gc/`), ClusterRole aggregation;
//!   opt-in, the PersistentVolume binder (`pv_binder/`) and the protection finalizers.
//! - `bootstrap/`: what kube-apiserver makes for itself and keeps: the API Priority and
//!   Fairness configuration with its `Dangling` conditions, the aggregator's local APIServices.
//! - `audit`: one `audit.k8s.io/v1` Event per request, as kube-apiserver's audit log at level
//!   `Metadata` ([`TestServer::audit_events`], [`TestServerBuilder::audit_log_path`]).
//! - `faults`: switches tests flip (429s and storms, 5xx, latency, cut and stalled answers,
//!   restarts, CA and token rotation, closing watches, compaction, token expiry), each counted;
//!   the watch faults also per namespace or resource type (`faults/scope.rs`), so tests can share
//!   one server.
//!
//! Architecture invariant: storage knows nothing about HTTP or Kubernetes semantics beyond
//! `metadata.resourceVersion`; every write, from a request or a controller, goes through
//! `api::write`, so defaulting, admission, validation and `managedFields` apply the same way.
//! Nothing outside `registry` decides a type's behaviour by its name: the generic store asks the
//! type's `Strategy`. Top-level modules form no new cycle and allow no dead code
//! (`tests/architecture.rs`).
//! Two exceptions write straight to storage: pods/binding, as kube-apiserver does (no strategy,
//! no `generation` bump, no `managedFields` entry), and the garbage collector removing a GC
//! finalizer from a namespace, which the namespace controller then completes.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubeset_testserver::Error> {
//! let server = kubeset_testserver::TestServer::start().await?;
//! let dir = tempfile::tempdir().expect("temp dir");
//! server.write_kubeconfig(&dir.path().join("config"))?;
//! // kubectl --kubeconfig <dir>/config get namespaces
//! let env = server.service_account_env("default", "default").await?;
//! assert!(env.dir().join("token").exists());
//! # Ok(()) }
//! ```

mod admission;
mod answer;
mod api;
pub mod audit;
mod auth;
mod bootstrap;
mod cel;
mod clock;
mod controllers;
mod crd;
mod error;
mod faults;
#[doc(hidden)]
pub mod fields;
#[doc(hidden)]
pub mod fuzzing;
/// Scripted container logs for `pods/log`.
mod logs;
pub mod node_agent;
mod pki;
mod protobuf;
mod rbac;
mod registry;
mod secret;
mod selector;
mod server;
mod shared;
mod storage;
mod strict;
mod validation;
mod warnings;

pub use error::Error;
pub use faults::{FaultCounts, FaultInjector, Hits, WatchScope, write_projected};
pub use logs::PodLogs;
pub use secret::Secret;
pub use server::{ClientCert, ServiceAccountEnv, TestServer, TestServerBuilder};
