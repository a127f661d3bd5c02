//! Pod validation on create (`ValidatePodSpec`, the commonly hit parts).

use std::collections::HashSet;

use serde_json::Value;

use super::{FieldError, names};

const RESTART_POLICIES: [&str; 3] = ["Always", "OnFailure", "Never"];
const DNS_POLICIES: [&str; 4] = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
const PULL_POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];
const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

pub(super) fn validate(pod: &Value) -> Vec<FieldError> {
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    let mut errs = Vec::new();
    let mut volumes = HashSet::new();
    for (i, volume) in items(spec.get("volumes")).iter().enumerate() {
        let path = format!("spec.volumes[{i}].name");
        let name = s(volume, "name");
        if name.is_empty() {
            errs.push(FieldError::required(path, ""));
        } else if !volumes.insert(name.to_owned()) {
            errs.push(FieldError::duplicate(path, name));
        } else {
            for msg in names::dns1123_label(name) {
                errs.push(FieldError::invalid(path.clone(), name, msg));
            }
        }
    }
    let mut container_names = HashSet::new();
    for key in ["initContainers", "containers"] {
        let list = items(spec.get(key));
        if key == "containers" && list.is_empty() {
            errs.push(FieldError::required("spec.containers", ""));
        }
        for (i, c) in list.iter().enumerate() {
            errs.extend(container(
                c,
                &format!("spec.{key}[{i}]"),
                &volumes,
                &mut container_names,
            ));
        }
    }
    let restart = s(spec, "restartPolicy");
    if !RESTART_POLICIES.contains(&restart) {
        errs.push(FieldError::not_supported(
            "spec.restartPolicy",
            restart,
            &RESTART_POLICIES,
        ));
    }
    let dns = s(spec, "dnsPolicy");
    if !DNS_POLICIES.contains(&dns) {
        errs.push(FieldError::not_supported(
            "spec.dnsPolicy",
            dns,
            &DNS_POLICIES,
        ));
    }
    if let Some(grace) = spec.get("activeDeadlineSeconds").and_then(Value::as_i64)
        && grace <= 0
    {
        errs.push(FieldError::invalid(
            "spec.activeDeadlineSeconds",
            grace,
            "must be greater than 0",
        ));
    }
    errs
}

fn container(
    c: &Value,
    path: &str,
    volumes: &HashSet<String>,
    seen: &mut HashSet<String>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = s(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for msg in names::dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{path}.name"), name, msg));
        }
        if !seen.insert(name.to_owned()) {
            errs.push(FieldError::duplicate(format!("{path}.name"), name));
        }
    }
    let image = s(c, "image");
    if image.is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    } else if image.trim() != image {
        errs.push(FieldError::invalid(
            format!("{path}.image"),
            image,
            "must not have leading or trailing whitespace",
        ));
    }
    for (i, port) in items(c.get("ports")).iter().enumerate() {
        let p = port
            .get("containerPort")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if !(1..=65535).contains(&p) {
            errs.push(FieldError::invalid(
                format!("{path}.ports[{i}].containerPort"),
                p,
                "must be between 1 and 65535, inclusive",
            ));
        }
        let protocol = s(port, "protocol");
        if !PROTOCOLS.contains(&protocol) {
            errs.push(FieldError::not_supported(
                format!("{path}.ports[{i}].protocol"),
                protocol,
                &PROTOCOLS,
            ));
        }
    }
    for (i, mount) in items(c.get("volumeMounts")).iter().enumerate() {
        let mount_name = s(mount, "name");
        if mount_name.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.volumeMounts[{i}].name"),
                "",
            ));
        } else if !volumes.contains(mount_name) {
            errs.push(FieldError::not_found(
                format!("{path}.volumeMounts[{i}].name"),
                mount_name,
            ));
        }
        if s(mount, "mountPath").is_empty() {
            errs.push(FieldError::required(
                format!("{path}.volumeMounts[{i}].mountPath"),
                "",
            ));
        }
    }
    let pull = s(c, "imagePullPolicy");
    if !PULL_POLICIES.contains(&pull) {
        errs.push(FieldError::not_supported(
            format!("{path}.imagePullPolicy"),
            pull,
            &PULL_POLICIES,
        ));
    }
    errs
}
