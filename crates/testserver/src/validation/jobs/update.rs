//! `ValidateJobSpecUpdate` and `ValidateJobUpdate`'s immutability rules: which fields of a
//! Job may change, and the Go values the immutability errors print.

use super::*;

/// `ValidateJobUpdate` after the metadata: the spec again, then the fields that may not
/// change (the template's scheduling directives may while the Job is suspended and has never
/// started).
pub(crate) fn job_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let (n, o) = (spec(new), spec(old));
    let mut errs = job_spec(n, "spec");
    errs.extend(completions_update(n, o));
    errs.extend(immutable(n, o, "selector", json_value));
    let suspended = o.get("suspend").and_then(Value::as_bool) == Some(true);
    let not_started = old.pointer("/status/startTime").is_none_or(Value::is_null);
    let mut old_template = o.get("template").cloned().unwrap_or(Value::Null);
    if suspended && not_started {
        allow_scheduling_changes(&mut old_template, n.get("template"));
    }
    if n.get("template").unwrap_or(&Value::Null) != &old_template {
        errs.push(FieldError::invalid(
            "spec.template",
            template_value(n.get("template")),
            "field is immutable",
        ));
    }
    errs.extend(immutable(n, o, "completionMode", json_value));
    errs.extend(immutable(n, o, "podFailurePolicy", |v| {
        BadValue::Raw(failure_policy_value(v))
    }));
    errs.extend(immutable(n, o, "backoffLimitPerIndex", json_value));
    errs.extend(immutable(n, o, "managedBy", json_value));
    errs.extend(immutable(n, o, "successPolicy", success_policy_value));
    errs
}

/// `validateCompletions` with elastic Indexed Jobs: an Indexed Job's completions may change
/// together with its parallelism.
fn completions_update(new: &Value, old: &Value) -> Vec<FieldError> {
    if new.get("completionMode").and_then(Value::as_str) != Some("Indexed") {
        return immutable(new, old, "completions", json_value);
    }
    let (n, o) = (int(new, "completions"), int(old, "completions"));
    match n {
        Some(c) if n != o && Some(c) != int(new, "parallelism") => vec![FieldError::invalid(
            "spec.completions",
            c,
            "can only be modified in tandem with spec.parallelism",
        )],
        _ => Vec::new(),
    }
}

/// The template fields that may change while a Job is suspended and has never started:
/// node affinity, node selector, tolerations, annotations, labels and scheduling gates.
fn allow_scheduling_changes(old_template: &mut Value, new_template: Option<&Value>) {
    let null = Value::Null;
    let new_template = new_template.unwrap_or(&null);
    let copy = |old: &mut Value, pointer: &str, key: &str| {
        let parent = old.pointer_mut(pointer);
        if let Some(parent) = parent.and_then(Value::as_object_mut) {
            match new_template.pointer(&format!("{pointer}/{key}")) {
                Some(v) => parent.insert(key.to_owned(), v.clone()),
                None => parent.remove(key),
            };
        }
    };
    if old_template.get("metadata").is_none()
        && let Some(map) = old_template.as_object_mut()
    {
        map.insert("metadata".into(), serde_json::json!({}));
    }
    copy(old_template, "/metadata", "labels");
    copy(old_template, "/metadata", "annotations");
    for key in ["nodeSelector", "tolerations", "schedulingGates"] {
        copy(old_template, "/spec", key);
    }
    let new_affinity = new_template.pointer("/spec/affinity");
    let old_affinity = old_template.pointer("/spec/affinity").cloned();
    match (new_affinity, old_affinity) {
        (None, Some(mut old)) => {
            if let Some(map) = old.as_object_mut() {
                map.remove("nodeAffinity");
            }
            let keep = old.as_object().is_some_and(|m| !m.is_empty());
            if let Some(spec) = old_template
                .pointer_mut("/spec")
                .and_then(Value::as_object_mut)
            {
                if keep {
                    spec.insert("affinity".into(), old);
                } else {
                    spec.remove("affinity");
                }
            }
        }
        (Some(new), old) => {
            let mut merged = old.unwrap_or_else(|| serde_json::json!({}));
            if let Some(map) = merged.as_object_mut() {
                match new.get("nodeAffinity") {
                    Some(v) => map.insert("nodeAffinity".into(), v.clone()),
                    None => map.remove("nodeAffinity"),
                };
            }
            if let Some(spec) = old_template
                .pointer_mut("/spec")
                .and_then(Value::as_object_mut)
            {
                spec.insert("affinity".into(), merged);
            }
        }
        (None, None) => {}
    }
    if let Some(meta) = old_template.get_mut("metadata")
        && meta.as_object().is_some_and(|m| m.is_empty())
        && new_template.get("metadata").is_none()
        && let Some(map) = old_template.as_object_mut()
    {
        map.remove("metadata");
    }
}

/// `ValidateImmutableField` of `spec.<key>`.
fn immutable(
    new: &Value,
    old: &Value,
    key: &str,
    render: impl Fn(Option<&Value>) -> BadValue,
) -> Vec<FieldError> {
    let get = |v: &Value| v.get(key).filter(|v| !v.is_null()).cloned();
    if get(new) == get(old) {
        return Vec::new();
    }
    vec![FieldError::invalid(
        format!("spec.{key}"),
        render(new.get(key).filter(|v| !v.is_null())),
        "field is immutable",
    )]
}

/// The internal `PodTemplateSpec` as `json.Marshal` prints it: the embedded `ObjectMeta`'s
/// tagged fields, then `Spec` with Go field names.
fn template_value(template: Option<&Value>) -> BadValue {
    const META_KEYS: [&str; 15] = [
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ];
    let null = Value::Null;
    let template = template.unwrap_or(&null);
    let meta = template.get("metadata").unwrap_or(&null);
    let mut parts = Vec::new();
    for key in META_KEYS {
        let value = meta.get(key).filter(|v| !v.is_null());
        let empty = match value {
            None => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Object(m)) => m.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Number(n)) => n.as_i64() == Some(0),
            Some(_) => false,
        };
        if key == "creationTimestamp" {
            parts.push(format!(
                "\"creationTimestamp\":{}",
                value.map_or("null".to_owned(), godump::go_json)
            ));
        } else if let (false, Some(v)) = (empty, value) {
            parts.push(format!("\"{key}\":{}", godump::go_json(v)));
        }
    }
    let spec = godump::pod_spec_value(template.get("spec").unwrap_or(&null));
    let spec = godump::compact(&godump::dump(&godump::POD_SPEC, &spec));
    parts.push(format!("\"Spec\":{spec}"));
    BadValue::Raw(format!("{{{}}}", parts.join(",")))
}

/// The internal `PodFailurePolicy` as `json.Marshal` prints it.
fn failure_policy_value(policy: Option<&Value>) -> String {
    let Some(policy) = policy else {
        return "null".to_owned();
    };
    let rules = policy.get("rules").and_then(Value::as_array);
    let Some(rules) = rules else {
        return "{\"Rules\":null}".to_owned();
    };
    let rendered: Vec<String> = rules
        .iter()
        .map(|r| {
            let action = godump::go_json(r.get("action").unwrap_or(&Value::String(String::new())));
            let exit = match r.get("onExitCodes").filter(|v| !v.is_null()) {
                None => "null".to_owned(),
                Some(e) => format!(
                    "{{\"ContainerName\":{},\"Operator\":{},\"Values\":{}}}",
                    e.get("containerName")
                        .map_or("null".to_owned(), godump::go_json),
                    godump::go_json(e.get("operator").unwrap_or(&Value::String(String::new()))),
                    e.get("values").map_or("null".to_owned(), godump::go_json),
                ),
            };
            let conditions = match r.get("onPodConditions").and_then(Value::as_array) {
                None => "null".to_owned(),
                Some(list) => {
                    let items: Vec<String> = list
                        .iter()
                        .map(|p| {
                            format!(
                                "{{\"Type\":{},\"Status\":{}}}",
                                godump::go_json(
                                    p.get("type").unwrap_or(&Value::String(String::new()))
                                ),
                                godump::go_json(
                                    p.get("status").unwrap_or(&Value::String(String::new()))
                                ),
                            )
                        })
                        .collect();
                    format!("[{}]", items.join(","))
                }
            };
            format!(
                "{{\"Action\":{action},\"OnExitCodes\":{exit},\"OnPodConditions\":{conditions}}}"
            )
        })
        .collect();
    format!("{{\"Rules\":[{}]}}", rendered.join(","))
}
