//! Pod templates (`ValidatePodTemplateSpec`, `ValidatePodTemplate` and
//! `ValidatePodTemplateUpdate` of `pkg/apis/core/validation`): the template's labels and
//! annotations, its pod spec (`pod::validate_spec`, the checks the test server reproduces), and
//! no ephemeral containers.

use serde_json::Value;

use super::{FieldError, meta, pod};

/// Every restart policy a pod spec may name.
pub(crate) const ANY_RESTART: [&str; 3] = ["Always", "OnFailure", "Never"];

/// `ValidatePodTemplateSpec` of the template at `path` (e.g. `spec.template`); the pod spec
/// may name one of `restart_policies`.
pub(crate) fn template_spec(
    template: &Value,
    path: &str,
    restart_policies: &[&str],
) -> Vec<FieldError> {
    let null = Value::Null;
    let mut errs = meta::labels(
        template.pointer("/metadata/labels"),
        &format!("{path}.labels"),
    );
    errs.extend(meta::annotations_at(
        template.pointer("/metadata/annotations"),
        &format!("{path}.annotations"),
    ));
    errs.extend(pod::validate_spec(
        template.get("spec").unwrap_or(&null),
        &format!("{path}.spec"),
        restart_policies,
    ));
    if template
        .pointer("/spec/ephemeralContainers")
        .and_then(Value::as_array)
        .is_some_and(|list| !list.is_empty())
    {
        errs.push(FieldError::forbidden(
            format!("{path}.spec.ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
    errs
}

/// `ValidatePodTemplate` after the metadata (and `ValidatePodTemplateUpdate` after the
/// metadata update rules: the same template checks).
pub(crate) fn pod_template(obj: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    template_spec(
        obj.get("template").unwrap_or(&null),
        "template",
        &ANY_RESTART,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `ValidatePodTemplateSpec`: labels at `<path>.labels`, the pod spec at `<path>.spec`,
    /// ephemeral containers refused.
    #[test]
    fn templates() {
        let good = json!({"template": {"metadata": {"labels": {"a": "b"}}, "spec": {
            "restartPolicy": "OnFailure", "dnsPolicy": "ClusterFirst", "containers": [
                {"name": "c", "image": "i", "imagePullPolicy": "Always"}]}}});
        assert!(pod_template(&good).is_empty(), "{:?}", pod_template(&good));
        let bad = json!({"template": {"metadata": {"labels": {"a": "-b"}}, "spec": {
            "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "containers": [],
            "ephemeralContainers": [{"name": "e", "image": "i", "imagePullPolicy": "Always"}]}}});
        let got: Vec<String> = pod_template(&bad).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "template.labels: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "template.spec.containers: Required value",
                "template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template",
            ]
        );
    }
}
