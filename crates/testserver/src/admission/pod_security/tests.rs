//! Unit tests of PodSecurity, each group naming the Go function it follows
//! (`k8s.io/pod-security-admission` v0.36.2).

use serde_json::{Value, json};

use super::policy::{Level, LevelVersion, Policy, Version, policy_to_evaluate};
use super::*;
use crate::admission::recorder::{Added, RequestInfo};
use crate::admission::testing::MemLookup;
use crate::validation::texts;

const BASELINE: LevelVersion = LevelVersion {
    level: Level::Baseline,
    version: Version::Latest,
};

fn container(name: &str, extra: Value) -> Value {
    let mut c = json!({"name": name, "image": "busybox"});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        c.extend(extra.clone());
    }
    c
}

/// `PolicyToEvaluate`: defaults, fallbacks of bad labels, warn following enforce.
#[test]
fn labels_choose_the_policy_as_policy_to_evaluate_does() {
    let (p, errs) = policy_to_evaluate(None);
    assert_eq!((p, errs.len()), (Policy::DEFAULT, 0));
    let labels = json!({"pod-security.kubernetes.io/enforce": "baseline"});
    let (p, _) = policy_to_evaluate(Some(&labels));
    assert_eq!(p.enforce.to_string(), "baseline:latest");
    assert_eq!(
        p.warn.to_string(),
        "baseline:latest",
        "warn follows enforce"
    );
    assert_eq!(p.audit.to_string(), "privileged:latest");
    let labels = json!({
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "v1.24",
        "pod-security.kubernetes.io/warn-version": "v1.30",
    });
    let (p, _) = policy_to_evaluate(Some(&labels));
    assert_eq!(p.warn.to_string(), "restricted:v1.30");
    let labels = json!({
        "pod-security.kubernetes.io/enforce": "strict",
        "pod-security.kubernetes.io/enforce-version": "v1.024",
        "pod-security.kubernetes.io/audit": "loose",
        "pod-security.kubernetes.io/warn-version": "1.30",
    });
    let (p, errs) = policy_to_evaluate(Some(&labels));
    assert_eq!(
        p.enforce.to_string(),
        "restricted:latest",
        "enforce fails closed"
    );
    assert_eq!(p.audit.level, Level::Privileged, "audit fails open");
    assert_eq!(
        p.warn.to_string(),
        "privileged:latest",
        "a bad enforce level is not copied"
    );
    assert_eq!(
        texts(&errs),
        [
            "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
            "metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"v1.024\": must be \"latest\" or \"v1.x\"",
            "metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: \"loose\": must be one of privileged, baseline, restricted",
            "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\"",
        ]
    );
    let labels = json!({"pod-security.kubernetes.io/audit-version": "v1.0"});
    assert_eq!(
        policy_to_evaluate(Some(&labels)).0.audit.version,
        Version::Minor(0)
    );
}

fn attrs<'a>(resource: &'a str, op: Operation) -> Attributes<'a> {
    let group = match resource {
        "deployments" => "apps",
        _ => "",
    };
    Attributes {
        group,
        resource,
        subresource: "",
        version: "v1",
        kind: "",
        namespace: "ns",
        name: "",
        operation: op,
        user: None,
    }
}

/// Runs `validate` in a recorder scope, as `api::dispatch` opens one around a request: the
/// verdict and the warnings and audit annotations it added.
fn recorded(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> (Result<(), AdmissionError>, Added) {
    recorder::record(RequestInfo::default(), || validate(attrs, obj, old, lookup))
}

fn namespace(labels: Value) -> Value {
    json!({"metadata": {"name": "ns", "labels": labels}, "status": {"phase": "Active"}})
}

fn lookup(labels: Value) -> MemLookup {
    MemLookup::default().with("", "namespaces", None, namespace(labels))
}

fn pod(spec: Value) -> Value {
    json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": spec})
}

/// `Admission.ValidatePod` and `EvaluatePod`: enforce refuses, audit annotates, warn warns.
#[test]
fn pods_are_enforced_audited_and_warned() {
    let privileged =
        json!({"containers": [container("a", json!({"securityContext": {"privileged": true}}))]});
    let lookup = lookup(json!({
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/audit": "restricted",
    }));
    let (out, rec) = recorded(
        &attrs("pods", Operation::Create),
        &pod(privileged),
        None,
        &lookup,
    );
    let err = out.unwrap_err();
    assert_eq!(err.code(), 403);
    assert_eq!(
        err.message(),
        "pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"a\" must not set securityContext.privileged=true)"
    );
    assert_eq!(
        rec.annotations[0],
        (
            "pod-security.kubernetes.io/enforce-policy".to_owned(),
            "baseline:latest".to_owned()
        )
    );
    assert_eq!(
        rec.annotations[1].0,
        "pod-security.kubernetes.io/audit-violations"
    );
    assert!(
        rec.annotations[1].1.starts_with(
            "would violate PodSecurity \"restricted:latest\": privileged (container \"a\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false ("
        ),
        "{:?}",
        rec.annotations
    );
    assert!(rec.warnings.is_empty(), "no warning once refused");

    let plain = pod(json!({"containers": [container("a", json!({}))]}));
    let (out, rec) = recorded(&attrs("pods", Operation::Create), &plain, None, &lookup);
    out.unwrap();
    assert!(
        rec.warnings.is_empty(),
        "warn follows enforce: baseline allows it"
    );
    let warn = self::lookup(json!({"pod-security.kubernetes.io/warn": "restricted"}));
    let (out, rec) = recorded(&attrs("pods", Operation::Create), &plain, None, &warn);
    out.unwrap();
    assert_eq!(
        rec.warnings,
        [
            "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"a\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"a\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        ]
    );
}

/// `sharedAllowedPrivilegedResponse`, `ignoredPodSubresources`, `isSignificantPodUpdate`.
#[test]
fn privileged_namespaces_status_writes_and_insignificant_updates_are_not_evaluated() {
    let bad = pod(json!({"hostPID": true, "containers": [container("a", json!({}))]}));
    let (out, rec) = recorded(
        &attrs("pods", Operation::Create),
        &bad,
        None,
        &lookup(json!({})),
    );
    out.unwrap();
    assert_eq!(
        rec.annotations,
        [(
            "pod-security.kubernetes.io/enforce-policy".to_owned(),
            "privileged:latest".to_owned()
        )]
    );
    let strict = lookup(json!({"pod-security.kubernetes.io/enforce": "baseline"}));
    let status = Attributes {
        subresource: "status",
        name: "p",
        ..attrs("pods", Operation::Update)
    };
    validate(&status, &bad, Some(&bad), &strict).unwrap();
    let update = Attributes {
        name: "p",
        ..attrs("pods", Operation::Update)
    };
    let mut relabelled = bad.clone();
    relabelled["metadata"]["labels"] = json!({"a": "b"});
    validate(&update, &relabelled, Some(&bad), &strict).unwrap();
    let mut reimaged = bad.clone();
    reimaged["spec"]["containers"][0]["image"] = json!("other");
    assert_eq!(
        validate(&update, &reimaged, Some(&bad), &strict)
            .unwrap_err()
            .message(),
        "pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)"
    );
    let ephemeral = Attributes {
        subresource: "ephemeralcontainers",
        ..update
    };
    let mut debugged = bad.clone();
    debugged["spec"]["ephemeralContainers"] = json!([container("d", json!({}))]);
    assert!(validate(&ephemeral, &debugged, Some(&bad), &strict).is_err());
}

/// `ValidatePodController`: a workload's template is audited and warned about, never refused.
#[test]
fn workload_templates_are_warned_about_not_refused() {
    let deployment = json!({"metadata": {"name": "d", "namespace": "ns"}, "spec": {
        "template": {"metadata": {}, "spec": {"hostNetwork": true, "containers": [container("a", json!({}))]}}}});
    let lookup = lookup(json!({"pod-security.kubernetes.io/enforce": "baseline"}));
    let (out, rec) = recorded(
        &attrs("deployments", Operation::Create),
        &deployment,
        None,
        &lookup,
    );
    out.unwrap();
    assert_eq!(
        rec.warnings,
        ["would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)"]
    );
    assert!(
        rec.annotations.is_empty(),
        "no enforce-policy annotation for templates"
    );
}

/// `ValidateNamespace`: bad labels are refused on create, and on update only when changed.
#[test]
fn namespaces_with_bad_labels_are_refused() {
    let bad = namespace(json!({"pod-security.kubernetes.io/warn": "nope"}));
    let create = Attributes {
        namespace: "",
        ..attrs("namespaces", Operation::Create)
    };
    let err = validate(&create, &bad, None, &MemLookup::default()).unwrap_err();
    assert_eq!(err.code(), 422);
    assert_eq!(
        err.message(),
        "Namespace \"ns\" is invalid: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"nope\": must be one of privileged, baseline, restricted"
    );
    let update = Attributes {
        namespace: "ns",
        name: "ns",
        ..attrs("namespaces", Operation::Update)
    };
    let mut relabelled = bad.clone();
    relabelled["metadata"]["labels"]["team"] = json!("a");
    validate(&update, &relabelled, Some(&bad), &MemLookup::default()).unwrap();
    assert!(
        validate(
            &update,
            &bad,
            Some(&namespace(json!({}))),
            &MemLookup::default()
        )
        .is_err()
    );
}

/// `EvaluatePodsInNamespace`: tightening enforce warns about existing pods, grouped by
/// reason, controllers' duplicates counted.
#[test]
fn tightening_a_namespace_warns_about_its_pods() {
    let owned = |name: &str, uid: &str| {
        json!({"metadata": {"name": name, "namespace": "ns",
            "ownerReferences": [{"controller": true, "uid": uid}]},
            "spec": {"hostNetwork": true, "containers": [container("a", json!({}))]}})
    };
    let lookup = MemLookup::default()
        .with("", "pods", Some("ns"), owned("web-2", "u1"))
        .with("", "pods", Some("ns"), owned("web-1", "u1"))
        .with("", "pods", Some("ns"), owned("web-3", "u1"))
        .with("", "pods", Some("ns"), pod(json!({"containers": [container("a", json!({"securityContext": {"privileged": true}}))]})))
        .with("", "pods", Some("ns"), json!({"metadata": {"name": "ok"}, "spec": {"containers": [container("a", json!({}))]}}));
    let update = Attributes {
        namespace: "ns",
        name: "ns",
        ..attrs("namespaces", Operation::Update)
    };
    let old = namespace(json!({}));
    let new = namespace(json!({"pod-security.kubernetes.io/enforce": "baseline"}));
    let (out, rec) = recorded(&update, &new, Some(&old), &lookup);
    out.unwrap();
    assert_eq!(
        rec.warnings,
        [
            "existing pods in namespace \"ns\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "p: privileged",
            "web-1 (and 2 other pods): host namespaces",
        ]
    );
    // loosening, or a label that does not change enforce, checks nothing
    let (out, rec) = recorded(&update, &old, Some(&new), &lookup);
    out.unwrap();
    assert!(rec.warnings.is_empty());
    let many: Vec<Value> = (0..3001).map(|i| owned(&format!("w{i:04}"), "u")).collect();
    let warnings = namespace::pod_warnings("ns", BASELINE, many);
    assert_eq!(
        warnings[..2],
        [
            "new PodSecurity enforce level only checked against the first 3000 of 3001 existing pods",
            "existing pods in namespace \"ns\" violate the new PodSecurity enforce level \"baseline:latest\"",
        ]
    );
    assert_eq!(warnings[2], "w0000 (and 2999 other pods): host namespaces");
}

/// `EvaluatePod` with labels that do not parse: the `error` annotation, and the fallback
/// policy (an unknown enforce level enforces `restricted`).
#[test]
fn bad_labels_fail_closed_for_enforce_and_are_annotated() {
    let lookup = lookup(json!({"pod-security.kubernetes.io/enforce": "nope"}));
    let plain = pod(json!({"containers": [container("a", json!({}))]}));
    let (out, rec) = recorded(&attrs("pods", Operation::Create), &plain, None, &lookup);
    let err = out.unwrap_err();
    assert!(
        err.message()
            .starts_with("pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": "),
        "{}",
        err.message()
    );
    assert_eq!(
        rec.annotations[0],
        (
            "pod-security.kubernetes.io/error".to_owned(),
            "Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"nope\": must be one of privileged, baseline, restricted".to_owned()
        )
    );
}
