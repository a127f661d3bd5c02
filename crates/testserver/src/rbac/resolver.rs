//! Which rules apply to a user: kube-apiserver's `DefaultRuleResolver.VisitRulesFor`. It walks
//! every ClusterRoleBinding, then the RoleBindings of the request namespace, and for each
//! binding with a subject matching the user hands the rules of the referenced role to a
//! visitor, together with a description of where they came from.

use std::fmt;
use std::ops::ControlFlow;

use serde_json::Value;

use super::goquote::quote;
use super::objects::{RbacObjects, name_of};
use super::rule::PolicyRule;
use crate::auth::User;

/// Where a rule came from, printed as the real authorizer does in its reasons:
/// `ClusterRoleBinding "x" of ClusterRole "y" to Group "system:authenticated"` or
/// `RoleBinding "x/ns" of Role "y" to ServiceAccount "sa/ns"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleSource {
    /// `ClusterRoleBinding` or `RoleBinding`.
    pub(crate) binding_kind: &'static str,
    /// Binding name; `name/namespace` for RoleBindings.
    pub(crate) binding: String,
    /// `roleRef.kind`.
    pub(crate) role_kind: String,
    /// `roleRef.name`.
    pub(crate) role_name: String,
    /// The matching subject, described (`Group "system:authenticated"`).
    pub(crate) subject: String,
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} of {} {} to {}",
            self.binding_kind,
            quote(&self.binding),
            self.role_kind,
            quote(&self.role_name),
            self.subject
        )
    }
}

/// Why rules of a matching binding could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ResolveError {
    /// The referenced Role or ClusterRole does not exist (`kind` is `role`/`clusterrole`).
    #[error("{kind}.rbac.authorization.k8s.io {} not found", quote(name))]
    RoleNotFound {
        /// `role` or `clusterrole`.
        kind: &'static str,
        /// The missing role's name.
        name: String,
    },
    /// `roleRef.kind` is neither `Role` nor `ClusterRole`.
    #[error("unsupported role reference kind: {}", quote(kind))]
    UnsupportedKind {
        /// The kind found.
        kind: String,
    },
}

/// One step of a walk over the rules that apply to a user.
#[derive(Debug)]
pub(crate) enum Visited<'a> {
    /// A rule granted to the user by `source`.
    Rule {
        /// Where it came from.
        source: &'a RuleSource,
        /// The rule.
        rule: &'a PolicyRule,
    },
    /// A binding applies but its role cannot be resolved.
    Error(&'a ResolveError),
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Whether a binding subject names the user. ServiceAccount subjects without a namespace
/// take `namespace` (the RoleBinding's; none for ClusterRoleBindings, so they never match).
pub(crate) fn subject_applies(user: &User, subject: &Value, namespace: &str) -> bool {
    let name = str_at(subject, "/name");
    match str_at(subject, "/kind") {
        "User" => user.name == name,
        "Group" => user.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let ns = match str_at(subject, "/namespace") {
                "" => namespace,
                ns => ns,
            };
            !ns.is_empty()
                && user
                    .name
                    .strip_prefix("system:serviceaccount:")
                    .and_then(|rest| rest.split_once(':'))
                    == Some((ns, name))
        }
        _ => false,
    }
}

/// `Kind "name"`, ServiceAccounts as `"name/namespace"` (the binding's namespace when the
/// subject has none).
fn describe_subject(subject: &Value, binding_namespace: &str) -> String {
    let kind = str_at(subject, "/kind");
    let name = str_at(subject, "/name");
    if kind == "ServiceAccount" {
        let ns = match str_at(subject, "/namespace") {
            "" => binding_namespace,
            ns => ns,
        };
        format!("{kind} {}", quote(&format!("{name}/{ns}")))
    } else {
        format!("{kind} {}", quote(name))
    }
}

/// The rules of the role a binding references (`GetRoleReferenceRules`).
pub(crate) fn role_reference_rules(
    objects: &dyn RbacObjects,
    role_ref: &Value,
    binding_namespace: &str,
) -> Result<Vec<PolicyRule>, ResolveError> {
    let name = str_at(role_ref, "/name");
    match str_at(role_ref, "/kind") {
        "Role" => objects
            .role(binding_namespace, name)
            .map(|r| PolicyRule::list_from(&r))
            .ok_or_else(|| ResolveError::RoleNotFound {
                kind: "role",
                name: name.to_owned(),
            }),
        "ClusterRole" => objects
            .cluster_role(name)
            .map(|r| PolicyRule::list_from(&r))
            .ok_or_else(|| ResolveError::RoleNotFound {
                kind: "clusterrole",
                name: name.to_owned(),
            }),
        kind => Err(ResolveError::UnsupportedKind {
            kind: kind.to_owned(),
        }),
    }
}

/// Walks the rules that apply to `user` in `namespace` (cluster-wide bindings first); the
/// visitor stops the walk with `ControlFlow::Break`.
pub(crate) fn visit_rules_for(
    objects: &dyn RbacObjects,
    user: &User,
    namespace: &str,
    visitor: &mut dyn FnMut(Visited<'_>) -> ControlFlow<()>,
) {
    let cluster = objects.cluster_role_bindings();
    let local = if namespace.is_empty() {
        Vec::new()
    } else {
        objects.role_bindings(namespace)
    };
    let bindings = cluster
        .iter()
        .map(|b| (b, "ClusterRoleBinding", ""))
        .chain(local.iter().map(|b| (b, "RoleBinding", namespace)));
    for (binding, binding_kind, ns) in bindings {
        let subjects = binding
            .get("subjects")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(subject) = subjects.iter().find(|s| subject_applies(user, s, ns)) else {
            continue;
        };
        let role_ref = binding.get("roleRef").unwrap_or(&Value::Null);
        let rules = match role_reference_rules(objects, role_ref, ns) {
            Ok(rules) => rules,
            Err(e) => {
                if visitor(Visited::Error(&e)).is_break() {
                    return;
                }
                continue;
            }
        };
        let name = name_of(binding);
        let source = RuleSource {
            binding_kind,
            binding: if ns.is_empty() {
                name.to_owned()
            } else {
                format!("{name}/{ns}")
            },
            role_kind: str_at(role_ref, "/kind").to_owned(),
            role_name: str_at(role_ref, "/name").to_owned(),
            subject: describe_subject(subject, ns),
        };
        for rule in &rules {
            if visitor(Visited::Rule {
                source: &source,
                rule,
            })
            .is_break()
            {
                return;
            }
        }
    }
}

/// Every rule that applies to `user` in `namespace`, and the resolution errors met on the
/// way (`DefaultRuleResolver.RulesFor`).
pub(crate) fn rules_for(
    objects: &dyn RbacObjects,
    user: &User,
    namespace: &str,
) -> (Vec<PolicyRule>, Vec<ResolveError>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    visit_rules_for(objects, user, namespace, &mut |v| {
        match v {
            Visited::Rule { rule, .. } => rules.push(rule.clone()),
            Visited::Error(e) => errors.push(e.clone()),
        }
        ControlFlow::Continue(())
    });
    (rules, errors)
}

/// Go's `utilerrors.NewAggregate(errs).Error()`: one message alone, several deduplicated,
/// joined with `, ` inside brackets.
pub(crate) fn aggregate_message(errors: &[ResolveError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let msg = e.to_string();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}
