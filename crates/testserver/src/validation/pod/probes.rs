//! A container's lifecycle hooks, probes and (for init containers) `restartPolicy`, as
//! `validateContainers` / `validateInitContainers` check them after the common checks:
//! `validateLifecycle`, `validateLivenessProbe`, `validateReadinessProbe`,
//! `validateStartupProbe`, `validateProbe`, `validateHandler` and its actions, and
//! `validateInitContainerRestartPolicy` (sidecars). A `sleep` action lasts from 0 seconds
//! (`PodLifecycleSleepActionAllowZero`, on by default) up to the pod's grace period, unchecked
//! when the grace period is unset (as in Go).

use serde_json::Value;

use crate::validation::{BadValue, FieldError, names, net};

use super::s;

const HANDLER_TWICE: &str = "may not specify more than 1 handler type";
const INIT_ONLY: &str = "may not be set for init containers without restartPolicy=Always";
const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];

fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// Lifecycle, probes and `restartPolicy` of the container at `path`; init containers are told
/// apart by their path (`….initContainers[i]`).
pub(crate) fn lifecycle_and_probes(c: &Value, path: &str, grace: Option<i64>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let init = path.contains(".initContainers[");
    let restart = present(c, "restartPolicy");
    if !init {
        errs.extend(hooks_and_probes(c, path, grace));
        if restart.is_some() {
            errs.push(FieldError::forbidden(
                format!("{path}.restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
        return errs;
    }
    let mut sidecar = false;
    if let Some(policy) = restart {
        let policy = policy.as_str().unwrap_or("");
        if policy == "Always" {
            sidecar = true;
        } else {
            errs.push(FieldError::not_supported(
                format!("{path}.restartPolicy"),
                policy,
                &["Always"],
            ));
        }
    }
    if sidecar {
        errs.extend(hooks_and_probes(c, path, grace));
    } else {
        for key in [
            "lifecycle",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
        ] {
            if present(c, key).is_some() {
                errs.push(FieldError::forbidden(format!("{path}.{key}"), INIT_ONLY));
            }
        }
    }
    errs
}

/// The part of `validateContainers` for regular containers and sidecars.
fn hooks_and_probes(c: &Value, path: &str, grace: Option<i64>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(lifecycle) = present(c, "lifecycle") {
        for key in ["postStart", "preStop"] {
            if let Some(h) = present(lifecycle, key) {
                let at = format!("{path}.lifecycle.{key}");
                errs.extend(handler(
                    h,
                    &at,
                    &["exec", "httpGet", "tcpSocket", "sleep"],
                    grace,
                ));
            }
        }
    }
    for key in PROBES {
        if let Some(p) = present(c, key) {
            errs.extend(probe(p, key, &format!("{path}.{key}")));
        }
    }
    errs
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `validateProbe` plus the per-kind rule of `validateLivenessProbe` (and startup) and
/// `validateReadinessProbe`.
fn probe(p: &Value, kind: &str, at: &str) -> Vec<FieldError> {
    let mut errs = handler(p, at, &["exec", "httpGet", "tcpSocket", "grpc"], None);
    for key in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        let n = int(p, key);
        if n < 0 {
            errs.push(FieldError::invalid(
                format!("{at}.{key}"),
                n,
                "must be greater than or equal to 0",
            ));
        }
    }
    let grace = present(p, "terminationGracePeriodSeconds").and_then(Value::as_i64);
    if let Some(g) = grace
        && g <= 0
    {
        errs.push(FieldError::invalid(
            format!("{at}.terminationGracePeriodSeconds"),
            g,
            "must be greater than 0",
        ));
    }
    match kind {
        "readinessProbe" => {
            if let Some(g) = grace {
                errs.push(FieldError::invalid(
                    format!("{at}.terminationGracePeriodSeconds"),
                    g,
                    "must not be set for readinessProbes",
                ));
            }
        }
        _ => {
            let success = int(p, "successThreshold");
            if success != 1 {
                errs.push(FieldError::invalid(
                    format!("{at}.successThreshold"),
                    success,
                    "must be 1",
                ));
            }
        }
    }
    errs
}

/// `validateHandler`: exactly one of `kinds` (in Go's order), each action's own checks;
/// `grace` bounds a `sleep` action.
fn handler(h: &Value, at: &str, kinds: &[&str], grace: Option<i64>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    for kind in kinds {
        let Some(action) = present(h, kind) else {
            continue;
        };
        let here = format!("{at}.{kind}");
        if count > 0 {
            errs.push(FieldError::forbidden(here, HANDLER_TWICE));
            continue;
        }
        count += 1;
        match *kind {
            "exec"
                if action
                    .get("command")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty) =>
            {
                errs.push(FieldError::required(format!("{here}.command"), ""));
            }
            "httpGet" => errs.extend(http_get(action, &here)),
            "tcpSocket" => errs.extend(port_num_or_name(action.get("port"), &here)),
            "grpc" => {
                let port = int(action, "port");
                for msg in net::port_num(port) {
                    errs.push(FieldError::invalid(format!("{here}.port"), port, msg));
                }
            }
            "sleep" => {
                let seconds = int(action, "seconds");
                if let Some(g) = grace
                    && !(0..=g).contains(&seconds)
                {
                    errs.push(FieldError::invalid(
                        here,
                        seconds,
                        format!(
                            "must be non-negative and less than terminationGracePeriodSeconds ({g})"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    if count == 0 {
        errs.push(FieldError::required(at, "must specify a handler type"));
    }
    errs
}

/// `validateHTTPGetAction`.
fn http_get(get: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if s(get, "path").is_empty() {
        errs.push(FieldError::required(format!("{at}.path"), ""));
    }
    errs.extend(port_num_or_name(get.get("port"), at));
    let scheme = s(get, "scheme");
    if !matches!(scheme, "HTTP" | "HTTPS") {
        errs.push(FieldError::not_supported(
            format!("{at}.scheme"),
            scheme,
            &["HTTP", "HTTPS"],
        ));
    }
    for header in get
        .get("httpHeaders")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let name = s(header, "name");
        let valid =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            errs.push(FieldError::invalid(
                format!("{at}.httpHeaders"),
                name,
                names::regex_error(
                    "a valid HTTP header must consist of alphanumeric characters or '-'",
                    "[-A-Za-z0-9]+",
                    &["X-Header-Name"],
                ),
            ));
        }
    }
    errs
}

/// `ValidatePortNumOrName` of the action's `port`, under `{at}.port`.
fn port_num_or_name(port: Option<&Value>, at: &str) -> Vec<FieldError> {
    let at = format!("{at}.port");
    match port {
        Some(Value::String(name)) => names_of(net::port_name(name), &at, name.as_str().into()),
        Some(v) => {
            let n = v.as_i64().unwrap_or(0);
            names_of(net::port_num(n), &at, n.into())
        }
        None => names_of(net::port_num(0), &at, 0.into()),
    }
}

fn names_of(msgs: Vec<String>, at: &str, value: BadValue) -> Vec<FieldError> {
    msgs.into_iter()
        .map(|msg| FieldError::invalid(at, value.clone(), msg))
        .collect()
}

#[cfg(test)]
mod tests;
