//! The restricted checks (`policy/check_*.go` of level `LevelRestricted`, v0.36.2), in the
//! byte order of their IDs, with the baseline checks each replaces.

use std::collections::BTreeSet;

use serde_json::Value;

use super::baseline::{proc_mount, valid_seccomp};
use super::{
    Check, CheckFn, Forbidden, Revision, at, containers, containers_named, flag, name, text,
    user_namespace, windows,
};
use crate::admission::pod_security::policy::Level;

const fn rev(since: i64, check: CheckFn, overrides: &'static [&'static str]) -> Revision {
    Revision {
        since,
        check,
        overrides,
    }
}

/// The restricted checks.
pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        revisions: &[
            rev(8, allow_privilege_escalation, &[]),
            rev(25, allow_privilege_escalation_1_25, &[]),
        ],
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        revisions: &[
            rev(22, capabilities, &["capabilities_baseline"]),
            rev(25, capabilities_1_25, &["capabilities_baseline"]),
        ],
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        revisions: &[rev(35, proc_mount, &["procMount"])],
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        revisions: &[rev(0, restricted_volumes, &["hostPathVolumes"])],
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        revisions: &[
            rev(0, run_as_non_root, &[]),
            rev(35, run_as_non_root_1_35, &[]),
        ],
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        revisions: &[rev(23, run_as_user, &[]), rev(35, run_as_user_1_35, &[])],
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        revisions: &[
            rev(19, seccomp, &["seccompProfile_baseline"]),
            rev(25, seccomp_1_25, &["seccompProfile_baseline"]),
        ],
    },
];

/// `allowPrivilegeEscalation_1_8`: every container must set it to `false`.
fn allow_privilege_escalation(_: &Value, spec: &Value) -> Option<Forbidden> {
    let bad: Vec<&str> = containers(spec)
        .filter(|c| flag(c, &["securityContext", "allowPrivilegeEscalation"]) != Some(false))
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| Forbidden {
        reason: "allowPrivilegeEscalation != false",
        detail: format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_named(&bad)
        ),
    })
}

/// `allowPrivilegeEscalation_1_25`: Windows pods are exempt.
fn allow_privilege_escalation_1_25(meta: &Value, spec: &Value) -> Option<Forbidden> {
    if windows(spec) {
        return None;
    }
    allow_privilege_escalation(meta, spec)
}

/// `capabilitiesRestricted_1_22`: drop `ALL`, add nothing but `NET_BIND_SERVICE`.
fn capabilities(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut forbidden = BTreeSet::new();
    for c in containers(spec) {
        let Some(caps) = at(c, &["securityContext", "capabilities"]) else {
            missing_drop.push(name(c));
            continue;
        };
        let list = |key: &str| {
            caps.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| v.as_str().unwrap_or(""))
        };
        if !list("drop").any(|cap| cap == "ALL") {
            missing_drop.push(name(c));
        }
        let mut added_forbidden = false;
        for cap in list("add").filter(|cap| *cap != "NET_BIND_SERVICE") {
            added_forbidden = true;
            forbidden.insert(cap);
        }
        if added_forbidden {
            adding.push(name(c));
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_named(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        let forbidden: Vec<&str> = forbidden.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_named(&adding),
            super::join_quote(&forbidden)
        ));
    }
    (!details.is_empty()).then(|| Forbidden {
        reason: "unrestricted capabilities",
        detail: details.join("; "),
    })
}

/// `capabilitiesRestricted_1_25`: Windows pods are exempt.
fn capabilities_1_25(meta: &Value, spec: &Value) -> Option<Forbidden> {
    if windows(spec) {
        return None;
    }
    capabilities(meta, spec)
}

/// `restrictedVolumes_1_0`: only the listed volume sources; the others are named by the first
/// source field Go's switch finds set.
fn restricted_volumes(_: &Value, spec: &Value) -> Option<Forbidden> {
    const ALLOWED: &[&str] = &[
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    // the source fields in the order of Go's switch; each names its type
    const NAMED: &[&str] = &[
        "hostPath",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
    ];
    let mut bad = Vec::new();
    let mut types = BTreeSet::new();
    let volumes = spec.get("volumes").and_then(Value::as_array);
    for v in volumes.into_iter().flatten() {
        if ALLOWED.iter().any(|k| at(v, &[k]).is_some()) {
            continue;
        }
        bad.push(name(v));
        let kind = NAMED
            .iter()
            .find(|field| at(v, &[field]).is_some())
            .map_or("unknown", |field| *field);
        types.insert(kind);
    }
    let types: Vec<&str> = types.into_iter().collect();
    (!bad.is_empty()).then(|| Forbidden {
        reason: "restricted volume types",
        detail: format!(
            "{} {} {} {} {}",
            super::pluralize("volume", "volumes", bad.len()),
            super::join_quote(&bad),
            super::pluralize("uses", "use", bad.len()),
            super::pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            super::join_quote(&types)
        ),
    })
}

/// `runAsNonRoot1_0`: the pod or every container must set `runAsNonRoot: true`, none `false`.
fn run_as_non_root(_: &Value, spec: &Value) -> Option<Forbidden> {
    let pod = flag(spec, &["securityContext", "runAsNonRoot"]);
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in containers(spec) {
        match flag(c, &["securityContext", "runAsNonRoot"]) {
            Some(false) => explicit.push(name(c)),
            Some(true) => {}
            None if pod != Some(true) => implicit.push(name(c)),
            None => {}
        }
    }
    let mut setters = Vec::new();
    if pod == Some(false) {
        setters.push("pod".to_owned());
    }
    if !explicit.is_empty() {
        setters.push(containers_named(&explicit));
    }
    if !setters.is_empty() {
        return Some(Forbidden {
            reason: "runAsNonRoot != true",
            detail: format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
        });
    }
    (!implicit.is_empty()).then(|| Forbidden {
        reason: "runAsNonRoot != true",
        detail: format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_named(&implicit)
        ),
    })
}

/// `runAsNonRoot1_35`: relaxed in a user namespace.
fn run_as_non_root_1_35(meta: &Value, spec: &Value) -> Option<Forbidden> {
    if user_namespace(spec) {
        return None;
    }
    run_as_non_root(meta, spec)
}

/// `runAsUser1_23`: neither the pod nor a container may set `runAsUser: 0`.
fn run_as_user(_: &Value, spec: &Value) -> Option<Forbidden> {
    let root =
        |v: &Value| at(v, &["securityContext", "runAsUser"]).and_then(Value::as_i64) == Some(0);
    let bad: Vec<&str> = containers(spec).filter(|c| root(c)).map(name).collect();
    let mut setters = Vec::new();
    if root(spec) {
        setters.push("pod".to_owned());
    }
    if !bad.is_empty() {
        setters.push(containers_named(&bad));
    }
    (!setters.is_empty()).then(|| Forbidden {
        reason: "runAsUser=0",
        detail: format!("{} must not set runAsUser=0", setters.join(" and ")),
    })
}

/// `runAsUser1_35`: relaxed in a user namespace.
fn run_as_user_1_35(meta: &Value, spec: &Value) -> Option<Forbidden> {
    if user_namespace(spec) {
        return None;
    }
    run_as_user(meta, spec)
}

/// `seccompProfileRestricted_1_19`: the pod, or every container, must set `RuntimeDefault` or
/// `Localhost`; nothing may set another type.
fn seccomp(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad_values = BTreeSet::new();
    let pod_type = at(spec, &["securityContext", "seccompProfile"]).map(|p| text(p, &["type"]));
    let pod_bad = pod_type.is_some_and(|t| !valid_seccomp(t));
    let pod_set = pod_type.is_some_and(valid_seccomp);
    if let Some(t) = pod_type.filter(|t| !valid_seccomp(t)) {
        bad_values.insert(t);
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in containers(spec) {
        match at(c, &["securityContext", "seccompProfile"]) {
            Some(p) => {
                let t = text(p, &["type"]);
                if !valid_seccomp(t) {
                    explicit.push(name(c));
                    bad_values.insert(t);
                }
            }
            None if !pod_set => implicit.push(name(c)),
            None => {}
        }
    }
    let mut setters = Vec::new();
    if pod_bad {
        setters.push("pod".to_owned());
    }
    if !explicit.is_empty() {
        setters.push(containers_named(&explicit));
    }
    if !setters.is_empty() {
        let values: Vec<&str> = bad_values.into_iter().collect();
        return Some(Forbidden {
            reason: "seccompProfile",
            detail: format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                super::join_quote(&values)
            ),
        });
    }
    (!implicit.is_empty()).then(|| Forbidden {
        reason: "seccompProfile",
        detail: format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_named(&implicit)
        ),
    })
}

/// `seccompProfileRestricted_1_25`: Windows pods are exempt.
fn seccomp_1_25(meta: &Value, spec: &Value) -> Option<Forbidden> {
    if windows(spec) {
        return None;
    }
    seccomp(meta, spec)
}
