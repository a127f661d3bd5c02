//! The per-container part of `warningsForPodSpecAndMeta` (`pods.VisitContainersWithPath`:
//! init containers, containers, then ephemeral containers): seccomp and AppArmor annotations,
//! fractional byte quantities, env names hiding earlier ones, and ports across containers.

use serde_json::Value;

use super::fractional_bytes;
use crate::validation::go_quote;
use crate::warnings::{has, items, str_at};

/// `api.SeccompContainerAnnotationKeyPrefix`.
const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// `api.DeprecatedAppArmorAnnotationKeyPrefix`.
const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// What the container checks read from the holder's metadata.
pub(super) struct Meta<'a> {
    /// `[<base>.]metadata.annotations`.
    pub(super) annotations_path: &'a str,
    /// Whether an annotation is set.
    pub(super) annotated: &'a dyn Fn(&str) -> bool,
    /// A pod template (AppArmor annotations are warned about here), not a pod (whose
    /// warning comes from `applyAppArmorVersionSkew`).
    pub(super) template: bool,
    /// Whether the pod's security context has an `appArmorProfile`.
    pub(super) pod_apparmor: bool,
}

/// Every container of `spec` with its path, in `VisitContainersWithPath`'s order.
fn visit<'a>(spec: &'a Value, spec_path: &str) -> Vec<(&'a Value, String)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| {
            items(spec, &format!("/{list}"))
                .iter()
                .enumerate()
                .map(move |(i, c)| (c, format!("{spec_path}.{list}[{i}]")))
        })
        .collect()
}

/// The annotation, quantity and env warnings of every container.
pub(super) fn warnings(spec: &Value, spec_path: &str, meta: &Meta<'_>) -> Vec<String> {
    let mut warnings = Vec::new();
    for (container, path) in visit(spec, spec_path) {
        let name = str_at(container, "/name");
        let security = container.get("securityContext");
        let seccomp = format!("{SECCOMP_CONTAINER_PREFIX}{name}");
        if !security.is_some_and(|s| has(s, "seccompProfile")) && (meta.annotated)(&seccomp) {
            warnings.push(format!(
                "{}[{seccomp}]: non-functional in v1.27+; use the \"seccompProfile\" field instead",
                meta.annotations_path
            ));
        }
        let apparmor_field =
            meta.pod_apparmor || security.is_some_and(|s| has(s, "appArmorProfile"));
        let apparmor = format!("{APPARMOR_PREFIX}{name}");
        if meta.template && !apparmor_field && (meta.annotated)(&apparmor) {
            warnings.push(format!(
                "{}[{apparmor}]: deprecated since v1.30; use the \"appArmorProfile\" field instead",
                meta.annotations_path
            ));
        }
        for (kind, resource) in [
            ("limits", "memory"),
            ("requests", "memory"),
            ("limits", "ephemeral-storage"),
            ("requests", "ephemeral-storage"),
        ] {
            let at = format!("{path}.resources.{kind}[{resource}]");
            let value = container.pointer(&format!("/resources/{kind}/{resource}"));
            warnings.extend(fractional_bytes(value, &at));
        }
        warnings.extend(hidden_env(container, &path));
    }
    warnings
}

/// Env entries that redefine an earlier name in a way apply may drop.
fn hidden_env(container: &Value, path: &str) -> Vec<String> {
    let env = items(container, "/env");
    if env.len() < 2 {
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    let mut warnings = Vec::new();
    for (i, item) in env.iter().enumerate() {
        let name = str_at(item, "/name");
        if seen.insert(name) {
            continue;
        }
        let reference = format!("$({name})");
        let value = str_at(item, "/value");
        let bad = has(item, "valueFrom") || value == reference || !value.contains(&reference);
        if bad {
            warnings.push(format!(
                "{path}.env[{i}]: hides previous definition of {}, which may be dropped when using apply",
                go_quote(name)
            ));
        }
    }
    warnings
}

/// A container port as the checks read it.
struct Port {
    path: String,
    container_port: i64,
    protocol: String,
    host_ip: String,
    host_port: i64,
}

/// The port warnings across all containers: a host IP without a host port, and ports that
/// duplicate, overlap or ambiguously repeat an earlier one of the same number and protocol.
pub(super) fn ports(spec: &Value, spec_path: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut all: Vec<Port> = Vec::new();
    for (container, path) in visit(spec, spec_path) {
        for (i, port) in items(container, "/ports").iter().enumerate() {
            let int = |key: &str| port.get(key).and_then(Value::as_i64).unwrap_or(0);
            let this = Port {
                path: format!("{path}.ports[{i}]"),
                container_port: int("containerPort"),
                protocol: str_at(port, "/protocol").to_owned(),
                host_ip: str_at(port, "/hostIP").to_owned(),
                host_port: int("hostPort"),
            };
            if !this.host_ip.is_empty() && this.host_port == 0 {
                warnings.push(format!(
                    "{}: hostIP set without hostPort: {{Name:{} HostPort:{} ContainerPort:{} Protocol:{} HostIP:{}}}",
                    this.path,
                    str_at(port, "/name"),
                    this.host_port,
                    this.container_port,
                    this.protocol,
                    this.host_ip
                ));
            }
            let same = all
                .iter()
                .filter(|o| o.container_port == this.container_port && o.protocol == this.protocol);
            for other in same {
                let (a, b) = (this.host_ip.is_empty(), other.host_ip.is_empty());
                let verdict = if this.host_ip == other.host_ip && this.host_port == other.host_port
                {
                    Some("duplicate")
                } else if this.host_port == 0 || other.host_port == 0 {
                    Some("overlapping")
                } else if this.host_port == other.host_port && (a || b) && !(a && b) {
                    Some("dangerously ambiguous")
                } else {
                    None
                };
                if let Some(verdict) = verdict {
                    warnings.push(format!(
                        "{}: {verdict} port definition with {}",
                        this.path, other.path
                    ));
                }
            }
            all.push(this);
        }
    }
    warnings
}
