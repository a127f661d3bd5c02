//! Spec validation of the workload kinds controllers write, as kube-apiserver answers it:
//! Jobs (defaults, the generated selector, the restart policy, the immutable template),
//! CronJobs (schedules as robfig/cron parses them, time zones), Deployment rolling updates and
//! PodDisruptionBudgets, HorizontalPodAutoscalers. The messages are the real server's, so
//! these hold on a cluster too.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kubeset::clientset::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::invalid::{invalid, pod_spec};
use crate::support::setup;

#[tokio::test]
async fn jobs_get_a_generated_selector_defaults_and_the_real_rules() {
    let ctx = setup("valid-jobs").await;
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let job: Job = serde_json::from_value(json!({"metadata": {"name": "pi"},
        "spec": {"template": {"spec": pod_spec("Never")}}}))
    .unwrap();
    let created = jobs.create(&PostParams::default(), &job).await.unwrap();
    let uid = created.metadata.uid.clone().unwrap();
    let spec = created.spec.clone().unwrap();
    let selector = spec.selector.clone().unwrap().match_labels.unwrap();
    assert_eq!(
        selector.get("batch.kubernetes.io/controller-uid"),
        Some(&uid)
    );
    let labels = spec.template.metadata.clone().unwrap().labels.unwrap();
    for (key, value) in [
        ("batch.kubernetes.io/controller-uid", &uid),
        ("controller-uid", &uid),
        ("batch.kubernetes.io/job-name", &"pi".to_owned()),
        ("job-name", &"pi".to_owned()),
    ] {
        assert_eq!(labels.get(key), Some(value), "{labels:?}");
    }
    assert_eq!(
        (spec.completions, spec.parallelism, spec.backoff_limit),
        (Some(1), Some(1), Some(6))
    );
    assert_eq!(spec.completion_mode.as_deref(), Some("NonIndexed"));
    assert_eq!(spec.suspend, Some(false));
    assert_eq!(spec.manual_selector, Some(false));
    assert_eq!(
        spec.pod_replacement_policy.as_deref(),
        Some("TerminatingOrFailed")
    );

    // the template may not change once the Job exists
    let err = jobs
        .patch(
            "pi",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"template": {"spec": {"containers": [
                {"name": "c", "image": "registry.k8s.io/pause:3.9"}]}}}})),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert!(
        message.starts_with("Job.batch \"pi\" is invalid: spec.template: Invalid value: "),
        "{message}"
    );
    assert!(message.ends_with(": field is immutable"), "{message}");
    assert_eq!(
        causes,
        [("spec.template".to_owned(), "FieldValueInvalid".to_owned())]
    );

    // pods of a Job must not restart forever
    let always: Job = serde_json::from_value(json!({"metadata": {"name": "forever"},
        "spec": {"template": {"spec": pod_spec("Always")}}}))
    .unwrap();
    let err = jobs
        .create(&PostParams::default(), &always)
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "Job.batch \"forever\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
    );

    // per-index backoff needs the Indexed completion mode
    let per_index: Job = serde_json::from_value(json!({"metadata": {"name": "per-index"},
        "spec": {"backoffLimitPerIndex": 1, "template": {"spec": pod_spec("Never")}}}))
    .unwrap();
    let err = jobs
        .create(&PostParams::default(), &per_index)
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "Job.batch \"per-index\" is invalid: spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"
    );
}

#[tokio::test]
async fn cron_jobs_parse_their_schedule_and_time_zone() {
    let ctx = setup("valid-cronjobs").await;
    let cron_jobs: Api<CronJob> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let cron_job = |name: &str, schedule: &str, time_zone: Option<&str>| -> CronJob {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": {
            "schedule": schedule, "timeZone": time_zone,
            "jobTemplate": {"spec": {"template": {"spec": pod_spec("OnFailure")}}}}}))
        .unwrap()
    };
    let created = cron_jobs
        .create(
            &PostParams::default(),
            &cron_job("nightly", "0 3 * * *", Some("Europe/Berlin")),
        )
        .await
        .unwrap();
    let spec = created.spec;
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Allow"));
    assert_eq!(
        (
            spec.successful_jobs_history_limit,
            spec.failed_jobs_history_limit
        ),
        (Some(3), Some(1))
    );

    let err = cron_jobs
        .create(
            &PostParams::default(),
            &cron_job("late", "0 24 * * *", None),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "CronJob.batch \"late\" is invalid: spec.schedule: Invalid value: \"0 24 * * *\": end of range (24) above maximum (23): 24"
    );
    let err = cron_jobs
        .create(&PostParams::default(), &cron_job("short", "* * * *", None))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "CronJob.batch \"short\" is invalid: spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]"
    );
    let err = cron_jobs
        .create(
            &PostParams::default(),
            &cron_job("mars", "@hourly", Some("Mars/Olympus_Mons")),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "CronJob.batch \"mars\" is invalid: spec.timeZone: Invalid value: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons"
    );
    let long = "n".repeat(53);
    let err = cron_jobs
        .create(&PostParams::default(), &cron_job(&long, "@daily", None))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        format!(
            "CronJob.batch \"{long}\" is invalid: metadata.name: Invalid value: \"{long}\": must be no more than 52 characters"
        )
    );
}

#[tokio::test]
async fn rolling_updates_and_disruption_budgets_check_their_counts() {
    let ctx = setup("valid-rolling").await;
    let deployments: Api<Deployment> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let deployment: Deployment = serde_json::from_value(json!({"metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec("Always")}}}))
    .unwrap();
    let err = deployments
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when `maxSurge` is 0"
    );

    let budgets: Api<PodDisruptionBudget> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let budget: PodDisruptionBudget = serde_json::from_value(json!({"metadata": {"name": "b"},
        "spec": {"maxUnavailable": "150%", "selector": {"matchLabels": {"app": "web"}}}}))
    .unwrap();
    let err = budgets
        .create(&PostParams::default(), &budget)
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "PodDisruptionBudget.policy \"b\" is invalid: spec.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"
    );
    let both: PodDisruptionBudget = serde_json::from_value(json!({"metadata": {"name": "b"},
        "spec": {"minAvailable": 1, "maxUnavailable": 1}}))
    .unwrap();
    let err = budgets
        .create(&PostParams::default(), &both)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert!(
        message.ends_with(": minAvailable and maxUnavailable cannot be both set"),
        "{message}"
    );
    assert_eq!(
        causes,
        [("spec".to_owned(), "FieldValueInvalid".to_owned())]
    );
}

#[tokio::test]
async fn autoscalers_check_their_replica_bounds_and_behavior() {
    let ctx = setup("valid-hpa").await;
    let hpas: Api<HorizontalPodAutoscaler> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let hpa = |max: i64| -> HorizontalPodAutoscaler {
        serde_json::from_value(json!({"metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "maxReplicas": max}}))
        .unwrap()
    };
    // minReplicas is defaulted to 1 before validation, so both bounds fail
    let err = hpas
        .create(&PostParams::default(), &hpa(0))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "HorizontalPodAutoscaler.autoscaling \"web\" is invalid: [spec.maxReplicas: Invalid value: 0: must be greater than 0, spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`]"
    );
    assert_eq!(
        causes,
        [
            (
                "spec.maxReplicas".to_owned(),
                "FieldValueInvalid".to_owned()
            ),
            (
                "spec.maxReplicas".to_owned(),
                "FieldValueInvalid".to_owned()
            ),
        ]
    );
    hpas.create(&PostParams::default(), &hpa(3)).await.unwrap();
    let window = json!({"spec": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": 3601}}}});
    let err = hpas
        .patch("web", &PatchParams::default(), &Patch::Merge(&window))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "HorizontalPodAutoscaler.autoscaling \"web\" is invalid: spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600"
    );
}
