//! `kubeset-audit`: least privilege from evidence. Reads Kubernetes audit logs
//! (`audit.k8s.io/v1` Events, one JSON object per line, as kube-apiserver's `--audit-log-path`
//! and `kubeset-testserver` write them) and, for one user or ServiceAccount:
//!
//! - derives the fewest RBAC rules that allow every request it made ([`Usage::derive`]):
//!   a Role and RoleBinding per namespace for resources used in one namespace only, one
//!   ClusterRole and ClusterRoleBinding for cluster-scoped resources, resources used across
//!   namespaces or at the cluster scope, and non-resource URLs; verbs merged per API group and
//!   resource (subresources kept apart, `pods/binding`); `resourceNames` when asked;
//! - lists the denied requests with the rule that would allow each ([`Derived::denied`]);
//! - compares manifests with the evidence ([`Usage::compare`]): rules granted but never used,
//!   requests used but not granted, bootstrap roles ([`Policy::bootstrap`]) expanded.
//!
//! Pure functions over text: no client, no cluster. [`read_log`] and [`Policy::read`] are the
//! only I/O.
//!
//! Guarantees: only `ResponseComplete` events count (each request once); output order is
//! deterministic (namespaces, API groups, resources and paths sorted; verbs in kubectl's order),
//! so derived manifests can be checked in and diffed.
//!
//! # Example
//!
//! ```
//! use kubeset_audit::{DeriveOptions, Usage, parse_log};
//!
//! let log = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces/a/pods/p/binding","user":{"username":"system:serviceaccount:kube-system:sched","groups":["system:serviceaccounts","system:authenticated"]},"objectRef":{"resource":"pods","namespace":"a","name":"p","apiVersion":"v1","subresource":"binding"},"responseStatus":{"metadata":{},"code":201},"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
//! {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/pods","user":{"username":"system:serviceaccount:kube-system:sched"},"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}"#;
//! let usage = Usage::of(&parse_log(log)?, "system:serviceaccount:kube-system:sched");
//! let derived = usage.derive(&DeriveOptions::default());
//! let yaml = derived.to_yaml()?;
//! assert!(yaml.contains("pods/binding"));
//! # Ok::<_, kubeset_audit::Error>(())
//! ```

mod compare;
mod derive;
mod error;
mod event;
mod log;
mod policy;
mod request;
mod rule;
mod rules;
mod usage;

pub use compare::{Comparison, Source, Unused};
pub use derive::{Denied, DeriveOptions, Derived};
pub use error::Error;
pub use event::{Event, ObjectReference, ResponseStatus, UserInfo};
pub use log::{parse_log, read_log};
pub use policy::{BOOTSTRAP_LABEL, Policy};
pub use request::{Request, ResourceRequest};
pub use rule::rule_allows;
pub use usage::Usage;

/// A rule as one line: `pods/binding [create]`, `storageclasses.storage.k8s.io [get list]`,
/// `/healthz [get]`.
///
/// ```
/// use k8s_openapi::api::rbac::v1::PolicyRule;
/// let rule = PolicyRule {
///     api_groups: Some(vec!["storage.k8s.io".into()]),
///     resources: Some(vec!["storageclasses".into()]),
///     verbs: vec!["get".into(), "list".into()],
///     ..PolicyRule::default()
/// };
/// assert_eq!(kubeset_audit::describe_rule(&rule), "storageclasses.storage.k8s.io [get list]");
/// ```
pub fn describe_rule(rule: &k8s_openapi::api::rbac::v1::PolicyRule) -> String {
    format!("{} [{}]", compare::describe(rule), rule.verbs.join(" "))
}
