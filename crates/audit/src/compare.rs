//! Granted versus used: which rules a [`Policy`] gives a user that its requests never needed
//! (too much), and which of its requests no rule allows (too little). A RoleBinding's rules
//! count only in its namespace; bindings to any group the user was seen with count.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::derive::service_account;
use crate::policy::{BOOTSTRAP_LABEL, Policy};
use crate::request::Request;
use crate::rule::{rule_allows, sort_verbs};
use crate::usage::Usage;

/// Where a granted rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Source {
    /// `ClusterRole/NAME` or `Role/NAMESPACE/NAME`.
    pub role: String,
    /// `ClusterRoleBinding/NAME` or `RoleBinding/NAMESPACE/NAME`.
    pub binding: String,
    /// The namespace the rules apply in (a RoleBinding's); `None` for everywhere.
    pub namespace: Option<String>,
    /// Whether the role is part of the bootstrap policy (labelled
    /// `kubernetes.io/bootstrapping`): shared by everyone, not the manifests' to shrink.
    pub bootstrap: bool,
}

/// A granted rule part no request used: one API group and resource (or one URL) and the
/// verbs of it never used.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Unused {
    /// Where it is granted.
    pub source: Source,
    /// The unused part, as a rule.
    pub rule: PolicyRule,
}

/// The result of [`Usage::compare`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Comparison {
    /// Requests (allowed or denied in the log) that no granted rule allows: too little.
    pub missing: Vec<Request>,
    /// Granted rule parts never used: too much.
    pub unused: Vec<Unused>,
}

impl Comparison {
    /// Whether some request is not granted.
    pub fn too_little(&self) -> bool {
        !self.missing.is_empty()
    }

    /// The unused grants outside the bootstrap policy: what the manifests could drop.
    pub fn too_much(&self) -> impl Iterator<Item = &Unused> {
        self.unused.iter().filter(|u| !u.source.bootstrap)
    }
}

struct Grant<'a> {
    source: Source,
    rules: &'a [PolicyRule],
}

impl Usage {
    /// Compares what `policy` grants this user with what it used.
    ///
    /// ```
    /// let log = r#"{"stage":"ResponseComplete","verb":"get","user":{"username":"system:serviceaccount:ops:bot"},"objectRef":{"resource":"nodes","name":"n1"}}"#;
    /// let usage = kubeset_audit::Usage::of(&kubeset_audit::parse_log(log)?, "system:serviceaccount:ops:bot");
    /// let policy = kubeset_audit::Policy::from_yaml(r#"
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata: {name: nodes}
    /// rules: [{apiGroups: [""], resources: [nodes], verbs: [get, list]}]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata: {name: nodes}
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}
    /// subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
    /// "#)?;
    /// let comparison = usage.compare(&policy);
    /// assert!(!comparison.too_little());
    /// assert_eq!(comparison.unused[0].rule.verbs, ["list"]);
    /// # Ok::<_, kubeset_audit::Error>(())
    /// ```
    pub fn compare(&self, policy: &Policy) -> Comparison {
        let grants = self.grants(policy);
        let in_scope =
            |grant: &Grant<'_>, request: &Request| match (&grant.source.namespace, request) {
                (None, _) => true,
                (Some(ns), Request::Resource(r)) => r.namespace == *ns,
                (Some(_), Request::NonResource { .. }) => false,
            };
        let missing = self
            .needed()
            .filter(|request| {
                !grants.iter().any(|g| {
                    in_scope(g, request) && g.rules.iter().any(|rule| rule_allows(rule, request))
                })
            })
            .cloned()
            .collect();
        let mut unused = Vec::new();
        for grant in &grants {
            for rule in grant.rules {
                for (atom, verbs) in atoms(rule) {
                    let mut never: Vec<String> = verbs
                        .into_iter()
                        .filter(|verb| {
                            let one = PolicyRule {
                                verbs: vec![verb.clone()],
                                ..atom.clone()
                            };
                            !self
                                .needed()
                                .any(|r| in_scope(grant, r) && rule_allows(&one, r))
                        })
                        .collect();
                    if !never.is_empty() {
                        sort_verbs(&mut never);
                        unused.push(Unused {
                            source: grant.source.clone(),
                            rule: PolicyRule {
                                verbs: never,
                                ..atom
                            },
                        });
                    }
                }
            }
        }
        Comparison { missing, unused }
    }

    /// The rule sets bound to this user, with where they come from.
    fn grants<'a>(&self, policy: &'a Policy) -> Vec<Grant<'a>> {
        let cluster_role = |name: &str| {
            policy
                .cluster_roles
                .iter()
                .find(|r| r.metadata.name.as_deref() == Some(name))
        };
        let mut grants = Vec::new();
        for binding in &policy.cluster_role_bindings {
            if !self.bound(binding.subjects.as_deref().unwrap_or_default(), None) {
                continue;
            }
            if let Some(role) = cluster_role(&binding.role_ref.name) {
                grants.push(Grant {
                    source: Source {
                        role: format!("ClusterRole/{}", binding.role_ref.name),
                        binding: format!("ClusterRoleBinding/{}", name(&binding.metadata)),
                        namespace: None,
                        bootstrap: bootstrap(&role.metadata),
                    },
                    rules: role.rules.as_deref().unwrap_or_default(),
                });
            }
        }
        for binding in &policy.role_bindings {
            let ns = binding.metadata.namespace.as_deref().unwrap_or_default();
            if !self.bound(binding.subjects.as_deref().unwrap_or_default(), Some(ns)) {
                continue;
            }
            let RoleRef {
                kind, name: role, ..
            } = &binding.role_ref;
            let (source_role, meta, rules) = if kind == "ClusterRole" {
                let Some(r) = cluster_role(role) else {
                    continue;
                };
                (
                    format!("ClusterRole/{role}"),
                    &r.metadata,
                    r.rules.as_deref(),
                )
            } else {
                let Some(r) = policy.roles.iter().find(|r| {
                    r.metadata.name.as_deref() == Some(role.as_str())
                        && r.metadata.namespace.as_deref() == Some(ns)
                }) else {
                    continue;
                };
                (format!("Role/{ns}/{role}"), &r.metadata, r.rules.as_deref())
            };
            grants.push(Grant {
                source: Source {
                    role: source_role,
                    binding: format!("RoleBinding/{ns}/{}", name(&binding.metadata)),
                    namespace: Some(ns.to_owned()),
                    bootstrap: bootstrap(meta),
                },
                rules: rules.unwrap_or_default(),
            });
        }
        grants
    }

    /// Whether one of `subjects` (of a binding in `namespace`, if a RoleBinding) is this user.
    fn bound(&self, subjects: &[Subject], namespace: Option<&str>) -> bool {
        subjects.iter().any(|s| match s.kind.as_str() {
            "User" => s.name == self.user,
            "Group" => self.groups.contains(&s.name),
            "ServiceAccount" => {
                let ns = s.namespace.as_deref().or(namespace).unwrap_or_default();
                service_account(&self.user) == Some((ns, s.name.as_str()))
            }
            _ => false,
        })
    }
}

fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or_default()
}

fn bootstrap(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .is_some_and(|l| l.contains_key(BOOTSTRAP_LABEL))
}

/// A rule split into one-group-one-resource (or one-URL) rules, each with the rule's verbs.
fn atoms(rule: &PolicyRule) -> Vec<(PolicyRule, Vec<String>)> {
    let mut out = Vec::new();
    if let Some(urls) = &rule.non_resource_urls {
        for url in urls {
            let atom = PolicyRule {
                non_resource_urls: Some(vec![url.clone()]),
                ..PolicyRule::default()
            };
            out.push((atom, rule.verbs.clone()));
        }
    }
    for group in rule.api_groups.as_deref().unwrap_or_default() {
        for resource in rule.resources.as_deref().unwrap_or_default() {
            let atom = PolicyRule {
                api_groups: Some(vec![group.clone()]),
                resources: Some(vec![resource.clone()]),
                resource_names: rule.resource_names.clone(),
                ..PolicyRule::default()
            };
            out.push((atom, rule.verbs.clone()));
        }
    }
    out
}

impl fmt::Display for Unused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}]",
            describe(&self.rule),
            self.rule.verbs.join(" ")
        )?;
        write!(
            f,
            " granted by {} via {}",
            self.source.role, self.source.binding
        )
    }
}

/// `group/resource` (`resource` for core, with names), or the URLs, of a rule.
pub(crate) fn describe(rule: &PolicyRule) -> String {
    if let Some(urls) = &rule.non_resource_urls {
        return urls.join(",");
    }
    let groups = rule.api_groups.as_deref().unwrap_or_default();
    let resources = rule.resources.as_deref().unwrap_or_default();
    let mut by_group: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for g in groups {
        by_group
            .entry(g)
            .or_default()
            .extend(resources.iter().map(String::as_str));
    }
    let mut text = by_group
        .iter()
        .flat_map(|(g, rs)| {
            rs.iter().map(move |r| {
                if g.is_empty() {
                    (*r).to_owned()
                } else {
                    format!("{r}.{g}")
                }
            })
        })
        .collect::<Vec<_>>()
        .join(",");
    if let Some(names) = rule.resource_names.as_deref().filter(|n| !n.is_empty()) {
        text.push_str(&format!(" {names:?}"));
    }
    text
}
