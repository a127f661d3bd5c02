//! The baseline checks (`policy/check_*.go` of level `LevelBaseline`, v0.36.2), in the byte
//! order of their IDs.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{
    Check, Forbidden, Revision, at, containers, containers_named, flag, join_quote, name,
    pluralize, text, user_namespace,
};
use crate::admission::pod_security::policy::Level;
use crate::validation::go_quote;

const fn rev(since: i64, check: super::CheckFn) -> Revision {
    Revision {
        since,
        check,
        overrides: &[],
    }
}

/// The baseline checks.
pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        revisions: &[rev(0, app_armor_profile)],
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        revisions: &[rev(0, capabilities)],
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        revisions: &[rev(0, host_namespaces)],
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        revisions: &[rev(0, host_path_volumes)],
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        revisions: &[rev(0, host_ports)],
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        revisions: &[rev(34, host_probes_and_lifecycle)],
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        revisions: &[rev(0, privileged)],
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        revisions: &[rev(0, proc_mount), rev(35, proc_mount_1_35)],
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        revisions: &[rev(0, se_linux_options_1_0), rev(31, se_linux_options_1_31)],
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        revisions: &[rev(0, seccomp_annotations), rev(19, seccomp_baseline)],
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        revisions: &[
            rev(0, sysctls_1_0),
            rev(27, sysctls_1_27),
            rev(29, sysctls_1_29),
            rev(32, sysctls_1_32),
        ],
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        revisions: &[rev(0, windows_host_process)],
    },
];

/// `<setters joined by " and "> must not set ...`: the pod first, then the containers.
fn setters(pod: bool, bad_containers: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if pod {
        out.push("pod".to_owned());
    }
    if !bad_containers.is_empty() {
        out.push(containers_named(bad_containers));
    }
    out
}

/// `appArmorProfile_1_0`: profile types other than `RuntimeDefault` and `Localhost`, and
/// beta annotations other than `runtime/default` and `localhost/*`.
fn app_armor_profile(meta: &Value, spec: &Value) -> Option<Forbidden> {
    let allowed = |t: &str| matches!(t, "RuntimeDefault" | "Localhost");
    let mut bad_values = BTreeSet::new();
    let pod_type = at(spec, &["securityContext", "appArmorProfile"]).map(|p| text(p, &["type"]));
    let pod_bad = pod_type.is_some_and(|t| !allowed(t));
    if let Some(t) = pod_type.filter(|t| !allowed(t)) {
        bad_values.insert(t.to_owned());
    }
    let mut bad_containers = Vec::new();
    for c in containers(spec) {
        if let Some(p) = at(c, &["securityContext", "appArmorProfile"])
            && !allowed(text(p, &["type"]))
        {
            bad_containers.push(name(c));
            bad_values.insert(text(p, &["type"]).to_owned());
        }
    }
    let mut bad_setters = setters(pod_bad, &bad_containers);
    let mut annotations: Vec<String> = meta
        .get("annotations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let v = v.as_str().unwrap_or("");
            let ok = v.is_empty() || v == "runtime/default" || v.starts_with("localhost/");
            (k.starts_with("container.apparmor.security.beta.kubernetes.io/") && !ok)
                .then(|| format!("{k}={}", go_quote(v)))
        })
        .collect();
    let mut values: Vec<String> = bad_values.into_iter().collect();
    if !annotations.is_empty() {
        annotations.sort();
        bad_setters.push(pluralize("annotation", "annotations", annotations.len()).to_owned());
        values.append(&mut annotations);
    }
    (!bad_setters.is_empty()).then(|| Forbidden {
        reason: pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        ),
        detail: format!(
            "{} must not set AppArmor profile type to {}",
            bad_setters.join(" and "),
            join_quote(&values)
        ),
    })
}

/// `capabilitiesBaseline_1_0`: only the default capabilities may be added.
fn capabilities(_: &Value, spec: &Value) -> Option<Forbidden> {
    const DEFAULT: &[&str] = &[
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ];
    let mut bad_containers = Vec::new();
    let mut added = BTreeSet::new();
    for c in containers(spec) {
        let adds = at(c, &["securityContext", "capabilities", "add"]).and_then(Value::as_array);
        let mut valid = true;
        for cap in adds.into_iter().flatten() {
            let cap = cap.as_str().unwrap_or("");
            if !DEFAULT.contains(&cap) {
                valid = false;
                added.insert(cap);
            }
        }
        if !valid {
            bad_containers.push(name(c));
        }
    }
    let added: Vec<&str> = added.into_iter().collect();
    (!bad_containers.is_empty()).then(|| Forbidden {
        reason: "non-default capabilities",
        detail: format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_named(&bad_containers),
            join_quote(&added)
        ),
    })
}

/// `hostNamespaces_1_0`.
fn host_namespaces(_: &Value, spec: &Value) -> Option<Forbidden> {
    let set: Vec<String> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|key| flag(spec, &[key]) == Some(true))
        .map(|key| format!("{key}=true"))
        .collect();
    (!set.is_empty()).then(|| Forbidden {
        reason: "host namespaces",
        detail: set.join(", "),
    })
}

fn volumes(spec: &Value) -> &[Value] {
    spec.get("volumes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// `hostPathVolumes_1_0`.
fn host_path_volumes(_: &Value, spec: &Value) -> Option<Forbidden> {
    let bad: Vec<&str> = volumes(spec)
        .iter()
        .filter(|v| at(v, &["hostPath"]).is_some())
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| Forbidden {
        reason: "hostPath volumes",
        detail: format!(
            "{} {}",
            pluralize("volume", "volumes", bad.len()),
            join_quote(&bad)
        ),
    })
}

/// `hostPorts_1_0`: the ports are listed in string order, as a `sets.String`.
fn host_ports(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad_containers = Vec::new();
    let mut ports = BTreeSet::new();
    for c in containers(spec) {
        let mut valid = true;
        for p in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let port = p.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            if port != 0 {
                valid = false;
                ports.insert(port.to_string());
            }
        }
        if !valid {
            bad_containers.push(name(c));
        }
    }
    let ports: Vec<String> = ports.into_iter().collect();
    (!bad_containers.is_empty()).then(|| Forbidden {
        reason: "hostPort",
        detail: format!(
            "{} {} {} {}",
            containers_named(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
    })
}

/// `hostProbesAndHostLifecycleV1Dot34`: probes and lifecycle handlers may not name a `host`.
fn host_probes_and_lifecycle(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad_containers = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    for c in containers(spec) {
        let handlers = [
            at(c, &["livenessProbe"]),
            at(c, &["readinessProbe"]),
            at(c, &["startupProbe"]),
            at(c, &["lifecycle", "postStart"]),
            at(c, &["lifecycle", "preStop"]),
        ];
        for handler in handlers.into_iter().flatten() {
            for kind in ["httpGet", "tcpSocket"] {
                let host = text(handler, &[kind, "host"]);
                if !host.is_empty() {
                    bad_containers.insert(name(c));
                    hosts.insert(host);
                }
            }
        }
    }
    let bad_containers: Vec<&str> = bad_containers.into_iter().collect();
    let hosts: Vec<&str> = hosts.into_iter().collect();
    (!bad_containers.is_empty()).then(|| Forbidden {
        reason: "probe or lifecycle host",
        detail: format!(
            "{} {} {} {}",
            containers_named(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
    })
}

/// `privileged_1_0`.
fn privileged(_: &Value, spec: &Value) -> Option<Forbidden> {
    let bad: Vec<&str> = containers(spec)
        .filter(|c| flag(c, &["securityContext", "privileged"]) == Some(true))
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| Forbidden {
        reason: "privileged",
        detail: format!(
            "{} must not set securityContext.privileged=true",
            containers_named(&bad)
        ),
    })
}

/// `procMount_1_0`: `securityContext.procMount` other than `Default` (also the restricted
/// check of v1.35+, which does not relax for user namespaces).
pub(super) fn proc_mount(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad_containers = Vec::new();
    let mut types = BTreeSet::new();
    for c in containers(spec) {
        if let Some(t) = at(c, &["securityContext", "procMount"]) {
            let t = t.as_str().unwrap_or("");
            if t != "Default" {
                bad_containers.push(name(c));
                types.insert(t);
            }
        }
    }
    let types: Vec<&str> = types.into_iter().collect();
    (!bad_containers.is_empty()).then(|| Forbidden {
        reason: "procMount",
        detail: format!(
            "{} must not set securityContext.procMount to {}",
            containers_named(&bad_containers),
            join_quote(&types)
        ),
    })
}

/// `procMount1_35baseline`: allowed in a user namespace (`hostUsers: false`).
fn proc_mount_1_35(meta: &Value, spec: &Value) -> Option<Forbidden> {
    if user_namespace(spec) {
        return None;
    }
    proc_mount(meta, spec)
}

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn se_linux_options_1_0(_: &Value, spec: &Value) -> Option<Forbidden> {
    se_linux_options(spec, SELINUX_TYPES_1_0)
}

fn se_linux_options_1_31(_: &Value, spec: &Value) -> Option<Forbidden> {
    se_linux_options(spec, SELINUX_TYPES_1_31)
}

/// `seLinuxOptions`: an allowed type, no user, no role.
fn se_linux_options(spec: &Value, allowed: &[&str]) -> Option<Forbidden> {
    let mut bad_types = BTreeSet::new();
    let (mut set_user, mut set_role) = (false, false);
    let mut valid = |opts: &Value| {
        let mut ok = true;
        let t = text(opts, &["type"]);
        if !allowed.contains(&t) {
            ok = false;
            bad_types.insert(t.to_owned());
        }
        if !text(opts, &["user"]).is_empty() {
            ok = false;
            set_user = true;
        }
        if !text(opts, &["role"]).is_empty() {
            ok = false;
            set_role = true;
        }
        ok
    };
    let pod_bad = at(spec, &["securityContext", "seLinuxOptions"]).is_some_and(|o| !valid(o));
    let bad_containers: Vec<&str> = containers(spec)
        .filter(|c| at(c, &["securityContext", "seLinuxOptions"]).is_some_and(|o| !valid(o)))
        .map(name)
        .collect();
    let bad_setters = setters(pod_bad, &bad_containers);
    if bad_setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !bad_types.is_empty() {
        let types: Vec<String> = bad_types.into_iter().collect();
        data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        data.push("user may not be set".to_owned());
    }
    if set_role {
        data.push("role may not be set".to_owned());
    }
    Some(Forbidden {
        reason: "seLinuxOptions",
        detail: format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            bad_setters.join(" and "),
            data.join("; ")
        ),
    })
}

/// `validSeccomp`.
pub(super) fn valid_seccomp(t: &str) -> bool {
    matches!(t, "Localhost" | "RuntimeDefault")
}

/// `seccompProfileBaseline_1_0`: the alpha annotations (policy versions before v1.19).
fn seccomp_annotations(meta: &Value, spec: &Value) -> Option<Forbidden> {
    const POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
    let annotation = |key: &str| {
        meta.get("annotations")
            .and_then(|a| a.get(key))
            .map(|v| v.as_str().unwrap_or(""))
    };
    let valid =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut forbidden = BTreeSet::new();
    if let Some(v) = annotation(POD).filter(|v| !valid(v)) {
        forbidden.insert(format!("{POD}={}", go_quote(v)));
    }
    for c in containers(spec) {
        let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", name(c));
        if let Some(v) = annotation(&key).filter(|v| !valid(v)) {
            forbidden.insert(format!("{key}={}", go_quote(v)));
        }
    }
    let forbidden: Vec<String> = forbidden.into_iter().collect();
    (!forbidden.is_empty()).then(|| Forbidden {
        reason: "seccompProfile",
        detail: format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.join(", ")
        ),
    })
}

/// `seccompProfileBaseline_1_19`: profile types other than `RuntimeDefault` and `Localhost`.
fn seccomp_baseline(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad_values = BTreeSet::new();
    let pod_type = at(spec, &["securityContext", "seccompProfile"]).map(|p| text(p, &["type"]));
    let pod_bad = pod_type.is_some_and(|t| !valid_seccomp(t));
    if let Some(t) = pod_type.filter(|t| !valid_seccomp(t)) {
        bad_values.insert(t);
    }
    let mut bad_containers = Vec::new();
    for c in containers(spec) {
        if let Some(p) = at(c, &["securityContext", "seccompProfile"])
            && !valid_seccomp(text(p, &["type"]))
        {
            bad_containers.push(name(c));
            bad_values.insert(text(p, &["type"]));
        }
    }
    let bad_setters = setters(pod_bad, &bad_containers);
    let values: Vec<&str> = bad_values.into_iter().collect();
    (!bad_setters.is_empty()).then(|| Forbidden {
        reason: "seccompProfile",
        detail: format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            bad_setters.join(" and "),
            join_quote(&values)
        ),
    })
}

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

fn sysctls_1_0(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0])
}

fn sysctls_1_27(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0, SYSCTLS_1_27])
}

fn sysctls_1_29(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29])
}

fn sysctls_1_32(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(
        spec,
        &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29, SYSCTLS_1_32],
    )
}

/// `sysctls`: names outside the safe set, in the pod's order.
fn sysctls(spec: &Value, allowed: &[&[&str]]) -> Option<Forbidden> {
    let bad: Vec<&str> = at(spec, &["securityContext", "sysctls"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(name)
        .filter(|n| !allowed.iter().any(|set| set.contains(n)))
        .collect();
    (!bad.is_empty()).then(|| Forbidden {
        reason: "forbidden sysctls",
        detail: bad.join(", "),
    })
}

/// `windowsHostProcess_1_0`.
fn windows_host_process(_: &Value, spec: &Value) -> Option<Forbidden> {
    let host_process = |v: &Value| flag(v, &["securityContext", "windowsOptions", "hostProcess"]);
    let bad_containers: Vec<&str> = containers(spec)
        .filter(|c| host_process(c) == Some(true))
        .map(name)
        .collect();
    let bad_setters = setters(host_process(spec) == Some(true), &bad_containers);
    (!bad_setters.is_empty()).then(|| Forbidden {
        reason: "hostProcess",
        detail: format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            bad_setters.join(" and ")
        ),
    })
}
