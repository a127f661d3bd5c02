//! Escalation prevention on writes of Roles, ClusterRoles and their bindings, as
//! kube-apiserver's RBAC storage enforces it: a user may only grant permissions it holds
//! itself, unless it is in `system:masters`, may `escalate` the role resource, or may `bind`
//! the referenced role. A refusal is a 403 naming the missing rules; a binding whose role
//! cannot be read is refused with the registry's own error (404, or 500 for an unknown
//! `roleRef.kind`), as the real server returns it unwrapped.

use super::attributes::Attributes;
use super::covers::{compact, compact_string, covers};
use super::evaluate::{PRIVILEGED_GROUP, authorize};
use super::forbidden::Forbidden;
use super::goquote::{quote, quote_list};
use super::objects::{RbacObjects, name_of};
use super::resolver::{ResolveError, role_reference_rules, rules_for};
use super::rule::PolicyRule;
use crate::auth::User;
use serde_json::Value;

const GROUP: &str = "rbac.authorization.k8s.io";

/// A create or update of an RBAC object, as the storage layer sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RbacWrite<'a> {
    /// `roles`, `clusterroles`, `rolebindings` or `clusterrolebindings`.
    pub(crate) resource: &'a str,
    /// The request namespace (empty for the cluster-scoped kinds).
    pub(crate) namespace: &'a str,
    /// The object name from the URL: empty for a create (POST to the collection).
    pub(crate) url_name: &'a str,
    /// The object to be stored.
    pub(crate) object: &'a Value,
    /// The stored object an update replaces (`None` for a create).
    pub(crate) old: Option<&'a Value>,
}

/// Whether an update only touches what the garbage collector edits (ownerReferences,
/// finalizers), which is never checked for escalation. Bookkeeping fields the server sets
/// (resourceVersion, managedFields, generation) are ignored.
fn only_gc_fields(new: &Value, old: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for key in [
                "ownerReferences",
                "finalizers",
                "resourceVersion",
                "managedFields",
                "generation",
            ] {
                meta.remove(key);
            }
        }
        v
    };
    strip(new) == strip(old)
}

/// Why a write of an RBAC object is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Refusal {
    /// 403: the user would grant more than it holds (or use an aggregationRule).
    Forbidden(Forbidden),
    /// 404 from the role registry: the binding's role does not exist. `resource` is
    /// `roles` or `clusterroles` (the registry names it in the plural).
    RoleNotFound {
        /// `roles` or `clusterroles`.
        resource: &'static str,
        /// The role's name.
        name: String,
    },
    /// 500: `roleRef.kind` is neither `Role` nor `ClusterRole` (the escalation check runs
    /// before validation, so the resolver's plain error surfaces as an internal error).
    UnsupportedKind {
        /// The error text (`unsupported role reference kind: "X"`).
        message: String,
    },
}

fn forbidden(write: &RbacWrite<'_>, cause: &str) -> Refusal {
    Refusal::Forbidden(Forbidden::for_resource(
        GROUP,
        write.resource,
        name_of(write.object),
        cause,
    ))
}

/// The error text of a resolution failure as the registry-backed resolver of the RBAC
/// storage reports it: the registry names resources in the plural
/// (`clusterroles.rbac.authorization.k8s.io "x" not found`), unlike the informer listers
/// of the authorizer.
fn registry_message(e: &ResolveError) -> String {
    match e {
        ResolveError::RoleNotFound { kind, name } => {
            format!("{kind}s.{GROUP} {} not found", quote(name))
        }
        other => other.to_string(),
    }
}

fn refusal_of(e: ResolveError) -> Refusal {
    match e {
        ResolveError::RoleNotFound { kind, name } => Refusal::RoleNotFound {
            resource: if kind == "role" {
                "roles"
            } else {
                "clusterroles"
            },
            name,
        },
        other => Refusal::UnsupportedKind {
            message: other.to_string(),
        },
    }
}

/// Whether a ClusterRole has an `aggregationRule` with at least one selector.
fn has_aggregation_rule(role: &Value) -> bool {
    role.pointer("/aggregationRule/clusterRoleSelectors")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty())
}

/// `ConfirmNoEscalation`: the user's own RBAC rules in the request namespace must cover
/// `rules`; the error text lists what is missing.
pub(crate) fn confirm_no_escalation(
    objects: &dyn RbacObjects,
    user: &User,
    namespace: &str,
    rules: &[PolicyRule],
) -> Result<(), String> {
    let (owner, errors) = rules_for(objects, user, namespace);
    let Err(missing) = covers(&owner, rules) else {
        return Ok(());
    };
    let mut lines: Vec<String> = compact(&missing).iter().map(compact_string).collect();
    lines.sort();
    lines.dedup();
    let mut msg = format!(
        "user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        quote(&user.name),
        quote_list(&user.groups),
        lines.join("\n")
    );
    if !errors.is_empty() {
        let mut seen: Vec<String> = Vec::new();
        for e in &errors {
            let text = registry_message(e);
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        // `%v` of a one-element []error holding a utilerrors.Aggregate
        let aggregate = match seen.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        msg.push_str(&format!("; resolution errors: [{aggregate}]"));
    }
    Err(msg)
}

fn allowed(objects: &dyn RbacObjects, user: &User, attrs: &Attributes) -> bool {
    authorize(objects, user, attrs).allowed
}

/// Checks a write of an RBAC object for escalation; `Err` is the refusal to answer.
///
/// Call it after the write itself was authorized (`create`/`update`/`patch` on the
/// resource) and before validation, as the RBAC storage wrapper of kube-apiserver does
/// (for updates and patches on the object the request would store).
pub(crate) fn check_write(
    objects: &dyn RbacObjects,
    user: &User,
    write: &RbacWrite<'_>,
) -> Result<(), Refusal> {
    if user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
        return Ok(());
    }
    if write
        .old
        .is_some_and(|old| only_gc_fields(write.object, old))
    {
        return Ok(());
    }
    match write.resource {
        "roles" | "clusterroles" => {
            let escalate = Attributes {
                api_version: "*".into(),
                ..Attributes::resource("escalate", GROUP, write.resource)
                    .in_namespace(write.namespace)
                    .named(write.url_name)
            };
            if allowed(objects, user, &escalate) {
                return Ok(());
            }
            let rules = PolicyRule::list_from(write.object);
            confirm_no_escalation(objects, user, write.namespace, &rules)
                .map_err(|e| forbidden(write, &e))?;
            // setting, keeping or dropping an aggregationRule needs full authority
            let aggregates =
                has_aggregation_rule(write.object) || write.old.is_some_and(has_aggregation_rule);
            if write.resource == "clusterroles" && aggregates {
                let full = [
                    PolicyRule {
                        verbs: vec!["*".into()],
                        api_groups: vec!["*".into()],
                        resources: vec!["*".into()],
                        ..PolicyRule::default()
                    },
                    PolicyRule {
                        verbs: vec!["*".into()],
                        non_resource_urls: vec!["*".into()],
                        ..PolicyRule::default()
                    },
                ];
                confirm_no_escalation(objects, user, write.namespace, &full).map_err(|_| {
                    forbidden(
                        write,
                        "must have cluster-admin privileges to use the aggregationRule",
                    )
                })?;
            }
            Ok(())
        }
        "rolebindings" | "clusterrolebindings" => {
            let role_ref = write.object.get("roleRef").unwrap_or(&Value::Null);
            let text = |key: &str| {
                role_ref
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            let role_resource = match text("kind") {
                "ClusterRole" => Some("clusterroles"),
                "Role" => Some("roles"),
                _ => None,
            };
            if let Some(resource) = role_resource {
                let bind = Attributes::resource("bind", text("apiGroup"), resource)
                    .in_namespace(write.namespace)
                    .named(text("name"));
                if allowed(objects, user, &bind) {
                    return Ok(());
                }
            }
            let rules =
                role_reference_rules(objects, role_ref, write.namespace).map_err(refusal_of)?;
            confirm_no_escalation(objects, user, write.namespace, &rules)
                .map_err(|e| forbidden(write, &e))
        }
        _ => Ok(()),
    }
}
