//! admissionregistration.k8s.io/v1: webhook configurations, ValidatingAdmissionPolicies and
//! their bindings: the v1 defaults (`SetDefaults_*Webhook`, `SetDefaults_Rule`,
//! `SetDefaults_ServiceReference`, `SetDefaults_ValidatingAdmissionPolicySpec`,
//! `SetDefaults_MatchResources`), the validation (`validation::webhooks`,
//! `validation::admission_policy`), the generation (webhook configurations bump it when their
//! `webhooks` change, bindings when their spec does, policies through their status base), and
//! the table columns (`printMutatingWebhook`, `printValidatingWebhook`,
//! `printValidatingAdmissionPolicy`, `printValidatingAdmissionPolicyBinding`).

use serde_json::{Map, Value, json};

use crate::registry::print::{self, text};
use crate::registry::printed::Printed;
use crate::registry::spec_validated::{Generation, SpecValidated, nothing_created};
use crate::registry::status_types::{self, ResetsMetaForStatus};
use crate::registry::table::{self, Column, col};
use crate::validation::admission_policy;
use crate::validation::webhooks::Hooks;
use crate::validation::{FieldError, NameRule, object_meta};

fn webhook_configurations() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Webhooks",
                "Webhooks indicates the number of webhooks registered in this configuration",
                0,
                |v| print::len(v, "/webhooks").into(),
            )
            .typed("integer"),
        ],
        Vec::new(),
    )
}

/// Sets `key` when the map lacks it (or holds `null`).
fn default_to(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.into(), value);
    }
}

/// `SetDefaults_ValidatingWebhook`/`SetDefaults_MutatingWebhook` with the rules' scope and
/// the service port, for each webhook.
fn webhook_defaults(obj: &mut Value, mutating: bool) {
    let hooks = obj.get_mut("webhooks").and_then(Value::as_array_mut);
    for hook in hooks.into_iter().flatten().filter_map(Value::as_object_mut) {
        default_to(hook, "failurePolicy", json!("Fail"));
        default_to(hook, "matchPolicy", json!("Equivalent"));
        default_to(hook, "namespaceSelector", json!({}));
        default_to(hook, "objectSelector", json!({}));
        default_to(hook, "timeoutSeconds", json!(10));
        if mutating {
            default_to(hook, "reinvocationPolicy", json!("Never"));
        }
        rule_defaults(hook.get_mut("rules"));
        if let Some(service) = hook
            .get_mut("clientConfig")
            .and_then(|c| c.get_mut("service"))
            .and_then(Value::as_object_mut)
        {
            default_to(service, "port", json!(443));
        }
    }
}

/// `SetDefaults_Rule` of each rule: scope `*`.
fn rule_defaults(rules: Option<&mut Value>) {
    let rules = rules.and_then(Value::as_array_mut);
    for rule in rules.into_iter().flatten().filter_map(Value::as_object_mut) {
        default_to(rule, "scope", json!("*"));
    }
}

/// `SetDefaults_MatchResources`, with the rules' defaults.
fn match_resources_defaults(m: Option<&mut Value>) {
    let Some(m) = m.and_then(Value::as_object_mut) else {
        return;
    };
    default_to(m, "matchPolicy", json!("Equivalent"));
    default_to(m, "namespaceSelector", json!({}));
    default_to(m, "objectSelector", json!({}));
    rule_defaults(m.get_mut("resourceRules"));
    rule_defaults(m.get_mut("excludeResourceRules"));
}

/// `SetDefaults_ValidatingAdmissionPolicySpec` (failure policy `Fail`) and the match
/// constraints' defaults.
fn policy_defaults(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    default_to(spec, "failurePolicy", json!("Fail"));
    match_resources_defaults(spec.get_mut("matchConstraints"));
}

/// The defaults of a binding's match resources.
fn binding_defaults(obj: &mut Value) {
    match_resources_defaults(obj.pointer_mut("/spec/matchResources"));
}

/// `ObjectMeta` (DNS-subdomain names) then the webhooks.
fn with_meta(obj: &Value, hooks: Vec<FieldError>) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    errs.extend(hooks);
    errs
}

/// MutatingWebhookConfigurations.
pub(crate) const MUTATING_WEBHOOK_CONFIGURATIONS: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(webhook_configurations),
    defaults: |obj| webhook_defaults(obj, true),
    created: nothing_created,
    validate: |obj| with_meta(obj, Hooks::Mutating.validate(obj)),
    validate_update: |new, old| with_meta(new, Hooks::Mutating.validate_update(new, old)),
    validate_status: None,
    generation: Generation::From("webhooks"),
};
/// ValidatingWebhookConfigurations.
pub(crate) const VALIDATING_WEBHOOK_CONFIGURATIONS: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(webhook_configurations),
    defaults: |obj| webhook_defaults(obj, false),
    created: nothing_created,
    validate: |obj| with_meta(obj, Hooks::Validating.validate(obj)),
    validate_update: |new, old| with_meta(new, Hooks::Validating.validate_update(new, old)),
    validate_status: None,
    generation: Generation::From("webhooks"),
};

fn policies() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Validations",
                "Validations indicates the number of validation rules defined in this configuration",
                0,
                |v| print::len(v, "/spec/validations").into(),
            )
            .typed("integer"),
            col(
                "ParamKind",
                "ParamKind specifies the kind of resources used to parameterize this policy",
                0,
                |v| match v.pointer("/spec/paramKind") {
                    Some(k) if k.is_object() => {
                        format!("{}/{}", text(k, "/apiVersion"), text(k, "/kind")).into()
                    }
                    _ => "<unset>".into(),
                },
            ),
        ],
        Vec::new(),
    )
}

/// ValidatingAdmissionPolicies.
pub(crate) const VALIDATING_ADMISSION_POLICIES: SpecValidated<ResetsMetaForStatus> =
    SpecValidated {
        base: ResetsMetaForStatus {
            columns: policies,
            ..status_types::VALIDATING_ADMISSION_POLICIES
        },
        defaults: policy_defaults,
        created: nothing_created,
        validate: admission_policy::policy,
        validate_update: admission_policy::policy_update,
        validate_status: None,
        generation: Generation::Base,
    };

/// `metav1.LabelSelector.String()`, the generated text of apimachinery's `generated.pb.go`:
/// labels sorted by key, `%v` of each value and of the requirement's values, and a comma after
/// every element.
fn selector_text(selector: &Value) -> String {
    let mut labels: Vec<(&String, &str)> = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k, v.as_str().unwrap_or("")))
        .collect();
    labels.sort();
    let labels: String = labels.iter().map(|(k, v)| format!("{k}: {v},")).collect();
    let expressions: Vec<String> = print::items(selector, "/matchExpressions")
        .iter()
        .map(|e| {
            let values: Vec<&str> = print::items(e, "/values")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            // each element is followed by a comma, the last one too
            format!(
                "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
                text(e, "/key"),
                text(e, "/operator"),
                values.join(" ")
            )
        })
        .collect();
    format!(
        "&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{{}}},}}",
        expressions.concat()
    )
}

fn policy_bindings() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "PolicyName",
                "PolicyName indicates the policy definition which the policy binding binded to",
                0,
                |v| text(v, "/spec/policyName").into(),
            ),
            col(
                "ParamRef",
                "ParamRef indicates the param resource which sets the configration param",
                0,
                |v| {
                    let Some(r) = v.pointer("/spec/paramRef").filter(|r| r.is_object()) else {
                        return "<unset>".into();
                    };
                    let (name, namespace) = (text(r, "/name"), text(r, "/namespace"));
                    if !name.is_empty() {
                        // a cluster-scoped param cannot be told apart here: `*/name`
                        let namespace = if namespace.is_empty() { "*" } else { namespace };
                        return format!("{namespace}/{name}").into();
                    }
                    match r.get("selector") {
                        Some(s) if s.is_object() => selector_text(s).into(),
                        _ => "<unset>".into(),
                    }
                },
            ),
        ],
        Vec::new(),
    )
}

/// ValidatingAdmissionPolicyBindings (their generation follows the spec).
pub(crate) const VALIDATING_ADMISSION_POLICY_BINDINGS: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(policy_bindings),
    defaults: binding_defaults,
    created: nothing_created,
    validate: admission_policy::binding,
    validate_update: |new, _| admission_policy::binding(new),
    validate_status: None,
    generation: Generation::From("spec"),
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn policy_cells() {
        let p = json!({"spec": {"validations": [{}, {}], "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}});
        let cells: Vec<Value> = policies().iter().map(|c| c.cell(&p)).collect();
        assert_eq!(cells[1..3].to_vec(), vec![json!(2), json!("v1/ConfigMap")]);
        let b = json!({"spec": {"policyName": "p", "paramRef": {"name": "cm"}}});
        let cells: Vec<Value> = policy_bindings().iter().map(|c| c.cell(&b)).collect();
        assert_eq!(cells[1..3].to_vec(), vec![json!("p"), json!("*/cm")]);
        let s = json!({"spec": {"paramRef": {"selector": {"matchLabels": {"a": "b"}}}}});
        assert_eq!(
            policy_bindings()[2].cell(&s),
            json!(
                "&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:[]LabelSelectorRequirement{},}"
            )
        );
        let s = json!({"spec": {"paramRef": {"selector": {"matchLabels": {"z": "1", "a": "2"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["dev", "prod"]},
                {"key": "tier", "operator": "Exists"}]}}}});
        assert_eq!(
            policy_bindings()[2].cell(&s),
            json!(
                "&LabelSelector{MatchLabels:map[string]string{a: 2,z: 1,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[dev prod],},LabelSelectorRequirement{Key:tier,Operator:Exists,Values:[],},},}"
            )
        );
        let w = json!({"webhooks": [{}]});
        assert_eq!(webhook_configurations()[1].cell(&w), json!(1));
    }

    /// `SetDefaults_ValidatingWebhook`/`SetDefaults_MutatingWebhook` with `SetDefaults_Rule`
    /// and `SetDefaults_ServiceReference`; set values stay.
    #[test]
    fn webhooks_are_defaulted() {
        let sent = json!({"webhooks": [{"timeoutSeconds": 5, "rules": [{}],
            "clientConfig": {"service": {"name": "s"}}}]});
        let mut validating = sent.clone();
        webhook_defaults(&mut validating, false);
        assert_eq!(
            validating["webhooks"][0],
            json!({"timeoutSeconds": 5, "rules": [{"scope": "*"}],
                "clientConfig": {"service": {"name": "s", "port": 443}},
                "failurePolicy": "Fail", "matchPolicy": "Equivalent",
                "namespaceSelector": {}, "objectSelector": {}})
        );
        let mut mutating = sent;
        webhook_defaults(&mut mutating, true);
        assert_eq!(mutating["webhooks"][0]["reinvocationPolicy"], "Never");
    }

    /// `SetDefaults_ValidatingAdmissionPolicySpec` and `SetDefaults_MatchResources`, for
    /// policies and bindings.
    #[test]
    fn policies_and_bindings_are_defaulted() {
        let mut policy = json!({"spec": {"matchConstraints": {"resourceRules": [{}],
            "excludeResourceRules": [{"scope": "Cluster"}]}}});
        policy_defaults(&mut policy);
        assert_eq!(
            policy["spec"],
            json!({"failurePolicy": "Fail", "matchConstraints": {"matchPolicy": "Equivalent",
                "namespaceSelector": {}, "objectSelector": {},
                "resourceRules": [{"scope": "*"}], "excludeResourceRules": [{"scope": "Cluster"}]}})
        );
        let mut binding = json!({"spec": {"policyName": "p"}});
        binding_defaults(&mut binding);
        assert_eq!(binding, json!({"spec": {"policyName": "p"}}));
        let mut binding = json!({"spec": {"matchResources": {"matchPolicy": "Exact"}}});
        binding_defaults(&mut binding);
        assert_eq!(
            binding["spec"]["matchResources"],
            json!({"matchPolicy": "Exact", "namespaceSelector": {}, "objectSelector": {}})
        );
    }
}
