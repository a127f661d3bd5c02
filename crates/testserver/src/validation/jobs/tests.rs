use serde_json::json;

use super::*;

use crate::validation::texts;

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
        texts(job(&job_with(json!({})))).is_empty(),
        "{:?}",
        texts(job(&job_with(json!({}))))
    );
    let mut bad =
        job_with(json!({"parallelism": -1, "backoffLimit": -2, "ttlSecondsAfterFinished": -3}));
    bad["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    assert_eq!(
        texts(job(&bad)),
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
        texts(job(&on_failure)),
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
        texts(job(&wrong)),
        [
            "spec.template.metadata.labels[batch.kubernetes.io/job-name]: Invalid value: {\"batch.kubernetes.io/controller-uid\":\"u1\",\"batch.kubernetes.io/job-name\":\"someone-else\",\"controller-uid\":\"u1\",\"job-name\":\"pi\"}: must be 'pi'",
            "spec.selector: Invalid value: {\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"other\"}}: `selector` not auto-generated",
            "spec.template.metadata.labels: Invalid value: {\"batch.kubernetes.io/controller-uid\":\"u1\",\"batch.kubernetes.io/job-name\":\"someone-else\",\"controller-uid\":\"u1\",\"job-name\":\"pi\"}: `selector` does not match template `labels`",
        ]
    );
    let mut manual = job_with(json!({"manualSelector": true}));
    manual["spec"].as_object_mut().map(|s| s.remove("selector"));
    assert_eq!(
        texts(job(&manual)),
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
    let name_err = texts(job(&long));
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
        texts(job(&indexed)),
        [
            "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
            "spec.completions: Required value: when completion mode is Indexed",
            "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed",
        ]
    );
    let non_indexed = job_with(json!({"backoffLimitPerIndex": 1, "completionMode": "Sometimes"}));
    assert_eq!(
        texts(job(&non_indexed)),
        [
            "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\""
        ]
    );
    let per_index = job_with(json!({"backoffLimitPerIndex": 1}));
    assert_eq!(
        texts(job(&per_index)),
        ["spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode"]
    );
    let success = job_with(json!({"successPolicy": {"rules": [{"succeededCount": 1}]}}));
    assert_eq!(
        texts(job(&success)),
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
    let errs = texts(job_update(&changed, &old));
    assert_eq!(
        errs[0],
        "spec.completions: Invalid value: 2: field is immutable"
    );
    assert!(
        errs[1]
            .starts_with("spec.template: Invalid value: {\"creationTimestamp\":null,\"labels\":{")
            && errs[1].contains("\"Image\":\"python\"")
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
        texts(job_update(&elastic, &elastic_old)),
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
