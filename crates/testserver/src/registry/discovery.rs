//! discovery.k8s.io/v1 EndpointSlices: `ObjectMeta` validation and the table columns
//! (`printEndpointSlice`).

use serde_json::Value;

use crate::registry::print::{self, items, text};
use crate::registry::printed::Printed;
use crate::registry::table::{self, Column, col};

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

/// discovery.k8s.io/v1 EndpointSlices.
pub(crate) const ENDPOINT_SLICES: Printed = Printed::validated(endpoint_slices);

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
}
