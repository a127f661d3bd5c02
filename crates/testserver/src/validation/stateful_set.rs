//! apps/v1 StatefulSet validation (`ValidateStatefulSetSpec`, `ValidateStatefulSet`,
//! `ValidateStatefulSetUpdate` of `pkg/apis/apps/validation`): the policies and update
//! strategy, the claim templates (`ValidatePersistentVolumeClaimSpec` of each, on create), the
//! service name (a DNS label, on create), the selector and a pod template that always restarts
//! and may mount its claim templates as volumes, and the spec fields that may not change.
//!
//! Objects reach validation defaulted (`admission/defaults/workloads.rs`), so the required
//! policies only fail when set to something unknown.

use serde_json::{Value, json};

use super::apps::{
    always_restarting_template, non_negative, required_selector, restart_always, spec,
};
use super::field_error::BadValue;
use super::{FieldError, claim_spec, godump, int_or_percent, names};

/// What `StatefulSetValidationOptions` turns on: a create checks everything; an update
/// tolerates a stored claim template or service name the rules now refuse, and skips the pod
/// template when the stored one does not pass.
#[derive(Debug, Clone, Copy)]
struct Options {
    /// The service name is a DNS label (`!AllowInvalidServiceName`).
    service_name: bool,
    /// The claim templates are checked (`!SkipValidateVolumeClaimTemplates`).
    claim_templates: bool,
    /// The pod template's spec is checked (`!SkipValidatePodTemplateSpec`).
    pod_template: bool,
}

/// `ValidateStatefulSet` after the metadata.
pub(crate) fn stateful_set(obj: &Value) -> Vec<FieldError> {
    let opts = Options {
        service_name: true,
        claim_templates: true,
        pod_template: true,
    };
    stateful_set_spec(obj, opts)
}

/// `validateVolumeClaimTemplates`: each claim template's spec, as a new claim's.
fn claim_templates(spec: &Value) -> Vec<FieldError> {
    let templates = spec.get("volumeClaimTemplates").and_then(Value::as_array);
    let mut errs = Vec::new();
    for (i, claim) in templates.into_iter().flatten().enumerate() {
        errs.extend(claim_spec::claim_spec(
            claim.get("spec").unwrap_or(&Value::Null),
            &format!("spec.volumeClaimTemplates[{i}].spec"),
        ));
    }
    errs
}

/// The spec whose template is validated: without `subdomain` and `hostname` (the controller
/// sets them), and with a volume per claim template (`volumesToAddForTemplates`) replacing
/// the template's volume of that name, so mounts of claim templates resolve.
fn with_claim_volumes(spec: &Value) -> Value {
    let mut spec = spec.clone();
    let claims: Vec<String> = spec
        .get("volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            c.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    if let Some(pod) = spec
        .pointer_mut("/template/spec")
        .and_then(Value::as_object_mut)
    {
        pod.remove("subdomain");
        pod.remove("hostname");
        if !claims.is_empty() {
            let mut volumes: Vec<Value> = claims
                .iter()
                .map(|name| json!({"name": name, "persistentVolumeClaim": {"claimName": name}}))
                .collect();
            let own = pod.get("volumes").and_then(Value::as_array).cloned();
            volumes.extend(own.into_iter().flatten().filter(|v| {
                let name = v.get("name").and_then(Value::as_str).unwrap_or("");
                !claims.iter().any(|c| c == name)
            }));
            pod.insert("volumes".into(), Value::Array(volumes));
        }
    }
    spec
}

/// `ValidateStatefulSetSpec` with the options of a create or an update.
fn stateful_set_spec(obj: &Value, opts: Options) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = Vec::new();
    let policy = spec
        .get("podManagementPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    match policy {
        "" => errs.push(FieldError::required("spec.podManagementPolicy", "")),
        "OrderedReady" | "Parallel" => {}
        other => errs.push(FieldError::not_supported(
            "spec.podManagementPolicy",
            other,
            &["OrderedReady", "Parallel"],
        )),
    }
    let strategy = spec
        .pointer("/updateStrategy/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let rolling = spec
        .pointer("/updateStrategy/rollingUpdate")
        .filter(|r| !r.is_null());
    match strategy {
        "" => errs.push(FieldError::required("spec.updateStrategy", "")),
        "OnDelete" => {
            if let Some(rolling) = rolling {
                errs.push(FieldError::invalid(
                    "spec.updateStrategy.rollingUpdate",
                    stateful_set_rolling_value(rolling),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(rolling) = rolling {
                errs.extend(stateful_set_rolling_update(rolling));
            }
        }
        other => errs.push(FieldError::not_supported(
            "spec.updateStrategy",
            other,
            &["RollingUpdate", "OnDelete"],
        )),
    }
    errs.extend(claim_retention_policy(spec));
    if opts.claim_templates {
        errs.extend(claim_templates(spec));
    }
    non_negative(spec, "replicas", &mut errs);
    non_negative(spec, "minReadySeconds", &mut errs);
    if let Some(start) = spec
        .pointer("/ordinals/start")
        .and_then(Value::as_i64)
        .filter(|s| *s < 0)
    {
        errs.push(FieldError::invalid(
            "spec.ordinals.start",
            start,
            "must be greater than or equal to 0",
        ));
    }
    let service = spec
        .get("serviceName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if opts.service_name && !service.is_empty() {
        for msg in names::dns1123_label(service) {
            errs.push(FieldError::invalid("spec.serviceName", service, msg));
        }
    }
    required_selector(spec, "statefulset", &mut errs);
    if opts.pod_template {
        always_restarting_template(&with_claim_volumes(spec), "StatefulSet", &mut errs);
    } else {
        restart_always(spec, "StatefulSet", &mut errs);
    }
    errs
}

/// `validateRollingUpdateStatefulSet`.
fn stateful_set_rolling_update(rolling: &Value) -> Vec<FieldError> {
    const PATH: &str = "spec.updateStrategy.rollingUpdate";
    let mut errs = Vec::new();
    if let Some(p) = rolling
        .get("partition")
        .and_then(Value::as_i64)
        .filter(|p| *p < 0)
    {
        errs.push(FieldError::invalid(
            format!("{PATH}.partition"),
            p,
            "must be greater than or equal to 0",
        ));
    }
    if let Some(max) = rolling.get("maxUnavailable").filter(|v| !v.is_null()) {
        let path = format!("{PATH}.maxUnavailable");
        errs.extend(int_or_percent::positive(Some(max), &path));
        if int_or_percent::value(Some(max)) == 0 {
            errs.push(FieldError::invalid(
                path.clone(),
                max.clone(),
                "cannot be 0",
            ));
        }
        errs.extend(int_or_percent::not_more_than_100_percent(Some(max), &path));
    }
    errs
}

/// The internal `RollingUpdateStatefulSetStrategy` as `json.Marshal` prints it.
fn stateful_set_rolling_value(rolling: &Value) -> BadValue {
    let partition = rolling
        .get("partition")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let max = rolling
        .get("maxUnavailable")
        .filter(|v| !v.is_null())
        .map_or("null".to_owned(), godump::go_json);
    BadValue::Raw(format!(
        "{{\"Partition\":{partition},\"MaxUnavailable\":{max}}}"
    ))
}

/// `ValidatePersistentVolumeClaimRetentionPolicy`.
fn claim_retention_policy(spec: &Value) -> Vec<FieldError> {
    const POLICIES: [&str; 2] = ["Retain", "Delete"];
    let mut errs = Vec::new();
    let Some(policy) = spec
        .get("persistentVolumeClaimRetentionPolicy")
        .filter(|p| !p.is_null())
    else {
        return errs;
    };
    for key in ["whenDeleted", "whenScaled"] {
        let value = policy.get(key).and_then(Value::as_str).unwrap_or("");
        if !POLICIES.contains(&value) {
            errs.push(FieldError::not_supported(
                format!("spec.persistentVolumeClaimRetentionPolicy.{key}"),
                value,
                &POLICIES,
            ));
        }
    }
    errs
}

/// `ValidateStatefulSetUpdate` after the metadata update rules: the spec (with its claim
/// templates and service name as stored, and the pod template only when the stored one
/// passed), then only some spec fields may change.
pub(crate) fn stateful_set_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut opts = Options {
        service_name: false,
        claim_templates: false,
        pod_template: true,
    };
    if !stateful_set_spec(old, opts).is_empty() {
        opts.pod_template = false;
    }
    let mut errs = stateful_set_spec(new, opts);
    errs.extend(immutable_fields(new, old));
    errs
}

/// The spec fields a StatefulSet update may not change.
fn immutable_fields(new: &Value, old: &Value) -> Vec<FieldError> {
    const MUTABLE: &[&str] = &[
        "replicas",
        "template",
        "updateStrategy",
        "minReadySeconds",
        "ordinals",
        "revisionHistoryLimit",
        "persistentVolumeClaimRetentionPolicy",
    ];
    let without_mutable = |obj: &Value| {
        let mut s = spec(obj).as_object().cloned().unwrap_or_default();
        s.retain(|k, v| !MUTABLE.contains(&k.as_str()) && !v.is_null());
        s
    };
    if without_mutable(new) == without_mutable(old) {
        return Vec::new();
    }
    vec![FieldError::forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    )]
}

#[cfg(test)]
mod tests;
