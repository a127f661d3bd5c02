//! flowcontrol.apiserver.k8s.io/v1 (`pkg/apis/flowcontrol/validation`): FlowSchemas
//! (`ValidateFlowSchema`: matching precedence, distinguisher, the priority level reference,
//! subjects, resource and non-resource rules) and PriorityLevelConfigurations
//! (`ValidatePriorityLevelConfiguration`: the type, limited and exempt settings, queuing with
//! the shuffle-sharding entropy limit), each with the mandatory objects' fixed specs
//! (`exempt`, `catch-all`) and the status rules; the priority levels are in
//! `priority_level.rs`. Both run the same checks on create and
//! update, and see the object after the v1 defaults.

use serde_json::{Value, json};

use super::admission_rules::{go_slice, items, opt_str, strings};
use super::policy_status;
use super::{BadValue, FieldError, NameRule, go_quote, names, object_meta};

pub(crate) mod bootstrap;
mod go_spec;
mod priority_level;

use bootstrap::mandatory_flow_schema;
pub(crate) use priority_level::{priority_level, priority_level_defaults};

const VERBS: [&str; 9] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "proxy",
    "update",
    "watch",
];
const SUBJECT_KINDS: [&str; 3] = ["Group", "ServiceAccount", "User"];
const DISTINGUISHERS: [&str; 2] = ["ByNamespace", "ByUser"];
const MAX_MATCHING_PRECEDENCE: i64 = 10000;

pub(super) fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

pub(super) fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

pub(super) fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

pub(super) fn name(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `ValidateFlowSchema` (also `ValidateFlowSchemaUpdate`).
pub(crate) fn flow_schema(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    let (spec, name) = (spec(obj), name(obj));
    let precedence = int(spec, "/matchingPrecedence");
    let at = "spec.matchingPrecedence";
    if precedence <= 0 {
        errs.push(FieldError::invalid(
            at,
            precedence,
            "must be a positive value",
        ));
    }
    if precedence > MAX_MATCHING_PRECEDENCE {
        errs.push(FieldError::invalid(
            at,
            precedence,
            format!("must not be greater than {MAX_MATCHING_PRECEDENCE}"),
        ));
    }
    if precedence == 1 && name != "exempt" {
        errs.push(FieldError::invalid(
            at,
            precedence,
            "only the schema named 'exempt' may have matchingPrecedence 1",
        ));
    }
    if let Some(method) = set(spec, "distinguisherMethod") {
        let t = opt_str(method, "type").unwrap_or("");
        if !DISTINGUISHERS.contains(&t) {
            errs.push(FieldError::not_supported(
                "spec.distinguisherMethod.type",
                BadValue::Raw(format!(
                    "flowcontrol.FlowDistinguisherMethod{{Type:{}}}",
                    go_quote(t)
                )),
                &DISTINGUISHERS,
            ));
        }
    }
    let level = spec
        .pointer("/priorityLevelConfiguration/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if level.is_empty() {
        errs.push(FieldError::required(
            "spec.priorityLevelConfiguration.name",
            "must reference a priority level",
        ));
    }
    for msg in names::dns1123_subdomain(level)
        .into_iter()
        .filter(|_| !level.is_empty())
    {
        errs.push(FieldError::invalid(
            "spec.priorityLevelConfiguration.name",
            level,
            msg,
        ));
    }
    for (i, rule) in items(spec.get("rules")).iter().enumerate() {
        errs.extend(policy_rules(rule, &format!("spec.rules[{i}]")));
    }
    if let Some(fixed) = mandatory_flow_schema(name)
        && normalized(spec) != normalized(fixed)
    {
        errs.push(FieldError::invalid(
            "spec",
            go_spec::flow_schema(spec),
            format!("spec of '{name}' must equal the fixed value"),
        ));
    }
    errs.extend(policy_status::flow_control(obj, obj));
    errs
}

/// `ValidateFlowSchemaPolicyRulesWithSubjects`.
fn policy_rules(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let subjects = items(rule.get("subjects"));
    if subjects.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.subjects"),
            "subjects must contain at least one value",
        ));
    }
    for (i, subject) in subjects.iter().enumerate() {
        errs.extend(self::subject(subject, &format!("{path}.subjects[{i}]")));
    }
    let (resource_rules, non_resource_rules) = (
        items(rule.get("resourceRules")),
        items(rule.get("nonResourceRules")),
    );
    if resource_rules.is_empty() && non_resource_rules.is_empty() {
        errs.push(FieldError::required(
            path,
            "at least one of resourceRules and nonResourceRules has to be non-empty",
        ));
    }
    for (i, r) in resource_rules.iter().enumerate() {
        errs.extend(resource_rule(r, &format!("{path}.resourceRules[{i}]")));
    }
    for (i, r) in non_resource_rules.iter().enumerate() {
        errs.extend(non_resource_rule(
            r,
            &format!("{path}.nonResourceRules[{i}]"),
        ));
    }
    errs
}

/// `ValidateFlowSchemaSubject`: the member named by `kind` is required, the others forbidden.
fn subject(subject: &Value, path: &str) -> Vec<FieldError> {
    const MEMBERS: [(&str, &str, &str); 3] = [
        (
            "ServiceAccount",
            "serviceAccount",
            "serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
        ),
        (
            "User",
            "user",
            "user is forbidden when subject kind is not 'User'",
        ),
        (
            "Group",
            "group",
            "group is forbidden when subject kind is not 'Group'",
        ),
    ];
    let kind = opt_str(subject, "kind").unwrap_or("");
    if !SUBJECT_KINDS.contains(&kind) {
        return vec![FieldError::not_supported(
            format!("{path}.kind"),
            kind,
            &SUBJECT_KINDS,
        )];
    }
    let mut errs = Vec::new();
    for (member_kind, key, forbidden) in MEMBERS {
        let at = format!("{path}.{key}");
        let member = set(subject, key);
        if member_kind != kind {
            if member.is_some() {
                errs.push(FieldError::forbidden(at, forbidden));
            }
            continue;
        }
        let Some(member) = member else {
            errs.push(FieldError::required(
                at,
                format!("{key} is required when subject kind is '{kind}'"),
            ));
            continue;
        };
        let member_name = opt_str(member, "name").unwrap_or("");
        if member_name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else if kind == "ServiceAccount" && member_name != "*" {
            for msg in names::dns1123_subdomain(member_name) {
                errs.push(FieldError::invalid(format!("{at}.name"), member_name, msg));
            }
        }
        if kind == "ServiceAccount" {
            let namespace = opt_str(member, "namespace").unwrap_or("");
            if namespace.is_empty() {
                errs.push(FieldError::required(
                    format!("{at}.namespace"),
                    "must specify namespace for service account",
                ));
            }
            for msg in names::dns1123_label(namespace)
                .into_iter()
                .filter(|_| !namespace.is_empty())
            {
                errs.push(FieldError::invalid(
                    format!("{at}.namespace"),
                    namespace,
                    msg,
                ));
            }
        }
    }
    // the real checks of the kind's own member come first
    if let Some(own) = MEMBERS.iter().position(|(k, _, _)| *k == kind) {
        let own_key = format!("{path}.{}", MEMBERS[own].1);
        errs.sort_by_key(|e| !e.field.starts_with(&own_key));
    }
    errs
}

/// The verbs rule both kinds of policy rule share.
fn verbs(rule: &Value, path: &str) -> Vec<FieldError> {
    let verbs = strings(rule.get("verbs"));
    let at = format!("{path}.verbs");
    if verbs.is_empty() {
        return vec![FieldError::required(
            at,
            "verbs must contain at least one value",
        )];
    }
    if verbs.contains(&"*") {
        if verbs.len() > 1 {
            return vec![FieldError::invalid(
                at,
                go_slice("string", &verbs),
                "if '*' is present, must not specify other verbs",
            )];
        }
        return Vec::new();
    }
    if verbs.iter().any(|v| !VERBS.contains(v)) {
        return vec![FieldError::not_supported(
            at,
            go_slice("string", &verbs),
            &VERBS,
        )];
    }
    Vec::new()
}

/// `ValidateFlowSchemaResourcePolicyRule`.
fn resource_rule(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = verbs(rule, path);
    for (key, what) in [("apiGroups", "api group"), ("resources", "resource")] {
        let values = strings(rule.get(key));
        if values.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.{key}"),
                format!("resource rules must supply at least one {what}"),
            ));
        } else if values.len() > 1 && values.contains(&"*") {
            errs.push(FieldError::invalid(
                format!("{path}.{key}"),
                go_slice("string", &values),
                format!("if '*' is present, must not specify other {what}s"),
            ));
        }
    }
    let namespaces = strings(rule.get("namespaces"));
    let cluster_scope = rule
        .get("clusterScope")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if namespaces.is_empty() && !cluster_scope {
        errs.push(FieldError::required(
            format!("{path}.namespaces"),
            "resource rules that are not cluster scoped must supply at least one namespace",
        ));
    } else if namespaces.contains(&"*") {
        if namespaces.len() > 1 {
            errs.push(FieldError::invalid(
                format!("{path}.namespaces"),
                go_slice("string", &namespaces),
                "if '*' is present, must not specify other namespaces",
            ));
        }
    } else {
        for (i, ns) in namespaces.iter().enumerate() {
            for msg in names::dns1123_label(ns) {
                errs.push(FieldError::invalid(
                    format!("{path}.namespaces[{i}]"),
                    *ns,
                    format!("each member of this list must be '*' or a DNS-1123 label; {msg}"),
                ));
            }
        }
    }
    errs
}

/// `ValidateFlowSchemaNonResourcePolicyRule`.
fn non_resource_rule(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = verbs(rule, path);
    let urls = strings(rule.get("nonResourceURLs"));
    let at = format!("{path}.nonResourceURLs");
    if urls.is_empty() {
        errs.push(FieldError::required(
            at,
            "nonResourceURLs must contain at least one value",
        ));
    } else if urls.contains(&"*") {
        if urls.len() > 1 {
            errs.push(FieldError::invalid(
                at,
                go_slice("string", &urls),
                "if '*' is present, must not specify other non-resource URLs",
            ));
        }
    } else {
        for (i, url) in urls.iter().enumerate() {
            if let Some(msg) = non_resource_url(url) {
                errs.push(FieldError::invalid(format!("{at}[{i}]"), *url, msg));
            }
        }
    }
    errs
}

/// `ValidateNonResourceURLPath`.
fn non_resource_url(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("must not be empty");
    }
    if path == "/" {
        return None;
    }
    if !path.starts_with('/') {
        return Some("must start with slash");
    }
    if path.contains(' ') {
        return Some("must not contain white-space");
    }
    if path.contains("//") {
        return Some("must not contain double slash");
    }
    let wildcards = path.matches('*').count();
    if wildcards > 1 || (wildcards == 1 && !path.ends_with("/*")) {
        return Some("wildcard can only do suffix matching");
    }
    None
}

/// The v1 defaults (`SetDefaults_FlowSchemaSpec`).
pub(crate) fn flow_schema_defaults(obj: &mut Value) {
    if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut)
        && spec
            .get("matchingPrecedence")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            == 0
    {
        spec.insert("matchingPrecedence".into(), json!(1000));
    }
}

/// The value as `apiequality.Semantic.DeepEqual` compares it: unset, zero and empty-list
/// fields are alike.
pub(crate) fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .filter(|(_, v)| !is_zero(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

#[cfg(test)]
mod tests;
