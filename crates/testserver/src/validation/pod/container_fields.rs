//! The parts of `validateContainerCommon` beyond name, image, container ports' numbers and
//! protocols and pull policy: `terminationMessagePolicy`, port names and host ports
//! (`validateContainerPorts`), `ValidateVolumeMounts` and `ValidateVolumeDevices` against the
//! pod's valid volumes; a mount path is not required to be absolute (Go neither).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::validation::{FieldError, net};

use super::volume_list::Volumes;
use super::{items, s};

fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `terminationMessagePolicy`. Go's Required for an empty value is left out: the defaults always
/// set `File` before validation on a real server, and objects checked here without defaults
/// (internal callers) would otherwise be refused.
pub(crate) fn termination_message_policy(c: &Value, path: &str) -> Vec<FieldError> {
    let at = format!("{path}.terminationMessagePolicy");
    match s(c, "terminationMessagePolicy") {
        "" | "File" | "FallbackToLogsOnError" => Vec::new(),
        other => vec![FieldError::not_supported(
            at,
            other,
            &["File", "FallbackToLogsOnError"],
        )],
    }
}

/// `validateContainerPorts`' port names (IANA service names, unique in the container) and host
/// ports.
pub(crate) fn ports(c: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = HashSet::new();
    for (i, port) in items(c.get("ports")).iter().enumerate() {
        let at = format!("{path}.ports[{i}]");
        let name = s(port, "name");
        if !name.is_empty() {
            let msgs = net::port_name(name);
            if !msgs.is_empty() {
                for msg in msgs {
                    errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
                }
            } else if !names.insert(name) {
                errs.push(FieldError::duplicate(format!("{at}.name"), name));
            }
        }
        let host = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
        if host != 0 {
            for msg in net::port_num(host) {
                errs.push(FieldError::invalid(format!("{at}.hostPort"), host, msg));
            }
        }
    }
    errs
}

/// `validatePathNoBacksteps`.
fn has_backsteps(p: &str) -> bool {
    p.split('/').any(|part| part == "..")
}

/// `validateLocalDescendingPath`, reported at `at` (Go uses the list path, not the item's).
fn local_descending_path(p: &str, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if p.starts_with('/') {
        errs.push(FieldError::invalid(at, p, "must be a relative path"));
    }
    if has_backsteps(p) {
        errs.push(FieldError::invalid(at, p, "must not contain '..'"));
    }
    errs
}

fn device_map(c: &Value) -> HashMap<&str, &str> {
    items(c.get("volumeDevices"))
        .iter()
        .map(|d| (s(d, "name"), s(d, "devicePath")))
        .collect()
}

fn mount_map(c: &Value) -> HashMap<&str, &str> {
    items(c.get("volumeMounts"))
        .iter()
        .map(|m| (s(m, "name"), s(m, "mountPath")))
        .collect()
}

/// `ValidateVolumeMounts`, mount by mount: a name of a valid volume, a unique mount path, no
/// overlap with `volumeDevices`, no sub-path into an image volume, subPath/subPathExpr,
/// mountPropagation, recursiveReadOnly.
pub(crate) fn volume_mounts(c: &Value, path: &str, volumes: &Volumes) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let devices = device_map(c);
    let list = format!("{path}.volumeMounts");
    let privileged = c
        .pointer("/securityContext/privileged")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut seen = HashSet::new();
    for (i, m) in items(c.get("volumeMounts")).iter().enumerate() {
        let at = format!("{list}[{i}]");
        let name = s(m, "name");
        let mount_path = s(m, "mountPath");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        }
        if !volumes.contains_key(name) {
            errs.push(FieldError::not_found(format!("{at}.name"), name));
        }
        if mount_path.is_empty() {
            errs.push(FieldError::required(format!("{at}.mountPath"), ""));
        }
        if !seen.insert(mount_path) {
            errs.push(FieldError::invalid(
                format!("{at}.mountPath"),
                mount_path,
                "must be unique",
            ));
        }
        if devices.contains_key(name) {
            errs.push(FieldError::invalid(
                format!("{at}.name"),
                name,
                "must not already exist in volumeDevices",
            ));
        }
        if devices.values().any(|p| *p == mount_path) {
            errs.push(FieldError::invalid(
                format!("{at}.mountPath"),
                mount_path,
                "must not already exist as a path in volumeDevices",
            ));
        }
        let sub = s(m, "subPath");
        let expr = s(m, "subPathExpr");
        if volumes.get(name) == Some(&"image") {
            for (key, value) in [("subPath", sub), ("subPathExpr", expr)] {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        format!("{at}.{key}"),
                        value,
                        "not allowed in image volume sources",
                    ));
                }
            }
        }
        if !sub.is_empty() {
            errs.extend(local_descending_path(sub, &format!("{list}.subPath")));
        }
        if !expr.is_empty() {
            if !sub.is_empty() {
                errs.push(FieldError::invalid(
                    format!("{at}.subPathExpr"),
                    expr,
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(local_descending_path(expr, &format!("{list}.subPathExpr")));
        }
        let propagation = present(m, "mountPropagation").map(|v| v.as_str().unwrap_or(""));
        if let Some(mode) = propagation {
            let at = format!("{list}.mountPropagation");
            const MODES: [&str; 3] = ["Bidirectional", "HostToContainer", "None"];
            if !MODES.contains(&mode) {
                errs.push(FieldError::not_supported(at.as_str(), mode, &MODES));
            }
            if mode == "Bidirectional" && !privileged {
                errs.push(FieldError::forbidden(
                    at,
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
        errs.extend(recursive_read_only(m, propagation, &list));
    }
    errs
}

/// `validateMountRecursiveReadOnly`, reported at `{list}.recursiveReadOnly`.
fn recursive_read_only(m: &Value, propagation: Option<&str>, list: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(rro) = present(m, "recursiveReadOnly") else {
        return errs;
    };
    let at = format!("{list}.recursiveReadOnly");
    match rro.as_str().unwrap_or("") {
        "Disabled" => {}
        "Enabled" | "IfPossible" => {
            if !m.get("readOnly").and_then(Value::as_bool).unwrap_or(false) {
                errs.push(FieldError::forbidden(
                    at.as_str(),
                    "may only be specified when readOnly is true",
                ));
            }
            if propagation.is_some_and(|p| p != "None") {
                errs.push(FieldError::forbidden(
                    at,
                    "may only be specified when mountPropagation is None or not specified",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            at,
            other,
            &["Disabled", "Enabled", "IfPossible"],
        )),
    }
    errs
}

/// `ValidateVolumeDevices`: block devices come from claims (a PVC or an ephemeral volume).
pub(crate) fn volume_devices(c: &Value, path: &str, volumes: &Volumes) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mounts = mount_map(c);
    let mut paths = HashSet::new();
    let mut names = HashSet::new();
    for (i, d) in items(c.get("volumeDevices")).iter().enumerate() {
        let at = format!("{path}.volumeDevices[{i}]");
        let name = s(d, "name");
        let dev_path = s(d, "devicePath");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        }
        if names.contains(name) {
            errs.push(FieldError::invalid(
                format!("{at}.name"),
                name,
                "must be unique",
            ));
        }
        match volumes.get(name) {
            None => errs.push(FieldError::not_found(format!("{at}.name"), name)),
            Some(&"persistentVolumeClaim" | &"ephemeral") => {}
            Some(_) => errs.push(FieldError::invalid(
                format!("{at}.name"),
                name,
                "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
            )),
        }
        if dev_path.is_empty() {
            errs.push(FieldError::required(format!("{at}.devicePath"), ""));
        }
        if paths.contains(dev_path) {
            errs.push(FieldError::invalid(
                format!("{at}.devicePath"),
                dev_path,
                "must be unique",
            ));
        }
        if !dev_path.is_empty() && has_backsteps(dev_path) {
            errs.push(FieldError::invalid(
                format!("{at}.devicePath"),
                dev_path,
                "can not contain backsteps ('..')",
            ));
        } else {
            paths.insert(dev_path);
        }
        if mounts.contains_key(name) {
            errs.push(FieldError::invalid(
                format!("{at}.name"),
                name,
                "must not already exist in volumeMounts",
            ));
        }
        if mounts.values().any(|p| *p == dev_path) {
            errs.push(FieldError::invalid(
                format!("{at}.devicePath"),
                dev_path,
                "must not already exist as a path in volumeMounts",
            ));
        }
        if !name.is_empty() {
            names.insert(name);
        }
    }
    errs
}

#[cfg(test)]
mod tests;
