//! Job status rules: `ValidateJobStatusUpdate` of `pkg/apis/batch/validation` with the options
//! the status strategy computes (`getStatusValidationOptions` of
//! `pkg/registry/batch/job/strategy.go`, `JobManagedBy` on, as in v1.36): most invariants are
//! checked only when the fields they concern change, so a status that was already inconsistent
//! can still be written as long as the write does not touch them.
//!
//! Kept: the counters (non-negative, `failed` never decreases, nor `succeeded` unless an Indexed
//! Job with `completions == parallelism`), terminal conditions that may not be disabled or
//! combined, `completionTime` (only with `Complete=True`, required by it, not before
//! `startTime`, immutable), `startTime` (required for a finished Job, not removable while
//! unsuspended), `active`/`terminating`/`uncountedTerminatedPods` empty once finished, `ready`
//! at most `active`, the indexes of Indexed Jobs and the `SuccessCriteriaMet` rules.

use serde_json::Value;

use super::common_status::{go_time, int, invalid_omitted, opt_int, time_at};
use super::field_error::BadValue;
use super::godump;
use super::{FieldError, go_quote};

fn status(job: &Value) -> &Value {
    job.get("status").unwrap_or(&Value::Null)
}

/// `IsConditionTrue(job.Status.Conditions, type)`.
fn condition_true(job: &Value, ty: &str) -> bool {
    status(job)
        .get("conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("type").and_then(Value::as_str) == Some(ty)
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
}

fn complete(job: &Value) -> bool {
    condition_true(job, "Complete")
}

fn failed(job: &Value) -> bool {
    condition_true(job, "Failed")
}

fn failure_target(job: &Value) -> bool {
    condition_true(job, "FailureTarget")
}

fn success_criteria_met(job: &Value) -> bool {
    condition_true(job, "SuccessCriteriaMet")
}

/// `IsJobFinished`: `Complete=True` or `Failed=True`.
fn finished(job: &Value) -> bool {
    complete(job) || failed(job)
}

fn spec<'a>(job: &'a Value, key: &str) -> Option<&'a Value> {
    job.pointer(&format!("/spec/{key}"))
        .filter(|v| !v.is_null())
}

fn indexed(job: &Value) -> bool {
    spec(job, "completionMode").and_then(Value::as_str) == Some("Indexed")
}

fn str_field<'a>(s: &'a Value, key: &str) -> &'a str {
    s.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `JobStatusValidationOptions` as the status strategy sets them.
#[derive(Debug, Default, Clone, Copy)]
struct Options {
    reject_decreasing_succeeded: bool,
    reject_invalid_completed_indexes: bool,
    reject_invalid_failed_indexes: bool,
    reject_completed_indexes_for_non_indexed: bool,
    reject_failed_indexes_without_backoff_limit_per_index: bool,
    reject_failed_indexes_overlapping_completed: bool,
    reject_failed_without_failure_target: bool,
    reject_complete_without_success_criteria_met: bool,
    reject_finished_with_active: bool,
    reject_finished_without_start_time: bool,
    reject_finished_with_uncounted: bool,
    reject_start_time_update: bool,
    reject_completion_before_start: bool,
    reject_not_complete_with_completion_time: bool,
    reject_complete_without_completion_time: bool,
    reject_complete_with_failed: bool,
    reject_complete_with_failure_target: bool,
    reject_more_ready_than_active: bool,
    reject_finished_with_terminating: bool,
}

/// `getStatusValidationOptions` (the `JobManagedBy` branch): a rule applies when the fields
/// it concerns changed in this write.
fn options(new: &Value, old: &Value) -> Options {
    let changed = |key: &str| status(new).get(key) != status(old).get(key);
    let finished_changed = finished(old) != finished(new);
    let complete_changed = complete(old) != complete(new);
    let failed_changed = failed(old) != failed(new);
    let failure_target_changed = failure_target(old) != failure_target(new);
    let completed_indexes_changed =
        str_field(status(old), "completedIndexes") != str_field(status(new), "completedIndexes");
    let failed_indexes_changed = changed("failedIndexes");
    let active_changed = int(status(old), "active") != int(status(new), "active");
    let start_changed = time_at(status(old), "startTime") != time_at(status(new), "startTime");
    let completion_changed =
        time_at(status(old), "completionTime") != time_at(status(new), "completionTime");
    let uncounted_changed = changed("uncountedTerminatedPods");
    let ready_changed = changed("ready");
    let terminating_changed = changed("terminating");
    Options {
        reject_decreasing_succeeded: !indexed(new)
            || spec(new, "completions") != spec(new, "parallelism"),
        reject_invalid_completed_indexes: completed_indexes_changed,
        reject_invalid_failed_indexes: failed_indexes_changed,
        reject_completed_indexes_for_non_indexed: completed_indexes_changed,
        reject_failed_indexes_without_backoff_limit_per_index: failed_indexes_changed,
        reject_failed_indexes_overlapping_completed: failed_indexes_changed
            || completed_indexes_changed,
        reject_failed_without_failure_target: failed_changed || failed_indexes_changed,
        reject_complete_without_success_criteria_met: complete_changed,
        reject_finished_with_active: finished_changed || active_changed,
        reject_finished_without_start_time: finished_changed || start_changed,
        reject_finished_with_uncounted: finished_changed || uncounted_changed,
        reject_start_time_update: start_changed,
        reject_completion_before_start: start_changed || completion_changed,
        reject_not_complete_with_completion_time: complete_changed || completion_changed,
        reject_complete_without_completion_time: complete_changed || completion_changed,
        reject_complete_with_failed: complete_changed || failed_changed,
        reject_complete_with_failure_target: complete_changed || failure_target_changed,
        reject_more_ready_than_active: ready_changed || active_changed,
        reject_finished_with_terminating: finished_changed || terminating_changed,
    }
}

/// The Job's own part of a `jobs/status` update (`ValidateJobStatusUpdate`).
pub(crate) fn job(new: &Value, old: &Value) -> Vec<FieldError> {
    let opts = options(new, old);
    let mut errs = job_status(new, opts);
    let (s, o) = (status(new), status(old));
    for ty in ["Failed", "Complete", "FailureTarget"] {
        if condition_true(old, ty) && !condition_true(new, ty) {
            errs.push(invalid_omitted(
                "status.conditions",
                format!("cannot disable the terminal {ty}=True condition"),
            ));
        }
    }
    if int(s, "failed") < int(o, "failed") {
        errs.push(FieldError::invalid(
            "status.failed",
            int(s, "failed"),
            "cannot decrease the failed counter",
        ));
    }
    if opts.reject_decreasing_succeeded && int(s, "succeeded") < int(o, "succeeded") {
        errs.push(FieldError::invalid(
            "status.succeeded",
            int(s, "succeeded"),
            "cannot decrease the succeeded counter",
        ));
    }
    if let (Some(n), Some(p)) = (time_at(s, "completionTime"), time_at(o, "completionTime"))
        && n != p
    {
        errs.push(FieldError::invalid(
            "status.completionTime",
            go_time(n),
            "completionTime cannot be mutated",
        ));
    }
    let suspended = spec(new, "suspend").and_then(Value::as_bool) == Some(true);
    if opts.reject_start_time_update && time_at(o, "startTime").is_some() && !suspended {
        errs.push(FieldError::required(
            "status.startTime",
            "startTime cannot be removed for unsuspended job",
        ));
    }
    if success_criteria_met(old) && !success_criteria_met(new) {
        errs.push(invalid_omitted(
            "status.conditions",
            "cannot disable the SuccessCriteriaMet=True condition",
        ));
    }
    if complete(old) && !success_criteria_met(old) && success_criteria_met(new) {
        errs.push(invalid_omitted(
            "status.conditions",
            "cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions",
        ));
    }
    errs
}

/// `validateJobStatus`.
fn job_status(job: &Value, opts: Options) -> Vec<FieldError> {
    let s = status(job);
    let mut errs = Vec::new();
    for key in ["active", "succeeded", "failed"] {
        let v = int(s, key);
        if v < 0 {
            errs.push(FieldError::invalid(
                format!("status.{key}"),
                v,
                super::common_status::NEGATIVE,
            ));
        }
    }
    for key in ["ready", "terminating"] {
        super::common_status::non_negative_opt(s, "status", key, &mut errs);
    }
    errs.extend(uncounted(s));
    let cond = |detail: &str| invalid_omitted("status.conditions", detail);
    if opts.reject_complete_with_failed && complete(job) && failed(job) {
        errs.push(cond("cannot set Complete=True and Failed=true conditions"));
    }
    if opts.reject_complete_with_failure_target && complete(job) && failure_target(job) {
        errs.push(cond(
            "cannot set Complete=True and FailureTarget=true conditions",
        ));
    }
    let start = time_at(s, "startTime");
    let completion = time_at(s, "completionTime");
    if opts.reject_not_complete_with_completion_time
        && let Some(t) = completion
        && !complete(job)
    {
        errs.push(FieldError::invalid(
            "status.completionTime",
            go_time(t),
            "cannot set completionTime when there is no Complete=True condition",
        ));
    }
    if opts.reject_complete_without_completion_time && completion.is_none() && complete(job) {
        errs.push(FieldError::required(
            "status.completionTime",
            "completionTime is required for Complete jobs",
        ));
    }
    if opts.reject_completion_before_start
        && let (Some(start), Some(end)) = (start, completion)
        && end < start
    {
        errs.push(FieldError::invalid(
            "status.completionTime",
            go_time(end),
            "completionTime cannot be set before startTime",
        ));
    }
    if opts.reject_failed_without_failure_target && failed(job) && !failure_target(job) {
        errs.push(cond(
            "cannot set Failed=True condition without the FailureTarget=true condition",
        ));
    }
    if opts.reject_complete_without_success_criteria_met
        && complete(job)
        && !success_criteria_met(job)
    {
        errs.push(cond(
            "cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
        ));
    }
    let finished = finished(job);
    if opts.reject_finished_with_active && int(s, "active") > 0 && finished {
        errs.push(FieldError::invalid(
            "status.active",
            int(s, "active"),
            "active>0 is invalid for finished job",
        ));
    }
    if opts.reject_finished_without_start_time && start.is_none() && finished {
        errs.push(FieldError::required(
            "status.startTime",
            "startTime is required for finished job",
        ));
    }
    if opts.reject_finished_with_uncounted && finished && uncounted_len(s) > 0 {
        errs.push(FieldError::invalid(
            "status.uncountedTerminatedPods",
            uncounted_value(s),
            "uncountedTerminatedPods needs to be empty for finished job",
        ));
    }
    errs.extend(indexes(job, opts));
    if opts.reject_finished_with_terminating
        && let Some(t) = opt_int(s, "terminating").filter(|t| *t > 0)
        && finished
    {
        errs.push(FieldError::invalid(
            "status.terminating",
            t,
            "terminating>0 is invalid for finished job",
        ));
    }
    if opts.reject_more_ready_than_active
        && let Some(r) = opt_int(s, "ready").filter(|r| *r > int(s, "active"))
    {
        errs.push(FieldError::invalid(
            "status.ready",
            r,
            "cannot set more ready pods than active",
        ));
    }
    let met = success_criteria_met(job);
    if met && failed(job) {
        errs.push(cond(
            "cannot set SuccessCriteriaMet=True and Failed=true conditions",
        ));
    }
    if met && failure_target(job) {
        errs.push(cond(
            "cannot set SuccessCriteriaMet=True and FailureTarget=true conditions",
        ));
    }
    if spec(job, "successPolicy").is_some() && !met && complete(job) {
        errs.push(cond(
            "cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True",
        ));
    }
    errs
}

fn uid_list<'a>(s: &'a Value, key: &str) -> Vec<&'a str> {
    s.pointer(&format!("/uncountedTerminatedPods/{key}"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or(""))
        .collect()
}

fn uncounted_len(s: &Value) -> usize {
    uid_list(s, "succeeded").len() + uid_list(s, "failed").len()
}

/// The `%#v` of a `*batch.UncountedTerminatedPods`, as the message shows it.
fn uncounted_value(s: &Value) -> BadValue {
    let list = |key: &str| {
        let items = uid_list(s, key);
        if items.is_empty() {
            return "[]types.UID(nil)".to_owned();
        }
        let quoted: Vec<String> = items.iter().map(|u| go_quote(u)).collect();
        format!("[]types.UID{{{}}}", quoted.join(", "))
    };
    BadValue::Raw(format!(
        "batch.UncountedTerminatedPods{{Succeeded:{}, Failed:{}}}",
        list("succeeded"),
        list("failed")
    ))
}

/// Pod UIDs listed in `uncountedTerminatedPods`: not empty, each once across both lists.
fn uncounted(s: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for key in ["succeeded", "failed"] {
        for (i, uid) in uid_list(s, key).into_iter().enumerate() {
            let path = format!("status.uncountedTerminatedPods.{key}[{i}]");
            if uid.is_empty() {
                errs.push(FieldError::invalid(path, uid, "must not be empty"));
            } else if seen.contains(&uid) {
                errs.push(FieldError::duplicate(path, uid));
            } else {
                seen.push(uid);
            }
        }
    }
    errs
}

/// The `completedIndexes`/`failedIndexes` rules of Indexed Jobs.
fn indexes(job: &Value, opts: Options) -> Vec<FieldError> {
    let s = status(job);
    let mut errs = Vec::new();
    let completions = spec(job, "completions").and_then(Value::as_i64);
    let completed = str_field(s, "completedIndexes");
    let failed_indexes = s
        .get("failedIndexes")
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().unwrap_or(""));
    let backoff_per_index = spec(job, "backoffLimitPerIndex").is_some();
    if opts.reject_invalid_completed_indexes
        && let Some(n) = completions
        && let Err(e) = indexes_format(completed, n)
    {
        errs.push(FieldError::invalid(
            "status.completedIndexes",
            completed,
            format!("error parsing completedIndexes: {e}"),
        ));
    }
    if opts.reject_invalid_failed_indexes
        && let (Some(n), true, Some(f)) = (completions, backoff_per_index, failed_indexes)
        && let Err(e) = indexes_format(f, n)
    {
        errs.push(FieldError::invalid(
            "status.failedIndexes",
            BadValue::Raw(godump::go_string(f)),
            format!("error parsing failedIndexes: {e}"),
        ));
    }
    if opts.reject_completed_indexes_for_non_indexed && !completed.is_empty() && !indexed(job) {
        errs.push(FieldError::invalid(
            "status.completedIndexes",
            completed,
            "cannot set non-empty completedIndexes when non-indexed completion mode",
        ));
    }
    if opts.reject_failed_indexes_without_backoff_limit_per_index
        && !backoff_per_index
        && let Some(f) = failed_indexes
    {
        errs.push(FieldError::invalid(
            "status.failedIndexes",
            f,
            "cannot set non-null failedIndexes when backoffLimitPerIndex is null",
        ));
    }
    if opts.reject_failed_indexes_overlapping_completed
        && let (Some(n), Some(f)) = (completions, failed_indexes)
        && let Some(at) = overlap(completed, f, n)
    {
        errs.push(FieldError::invalid(
            "status.failedIndexes",
            f,
            format!("failedIndexes and completedIndexes overlap at index: {at}"),
        ));
    }
    errs
}

/// `parseIndexInterval`: `x` or `x-y` with `x < y < completions`.
fn interval(text: &str, completions: i64) -> Result<(i64, i64), String> {
    let parts: Vec<&str> = text.split('-').collect();
    if parts.len() > 2 {
        return Err(format!(
            "the fragment {} violates the requirement that an index interval can have at most two parts separated by '-'",
            go_quote(text)
        ));
    }
    let number = |p: &str| -> Result<i64, String> {
        let n: i64 = p.parse().map_err(|_| {
            format!(
                "cannot convert string to integer for index: {}",
                go_quote(p)
            )
        })?;
        if n >= completions {
            return Err(format!("too large index: {}", go_quote(p)));
        }
        Ok(n)
    };
    let x = number(parts[0])?;
    match parts.get(1) {
        None => Ok((x, x)),
        Some(p) => {
            let y = number(p)?;
            if x >= y {
                return Err(format!("non-increasing order, previous: {x}, current: {y}"));
            }
            Ok((x, y))
        }
    }
}

/// `validateIndexesFormat`: increasing, comma-separated intervals.
fn indexes_format(text: &str, completions: i64) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let mut last: Option<i64> = None;
    for part in text.split(',') {
        let (x, y) = interval(part, completions)?;
        if let Some(l) = last
            && l >= x
        {
            return Err(format!("non-increasing order, previous: {l}, current: {x}"));
        }
        last = Some(y);
    }
    Ok(())
}

/// `validateFailedIndexesNotOverlapCompleted`: the first index in both sets (intervals that do
/// not parse are skipped; the format rules report them).
fn overlap(completed: &str, failed: &str, completions: i64) -> Option<i64> {
    if completed.is_empty() || failed.is_empty() {
        return None;
    }
    let parse = |t: &str| -> Vec<(i64, i64)> {
        t.split(',')
            .filter_map(|p| interval(p, completions).ok())
            .collect()
    };
    let (c, f) = (parse(completed), parse(failed));
    let (mut ci, mut fi) = (0, 0);
    while ci < c.len() && fi < f.len() {
        let ((cx, cy), (fx, fy)) = (c[ci], f[fi]);
        if cx <= fy && fx <= cy {
            return Some(cx.max(fx));
        }
        if cx <= fx {
            ci += 1;
        } else {
            fi += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests;
