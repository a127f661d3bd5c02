//! batch/v1 Job validation (`ValidateJob`, `ValidateJobSpec`, `validateJobSpec`,
//! `validateGeneratedSelector`, `ValidateJobSpecUpdate` of `pkg/apis/batch/validation`): the
//! generated selector and labels, counts and limits, completion modes, the failure and
//! success policies, the pod template with `restartPolicy` `OnFailure` or `Never`, and the
//! fields that may not change.
//!
//! Objects reach validation defaulted (`admission/defaults/jobs.rs`) and, on create, with the
//! selector generated (`registry/workloads.rs`), as the real strategy's `PrepareForCreate`
//! leaves them.

use serde_json::Value;

use super::field_error::BadValue;
use super::job_policies::{self as policies, success_policy_value};
use super::selector::{self, json_value};
use super::{FieldError, godump, meta, names, pod};

const MAX_PARALLELISM_INDEXED: i64 = 100_000;
const MAX_FAILED_INDEXES: i64 = 100_000;
const COMPLETIONS_SOFT_LIMIT: i64 = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS: i64 = 10_000;
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS: i64 = 10_000;
const MAX_MANAGED_BY_LENGTH: usize = 63;
const ALL_RESTART_POLICIES: [&str; 3] = ["Always", "OnFailure", "Never"];

/// The labels `PrepareForCreate` puts on the template and requires there.
pub(crate) const LEGACY_CONTROLLER_UID: &str = "controller-uid";
/// The legacy job-name label.
pub(crate) const LEGACY_JOB_NAME: &str = "job-name";
/// The prefixed controller-uid label (the one the selector holds).
pub(crate) const CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
/// The prefixed job-name label.
pub(crate) const JOB_NAME: &str = "batch.kubernetes.io/job-name";

fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

fn non_negative(spec: &Value, key: &str, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(n) = int(spec, key).filter(|n| *n < 0) {
        errs.push(FieldError::invalid(
            format!("{path}.{key}"),
            n,
            "must be greater than or equal to 0",
        ));
    }
}

/// `ValidateJob` after `ObjectMeta`: the generated selector, the spec and the pod names an
/// Indexed Job would make.
pub(crate) fn job(obj: &Value) -> Vec<FieldError> {
    let mut errs = generated_selector(obj);
    errs.extend(job_spec(spec(obj), "spec"));
    let spec = spec(obj);
    if spec.get("completionMode").and_then(Value::as_str) == Some("Indexed")
        && let Some(completions) = int(spec, "completions").filter(|c| *c > 0)
    {
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let hostname = format!("{name}-{}", completions - 1);
        if !names::dns1123_label(&hostname).is_empty() {
            errs.push(FieldError::invalid(
                "metadata.name",
                name,
                format!("will not able to create pod with invalid DNS label: {hostname}"),
            ));
        }
    }
    errs
}

/// `validateGeneratedSelector` (with the prefixed labels required).
fn generated_selector(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let selector = spec.get("selector").filter(|s| !s.is_null());
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) || selector.is_none() {
        return Vec::new();
    }
    let mut errs = Vec::new();
    let uid = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if uid.is_empty() {
        errs.push(FieldError::required("metadata.uid", ""));
    }
    let labels = spec.pointer("/template/metadata/labels");
    for (key, expected) in [
        (LEGACY_CONTROLLER_UID, uid),
        (LEGACY_JOB_NAME, name),
        (CONTROLLER_UID, uid),
        (JOB_NAME, name),
    ] {
        errs.extend(has_label(labels, key, expected));
    }
    let expected = serde_json::json!({
        CONTROLLER_UID: uid, JOB_NAME: name, LEGACY_CONTROLLER_UID: uid, LEGACY_JOB_NAME: name,
    });
    if let Some(selector) = selector
        && selector::label_selector(Some(selector), "").is_empty()
        && !selector::matches(selector, expected.as_object())
    {
        errs.push(FieldError::invalid(
            "spec.selector",
            json_value(Some(selector)),
            "`selector` not auto-generated",
        ));
    }
    errs
}

/// `ValidateHasLabel` on the template's metadata.
fn has_label(labels: Option<&Value>, key: &str, expected: &str) -> Vec<FieldError> {
    let path = format!("spec.template.metadata.labels[{key}]");
    match labels.and_then(|l| l.get(key)).and_then(Value::as_str) {
        None => vec![FieldError::required(path, format!("must be '{expected}'"))],
        Some(v) if v != expected => vec![FieldError::invalid(
            path,
            json_value(labels),
            format!("must be '{expected}'"),
        )],
        Some(_) => Vec::new(),
    }
}

/// `ValidateJobSpec`: `validateJobSpec`, then the selector, which must select the template.
fn job_spec(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = inner_spec(spec, path);
    let selector = spec.get("selector").filter(|s| !s.is_null());
    let selector_errs = selector::label_selector(selector, &format!("{path}.selector"));
    let converts = selector_errs.is_empty();
    match selector {
        None => errs.push(FieldError::required(format!("{path}.selector"), "")),
        Some(_) => errs.extend(selector_errs),
    }
    let labels = spec.pointer("/template/metadata/labels");
    // a missing selector converts to one that selects nothing
    if converts
        && !selector.is_some_and(|s| selector::matches(s, labels.and_then(Value::as_object)))
    {
        errs.push(FieldError::invalid(
            format!("{path}.template.metadata.labels"),
            json_value(labels),
            "`selector` does not match template `labels`",
        ));
    }
    errs
}

/// `validateJobSpec`: everything but the selector (a CronJob's job template has none).
fn inner_spec(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
    ] {
        non_negative(spec, key, path, &mut errs);
    }
    let completions = int(spec, "completions");
    let parallelism = int(spec, "parallelism");
    let max_failed = int(spec, "maxFailedIndexes");
    let per_index = int(spec, "backoffLimitPerIndex");
    if max_failed.is_some() {
        non_negative(spec, "maxFailedIndexes", path, &mut errs);
        if per_index.is_none() {
            errs.push(FieldError::required(
                format!("{path}.backoffLimitPerIndex"),
                "when maxFailedIndexes is specified",
            ));
        }
    }
    if let Some(managed_by) = spec.get("managedBy").and_then(Value::as_str) {
        let at = format!("{path}.managedBy");
        errs.extend(policies::domain_prefixed_path(managed_by, &at));
        if managed_by.len() > MAX_MANAGED_BY_LENGTH {
            errs.push(FieldError::too_long(at, MAX_MANAGED_BY_LENGTH));
        }
    }
    let mode = spec.get("completionMode").and_then(Value::as_str);
    match mode {
        None | Some("NonIndexed") => {}
        Some("Indexed") => errs.extend(indexed(
            completions,
            parallelism,
            max_failed,
            per_index,
            path,
        )),
        Some(other) => errs.push(FieldError::not_supported(
            format!("{path}.completionMode"),
            other,
            &["NonIndexed", "Indexed"],
        )),
    }
    if mode.is_none_or(|m| m == "NonIndexed") {
        for (key, value) in [
            ("backoffLimitPerIndex", per_index),
            ("maxFailedIndexes", max_failed),
        ] {
            if let Some(v) = value {
                errs.push(FieldError::invalid(
                    format!("{path}.{key}"),
                    v,
                    "requires indexed completion mode",
                ));
            }
        }
    }
    let has_failure_policy = spec.get("podFailurePolicy").is_some_and(|v| !v.is_null());
    if has_failure_policy {
        errs.extend(policies::pod_failure_policy(
            spec,
            &format!("{path}.podFailurePolicy"),
        ));
    }
    if let Some(policy) = spec.get("successPolicy").filter(|v| !v.is_null()) {
        if mode != Some("Indexed") {
            errs.push(FieldError::invalid(
                format!("{path}.successPolicy"),
                success_policy_value(Some(policy)),
                "requires indexed completion mode",
            ));
        } else {
            errs.extend(policies::success_policy(
                spec,
                &format!("{path}.successPolicy"),
            ));
        }
    }
    errs.extend(policies::pod_replacement_policy(
        spec,
        &format!("{path}.podReplacementPolicy"),
    ));
    errs.extend(pod_template(spec, &format!("{path}.template")));
    let restart_path = format!("{path}.template.spec.restartPolicy");
    match spec
        .pointer("/template/spec/restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("")
    {
        "" | "Always" => errs.push(FieldError::required(
            restart_path,
            "valid values: \"OnFailure\", \"Never\"",
        )),
        "Never" => {}
        "OnFailure" if has_failure_policy => errs.push(FieldError::invalid(
            restart_path,
            "OnFailure",
            "only \"Never\" is supported when podFailurePolicy is specified",
        )),
        "OnFailure" => {}
        other => errs.push(FieldError::not_supported(
            restart_path,
            other,
            &["OnFailure", "Never"],
        )),
    }
    errs
}

/// The Indexed completion mode's limits.
fn indexed(
    completions: Option<i64>,
    parallelism: Option<i64>,
    max_failed: Option<i64>,
    per_index: Option<i64>,
    path: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if completions.is_none() {
        errs.push(FieldError::required(
            format!("{path}.completions"),
            "when completion mode is Indexed",
        ));
    }
    if let Some(p) = parallelism.filter(|p| *p > MAX_PARALLELISM_INDEXED) {
        errs.push(FieldError::invalid(
            format!("{path}.parallelism"),
            p,
            format!(
                "must be less than or equal to {MAX_PARALLELISM_INDEXED} when completion mode is Indexed"
            ),
        ));
    }
    if let (Some(c), Some(m)) = (completions, max_failed)
        && m > c
    {
        errs.push(FieldError::invalid(
            format!("{path}.maxFailedIndexes"),
            m,
            "must be less than or equal to completions",
        ));
    }
    if let Some(m) = max_failed.filter(|m| *m > MAX_FAILED_INDEXES) {
        errs.push(FieldError::invalid(
            format!("{path}.maxFailedIndexes"),
            m,
            format!("must be less than or equal to {MAX_FAILED_INDEXES}"),
        ));
    }
    if completions.is_some_and(|c| c > COMPLETIONS_SOFT_LIMIT) && per_index.is_some() {
        let high = "when completions are above 100000 and used with backoff limit per index";
        if max_failed.is_none() {
            errs.push(FieldError::required(
                format!("{path}.maxFailedIndexes"),
                format!("must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"),
            ));
        }
        if let Some(p) = parallelism.filter(|p| *p > PARALLELISM_LIMIT_HIGH_COMPLETIONS) {
            errs.push(FieldError::invalid(
                format!("{path}.parallelism"),
                p,
                format!(
                    "must be less than or equal to {PARALLELISM_LIMIT_HIGH_COMPLETIONS} {high}"
                ),
            ));
        }
        if let Some(m) = max_failed.filter(|m| *m > MAX_FAILED_INDEXES_HIGH_COMPLETIONS) {
            errs.push(FieldError::invalid(
                format!("{path}.maxFailedIndexes"),
                m,
                format!(
                    "must be less than or equal to {MAX_FAILED_INDEXES_HIGH_COMPLETIONS} {high}"
                ),
            ));
        }
    }
    errs
}

/// `ValidatePodTemplateSpec` of the template in `spec` (at `path`).
fn pod_template(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = meta::labels(
        spec.pointer("/template/metadata/labels"),
        &format!("{path}.labels"),
    );
    errs.extend(pod::validate_spec(
        spec.pointer("/template/spec").unwrap_or(&Value::Null),
        &format!("{path}.spec"),
        &ALL_RESTART_POLICIES,
    ));
    errs
}

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
pub(crate) fn template_value(template: Option<&Value>) -> BadValue {
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

/// `ValidateJobTemplateSpec` of a CronJob's `spec.jobTemplate` (at `path`): the Job spec
/// without a selector, which is generated for each Job.
pub(crate) fn job_template(template: &Value, path: &str) -> Vec<FieldError> {
    let spec = template.get("spec").unwrap_or(&Value::Null);
    let spec_path = format!("{path}.spec");
    let mut errs = inner_spec(spec, &spec_path);
    if let Some(selector) = spec.get("selector").filter(|s| !s.is_null()) {
        errs.push(FieldError::invalid(
            format!("{spec_path}.selector"),
            json_value(Some(selector)),
            "`selector` will be auto-generated",
        ));
    }
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        errs.push(FieldError::not_supported(
            format!("{spec_path}.manualSelector"),
            Value::Bool(true),
            &["nil", "false"],
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn texts(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    /// A Job as `PrepareForCreate` leaves it: defaulted, selector and labels generated.
    fn job_with(spec: Value) -> Value {
        let labels = json!({CONTROLLER_UID: "u1", JOB_NAME: "pi", LEGACY_CONTROLLER_UID: "u1", LEGACY_JOB_NAME: "pi"});
        let mut obj = json!({"metadata": {"name": "pi", "uid": "u1"}, "spec": {
            "parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
            "suspend": false, "manualSelector": false, "podReplacementPolicy": "TerminatingOrFailed",
            "selector": {"matchLabels": {CONTROLLER_UID: "u1"}},
            "template": {"metadata": {"labels": labels}, "spec": {"restartPolicy": "Never",
                "dnsPolicy": "ClusterFirst", "containers": [{"name": "pi", "image": "perl",
                "imagePullPolicy": "Always", "terminationMessagePolicy": "File"}]}}}});
        if let (Some(base), Some(extra)) = (obj["spec"].as_object_mut(), spec.as_object()) {
            base.extend(extra.clone());
        }
        obj
    }

    /// ValidateJob of a valid Job, and validateJobSpec's counts and restart policy.
    #[test]
    fn counts_and_restart_policy() {
        assert!(
            texts(&job(&job_with(json!({})))).is_empty(),
            "{:?}",
            texts(&job(&job_with(json!({}))))
        );
        let mut bad =
            job_with(json!({"parallelism": -1, "backoffLimit": -2, "ttlSecondsAfterFinished": -3}));
        bad["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
        assert_eq!(
            texts(&job(&bad)),
            [
                "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
                "spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0",
                "spec.ttlSecondsAfterFinished: Invalid value: -3: must be greater than or equal to 0",
                "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
            ]
        );
        let on_failure = job_with(json!({"podFailurePolicy": {"rules": [{"action": "Ignore",
            "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]},
            "podReplacementPolicy": "TerminatingOrFailed"}));
        let mut on_failure = on_failure;
        on_failure["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
        assert_eq!(
            texts(&job(&on_failure)),
            [
                "spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\"",
                "spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified",
            ]
        );
    }

    /// validateGeneratedSelector and ValidateJobSpec's selector rules.
    #[test]
    fn selectors() {
        let mut wrong = job_with(json!({"selector": {"matchLabels": {CONTROLLER_UID: "other"}}}));
        wrong["spec"]["template"]["metadata"]["labels"][JOB_NAME] = json!("someone-else");
        assert_eq!(
            texts(&job(&wrong)),
            [
                "spec.template.metadata.labels[batch.kubernetes.io/job-name]: Invalid value: {\"batch.kubernetes.io/controller-uid\":\"u1\",\"batch.kubernetes.io/job-name\":\"someone-else\",\"controller-uid\":\"u1\",\"job-name\":\"pi\"}: must be 'pi'",
                "spec.selector: Invalid value: {\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"other\"}}: `selector` not auto-generated",
                "spec.template.metadata.labels: Invalid value: {\"batch.kubernetes.io/controller-uid\":\"u1\",\"batch.kubernetes.io/job-name\":\"someone-else\",\"controller-uid\":\"u1\",\"job-name\":\"pi\"}: `selector` does not match template `labels`",
            ]
        );
        let mut manual = job_with(json!({"manualSelector": true}));
        manual["spec"].as_object_mut().map(|s| s.remove("selector"));
        assert_eq!(
            texts(&job(&manual)),
            [
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: {\"batch.kubernetes.io/controller-uid\":\"u1\",\"batch.kubernetes.io/job-name\":\"pi\",\"controller-uid\":\"u1\",\"job-name\":\"pi\"}: `selector` does not match template `labels`",
            ]
        );
    }

    /// The Indexed completion mode, backoffLimitPerIndex and the pod hostnames.
    #[test]
    fn indexed_jobs() {
        let mut long = job_with(json!({"completionMode": "Indexed", "completions": 100}));
        long["metadata"]["name"] = json!("a".repeat(62));
        let name_err = texts(&job(&long));
        assert_eq!(
            name_err.last().map(String::as_str),
            Some(
                format!(
                    "metadata.name: Invalid value: \"{0}\": will not able to create pod with invalid DNS label: {0}-99",
                    "a".repeat(62)
                )
                .as_str()
            )
        );
        let mut indexed = job_with(json!({"completionMode": "Indexed", "maxFailedIndexes": 5,
            "parallelism": 100_001}));
        indexed["spec"]
            .as_object_mut()
            .map(|s| s.remove("completions"));
        assert_eq!(
            texts(&job(&indexed)),
            [
                "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
                "spec.completions: Required value: when completion mode is Indexed",
                "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed",
            ]
        );
        let non_indexed =
            job_with(json!({"backoffLimitPerIndex": 1, "completionMode": "Sometimes"}));
        assert_eq!(
            texts(&job(&non_indexed)),
            [
                "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\""
            ]
        );
        let per_index = job_with(json!({"backoffLimitPerIndex": 1}));
        assert_eq!(
            texts(&job(&per_index)),
            ["spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"]
        );
        let success = job_with(json!({"successPolicy": {"rules": [{"succeededCount": 1}]}}));
        assert_eq!(
            texts(&job(&success)),
            [
                "spec.successPolicy: Invalid value: {\"Rules\":[{\"SucceededIndexes\":null,\"SucceededCount\":1}]}: requires indexed completion mode"
            ]
        );
    }

    /// ValidateJobSpecUpdate: immutable fields, elastic Indexed Jobs, and the scheduling
    /// directives of a suspended Job that never started.
    #[test]
    fn updates() {
        let old = job_with(json!({}));
        let mut scaled = old.clone();
        scaled["spec"]["parallelism"] = json!(3);
        scaled["spec"]["suspend"] = json!(true);
        assert!(job_update(&scaled, &old).is_empty());

        let mut changed = old.clone();
        changed["spec"]["completions"] = json!(2);
        changed["spec"]["template"]["spec"]["containers"][0]["image"] = json!("python");
        let errs = texts(&job_update(&changed, &old));
        assert_eq!(
            errs[0],
            "spec.completions: Invalid value: 2: field is immutable"
        );
        assert!(
            errs[1].starts_with(
                "spec.template: Invalid value: {\"creationTimestamp\":null,\"labels\":{"
            ) && errs[1].contains("\"Image\":\"python\"")
                && errs[1].ends_with("}: field is immutable"),
            "{}",
            errs[1]
        );
        assert_eq!(errs.len(), 2);

        let elastic_old =
            job_with(json!({"completionMode": "Indexed", "completions": 2, "parallelism": 2}));
        let mut elastic = elastic_old.clone();
        elastic["spec"]["completions"] = json!(4);
        elastic["spec"]["parallelism"] = json!(4);
        assert!(job_update(&elastic, &elastic_old).is_empty());
        elastic["spec"]["parallelism"] = json!(3);
        assert_eq!(
            texts(&job_update(&elastic, &elastic_old)),
            [
                "spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism"
            ]
        );

        let suspended = job_with(json!({"suspend": true}));
        let mut placed = suspended.clone();
        placed["spec"]["template"]["spec"]["nodeSelector"] = json!({"zone": "a"});
        assert!(job_update(&placed, &suspended).is_empty());
        let mut started = suspended.clone();
        started["status"] = json!({"startTime": "2026-01-01T00:00:00Z"});
        assert_eq!(job_update(&placed, &started).len(), 1);
    }
}
