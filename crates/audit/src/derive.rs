//! Least-privilege RBAC for one user from its [`Usage`]: a Role and RoleBinding in a namespace
//! for each (API group, resource) used in that namespace only; one ClusterRole and
//! ClusterRoleBinding for cluster-scoped resources, resources used across namespaces or at the
//! cluster scope, and non-resource URLs. Denied requests are listed apart, each with the rule
//! that would allow it.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::error::Error;
use crate::request::Request;
use crate::rules::rules_for;
use crate::usage::Usage;

/// Options of [`Usage::derive`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeriveOptions {
    /// Restricts rules to the object names used (`resourceNames`) where every request of a
    /// verb named its object; off by default (names of generated objects change).
    pub resource_names: bool,
    /// The name of the generated roles and bindings (default: the ServiceAccount's or user's
    /// name with `-from-audit`).
    pub name: Option<String>,
}

impl DeriveOptions {
    /// Sets [`DeriveOptions::resource_names`].
    pub fn resource_names(mut self, on: bool) -> Self {
        self.resource_names = on;
        self
    }

    /// Sets [`DeriveOptions::name`].
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A request that was denied, and the rule that would have allowed it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Denied {
    /// The request (without its object name unless [`DeriveOptions::resource_names`]).
    pub request: Request,
    /// How many times it was denied.
    pub count: usize,
    /// The rule that allows it, in a Role in the request's namespace when it has one, else
    /// in a ClusterRole.
    pub rule: PolicyRule,
}

/// The RBAC one user needed: ready-to-apply objects, and what it was denied.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Derived {
    /// The ClusterRole and its binding, when anything needed the cluster scope.
    pub cluster_role: Option<(ClusterRole, ClusterRoleBinding)>,
    /// A Role and RoleBinding per namespace, by namespace.
    pub roles: Vec<(Role, RoleBinding)>,
    /// The denied requests, in order.
    pub denied: Vec<Denied>,
}

impl Usage {
    /// The fewest rules that allow every request this user made, allowed or denied.
    ///
    /// ```
    /// let log = r#"{"stage":"ResponseComplete","verb":"get","user":{"username":"system:serviceaccount:ops:bot"},"objectRef":{"resource":"leases","namespace":"ops","name":"lock","apiGroup":"coordination.k8s.io"}}
    /// {"stage":"ResponseComplete","verb":"list","user":{"username":"system:serviceaccount:ops:bot"},"objectRef":{"resource":"nodes"}}"#;
    /// let usage = kubeset_audit::Usage::of(&kubeset_audit::parse_log(log)?, "system:serviceaccount:ops:bot");
    /// let derived = usage.derive(&kubeset_audit::DeriveOptions::default());
    /// assert_eq!(derived.roles.len(), 1); // leases, in ops only
    /// assert!(derived.cluster_role.is_some()); // nodes
    /// println!("{}", derived.to_yaml()?);
    /// # Ok::<_, kubeset_audit::Error>(())
    /// ```
    pub fn derive(&self, options: &DeriveOptions) -> Derived {
        let key = |r: &Request| match r {
            Request::Resource(r) => Some((r.api_group.clone(), r.combined_resource())),
            Request::NonResource { .. } => None,
        };
        // where each (group, resource) was used: one namespace, or the cluster scope
        let mut scopes: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for request in self.needed() {
            if let (Some(k), Request::Resource(r)) = (key(request), request) {
                scopes.entry(k).or_default().insert(r.namespace.clone());
            }
        }
        let namespace_of = |request: &Request| -> Option<String> {
            let k = key(request)?;
            let namespaces = scopes.get(&k)?;
            match namespaces.iter().collect::<Vec<_>>().as_slice() {
                [only] if !only.is_empty() => Some((*only).clone()),
                _ => None,
            }
        };
        let mut by_namespace: BTreeMap<String, Vec<&Request>> = BTreeMap::new();
        let mut cluster = Vec::new();
        for request in self.needed() {
            match namespace_of(request) {
                Some(ns) => by_namespace.entry(ns).or_default().push(request),
                None => cluster.push(request),
            }
        }
        let name = options
            .name
            .clone()
            .unwrap_or_else(|| default_name(&self.user));
        let subject = subject_of(&self.user);
        let meta = |namespace: Option<&str>| ObjectMeta {
            name: Some(name.clone()),
            namespace: namespace.map(str::to_owned),
            ..ObjectMeta::default()
        };
        let role_ref = |kind: &str| RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: kind.into(),
            name: name.clone(),
        };
        let cluster_role = (!cluster.is_empty()).then(|| {
            (
                ClusterRole {
                    metadata: meta(None),
                    rules: Some(rules_for(cluster, options.resource_names)),
                    ..ClusterRole::default()
                },
                ClusterRoleBinding {
                    metadata: meta(None),
                    role_ref: role_ref("ClusterRole"),
                    subjects: Some(vec![subject.clone()]),
                },
            )
        });
        let roles = by_namespace
            .into_iter()
            .map(|(ns, requests)| {
                (
                    Role {
                        metadata: meta(Some(&ns)),
                        rules: Some(rules_for(requests, options.resource_names)),
                    },
                    RoleBinding {
                        metadata: meta(Some(&ns)),
                        role_ref: role_ref("Role"),
                        subjects: Some(vec![subject.clone()]),
                    },
                )
            })
            .collect();
        let mut denied: BTreeMap<Request, usize> = BTreeMap::new();
        for (request, count) in &self.denied {
            let request = if options.resource_names {
                request.clone()
            } else {
                request.without_name()
            };
            *denied.entry(request).or_default() += count;
        }
        let denied = denied
            .into_iter()
            .filter_map(|(request, count)| {
                let rule = rules_for([&request], options.resource_names)
                    .into_iter()
                    .next()?;
                Some(Denied {
                    request,
                    count,
                    rule,
                })
            })
            .collect();
        Derived {
            cluster_role,
            roles,
            denied,
        }
    }
}

impl Derived {
    /// The objects as YAML documents ready for `kubectl apply -f`: the ClusterRole and its
    /// binding, then each namespace's Role and RoleBinding.
    ///
    /// # Errors
    /// An object could not be encoded ([`Error::Yaml`]).
    ///
    /// ```
    /// let derived = kubeset_audit::Derived::default();
    /// assert_eq!(derived.to_yaml()?, "");
    /// # Ok::<_, kubeset_audit::Error>(())
    /// ```
    pub fn to_yaml(&self) -> Result<String, Error> {
        let mut docs = Vec::new();
        if let Some((role, binding)) = &self.cluster_role {
            docs.push(yaml(role)?);
            docs.push(yaml(binding)?);
        }
        for (role, binding) in &self.roles {
            docs.push(yaml(role)?);
            docs.push(yaml(binding)?);
        }
        Ok(docs.join("---\n"))
    }
}

fn yaml(object: &impl serde::Serialize) -> Result<String, Error> {
    serde_saphyr::to_string(object).map_err(|source| Error::Yaml { source })
}

/// `system:serviceaccount:NS:NAME` as its namespace and name.
pub(crate) fn service_account(user: &str) -> Option<(&str, &str)> {
    user.strip_prefix("system:serviceaccount:")?.split_once(':')
}

fn default_name(user: &str) -> String {
    let base = service_account(user).map_or(user, |(_, name)| name);
    format!("{base}-from-audit")
}

/// The binding subject naming `user`.
fn subject_of(user: &str) -> Subject {
    match service_account(user) {
        Some((namespace, name)) => Subject {
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: Some(namespace.into()),
            api_group: None,
        },
        None => Subject {
            kind: "User".into(),
            name: user.into(),
            namespace: None,
            api_group: Some("rbac.authorization.k8s.io".into()),
        },
    }
}
