//! SelfSubjectRulesReview: everything I may do in a namespace. Lists the RBAC rules of every
//! binding that applies (cluster-wide, then the namespace's), split into resource and
//! non-resource rules, never `incomplete`; roles that bindings reference but that do not
//! exist are reported in `evaluationError`. `system:masters` adds no rules of its own (its
//! authorizer resolves none); members see what `cluster-admin` grants them.

use serde_json::{Map, Value, json};

use super::Rejected;
use crate::auth::User;
use crate::rbac::objects::RbacObjects;
use crate::rbac::resolver::{aggregate_message, rules_for};
use crate::rbac::rule::PolicyRule;

fn list(m: &mut Map<String, Value>, key: &str, list: &[String]) {
    if !list.is_empty() {
        m.insert(key.into(), list.to_vec().into());
    }
}

fn resource_rule(rule: &PolicyRule) -> Value {
    let mut m = Map::new();
    m.insert("verbs".into(), rule.verbs.clone().into());
    list(&mut m, "apiGroups", &rule.api_groups);
    list(&mut m, "resources", &rule.resources);
    list(&mut m, "resourceNames", &rule.resource_names);
    Value::Object(m)
}

fn non_resource_rule(rule: &PolicyRule) -> Value {
    let mut m = Map::new();
    m.insert("verbs".into(), rule.verbs.clone().into());
    list(&mut m, "nonResourceURLs", &rule.non_resource_urls);
    Value::Object(m)
}

/// Answers a SelfSubjectRulesReview `request` body sent by `user` (`201` body), or the 400
/// the server gives when `spec.namespace` is empty.
pub(crate) fn self_subject_rules_review(
    objects: &dyn RbacObjects,
    user: &User,
    request: &Value,
) -> Result<Value, Rejected> {
    let namespace = request
        .pointer("/spec/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if namespace.is_empty() {
        return Err(Rejected {
            code: 400,
            reason: "BadRequest",
            message: "no namespace on request".into(),
            details: None,
        });
    }
    let (rules, errors) = rules_for(objects, user, namespace);
    let resource_rules: Vec<Value> = rules
        .iter()
        .filter(|r| !r.resources.is_empty())
        .map(resource_rule)
        .collect();
    let non_resource_rules: Vec<Value> = rules
        .iter()
        .filter(|r| !r.non_resource_urls.is_empty())
        .map(non_resource_rule)
        .collect();
    let mut status = Map::new();
    status.insert("resourceRules".into(), resource_rules.into());
    status.insert("nonResourceRules".into(), non_resource_rules.into());
    status.insert("incomplete".into(), false.into());
    if !errors.is_empty() {
        status.insert("evaluationError".into(), aggregate_message(&errors).into());
    }
    Ok(json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": {},
        "status": status,
    }))
}
