use serde_json::json;

use super::*;

fn texts(new: &Value, old: &Value) -> Vec<String> {
    job(new, old).iter().map(ToString::to_string).collect()
}

fn with(spec: Value, status: Value) -> Value {
    json!({"spec": spec, "status": status})
}

/// `RejectDecreasingFailedCounter` / `RejectDecreasingSucceededCounter`.
#[test]
fn counters_do_not_decrease() {
    let old = with(json!({}), json!({"failed": 3, "succeeded": 2}));
    assert_eq!(
        texts(&with(json!({}), json!({"failed": 1, "succeeded": 1})), &old),
        [
            "status.failed: Invalid value: 1: cannot decrease the failed counter",
            "status.succeeded: Invalid value: 1: cannot decrease the succeeded counter",
        ]
    );
    // an Indexed Job with completions == parallelism may be scaled down
    let elastic = json!({"completionMode": "Indexed", "completions": 2, "parallelism": 2});
    assert!(
        texts(
            &with(elastic.clone(), json!({"failed": 3, "succeeded": 1})),
            &with(elastic, json!({"failed": 3, "succeeded": 2}))
        )
        .is_empty()
    );
}

/// The terminal-condition rules of `validateJobStatus` and `ValidateJobStatusUpdate`.
#[test]
fn terminal_conditions() {
    let cond = |ty: &str| json!({"type": ty, "status": "True"});
    let running = with(json!({}), json!({"active": 1}));
    // Complete=True without completionTime, startTime, SuccessCriteriaMet, with active pods
    let done = with(
        json!({}),
        json!({"active": 1, "conditions": [cond("Complete")]}),
    );
    assert_eq!(
        texts(&done, &running),
        [
            "status.completionTime: Required value: completionTime is required for Complete jobs",
            "status.conditions: Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
            "status.active: Invalid value: 1: active>0 is invalid for finished job",
            "status.startTime: Required value: startTime is required for finished job",
        ]
    );
    let ok = with(
        json!({}),
        json!({"startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:01:00Z",
            "succeeded": 1, "conditions": [cond("SuccessCriteriaMet"), cond("Complete")]}),
    );
    assert!(texts(&ok, &running).is_empty());
    // and it stays terminal
    assert_eq!(
        texts(
            &with(
                json!({}),
                json!({"startTime": "2026-01-01T00:00:00Z", "succeeded": 1,
                    "completionTime": "2026-01-01T00:02:00Z"})
            ),
            &ok
        ),
        [
            "status.completionTime: Invalid value: 2026-01-01 00:02:00 +0000 UTC: cannot set completionTime when there is no Complete=True condition",
            "status.conditions: Invalid value: cannot disable the terminal Complete=True condition",
            "status.completionTime: Invalid value: 2026-01-01 00:02:00 +0000 UTC: completionTime cannot be mutated",
            "status.conditions: Invalid value: cannot disable the SuccessCriteriaMet=True condition",
        ]
    );
    // Failed=True needs FailureTarget=True
    assert_eq!(
        texts(
            &with(
                json!({}),
                json!({"startTime": "2026-01-01T00:00:00Z", "conditions": [cond("Failed")]})
            ),
            &running
        ),
        [
            "status.conditions: Invalid value: cannot set Failed=True condition without the FailureTarget=true condition"
        ]
    );
}

/// Rules checked only when their fields change: an unchanged inconsistency is let through.
#[test]
fn unchanged_fields_are_not_rechecked() {
    let old = with(json!({}), json!({"active": 1, "ready": 5}));
    assert!(
        texts(
            &with(json!({}), json!({"active": 1, "ready": 5, "failed": 1})),
            &old
        )
        .is_empty()
    );
    assert_eq!(
        texts(&with(json!({}), json!({"active": 2, "ready": 5})), &old),
        ["status.ready: Invalid value: 5: cannot set more ready pods than active"]
    );
}

/// `validateIndexesFormat`, `parseIndexInterval`, `validateFailedIndexesNotOverlapCompleted`.
#[test]
fn indexes_of_indexed_jobs() {
    let spec = json!({"completionMode": "Indexed", "completions": 5, "parallelism": 1,
        "backoffLimitPerIndex": 1});
    let old = with(spec.clone(), json!({}));
    assert_eq!(
        texts(
            &with(spec.clone(), json!({"completedIndexes": "0-2,1"})),
            &old
        ),
        [
            "status.completedIndexes: Invalid value: \"0-2,1\": error parsing completedIndexes: non-increasing order, previous: 2, current: 1"
        ]
    );
    assert_eq!(
        texts(&with(spec.clone(), json!({"completedIndexes": "7"})), &old),
        [
            "status.completedIndexes: Invalid value: \"7\": error parsing completedIndexes: too large index: \"7\""
        ]
    );
    assert_eq!(
        texts(
            &with(
                spec.clone(),
                json!({"completedIndexes": "0-2", "failedIndexes": "2,4"})
            ),
            &old
        ),
        [
            "status.failedIndexes: Invalid value: \"2,4\": failedIndexes and completedIndexes overlap at index: 2"
        ]
    );
    assert_eq!(
        texts(
            &with(
                json!({}),
                json!({"completedIndexes": "1", "failedIndexes": ""})
            ),
            &with(json!({}), json!({}))
        ),
        [
            "status.completedIndexes: Invalid value: \"1\": cannot set non-empty completedIndexes when non-indexed completion mode",
            "status.failedIndexes: Invalid value: \"\": cannot set non-null failedIndexes when backoffLimitPerIndex is null",
        ]
    );
}

#[test]
fn uncounted_pods_are_unique() {
    let s = json!({"uncountedTerminatedPods": {"succeeded": ["a", ""], "failed": ["a"]}});
    assert_eq!(
        texts(&with(json!({}), s), &with(json!({}), json!({}))),
        [
            "status.uncountedTerminatedPods.succeeded[1]: Invalid value: \"\": must not be empty",
            "status.uncountedTerminatedPods.failed[0]: Duplicate value: \"a\"",
        ]
    );
}
