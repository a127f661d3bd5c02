//! The columns of Jobs and CronJobs (`printJob`, `printCronJob`).

use serde_json::Value;

use crate::clock;
use crate::registry::print::{self, condition_status, int, text};
use crate::registry::table::{self, CONTAINERS_DESC, Column, IMAGES_DESC, col};

/// Jobs: the status from the conditions, completions, the duration of the run.
pub(super) fn jobs() -> Vec<Column> {
    const CONTAINERS: &str = "/spec/template/spec/containers";
    table::columns(
        vec![
            col("Status", "Status of the job.", 0, |v| job_status(v).into()),
            col(
                "Completions",
                "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
                0,
                |v| completions(v).into(),
            ),
            col("Duration", "Time required to complete the job.", 0, |v| {
                duration(v).into()
            }),
        ],
        vec![
            col("Containers", CONTAINERS_DESC, 1, |v| {
                print::containers(v, CONTAINERS).0.into()
            }),
            col("Images", IMAGES_DESC, 1, |v| {
                print::containers(v, CONTAINERS).1.into()
            }),
            col(
                "Selector",
                "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
                1,
                |v| print::format_label_selector(v.pointer("/spec/selector")).into(),
            ),
        ],
    )
}

/// `hasJobCondition`: the first condition of the type is `True`.
fn has_condition(job: &Value, ty: &str) -> bool {
    condition_status(job, "/status/conditions", ty) == Some("True")
}

fn job_status(job: &Value) -> &'static str {
    if has_condition(job, "Complete") {
        "Complete"
    } else if has_condition(job, "Failed") {
        "Failed"
    } else if job
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        "Terminating"
    } else if has_condition(job, "Suspended") {
        "Suspended"
    } else if has_condition(job, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

fn completions(job: &Value) -> String {
    let succeeded = int(job, "/status/succeeded");
    if let Some(n) = job.pointer("/spec/completions").and_then(Value::as_i64) {
        return format!("{succeeded}/{n}");
    }
    let parallelism = int(job, "/spec/parallelism");
    if parallelism > 1 {
        format!("{succeeded}/1 of {parallelism}")
    } else {
        format!("{succeeded}/1")
    }
}

fn duration(job: &Value) -> String {
    let Some(start) = print::timestamp(job, "/status/startTime") else {
        return String::new();
    };
    let end = print::timestamp(job, "/status/completionTime").unwrap_or_else(clock::unix_now);
    print::human_duration(end - start)
}

/// CronJobs: schedule, time zone, suspension, active jobs, the last schedule's age.
pub(super) fn cron_jobs() -> Vec<Column> {
    const CONTAINERS: &str = "/spec/jobTemplate/spec/template/spec/containers";
    table::columns(
        vec![
            col("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0, |v| {
                text(v, "/spec/schedule").into()
            }),
            col("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones", 0, |v| {
                v.pointer("/spec/timeZone")
                    .and_then(Value::as_str)
                    .unwrap_or("<none>")
                    .into()
            }),
            col("Suspend", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.", 0, |v| {
                match v.pointer("/spec/suspend").and_then(Value::as_bool) {
                    Some(true) => "True",
                    Some(false) => "False",
                    None => "<unset>",
                }
                .into()
            })
            .typed("boolean"),
            col("Active", "A list of pointers to currently running jobs.", 0, |v| {
                print::len(v, "/status/active").into()
            })
            .typed("integer"),
            col("Last Schedule", "Information when was the last time the job was successfully scheduled.", 0, |v| {
                match v.pointer("/status/lastScheduleTime") {
                    Some(Value::String(_)) => print::since(v, "/status/lastScheduleTime"),
                    _ => "<none>".to_owned(),
                }
                .into()
            }),
        ],
        vec![
            col("Containers", CONTAINERS_DESC, 1, |v| {
                print::containers(v, CONTAINERS).0.into()
            }),
            col("Images", IMAGES_DESC, 1, |v| {
                print::containers(v, CONTAINERS).1.into()
            }),
            col("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1, |v| {
                print::format_label_selector(v.pointer("/spec/jobTemplate/spec/selector")).into()
            }),
        ],
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `printJob`'s cases in `TestPrintJob`: completions with and without a count, the
    /// duration of a finished run, the status from the conditions.
    #[test]
    fn job_cells() {
        let job = json!({"spec": {"completions": 2}, "status": {"succeeded": 1,
            "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:03:10Z",
            "conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(completions(&job), "1/2");
        assert_eq!(duration(&job), "3m10s");
        assert_eq!(job_status(&job), "Complete");
        let parallel = json!({"spec": {"parallelism": 3}, "status": {}});
        assert_eq!(completions(&parallel), "0/1 of 3");
        assert_eq!(duration(&parallel), "");
        assert_eq!(job_status(&parallel), "Running");
        let suspended = json!({"status": {"conditions": [
            {"type": "Complete", "status": "False"}, {"type": "Suspended", "status": "True"}]}});
        assert_eq!(job_status(&suspended), "Suspended");
        assert_eq!(completions(&suspended), "0/1");
    }

    #[test]
    fn cron_job_cells() {
        let cj = json!({"spec": {"schedule": "*/5 * * * *", "suspend": false,
            "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}},
            "status": {"active": [{"name": "j"}]}});
        let cells: Vec<Value> = cron_jobs().iter().map(|c| c.cell(&cj)).collect();
        assert_eq!(
            cells[1..6].to_vec(),
            vec![
                json!("*/5 * * * *"),
                json!("<none>"),
                json!("False"),
                json!(1),
                json!("<none>")
            ]
        );
        assert_eq!(
            cells[7..].to_vec(),
            vec![json!("c"), json!("i"), json!("<none>")]
        );
    }
}
