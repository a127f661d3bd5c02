//! discovery.k8s.io/v1 EndpointSlices (`pkg/registry/discovery/endpointslice/strategy.go`):
//! the port defaults, the generation (1 on create, bumped when anything but the metadata, or
//! the labels, changes), no `deprecatedTopology` stored from v1 writes,
//! `ValidateEndpointSliceCreate`/`ValidateEndpointSliceUpdate` (`validation::endpoint_slices`)
//! and the table columns (`printEndpointSlice`).

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::print::{self, items, text};
use crate::registry::strategy::{self, Checks, Strategy};
use crate::registry::table::{self, Column, col};
use crate::validation::{
    Invalid, NameRule, endpoint_slices as checks, object_meta, object_meta_update,
};

const MAX: usize = 3;

/// `formatDiscoveryPorts`: port numbers (or names, or `*`), three shown.
fn ports(slice: &Value) -> String {
    let ports = items(slice, "/ports");
    let list: Vec<String> = ports
        .iter()
        .take(MAX)
        .map(
            |p| match (p.get("port").and_then(Value::as_i64), p.get("name")) {
                (Some(n), _) => n.to_string(),
                (None, Some(Value::String(name))) => name.clone(),
                _ => "*".into(),
            },
        )
        .collect();
    print::list_with_more(&list, ports.len() > MAX, ports.len(), MAX)
}

/// `formatDiscoveryEndpoints`: the endpoints' addresses, three shown.
fn endpoints(slice: &Value) -> String {
    let all: Vec<String> = items(slice, "/endpoints")
        .iter()
        .flat_map(|e| items(e, "/addresses"))
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    let list: Vec<String> = all.iter().take(MAX).cloned().collect();
    print::list_with_more(&list, all.len() > MAX, all.len(), MAX)
}

fn endpoint_slices() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "AddressType",
                "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
                0,
                |v| text(v, "/addressType").into(),
            ),
            col(
                "Ports",
                "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports.",
                0,
                |v| ports(v).into(),
            ),
            col(
                "Endpoints",
                "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
                0,
                |v| endpoints(v).into(),
            ),
        ],
        Vec::new(),
    )
}

/// The EndpointSlice strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndpointSlices;

/// discovery.k8s.io/v1 EndpointSlices.
pub(crate) const ENDPOINT_SLICES: EndpointSlices = EndpointSlices;

/// The slice without its metadata, and its labels: what `PrepareForUpdate` compares.
fn generation_inputs(slice: &Value) -> (Value, Option<&Value>) {
    let mut rest = slice.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("metadata");
        map.remove("apiVersion");
        map.remove("kind");
    }
    (rest, slice.pointer("/metadata/labels"))
}

/// `dropTopologyOnV1`: writes of v1 never store an endpoint's `deprecatedTopology` (the
/// only version served writes none, so no stored node name is carried over).
fn drop_deprecated_topology(slice: &mut Value) {
    let Some(endpoints) = slice.get_mut("endpoints").and_then(Value::as_array_mut) else {
        return;
    };
    for endpoint in endpoints.iter_mut().filter_map(Value::as_object_mut) {
        endpoint.remove("deprecatedTopology");
    }
}

impl Strategy for EndpointSlices {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        checks::default_ports(obj);
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_generation(obj, 1);
        drop_deprecated_topology(obj);
    }

    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        drop_deprecated_topology(new);
        if generation_inputs(new) != generation_inputs(old) {
            let bumped = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                + 1;
            strategy::set_generation(new, bumped);
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: NameRule::Subdomain,
        };
        c.create(obj, checks::endpoint_slice(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        // `validateCommonFields`, then `ValidateEndpointSliceUpdate`, which checks the new
        // metadata again but not the metadata update
        let mut errs = object_meta(new, rt.namespaced, NameRule::PathSegment);
        errs.extend(object_meta_update(new, old));
        let c = Checks {
            rt,
            name_rule: NameRule::Subdomain,
        };
        if subresource.is_empty() {
            errs.extend(c.object(new, checks::endpoint_slice_update(new, old)));
        }
        c.result(new, errs)
    }

    fn columns(&self) -> Vec<Column> {
        endpoint_slices()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintEndpointSlice`.
    #[test]
    fn slice_cells() {
        let s = json!({"addressType": "IPv4", "ports": [{"port": 80}, {"name": "http"}, {}, {"port": 1}],
            "endpoints": [{"addresses": ["10.0.0.1", "10.0.0.2"]}, {"addresses": ["10.0.0.3"]}]});
        assert_eq!(ports(&s), "80,http,* + 1 more...");
        assert_eq!(endpoints(&s), "10.0.0.1,10.0.0.2,10.0.0.3");
        assert_eq!(endpoints(&json!({})), "<unset>");
    }

    /// `endpointSliceStrategy.PrepareForUpdate`: the generation follows everything but the
    /// metadata, and the labels.
    #[test]
    fn generation_bumps() {
        let old = json!({"metadata": {"name": "s", "generation": 3, "labels": {"a": "1"}},
            "addressType": "IPv4", "endpoints": []});
        for (edit, bumped) in [
            (
                json!({"metadata": {"name": "s", "generation": 3, "labels": {"a": "1"},
                "annotations": {"x": "y"}}, "addressType": "IPv4", "endpoints": []}),
                3,
            ),
            (
                json!({"metadata": {"name": "s", "generation": 3, "labels": {"a": "2"}},
                "addressType": "IPv4", "endpoints": []}),
                4,
            ),
            (
                json!({"metadata": {"name": "s", "generation": 3, "labels": {"a": "1"}},
                "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}]}),
                4,
            ),
        ] {
            let mut new = edit;
            ENDPOINT_SLICES.prepare_for_update("", &mut new, &old, "t");
            assert_eq!(new["metadata"]["generation"], bumped, "{new}");
        }
        let mut created = json!({"metadata": {"name": "s"}, "endpoints": [{"addresses": ["10.0.0.1"],
            "deprecatedTopology": {"kubernetes.io/hostname": "n1"}}]});
        ENDPOINT_SLICES.prepare_for_create(&mut created, "t");
        assert_eq!(created["metadata"]["generation"], 1);
        assert_eq!(created["endpoints"], json!([{"addresses": ["10.0.0.1"]}]));
    }

    /// `BeforeUpdate` of an EndpointSlice: `validateCommonFields` (the metadata update once),
    /// then `ValidateEndpointSliceUpdate` (the new metadata, the slice, the address type).
    #[test]
    fn update_error_list() {
        let registry = crate::registry::Registry::builtin();
        let rt = registry
            .find("discovery.k8s.io", "v1", "endpointslices")
            .expect("endpointslices");
        let old = json!({"metadata": {"name": "s", "namespace": "ns", "resourceVersion": "1"},
            "addressType": "IPv4"});
        let new = json!({"metadata": {"name": "s", "namespace": "ns"}, "addressType": "IPv6"});
        let errs: Vec<String> = match ENDPOINT_SLICES.validate_update(&rt, "", &new, &old) {
            Ok(()) => Vec::new(),
            Err(invalid) => invalid.errors.iter().map(ToString::to_string).collect(),
        };
        assert_eq!(
            errs,
            [
                "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
                "addressType: Invalid value: \"IPv6\": field is immutable",
            ]
        );
    }
}
