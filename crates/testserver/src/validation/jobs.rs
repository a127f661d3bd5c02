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

mod update;
pub(crate) use update::job_update;

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
mod tests;
