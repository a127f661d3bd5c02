//! admissionregistration.k8s.io/v1: webhook configurations, ValidatingAdmissionPolicies and
//! their bindings: the table columns (`printMutatingWebhook`, `printValidatingWebhook`,
//! `printValidatingAdmissionPolicy`, `printValidatingAdmissionPolicyBinding`).

use serde_json::Value;

use crate::registry::print::{self, text};
use crate::registry::printed::Printed;
use crate::registry::status_types::{self, ResetsMetaForStatus};
use crate::registry::table::{self, Column, col};

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

/// MutatingWebhookConfigurations.
pub(crate) const MUTATING_WEBHOOK_CONFIGURATIONS: Printed =
    Printed::columns(webhook_configurations);
/// ValidatingWebhookConfigurations.
pub(crate) const VALIDATING_WEBHOOK_CONFIGURATIONS: Printed =
    Printed::columns(webhook_configurations);

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
pub(crate) const VALIDATING_ADMISSION_POLICIES: ResetsMetaForStatus = ResetsMetaForStatus {
    columns: policies,
    ..status_types::VALIDATING_ADMISSION_POLICIES
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

/// ValidatingAdmissionPolicyBindings.
pub(crate) const VALIDATING_ADMISSION_POLICY_BINDINGS: Printed = Printed::columns(policy_bindings);

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
}
