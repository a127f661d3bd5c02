//! The status rules of core and networking types (`pkg/apis/core/validation`,
//! `pkg/apis/networking/validation`): `ValidateNamespaceStatusUpdate` (the phase follows the
//! deletion timestamp), `ValidateServiceStatusUpdate` and `ValidateIngressStatusUpdate` (load
//! balancer ingress points), `ValidatePersistentVolumeClaimStatusUpdate` (capacity and
//! allocated resources), `ValidateResourceQuotaStatusUpdate` (hard and used amounts), the
//! status part of `ValidateNodeUpdate` (capacities, duplicate addresses), and the conditions of
//! ServiceCIDRs, ValidatingAdmissionPolicies and APIServices (`ValidateAPIServiceStatus`).
//!
//! Each function is the type's own part, after the metadata update checks the strategy runs.

use serde_json::{Map, Value};

use super::common_status::{conditions, legacy_ip};
use super::field_error::BadValue;
use super::{FieldError, go_quote, names, resources};
use crate::shared::quantity::Quantity;

fn status(obj: &Value) -> &Value {
    obj.get("status").unwrap_or(&Value::Null)
}

fn map_at<'a>(obj: &'a Value, pointer: &str) -> impl Iterator<Item = (&'a String, &'a Value)> {
    obj.pointer(pointer)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
}

/// `ValidateNamespaceStatusUpdate`: `Active` without a deletion timestamp, `Terminating` with one
/// (the field is reported as `status.Phase`, as the real check names it).
pub(crate) fn namespace(new: &Value, _old: &Value) -> Vec<FieldError> {
    let phase = status(new)
        .get("phase")
        .and_then(Value::as_str)
        .unwrap_or("");
    let deleting = new
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    let (want, msg) = if deleting {
        (
            "Terminating",
            "may only be 'Terminating' if `deletionTimestamp` is not empty",
        )
    } else {
        (
            "Active",
            "may only be 'Active' if `deletionTimestamp` is empty",
        )
    };
    if phase == want {
        return Vec::new();
    }
    vec![FieldError::invalid("status.Phase", phase, msg)]
}

/// The IPs of the stored ingress points (valid IPs stay valid under the strict rules).
fn old_ips(old: &Value, pointer: &str) -> Vec<String> {
    old.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("ip").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// One load-balancer ingress point: its IP, `ipMode` (services only) and hostname.
fn ingress_point(
    ingress: &Value,
    path: &str,
    ratcheted: &[String],
    ip_mode: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let s = |key: &str| ingress.get(key).and_then(Value::as_str).unwrap_or("");
    let ip = s("ip");
    if !ip.is_empty() {
        let old = ratcheted.iter().any(|o| o == ip);
        errs.extend(legacy_ip(&format!("{path}.ip"), ip, old));
    }
    if ip_mode && let Some(mode) = ingress.get("ipMode").filter(|m| !m.is_null()) {
        let mode = mode.as_str().unwrap_or("");
        if ip.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.ip"),
                "must be specified when `ipMode` is set",
            ));
        } else if !matches!(mode, "Proxy" | "VIP") {
            errs.push(FieldError::not_supported(
                format!("{path}.ipMode"),
                mode,
                &["Proxy", "VIP"],
            ));
        }
    }
    let hostname = s("hostname");
    if !hostname.is_empty() {
        for msg in names::dns1123_subdomain(hostname) {
            errs.push(FieldError::invalid(
                format!("{path}.hostname"),
                hostname,
                msg,
            ));
        }
        if hostname.parse::<std::net::IpAddr>().is_ok() {
            errs.push(FieldError::invalid(
                format!("{path}.hostname"),
                hostname,
                "must be a DNS name, not an IP address",
            ));
        }
    }
    errs
}

fn ingress_points(new: &Value, old: &Value, ip_mode: bool) -> Vec<FieldError> {
    let pointer = "/status/loadBalancer/ingress";
    let ratcheted = old_ips(old, pointer);
    new.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .flat_map(|(i, ingress)| {
            ingress_point(
                ingress,
                &format!("status.loadBalancer.ingress[{i}]"),
                &ratcheted,
                ip_mode,
            )
        })
        .collect()
}

/// `ValidateServiceStatusUpdate`: load-balancer ingress points only on `LoadBalancer`
/// services (`AllowServiceLBStatusOnNonLB` is off), each a valid IP (with `ipMode`) or DNS
/// name; then the conditions (`metav1.Condition` rules).
pub(crate) fn service(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ingress_count = new
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let load_balancer = new.pointer("/spec/type").and_then(Value::as_str) == Some("LoadBalancer");
    if !load_balancer && ingress_count > 0 {
        errs.push(FieldError::forbidden(
            "status.loadBalancer.ingress",
            "may only be used when `spec.type` is 'LoadBalancer'",
        ));
    } else {
        errs.extend(ingress_points(new, old, true));
    }
    errs.extend(conditions(
        status(new).get("conditions"),
        "status.conditions",
    ));
    errs
}

/// `ValidateIngressStatusUpdate`: each load-balancer ingress point a valid IP or DNS name.
pub(crate) fn ingress(new: &Value, old: &Value) -> Vec<FieldError> {
    ingress_points(new, old, false)
}

/// `metav1validation.ValidateConditions` of `status.conditions` (ServiceCIDRs).
pub(crate) fn conditions_only(new: &Value, _old: &Value) -> Vec<FieldError> {
    conditions(status(new).get("conditions"), "status.conditions")
}

/// `validateValidatingAdmissionPolicyStatus`: every type-checking warning has its text, then
/// the conditions.
pub(crate) fn admission_policy(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let warnings = new
        .pointer("/status/typeChecking/expressionWarnings")
        .and_then(Value::as_array);
    for (i, w) in warnings.into_iter().flatten().enumerate() {
        if w.get("warning")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            errs.push(FieldError::required(
                format!("status.typeChecking.expressionWarnings[{i}].warning"),
                "",
            ));
        }
    }
    errs.extend(conditions_only(new, old));
    errs
}

/// `ValidateAPIServiceStatus`: each condition's status is `True`, `False` or `Unknown`
/// (listed in that order).
pub(crate) fn api_service(new: &Value, _old: &Value) -> Vec<FieldError> {
    let list = status(new).get("conditions").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, c)| {
            let s = c.get("status").and_then(Value::as_str).unwrap_or("");
            (!matches!(s, "True" | "False" | "Unknown")).then(|| {
                FieldError::not_supported(
                    format!("status.conditions[{i}].status"),
                    s,
                    &["True", "False", "Unknown"],
                )
            })
        })
        .collect()
}

/// `validateBasicResource`: a quantity whose value is not negative.
fn basic_resource(path: String, v: &Value) -> Option<FieldError> {
    let q = resources::quantity(v)?;
    (q < Quantity::ZERO)
        .then(|| FieldError::invalid(path, q.value(), "must be a valid resource quantity"))
}

/// `ValidatePersistentVolumeClaimStatusUpdate` (`RecoverVolumeExpansionFailure` on):
/// capacities and allocated resources are not negative, and only `storage` is allocated.
pub(crate) fn persistent_volume_claim(new: &Value, _old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (name, v) in map_at(new, "/status/capacity") {
        errs.extend(basic_resource(format!("status.capacity[{name}]"), v));
    }
    for (name, v) in map_at(new, "/status/allocatedResources") {
        if name != "storage" {
            errs.push(FieldError::not_supported(
                "status.allocatedResources",
                name.as_str(),
                &["storage"],
            ));
        }
        errs.extend(basic_resource(
            format!("status.allocatedResources[{name}]"),
            v,
        ));
    }
    const RESIZE: [&str; 5] = [
        "ControllerResizeInProgress",
        "ControllerResizeInfeasible",
        "NodeResizeInProgress",
        "NodeResizeInfeasible",
        "NodeResizePending",
    ];
    for (name, v) in map_at(new, "/status/allocatedResourceStatuses") {
        let path = "status.allocatedResourceStatus";
        if name != "storage" {
            errs.push(FieldError::not_supported(path, name.as_str(), &["storage"]));
        }
        let value = v.as_str().unwrap_or("");
        if !RESIZE.contains(&value) {
            errs.push(FieldError::not_supported(path, value, &RESIZE));
        }
    }
    errs
}

/// `ValidateResourceQuotaStatusUpdate`: the names and amounts of `status.hard` and
/// `status.used`.
pub(crate) fn resource_quota(new: &Value, _old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["hard", "used"] {
        for (name, v) in map_at(new, &format!("/status/{key}")) {
            let path = format!("status.{key}[{name}]");
            errs.extend(resources::quota_resource_name(name, &path));
            errs.extend(resources::amount(name, &path, v));
        }
    }
    errs
}

/// The status part of `ValidateNodeUpdate`: capacity and allocatable amounts
/// (`validateNodeResources`), then no address listed twice.
pub(crate) fn node(new: &Value, _old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["capacity", "allocatable"] {
        for (name, v) in map_at(new, &format!("/status/{key}")) {
            errs.extend(resources::amount(name, &format!("status.{key}.{name}"), v));
        }
    }
    let addresses = new
        .pointer("/status/addresses")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let key = |a: &Value| {
        let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        (s("type"), s("address"))
    };
    for (i, address) in addresses.iter().enumerate() {
        let (ty, addr) = key(address);
        if addresses[..i]
            .iter()
            .any(|a| key(a) == (ty.clone(), addr.clone()))
        {
            errs.push(FieldError::duplicate(
                format!("status.addresses[{i}]"),
                BadValue::Raw(format!(
                    "core.NodeAddress{{Type:{}, Address:{}}}",
                    go_quote(&ty),
                    go_quote(&addr)
                )),
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    type Check = fn(&Value, &Value) -> Vec<FieldError>;

    #[track_caller]
    fn check(f: Check, new: Value, old: Value, expected: &[&str]) {
        let got: Vec<String> = f(&new, &old).iter().map(ToString::to_string).collect();
        assert_eq!(got, expected);
    }

    /// `ValidateNamespaceStatusUpdate`.
    #[test]
    fn namespace_phase_follows_deletion() {
        check(
            namespace,
            json!({"status": {"phase": "Active"}}),
            json!({}),
            &[],
        );
        check(
            namespace,
            json!({"status": {"phase": "Terminating"}}),
            json!({}),
            &[
                "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
            ],
        );
        check(
            namespace,
            json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "status": {"phase": "Active"}}),
            json!({}),
            &[
                "status.Phase: Invalid value: \"Active\": may only be 'Terminating' if `deletionTimestamp` is not empty",
            ],
        );
    }

    /// `ValidateLoadBalancerStatus` of a Service.
    #[test]
    fn service_load_balancer() {
        let lb = |ingress: Value| json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {"ingress": ingress}}});
        check(
            service,
            lb(json!([{"ip": "10.0.0.1", "ipMode": "VIP"}, {"hostname": "lb.example.com"}])),
            json!({}),
            &[],
        );
        check(
            service,
            lb(
                json!([{"ip": "300.0.0.1"}, {"hostname": "10.0.0.2"}, {"ipMode": "VIP"}, {"ip": "10.0.0.3", "ipMode": "Fast"}]),
            ),
            json!({}),
            &[
                "status.loadBalancer.ingress[0].ip: Invalid value: \"300.0.0.1\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                "status.loadBalancer.ingress[1].hostname: Invalid value: \"10.0.0.2\": must be a DNS name, not an IP address",
                "status.loadBalancer.ingress[2].ip: Required value: must be specified when `ipMode` is set",
                "status.loadBalancer.ingress[3].ipMode: Unsupported value: \"Fast\": supported values: \"Proxy\", \"VIP\"",
            ],
        );
        check(
            service,
            json!({"spec": {"type": "ClusterIP"}, "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}}),
            json!({}),
            &[
                "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'",
            ],
        );
    }

    /// `ValidatePersistentVolumeClaimStatusUpdate`.
    #[test]
    fn claim_capacity() {
        check(
            persistent_volume_claim,
            json!({"status": {"capacity": {"storage": "-1Gi"}, "allocatedResources": {"cpu": "1"}}}),
            json!({}),
            &[
                "status.capacity[storage]: Invalid value: -1073741824: must be a valid resource quantity",
                "status.allocatedResources: Unsupported value: \"cpu\": supported values: \"storage\"",
            ],
        );
    }

    /// `ValidateResourceQuotaStatusUpdate`.
    #[test]
    fn quota_amounts() {
        check(
            resource_quota,
            json!({"status": {"hard": {"pods": "1500m", "cpu": "-1", "storage": "1", "example.com/gpu": "2"},
                "used": {"bogus": "1"}}}),
            json!({}),
            &[
                "status.hard[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
                "status.hard[pods]: Invalid value: \"1500m\": must be an integer",
                "status.hard[storage]: Invalid value: \"storage\": must be a standard resource for quota",
                "status.used[bogus]: Invalid value: \"bogus\": must be a standard resource type or fully qualified",
                "status.used[bogus]: Invalid value: \"bogus\": must be a standard resource for quota",
            ],
        );
    }

    /// `validateValidatingAdmissionPolicyStatus`.
    #[test]
    fn admission_policy_warnings_and_conditions() {
        check(
            admission_policy,
            json!({"status": {"typeChecking": {"expressionWarnings": [
                {"fieldRef": "spec.validations[0].expression", "warning": ""}]},
                "conditions": [{"type": "Ready", "status": "True"}]}}),
            json!({}),
            &[
                "status.typeChecking.expressionWarnings[0].warning: Required value",
                "status.conditions[0].lastTransitionTime: Required value: must be set",
                "status.conditions[0].reason: Required value: must be set",
            ],
        );
    }

    /// `ValidateAPIServiceStatus`.
    #[test]
    fn api_service_condition_statuses() {
        check(
            api_service,
            json!({"status": {"conditions": [{"type": "Available", "status": "True"},
                {"type": "Available", "status": "Yes"}]}}),
            json!({}),
            &[
                "status.conditions[1].status: Unsupported value: \"Yes\": supported values: \"True\", \"False\", \"Unknown\"",
            ],
        );
    }

    /// The status part of `ValidateNodeUpdate`.
    #[test]
    fn node_addresses_and_capacity() {
        check(
            node,
            json!({"status": {"capacity": {"pods": "-1"}, "addresses": [
                {"type": "InternalIP", "address": "10.0.0.1"},
                {"type": "Hostname", "address": "n1"},
                {"type": "InternalIP", "address": "10.0.0.1"}]}}),
            json!({}),
            &[
                "status.capacity.pods: Invalid value: \"-1\": must be greater than or equal to 0",
                "status.addresses[2]: Duplicate value: core.NodeAddress{Type:\"InternalIP\", Address:\"10.0.0.1\"}",
            ],
        );
    }
}
