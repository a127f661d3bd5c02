//! Endpoints (`pkg/registry/core/endpoint/strategy.go`): defaults, `ValidateEndpoints` on
//! create and update (`validation/endpoints.rs`; the test server's own `kubernetes` Endpoints
//! may name its loopback address), table columns.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, service};
use crate::registry::ResourceType;
use crate::registry::print::{int, items, text};
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule, endpoints};

/// The Endpoints strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoints;

impl Validated for Endpoints {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    /// `ValidateEndpoints`; the `kubernetes` Endpoints in `default` may point at the test
    /// server's loopback address (a real server advertises a routable one).
    fn spec(obj: &Value) -> Vec<FieldError> {
        let errs = endpoints::endpoints(obj);
        let meta = |key: &str| {
            obj.pointer(&format!("/metadata/{key}"))
                .and_then(Value::as_str)
        };
        if meta("namespace") != Some("default") || meta("name") != Some("kubernetes") {
            return errs;
        }
        errs.into_iter()
            .filter(|e| !e.detail.starts_with("may not be in the loopback range"))
            .collect()
    }
}

impl Strategy for Endpoints {
    fn deprecation(&self) -> Option<&str> {
        Some("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
    }

    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::ip::endpoints(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "" => crate::warnings::ip::endpoints(new),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        service::endpoints(obj);
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        strategy::validate::<Self>(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }

    /// `printEndpoints`: the first three addresses (`ip:port` per port), then `+ N more...`.
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![col(
                "Endpoints",
                "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
                0,
                |v| format_endpoints(v).into(),
            )],
            Vec::new(),
        )
    }
}

/// `formatEndpoints` of all ports: `<none>` without subsets.
fn format_endpoints(ep: &Value) -> String {
    const MAX: usize = 3;
    let subsets = items(ep, "/subsets");
    if subsets.is_empty() {
        return "<none>".into();
    }
    let mut list: Vec<String> = Vec::new();
    let (mut more, mut count) = (false, 0);
    for ss in subsets {
        let addresses = items(ss, "/addresses");
        let ports = items(ss, "/ports");
        if ports.is_empty() {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(text(a, "/ip").to_owned());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                let ip = text(a, "/ip");
                let p = int(port, "/port");
                // net.JoinHostPort brackets IPv6 addresses
                list.push(if ip.contains(':') {
                    format!("[{ip}]:{p}")
                } else {
                    format!("{ip}:{p}")
                });
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `formatEndpoints` in `printers.go`: ports multiply the addresses, three shown.
    #[test]
    fn endpoints_cell() {
        assert_eq!(format_endpoints(&json!({})), "<none>");
        let ep = json!({"subsets": [{"addresses": [{"ip": "1.1.1.1"}, {"ip": "2.2.2.2"}],
            "ports": [{"port": 80}, {"port": 443}]}]});
        assert_eq!(
            format_endpoints(&ep),
            "1.1.1.1:80,2.2.2.2:80,1.1.1.1:443 + 1 more..."
        );
        let headless = json!({"subsets": [{"addresses": [{"ip": "fd00::1"}]}]});
        assert_eq!(format_endpoints(&headless), "fd00::1");
        let v6 = json!({"subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 53}]}]});
        assert_eq!(format_endpoints(&v6), "[fd00::1]:53");
    }
}
