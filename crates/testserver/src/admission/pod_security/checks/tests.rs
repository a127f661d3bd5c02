//! Unit tests of the checks and the registry, each naming the Go function it follows
//! (`k8s.io/pod-security-admission/policy` v0.36.2).

use serde_json::{Value, json};

use super::super::policy::{Level, LevelVersion, Policy, policy_to_evaluate};
use super::{evaluate, ids};

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
