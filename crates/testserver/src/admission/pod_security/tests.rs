//! Unit tests of PodSecurity, each group naming the Go function it follows
//! (`k8s.io/pod-security-admission` v0.36.2).

use serde_json::{Value, json};

use super::checks::{evaluate, ids};
use super::policy::{Level, LevelVersion, Policy, Version, policy_to_evaluate};
use super::*;
use crate::admission::testing::MemLookup;
use crate::validation::texts;

fn lv(level: &str, version: &str) -> LevelVersion {
    let labels = json!({
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": version,
    });
    let (p, errs) = policy_to_evaluate(Some(&labels));
    assert!(errs.is_empty(), "{errs:?}");
    p.enforce
}

/// The `ForbiddenDetail` of `spec` at `level:version` (`""` when allowed).
#[track_caller]
fn detail(level: &str, version: &str, spec: Value) -> String {
    evaluate(lv(level, version), &json!({}), &spec).detail()
}

fn container(name: &str, extra: Value) -> Value {
    let mut c = json!({"name": name, "image": "busybox"});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        c.extend(extra.clone());
    }
    c
}

/// A pod spec that passes `restricted:latest`.
fn restricted_spec() -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container("c", json!({"securityContext": {
            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}))],
    })
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
    assert_eq!(lv("baseline", "v1.0").version, Version::Minor(0));
}

/// `populate`: baseline IDs, then restricted IDs, each in byte order.
#[test]
fn checks_run_in_the_byte_order_of_their_ids() {
    for level in [Level::Baseline, Level::Restricted] {
        let got = ids(level);
        let mut sorted = got.clone();
        sorted.sort_unstable();
        assert_eq!(got, sorted);
    }
    assert_eq!(ids(Level::Baseline).len(), 12);
    assert_eq!(ids(Level::Restricted).len(), 7);
}

/// The baseline checks' texts (`check_hostNamespaces.go`, `check_privileged.go`,
/// `check_capabilities_baseline.go`, `check_hostPathVolumes.go`, `check_hostPorts.go`,
/// `check_hostProbesAndhostLifecycle.go`, `check_sysctls.go`, `check_windowsHostProcess.go`).
#[test]
fn baseline_checks_report_as_the_go_checks() {
    let spec = json!({
        "hostNetwork": true, "hostIPC": true,
        "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"},
            {"name": "net.ipv4.tcp_rmem", "value": "1"}, {"name": "a.b", "value": "1"}],
            "windowsOptions": {"hostProcess": true}},
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}, {"name": "e", "emptyDir": {}}],
        "initContainers": [container("i", json!({"ports": [{"containerPort": 1, "hostPort": 9090}]}))],
        "containers": [
            container("a", json!({"securityContext": {"privileged": true,
                "capabilities": {"add": ["NET_RAW", "CHOWN", "SYS_ADMIN"]}},
                "ports": [{"containerPort": 80, "hostPort": 8080}],
                "livenessProbe": {"httpGet": {"port": 1, "host": "example.com"}}})),
            container("b", json!({"securityContext": {"privileged": true,
                "windowsOptions": {"hostProcess": true}},
                "lifecycle": {"preStop": {"tcpSocket": {"port": 1, "host": "10.0.0.1"}}}})),
        ],
    });
    assert_eq!(
        detail("baseline", "latest", spec),
        "non-default capabilities (container \"a\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add), \
host namespaces (hostNetwork=true, hostIPC=true), \
hostPath volumes (volume \"h\"), \
hostPort (containers \"i\", \"a\" use hostPorts 8080, 9090), \
probe or lifecycle host (containers \"a\", \"b\" use probe or lifecycle hosts \"10.0.0.1\", \"example.com\"), \
privileged (containers \"a\", \"b\" must not set securityContext.privileged=true), \
forbidden sysctls (kernel.msgmax, a.b), \
hostProcess (pod and container \"b\" must not set securityContext.windowsOptions.hostProcess=true)"
    );
}

/// `appArmorProfile_1_0`, `procMount1_35baseline`, `seLinuxOptions1_31`,
/// `seccompProfileBaseline_1_19`.
#[test]
fn baseline_profile_checks_report_as_the_go_checks() {
    let spec = json!({
        "securityContext": {"appArmorProfile": {"type": "Unconfined"},
            "seccompProfile": {"type": "Unconfined"},
            "seLinuxOptions": {"type": "spc_t", "user": "root"}},
        "containers": [container("a", json!({"securityContext": {
            "appArmorProfile": {"type": "Localhost", "localhostProfile": "x"},
            "procMount": "Unmasked",
            "seLinuxOptions": {"type": "container_engine_t", "role": "r"},
            "seccompProfile": {"type": "Unconfined"}}}))],
    });
    let meta = json!({"annotations": {
        "container.apparmor.security.beta.kubernetes.io/a": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/b": "localhost/x"}});
    assert_eq!(
        evaluate(lv("baseline", "latest"), &meta, &spec).detail(),
        "forbidden AppArmor profiles (pod and annotation must not set AppArmor profile type to \"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/a=\"unconfined\"\"), \
procMount (container \"a\" must not set securityContext.procMount to \"Unmasked\"), \
seLinuxOptions (pod and container \"a\" set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set; role may not be set), \
seccompProfile (pod and container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\")"
    );
    // v1.35 allows an unmasked /proc in a user namespace (baseline only)
    let userns = json!({"hostUsers": false, "containers": [
        container("a", json!({"securityContext": {"procMount": "Unmasked"}}))]});
    assert_eq!(detail("baseline", "latest", userns.clone()), "");
    assert!(detail("baseline", "v1.34", userns).starts_with("procMount"));
}

/// The restricted checks (`check_allowPrivilegeEscalation.go`,
/// `check_capabilities_restricted.go`, `check_restrictedVolumes.go`, `check_runAsNonRoot.go`,
/// `check_runAsUser.go`, `check_seccompProfile_restricted.go`), after the baseline ones.
#[test]
fn restricted_checks_report_as_the_go_checks() {
    assert_eq!(detail("restricted", "latest", restricted_spec()), "");
    let spec = json!({
        "securityContext": {"runAsUser": 0},
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}, {"name": "n", "nfs": {}},
            {"name": "c", "configMap": {"name": "x"}}, {"name": "u"}],
        "containers": [
            container("a", json!({"securityContext": {"runAsNonRoot": false,
                "capabilities": {"add": ["NET_BIND_SERVICE", "NET_RAW"]}}})),
            container("b", json!({})),
        ],
    });
    assert_eq!(
        detail("restricted", "latest", spec),
        "allowPrivilegeEscalation != false (containers \"a\", \"b\" must set securityContext.allowPrivilegeEscalation=false), \
unrestricted capabilities (containers \"a\", \"b\" must set securityContext.capabilities.drop=[\"ALL\"]; container \"a\" must not include \"NET_RAW\" in securityContext.capabilities.add), \
restricted volume types (volumes \"h\", \"n\", \"u\" use restricted volume types \"hostPath\", \"nfs\", \"unknown\"), \
runAsNonRoot != true (container \"a\" must not set securityContext.runAsNonRoot=false), \
runAsUser=0 (pod must not set runAsUser=0), \
seccompProfile (pod or containers \"a\", \"b\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    let implicit = json!({"containers": [container("a", json!({"securityContext": {
        "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "Localhost"}}}))]});
    assert_eq!(
        detail("restricted", "latest", implicit),
        "runAsNonRoot != true (pod or container \"a\" must set securityContext.runAsNonRoot=true)"
    );
}

/// `checkRegistry.EvaluatePod` with pinned versions: revisions and overrides by version.
#[test]
fn pinned_versions_pick_the_revisions_of_their_time() {
    let windows = json!({"os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true},
        "containers": [container("a", json!({}))]});
    assert_eq!(detail("restricted", "latest", windows.clone()), "");
    assert_eq!(
        detail("restricted", "v1.24", windows),
        "allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false), \
unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]), \
seccompProfile (pod or container \"a\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    // before v1.22 the baseline capabilities check is not overridden, and runAsUser is v1.23+
    let caps = json!({"securityContext": {"runAsNonRoot": true, "runAsUser": 0,
            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container("a", json!({"securityContext": {
            "allowPrivilegeEscalation": false, "capabilities": {"add": ["SYS_ADMIN"]}}}))]});
    assert_eq!(
        detail("restricted", "v1.21", caps),
        "non-default capabilities (container \"a\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)"
    );
    let sysctl = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_wmem", "value": "1"},
        {"name": "net.ipv4.ip_local_reserved_ports", "value": "1"}]}});
    assert_eq!(detail("baseline", "v1.99", sysctl.clone()), "");
    assert_eq!(
        detail("baseline", "v1.26", sysctl),
        "forbidden sysctls (net.ipv4.tcp_wmem, net.ipv4.ip_local_reserved_ports)"
    );
    let probe = json!({"containers": [container("a", json!({
        "readinessProbe": {"tcpSocket": {"port": 1, "host": "h"}}}))]});
    assert_eq!(detail("baseline", "v1.33", probe), "");
    let annotated =
        json!({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}});
    assert_eq!(
        evaluate(lv("baseline", "v1.18"), &annotated, &json!({})).detail(),
        "seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")"
    );
    assert!(evaluate(lv("baseline", "v1.19"), &annotated, &json!({})).allowed());
    assert!(
        evaluate(
            Policy::DEFAULT.enforce,
            &json!({}),
            &json!({"hostPID": true})
        )
        .allowed()
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
    let mut rec = Recorder::default();
    let err = validate(
        &attrs("pods", Operation::Create),
        &pod(privileged),
        None,
        &lookup,
        &mut rec,
    )
    .unwrap_err();
    assert_eq!(err.code(), 403);
    assert_eq!(
        err.message(),
        "pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"a\" must not set securityContext.privileged=true)"
    );
    assert_eq!(
        rec.annotations()[0],
        (
            "pod-security.kubernetes.io/enforce-policy".to_owned(),
            "baseline:latest".to_owned()
        )
    );
    assert_eq!(
        rec.annotations()[1].0,
        "pod-security.kubernetes.io/audit-violations"
    );
    assert!(
        rec.annotations()[1].1.starts_with(
            "would violate PodSecurity \"restricted:latest\": privileged (container \"a\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false ("
        ),
        "{:?}",
        rec.annotations()
    );
    assert!(rec.warnings().is_empty(), "no warning once refused");

    let mut rec = Recorder::default();
    let plain = pod(json!({"containers": [container("a", json!({}))]}));
    validate(
        &attrs("pods", Operation::Create),
        &plain,
        None,
        &lookup,
        &mut rec,
    )
    .unwrap();
    assert!(
        rec.warnings().is_empty(),
        "warn follows enforce: baseline allows it"
    );
    let warn = self::lookup(json!({"pod-security.kubernetes.io/warn": "restricted"}));
    let mut rec = Recorder::default();
    validate(
        &attrs("pods", Operation::Create),
        &plain,
        None,
        &warn,
        &mut rec,
    )
    .unwrap();
    assert_eq!(
        rec.warnings(),
        [
            "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"a\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"a\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        ]
    );
}

/// `sharedAllowedPrivilegedResponse`, `ignoredPodSubresources`, `isSignificantPodUpdate`.
#[test]
fn privileged_namespaces_status_writes_and_insignificant_updates_are_not_evaluated() {
    let bad = pod(json!({"hostPID": true, "containers": [container("a", json!({}))]}));
    let mut rec = Recorder::default();
    validate(
        &attrs("pods", Operation::Create),
        &bad,
        None,
        &lookup(json!({})),
        &mut rec,
    )
    .unwrap();
    assert_eq!(
        rec.annotations(),
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
    validate(&status, &bad, Some(&bad), &strict, &mut Recorder::default()).unwrap();
    let update = Attributes {
        name: "p",
        ..attrs("pods", Operation::Update)
    };
    let mut relabelled = bad.clone();
    relabelled["metadata"]["labels"] = json!({"a": "b"});
    validate(
        &update,
        &relabelled,
        Some(&bad),
        &strict,
        &mut Recorder::default(),
    )
    .unwrap();
    let mut reimaged = bad.clone();
    reimaged["spec"]["containers"][0]["image"] = json!("other");
    assert_eq!(
        validate(
            &update,
            &reimaged,
            Some(&bad),
            &strict,
            &mut Recorder::default()
        )
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
    assert!(
        validate(
            &ephemeral,
            &debugged,
            Some(&bad),
            &strict,
            &mut Recorder::default()
        )
        .is_err()
    );
}

/// `ValidatePodController`: a workload's template is audited and warned about, never refused.
#[test]
fn workload_templates_are_warned_about_not_refused() {
    let deployment = json!({"metadata": {"name": "d", "namespace": "ns"}, "spec": {
        "template": {"metadata": {}, "spec": {"hostNetwork": true, "containers": [container("a", json!({}))]}}}});
    let lookup = lookup(json!({"pod-security.kubernetes.io/enforce": "baseline"}));
    let mut rec = Recorder::default();
    validate(
        &attrs("deployments", Operation::Create),
        &deployment,
        None,
        &lookup,
        &mut rec,
    )
    .unwrap();
    assert_eq!(
        rec.warnings(),
        ["would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)"]
    );
    assert!(
        rec.annotations().is_empty(),
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
    let err = validate(
        &create,
        &bad,
        None,
        &MemLookup::default(),
        &mut Recorder::default(),
    )
    .unwrap_err();
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
    validate(
        &update,
        &relabelled,
        Some(&bad),
        &MemLookup::default(),
        &mut Recorder::default(),
    )
    .unwrap();
    assert!(
        validate(
            &update,
            &bad,
            Some(&namespace(json!({}))),
            &MemLookup::default(),
            &mut Recorder::default()
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
    let mut rec = Recorder::default();
    validate(&update, &new, Some(&old), &lookup, &mut rec).unwrap();
    assert_eq!(
        rec.warnings(),
        [
            "existing pods in namespace \"ns\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "p: privileged",
            "web-1 (and 2 other pods): host namespaces",
        ]
    );
    // loosening, or a label that does not change enforce, checks nothing
    let mut rec = Recorder::default();
    validate(&update, &old, Some(&new), &lookup, &mut rec).unwrap();
    assert!(rec.warnings().is_empty());
    let many: Vec<Value> = (0..3001).map(|i| owned(&format!("w{i:04}"), "u")).collect();
    let warnings = namespace::pod_warnings("ns", lv("baseline", "latest"), many);
    assert_eq!(
        warnings[..2],
        [
            "new PodSecurity enforce level only checked against the first 3000 of 3001 existing pods",
            "existing pods in namespace \"ns\" violate the new PodSecurity enforce level \"baseline:latest\"",
        ]
    );
    assert_eq!(warnings[2], "w0000 (and 2999 other pods): host namespaces");
}

/// `seLinuxOptions1_0` against `seLinuxOptions1_31`, and `allowPrivilegeEscalation` from v1.8.
#[test]
fn older_versions_lack_later_allowances_and_checks() {
    let engine = json!({"securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}});
    assert_eq!(detail("baseline", "v1.31", engine.clone()), "");
    assert_eq!(
        detail("baseline", "v1.30", engine),
        "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")"
    );
    let escalating = json!({"securityContext": {"runAsNonRoot": true},
        "containers": [container("a", json!({}))]});
    assert_eq!(detail("restricted", "v1.7", escalating.clone()), "");
    assert!(detail("restricted", "v1.8", escalating).starts_with("allowPrivilegeEscalation"));
}

/// `EvaluatePod` with labels that do not parse: the `error` annotation, and the fallback
/// policy (an unknown enforce level enforces `restricted`).
#[test]
fn bad_labels_fail_closed_for_enforce_and_are_annotated() {
    let lookup = lookup(json!({"pod-security.kubernetes.io/enforce": "nope"}));
    let plain = pod(json!({"containers": [container("a", json!({}))]}));
    let mut rec = Recorder::default();
    let err = validate(
        &attrs("pods", Operation::Create),
        &plain,
        None,
        &lookup,
        &mut rec,
    )
    .unwrap_err();
    assert!(
        err.message()
            .starts_with("pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": "),
        "{}",
        err.message()
    );
    assert_eq!(
        rec.annotations()[0],
        (
            "pod-security.kubernetes.io/error".to_owned(),
            "Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"nope\": must be one of privileged, baseline, restricted".to_owned()
        )
    );
}
