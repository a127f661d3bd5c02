//! Pod validation (`validatePodMetadataAndSpec`, `ValidatePodSpec`, `ValidatePodCreate` and the
//! ephemeral-container update rules): the pod's annotations, volumes, claims, containers and
//! pod-level rules, from the files under `pod/` in Go's order; the README says which rules are
//! not yet checked.

mod annotations;
mod claims;
mod container_fields;
mod container_security;
mod dns;
mod env;
mod ephemeral;
mod ephemeral_update;
mod fields;
mod os_rules;
mod pod_security;
mod probes;
mod resources;
mod scheduling;
mod sysctls;
mod volume_list;
mod volume_plugins;
mod volumes;

use std::collections::HashSet;

use serde_json::Value;

use super::{FieldError, names};
use crate::shared::quantity::Quantity;
use volume_list::{PodOf, Volumes};

/// What a pod's containers are checked against: its valid volumes and its claim names.
#[derive(Debug, Clone, Copy)]
struct Ctx<'a> {
    volumes: &'a Volumes,
    claims: &'a std::collections::BTreeSet<String>,
}

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

pub(crate) use ephemeral_update::validate as validate_ephemeral_update;

/// The pod-specific checks of `validatePodMetadataAndSpec` (a Pod's create and every update).
pub(crate) fn validate(pod: &Value) -> Vec<FieldError> {
    let name = pod.pointer("/metadata/name").and_then(Value::as_str);
    let mut errs = annotations::pod_annotations(pod);
    errs.extend(pod_spec(
        pod.get("spec").unwrap_or(&Value::Null),
        "spec",
        &RESTART_POLICIES,
        PodOf {
            name: Some(name.unwrap_or("")),
        },
    ));
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    if s(spec, "serviceAccountName").is_empty() {
        for (v, volume) in items(spec.get("volumes")).iter().enumerate() {
            let sources = items(volume.pointer("/projected/sources"));
            for (i, _) in sources.iter().enumerate().filter(|(_, source)| {
                source
                    .get("serviceAccountToken")
                    .is_some_and(|t| !t.is_null())
            }) {
                errs.push(FieldError::forbidden(
                    format!("spec.volumes[{v}].projected.sources[{i}].serviceAccountToken"),
                    "must not be specified when serviceAccountName is not set",
                ));
            }
        }
    }
    errs
}

/// What `ValidatePodCreate` adds to [`validate`]: ephemeral containers come only through the
/// `ephemeralcontainers` subresource, a pod with scheduling gates has no node yet, and the
/// seccomp and AppArmor annotations agree with the fields.
pub(crate) fn validate_create(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    if !items(spec.get("ephemeralContainers")).is_empty() {
        errs.push(FieldError::forbidden(
            "spec.ephemeralContainers",
            "cannot be set on create",
        ));
    }
    if !s(spec, "nodeName").is_empty() && !items(spec.get("schedulingGates")).is_empty() {
        errs.push(FieldError::forbidden(
            "spec.nodeName",
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs.extend(annotations::fields_match_on_create(pod));
    errs
}

/// `ValidatePodSpec` of the spec at `path` (`spec`, or `spec.template.spec` in workloads, which
/// allow fewer restart policies).
pub(crate) fn validate_spec(
    spec: &Value,
    path: &str,
    restart_policies: &[&str],
) -> Vec<FieldError> {
    pod_spec(spec, path, restart_policies, PodOf { name: None })
}

/// `ValidatePodSpec` of a Pod's spec (`pod` names it) or of a template's.
fn pod_spec(
    spec: &Value,
    path: &str,
    restart_policies: &[&str],
    pod: PodOf<'_>,
) -> Vec<FieldError> {
    let (volumes, mut errs) = volume_list::volumes(spec, path, pod);
    let claim_names = claims::claim_names(spec);
    errs.extend(claims::pod_claims(spec, path));
    let ctx = Ctx {
        volumes: &volumes,
        claims: &claim_names,
    };
    let mut container_names = HashSet::new();
    let grace = spec
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64);
    // validateContainers, then validateInitContainers
    for key in ["containers", "initContainers"] {
        let list = items(spec.get(key));
        if key == "containers" && list.is_empty() {
            errs.push(FieldError::required(format!("{path}.containers"), ""));
        }
        for (i, c) in list.iter().enumerate() {
            errs.extend(container(
                c,
                &format!("{path}.{key}[{i}]"),
                ctx,
                &mut container_names,
                grace,
            ));
        }
    }
    errs.extend(ephemeral::ephemeral_containers(spec, path, ctx));
    errs.extend(resources::pod_resources(spec, path));
    errs.extend(requests_within_limits(spec, path));
    let restart = s(spec, "restartPolicy");
    if !restart_policies.contains(&restart) {
        errs.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            restart,
            restart_policies,
        ));
    }
    let dns = s(spec, "dnsPolicy");
    if !DNS_POLICIES.contains(&dns) {
        errs.push(FieldError::not_supported(
            format!("{path}.dnsPolicy"),
            dns,
            &DNS_POLICIES,
        ));
    }
    errs.extend(scheduling::node_selector(spec, path));
    errs.extend(pod_security::security_context(spec, path));
    errs.extend(scheduling::affinity(spec, path));
    errs.extend(dns::dns_config(spec, path));
    errs.extend(fields::gates(spec, path));
    errs.extend(scheduling::topology_spread(spec, path));
    errs.extend(os_rules::host_process(spec, path));
    errs.extend(os_rules::host_users(spec, path));
    errs.extend(fields::account_and_node(spec, path));
    if let Some(deadline) = spec.get("activeDeadlineSeconds").and_then(Value::as_i64)
        && !(1..=i64::from(i32::MAX)).contains(&deadline)
    {
        errs.push(FieldError::invalid(
            format!("{path}.activeDeadlineSeconds"),
            deadline,
            "must be between 1 and 2147483647, inclusive",
        ));
    }
    errs.extend(fields::host_names(spec, path));
    errs.extend(tolerations(spec, path));
    errs.extend(fields::after_tolerations(spec, path));
    errs.extend(resources::overhead(spec, path));
    errs.extend(os_rules::os(spec, path));
    errs
}

/// Requests may not exceed limits; extended resources (no overcommit) must request exactly the
/// limit.
fn requests_within_limits(c: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (Some(requests), Some(limits)) = (
        c.pointer("/resources/requests").and_then(Value::as_object),
        c.pointer("/resources/limits").and_then(Value::as_object),
    ) else {
        return errs;
    };
    let at = format!("{path}.resources.requests");
    for (name, request) in requests {
        let (Some(req_text), Some(limit_text)) =
            (request.as_str(), limits.get(name).and_then(Value::as_str))
        else {
            continue;
        };
        let (Some(req), Some(limit)) = (Quantity::parse(req_text), Quantity::parse(limit_text))
        else {
            continue;
        };
        let native = !name.contains('/') || name.contains("kubernetes.io/");
        let overcommit = native && !name.starts_with("hugepages-");
        if !overcommit && req != limit {
            errs.push(FieldError::invalid(
                at.clone(),
                req_text,
                format!("must be equal to {name} limit of {limit_text}"),
            ));
        } else if req > limit {
            errs.push(FieldError::invalid(
                at.clone(),
                req_text,
                format!("must be less than or equal to {name} limit of {limit_text}"),
            ));
        }
    }
    errs
}

/// `ValidateTolerations` of `spec.tolerations`, reported under `{path}.tolerations`.
pub(crate) fn tolerations(spec: &Value, path: &str) -> Vec<FieldError> {
    const OPERATORS: [&str; 2] = ["Equal", "Exists"];
    const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    let mut errs = Vec::new();
    for (i, t) in items(spec.get("tolerations")).iter().enumerate() {
        let at = format!("{path}.tolerations[{i}]");
        let key = s(t, "key");
        if !key.is_empty() {
            for msg in names::qualified_name(key) {
                errs.push(FieldError::invalid(format!("{at}.key"), key, msg));
            }
        }
        let operator = s(t, "operator");
        if key.is_empty() && operator != "Exists" {
            errs.push(FieldError::invalid(
                format!("{at}.operator"),
                operator,
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        let effect = s(t, "effect");
        if t.get("tolerationSeconds").is_some_and(|v| !v.is_null()) && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                format!("{at}.effect"),
                effect,
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "" | "Equal" => {
                for msg in names::label_value(s(t, "value")) {
                    errs.push(FieldError::invalid(
                        format!("{at}.operator"),
                        s(t, "value"),
                        msg,
                    ));
                }
            }
            "Exists" => {
                if !s(t, "value").is_empty() {
                    errs.push(FieldError::invalid(
                        format!("{at}.operator"),
                        s(t, "value"),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(
                format!("{at}.operator"),
                other,
                &OPERATORS,
            )),
        }
        if !effect.is_empty() && !EFFECTS.contains(&effect) {
            errs.push(FieldError::not_supported(
                format!("{at}.effect"),
                effect,
                &EFFECTS,
            ));
        }
    }
    errs
}

fn container(
    c: &Value,
    path: &str,
    ctx: Ctx<'_>,
    seen: &mut HashSet<String>,
    grace: Option<i64>,
) -> Vec<FieldError> {
    let mut errs = container_name(c, path);
    let name = s(c, "name");
    if !name.is_empty() && !seen.insert(name.to_owned()) {
        errs.push(FieldError::duplicate(format!("{path}.name"), name));
    }
    errs.extend(container_image(c, path));
    errs.extend(image_whitespace(c, path));
    errs.extend(container_rest(c, path, ctx));
    errs.extend(probes::lifecycle_and_probes(c, path, grace));
    errs
}

/// `validateContainerCommon`: the checks every kind of container gets (name, image, then
/// [`container_rest`]).
fn container_common(c: &Value, path: &str, ctx: Ctx<'_>) -> Vec<FieldError> {
    let mut errs = container_name(c, path);
    errs.extend(container_image(c, path));
    errs.extend(container_rest(c, path, ctx));
    errs
}

/// The name is required and a DNS label.
fn container_name(c: &Value, path: &str) -> Vec<FieldError> {
    let name = s(c, "name");
    if name.is_empty() {
        return vec![FieldError::required(format!("{path}.name"), "")];
    }
    names::dns1123_label(name)
        .into_iter()
        .map(|msg| FieldError::invalid(format!("{path}.name"), name, msg))
        .collect()
}

/// The image is required.
fn container_image(c: &Value, path: &str) -> Option<FieldError> {
    s(c, "image")
        .is_empty()
        .then(|| FieldError::required(format!("{path}.image"), ""))
}

/// `validateContainerOnlyForPod`: no whitespace around the image.
fn image_whitespace(c: &Value, path: &str) -> Option<FieldError> {
    let image = s(c, "image");
    (image.trim() != image).then(|| {
        FieldError::invalid(
            format!("{path}.image"),
            image,
            "must not have leading or trailing whitespace",
        )
    })
}

/// The rest of `validateContainerCommon`, after the name and image.
fn container_rest(c: &Value, path: &str, ctx: Ctx<'_>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    errs.extend(container_fields::termination_message_policy(c, path));
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
    errs.extend(container_fields::ports(c, path));
    errs.extend(env::env(c, path));
    errs.extend(env::env_from(c, path));
    errs.extend(container_fields::volume_mounts(c, path, ctx.volumes));
    errs.extend(container_fields::volume_devices(c, path, ctx.volumes));
    errs.extend(requests_within_limits(c, path));
    let pull = s(c, "imagePullPolicy");
    if !PULL_POLICIES.contains(&pull) {
        errs.push(FieldError::not_supported(
            format!("{path}.imagePullPolicy"),
            pull,
            &PULL_POLICIES,
        ));
    }
    errs.extend(resources::container_resources(c, path));
    errs.extend(claims::container_claims(c, path, ctx.claims));
    errs.extend(container_security::security_context(c, path));
    errs
}
