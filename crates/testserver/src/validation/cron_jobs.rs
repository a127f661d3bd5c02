//! batch/v1 CronJob validation (`ValidateCronJobCreate`, `ValidateCronJobUpdate`,
//! `validateCronJobSpec`, `validateScheduleFormat`, `validateTimeZone` of
//! `pkg/apis/batch/validation`): the schedule as robfig/cron parses it, the time zone against
//! the IANA database (the system's zoneinfo, as Go's `time.LoadLocation` reads it), the
//! concurrency policy, history limits and the job template.

use serde_json::Value;

use super::{FieldError, cron, jobs};

/// The longest name a CronJob may have: its Jobs append an 11-character suffix.
const MAX_NAME_LENGTH: usize = 52;
const POLICIES: [&str; 3] = ["Allow", "Forbid", "Replace"];

fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

/// `ValidateCronJobCreate` after `ObjectMeta`.
pub(crate) fn cron_job(obj: &Value) -> Vec<FieldError> {
    let mut errs = cron_job_spec(spec(obj), None);
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.len() > MAX_NAME_LENGTH {
        errs.push(FieldError::invalid(
            "metadata.name",
            name,
            "must be no more than 52 characters",
        ));
    }
    errs
}

/// `ValidateCronJobUpdate` after the metadata (no name length limit: old CronJobs with longer
/// names stay updatable).
pub(crate) fn cron_job_update(new: &Value, old: &Value) -> Vec<FieldError> {
    cron_job_spec(spec(new), Some(spec(old)))
}

fn cron_job_spec(spec: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let schedule = spec.get("schedule").and_then(Value::as_str).unwrap_or("");
    let time_zone = spec.get("timeZone").and_then(Value::as_str);
    if schedule.is_empty() {
        errs.push(FieldError::required("spec.schedule", ""));
    } else {
        let allow_tz = old
            .and_then(|o| o.get("schedule"))
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains("TZ"));
        errs.extend(schedule_format(schedule, allow_tz, time_zone.is_some()));
    }
    if let Some(n) = spec
        .get("startingDeadlineSeconds")
        .and_then(Value::as_i64)
        .filter(|n| *n < 0)
    {
        errs.push(FieldError::invalid(
            "spec.startingDeadlineSeconds",
            n,
            "must be greater than or equal to 0",
        ));
    }
    let old_zone = old.map(|o| o.get("timeZone").and_then(Value::as_str));
    if old_zone.is_none_or(|z| z != time_zone) {
        errs.extend(validate_time_zone(time_zone));
    }
    match spec
        .get("concurrencyPolicy")
        .and_then(Value::as_str)
        .unwrap_or("")
    {
        "" => errs.push(FieldError::required("spec.concurrencyPolicy", "")),
        p if POLICIES.contains(&p) => {}
        p => errs.push(FieldError::not_supported(
            "spec.concurrencyPolicy",
            p,
            &POLICIES,
        )),
    }
    errs.extend(jobs::job_template(
        spec.get("jobTemplate").unwrap_or(&Value::Null),
        "spec.jobTemplate",
    ));
    for key in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        if let Some(n) = spec.get(key).and_then(Value::as_i64).filter(|n| *n < 0) {
            errs.push(FieldError::invalid(
                format!("spec.{key}"),
                n,
                "must be greater than or equal to 0",
            ));
        }
    }
    errs
}

/// `validateScheduleFormat`.
fn schedule_format(schedule: &str, allow_tz: bool, has_time_zone: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Err(e) = cron::parse_standard(schedule) {
        errs.push(FieldError::invalid("spec.schedule", schedule, e));
    }
    if schedule.contains("TZ") {
        if allow_tz && has_time_zone {
            errs.push(FieldError::invalid(
                "spec.schedule",
                schedule,
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        } else if !allow_tz {
            errs.push(FieldError::invalid(
                "spec.schedule",
                schedule,
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
    }
    errs
}

/// `validateTimeZone`.
fn validate_time_zone(zone: Option<&str>) -> Vec<FieldError> {
    const PATH: &str = "spec.timeZone";
    let Some(zone) = zone else {
        return Vec::new();
    };
    if zone.is_empty() {
        return vec![FieldError::invalid(
            PATH,
            zone,
            "timeZone must be nil or non-empty string",
        )];
    }
    let part_ok = |part: &str| {
        part != "."
            && part != ".."
            && !part.starts_with('-')
            && (1..=14).contains(&part.len())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_+".contains(c))
    };
    if !zone.split('/').all(part_ok) {
        return vec![FieldError::invalid(
            PATH,
            zone,
            format!("unknown time zone {zone}"),
        )];
    }
    let mut errs = Vec::new();
    if zone.eq_ignore_ascii_case("local") {
        errs.push(FieldError::invalid(
            PATH,
            zone,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    if zone != "UTC" && zone != "Local" && jiff::tz::TimeZone::get(zone).is_err() {
        errs.push(FieldError::invalid(
            PATH,
            zone,
            format!("unknown time zone {zone}"),
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    fn cron_job_with(spec: Value) -> Value {
        let mut base = json!({"metadata": {"name": "nightly"}, "spec": {
            "schedule": "0 3 * * *", "concurrencyPolicy": "Allow",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                "dnsPolicy": "ClusterFirst", "containers": [{"name": "c", "image": "i",
                "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}]}}}}}});
        if let (Some(base), Some(extra)) = (base["spec"].as_object_mut(), spec.as_object()) {
            base.extend(extra.clone());
        }
        base
    }

    /// validateCronJobSpec, validateScheduleFormat, validateTimeZone, ValidateJobTemplateSpec.
    #[test]
    fn cron_jobs() {
        assert!(texts(cron_job(&cron_job_with(json!({})))).is_empty());
        assert!(
            texts(cron_job(&cron_job_with(
                json!({"timeZone": "Europe/Berlin"})
            )))
            .is_empty()
        );
        assert_eq!(
            texts(cron_job(&cron_job_with(json!({"schedule": "0 25 * * *",
                "concurrencyPolicy": "Sometimes", "timeZone": "Mars/Olympus",
                "successfulJobsHistoryLimit": -1})))),
            [
                "spec.schedule: Invalid value: \"0 25 * * *\": end of range (25) above maximum (23): 25",
                "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus",
                "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
                "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
            ]
        );
        assert_eq!(
            texts(cron_job(&cron_job_with(
                json!({"schedule": "CRON_TZ=UTC 0 3 * * *", "timeZone": ""})
            ))),
            [
                "spec.schedule: Invalid value: \"CRON_TZ=UTC 0 3 * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string",
            ]
        );
        let mut bad_template = cron_job_with(json!({}));
        bad_template["spec"]["jobTemplate"]["spec"]["selector"] =
            json!({"matchLabels": {"a": "b"}});
        bad_template["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] =
            json!("Always");
        assert_eq!(
            texts(cron_job(&bad_template)),
            [
                "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
                "spec.jobTemplate.spec.selector: Invalid value: {\"matchLabels\":{\"a\":\"b\"}}: `selector` will be auto-generated",
            ]
        );
        let long =
            json!({"metadata": {"name": "a".repeat(53)}, "spec": cron_job_with(json!({}))["spec"]});
        assert_eq!(
            texts(cron_job(&long)),
            [format!(
                "metadata.name: Invalid value: \"{}\": must be no more than 52 characters",
                "a".repeat(53)
            )]
        );
        assert!(cron_job_update(&long, &long).is_empty());
    }
}
