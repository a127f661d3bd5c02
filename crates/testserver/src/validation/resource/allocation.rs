//! What a ResourceClaim's status holds, as `validateResourceClaimStatusUpdate` checks it:
//! a new allocation's results (`validateDeviceRequestAllocationResult`: the request, driver,
//! pool and device names, binding conditions, share ID), its configs
//! (`validateDeviceAllocationConfiguration`) and node selector; and the `devices` entries
//! (`validateDeviceStatus`: names, an allocated device, conditions, data, network data).

use std::net::IpAddr;

use serde_json::Value;

use super::super::common_status::conditions;
use super::super::{BadValue, FieldError, net};
use super::claim::{RequestNames, configuration, raw_extension, request_ref, request_refs};
use super::device::binding_conditions;
use super::names::{driver, label, pool, uid};
use super::node_selector::node_selector;
use super::{CONFIG_MAX, REQUESTS_MAX, items, set, set_of, slice, text};

/// `AllocatedDeviceStatusMaxConditions`.
const CONDITIONS_MAX: usize = 8;
/// `AllocatedDeviceStatusDataMaxLength`.
const DATA_MAX: usize = 10 * 1024;
/// `NetworkDeviceDataInterfaceNameMaxLength`.
const INTERFACE_NAME_MAX: usize = 256;
/// `NetworkDeviceDataHardwareAddressMaxLength`.
const HARDWARE_ADDRESS_MAX: usize = 128;
/// `NetworkDeviceDataMaxIPs`.
const IPS_MAX: usize = 16;

/// `structured.SharedDeviceID` as its `String()` prints it: `driver/pool/device`, then
/// `/shareID` when there is one.
pub(crate) fn device_id(v: &Value) -> String {
    let mut id = format!(
        "{}/{}/{}",
        text(v, "driver"),
        text(v, "pool"),
        text(v, "device")
    );
    if let Some(share) = set(v, "shareID").and_then(Value::as_str) {
        id.push('/');
        id.push_str(share);
    }
    id
}

/// The devices an allocation allocated (`gatherAllocatedDevices`).
pub(crate) fn allocated(allocation: Option<&Value>) -> Vec<String> {
    let results = allocation
        .and_then(|a| a.get("devices"))
        .map_or(&[][..], |d| items(d, "results"));
    results.iter().map(device_id).collect()
}

/// `validateAllocationResult` of a new allocation at `path`.
pub(crate) fn allocation(
    allocation: &Value,
    path: &str,
    names: &RequestNames<'_>,
) -> Vec<FieldError> {
    let empty = Value::Null;
    let devices = allocation.get("devices").unwrap_or(&empty);
    let devices_path = format!("{path}.devices");
    let mut errs = slice(
        items(devices, "results"),
        Some(REQUESTS_MAX),
        &format!("{devices_path}.results"),
        |r, at| result(r, at, names),
    );
    errs.extend(slice(
        items(devices, "config"),
        Some(2 * CONFIG_MAX),
        &format!("{devices_path}.config"),
        |c, at| {
            let source_path = format!("{at}.source");
            let mut errs = match text(c, "source") {
                "" => vec![FieldError::required(source_path, "")],
                "FromClaim" | "FromClass" => Vec::new(),
                other => vec![FieldError::not_supported(
                    source_path,
                    other,
                    &["FromClaim", "FromClass"],
                )],
            };
            errs.extend(request_refs(c, &format!("{at}.requests"), names));
            errs.extend(configuration(c, at, false));
            errs
        },
    ));
    if let Some(selector) = set(allocation, "nodeSelector") {
        errs.extend(node_selector(selector, &format!("{path}.nodeSelector")));
    }
    errs
}

/// `validateDeviceRequestAllocationResult`.
fn result(result: &Value, path: &str, names: &RequestNames<'_>) -> Vec<FieldError> {
    let mut errs = request_ref(text(result, "request"), &format!("{path}.request"), names);
    errs.extend(driver(text(result, "driver"), &format!("{path}.driver")));
    errs.extend(pool(text(result, "pool"), &format!("{path}.pool")));
    errs.extend(label(text(result, "device"), &format!("{path}.device")));
    errs.extend(binding_conditions(result, path));
    if let Some(share) = set(result, "shareID") {
        errs.extend(uid(
            share.as_str().unwrap_or(""),
            &format!("{path}.shareID"),
        ));
    }
    errs
}

/// The `status.devices` entries (`validateSet` of `validateDeviceStatus`, keyed by device).
pub(crate) fn devices(status: &Value, allocated: &[String]) -> Vec<FieldError> {
    set_of(
        items(status, "devices"),
        None,
        "status.devices",
        |d, at| device_status(d, at, allocated),
        device_id,
        |k| BadValue::Raw(k.clone()),
    )
}

/// `validateDeviceStatus`.
fn device_status(device: &Value, path: &str, allocated: &[String]) -> Vec<FieldError> {
    let mut errs = driver(text(device, "driver"), &format!("{path}.driver"));
    errs.extend(pool(text(device, "pool"), &format!("{path}.pool")));
    errs.extend(label(text(device, "device"), &format!("{path}.device")));
    if let Some(share) = set(device, "shareID") {
        errs.extend(uid(
            share.as_str().unwrap_or(""),
            &format!("{path}.shareID"),
        ));
    }
    let id = device_id(device);
    if !allocated.contains(&id) {
        errs.push(FieldError::invalid(
            path,
            BadValue::Raw(id),
            "must be an allocated device in the claim",
        ));
    }
    let conditions_path = format!("{path}.conditions");
    let count = items(device, "conditions").len();
    if count > CONDITIONS_MAX {
        errs.push(FieldError::too_many(
            &conditions_path,
            count,
            CONDITIONS_MAX,
        ));
    }
    errs.extend(conditions(device.get("conditions"), &conditions_path));
    if let Some(data) = set(device, "data") {
        errs.extend(raw_extension(
            Some(data),
            &format!("{path}.data"),
            Some(DATA_MAX),
        ));
    }
    if let Some(network) = set(device, "networkData") {
        errs.extend(network_data(network, &format!("{path}.networkData")));
    }
    errs
}

/// `validateNetworkDeviceData`.
fn network_data(network: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if text(network, "interfaceName").len() > INTERFACE_NAME_MAX {
        errs.push(FieldError::too_long(
            format!("{path}.interfaceName"),
            INTERFACE_NAME_MAX,
        ));
    }
    if text(network, "hardwareAddress").len() > HARDWARE_ADDRESS_MAX {
        errs.push(FieldError::too_long(
            format!("{path}.hardwareAddress"),
            HARDWARE_ADDRESS_MAX,
        ));
    }
    errs.extend(set_of(
        items(network, "ips"),
        Some(IPS_MAX),
        &format!("{path}.ips"),
        |ip, at| interface_address(ip.as_str().unwrap_or(""), at),
        |ip| ip.as_str().unwrap_or("").to_owned(),
        |k| BadValue::from(k.as_str()),
    ));
    errs
}

/// `IsValidInterfaceAddress`: an address with its prefix length, in canonical form.
fn interface_address(value: &str, path: &str) -> Vec<FieldError> {
    let parsed = value.split_once('/').and_then(|(ip, bits)| {
        let ip = net::parse_ip_sloppy(ip)?;
        let bits: u8 = (!bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| bits.parse().ok())??;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        (bits <= max).then_some((ip, bits))
    });
    let Some((ip, bits)) = parsed else {
        return vec![FieldError::invalid(
            path,
            value,
            "must be a valid address in CIDR form, (e.g. 10.9.8.7/24 or 2001:db8::1/64)",
        )];
    };
    let (ip, bits) = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) if bits >= 96 => (IpAddr::V4(v4), bits - 96),
            Some(v4) => (IpAddr::V4(v4), bits),
            None => (ip, bits),
        },
        IpAddr::V4(_) => (ip, bits),
    };
    let canonical = format!("{ip}/{bits}");
    if canonical == value {
        return Vec::new();
    }
    vec![FieldError::invalid(
        path,
        value,
        format!(
            "must be in canonical form ({})",
            super::super::go_quote(&canonical)
        ),
    )]
}

#[cfg(test)]
mod tests;
