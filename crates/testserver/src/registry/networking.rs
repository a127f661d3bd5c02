//! networking.k8s.io: Ingresses, IngressClasses, NetworkPolicies, IPAddresses and
//! ServiceCIDRs: their validation (`validation::networking`, `validation::ip_addresses`) and
//! the table columns (`printIngress`, `printIngressClass`, `printNetworkPolicy`,
//! `printIPAddress`, `printServiceCIDR`).

use serde_json::Value;

use crate::registry::print::{self, items, text};
use crate::registry::printed::Printed;
use crate::registry::spec_checked::{SpecChecked, nothing};
use crate::registry::spec_validated::{Generation, SpecValidated, no_defaults, nothing_created};
use crate::registry::status_types::{self, ResetsMetaForStatus, StatusType};
use crate::registry::table::{self, Column, col};
use crate::validation::{NameRule, ip_addresses as ip_checks, networking as checks};

fn ingresses() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Class",
                "The name of the IngressClass resource that should be used for additional configuration",
                0,
                |v| {
                    v.pointer("/spec/ingressClassName")
                        .and_then(Value::as_str)
                        .unwrap_or("<none>")
                        .into()
                },
            ),
            col(
                "Hosts",
                "Hosts that incoming requests are matched against before the ingress rule",
                0,
                |v| hosts(v).into(),
            ),
            col(
                "Address",
                "Address is a list containing ingress points for the load-balancer",
                0,
                |v| address(v).into(),
            ),
            col("Ports", "Ports of TLS configurations that open", 0, |v| {
                if items(v, "/spec/tls").is_empty() {
                    "80"
                } else {
                    "80, 443"
                }
                .into()
            }),
        ],
        Vec::new(),
    )
}

/// `formatHosts`: the first three hosts, `*` without any.
fn hosts(ingress: &Value) -> String {
    const MAX: usize = 3;
    let rules = items(ingress, "/spec/rules");
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = text(rule, "/host");
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", rules.len() - MAX)
    } else {
        joined
    }
}

/// `ingressLoadBalancerStatusStringer` of the wide output: IPs or host names, sorted, unique.
fn address(ingress: &Value) -> String {
    let mut list: Vec<&str> = items(ingress, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| match text(i, "/ip") {
            "" => text(i, "/hostname"),
            ip => ip,
        })
        .filter(|s| !s.is_empty())
        .collect();
    list.sort_unstable();
    list.dedup();
    list.join(",")
}

/// networking.k8s.io/v1 Ingresses.
pub(crate) const INGRESSES: StatusType = StatusType {
    columns: ingresses,
    spec: checks::ingress,
    spec_update: Some(checks::ingress_update),
    ..status_types::INGRESSES
};

fn ingress_classes() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Controller",
                "Controller that is responsible for handling this class",
                0,
                |v| text(v, "/spec/controller").into(),
            ),
            col(
                "Parameters",
                "A reference to a resource with additional parameters",
                0,
                |v| match v.pointer("/spec/parameters") {
                    Some(p) if p.is_object() => {
                        let mut kind = text(p, "/kind").to_owned();
                        if let Some(group) = p.get("apiGroup").and_then(Value::as_str) {
                            kind = format!("{kind}.{group}");
                        }
                        format!("{kind}/{}", text(p, "/name")).into()
                    }
                    _ => "<none>".into(),
                },
            ),
        ],
        Vec::new(),
    )
}

/// networking.k8s.io/v1 IngressClasses.
/// networking.k8s.io/v1 IngressClasses: the controller may not change.
pub(crate) const INGRESS_CLASSES: SpecChecked = SpecChecked {
    name_rule: NameRule::Subdomain,
    spec: checks::ingress_class,
    spec_update: None,
    extra_update: checks::ingress_class_update,
    columns: ingress_classes,
};

fn network_policies() -> Vec<Column> {
    table::columns(
        vec![col(
            "Pod-Selector",
            "Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.",
            0,
            |v| {
                let selector = v
                    .pointer("/spec/podSelector")
                    .cloned()
                    .unwrap_or(Value::Null);
                // the selector is a struct, never nil: an unset one selects everything
                let selector = if selector.is_null() {
                    serde_json::json!({})
                } else {
                    selector
                };
                print::format_label_selector(Some(&selector)).into()
            },
        )],
        Vec::new(),
    )
}

/// networking.k8s.io/v1 NetworkPolicies.
/// networking.k8s.io/v1 NetworkPolicies.
pub(crate) const NETWORK_POLICIES: SpecChecked = SpecChecked {
    name_rule: NameRule::Subdomain,
    spec: checks::network_policy,
    spec_update: None,
    extra_update: nothing,
    columns: network_policies,
};

/// The two columns Go defines (its rows add an age cell no column names).
fn ip_addresses() -> Vec<Column> {
    vec![
        table::name_column(),
        col(
            "ParentRef",
            "parentRef references the resource that an IPAddress is attached to. An IPAddress must reference a parent object.",
            0,
            |v| {
                let Some(p) = v.pointer("/spec/parentRef").filter(|p| p.is_object()) else {
                    return "<none>".into();
                };
                let (group, resource) = (text(p, "/group"), text(p, "/resource"));
                let mut name = if group.is_empty() {
                    resource.to_lowercase()
                } else {
                    format!("{resource}.{group}").to_lowercase()
                };
                let namespace = text(p, "/namespace");
                if !namespace.is_empty() {
                    name = format!("{name}/{namespace}");
                }
                format!("{name}/{}", text(p, "/name")).into()
            },
        ),
        table::age_column().undefined(),
    ]
}

/// networking.k8s.io/v1 IPAddresses: named by their address, their parent immutable.
pub(crate) const IP_ADDRESSES: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(ip_addresses),
    defaults: no_defaults,
    created: nothing_created,
    validate: ip_checks::ip_address,
    validate_update: ip_checks::ip_address_update,
    validate_status: None,
    generation: Generation::Base,
};

fn service_cidrs() -> Vec<Column> {
    table::columns(
        vec![col(
            "CIDRs",
            "cidrs defines the IP blocks in CIDR notation (e.g. \"192.168.0.0/24\" or \"2001:db8::/64\") from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP family. This field is immutable.",
            0,
            |v| {
                items(v, "/spec/cidrs")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
                    .into()
            },
        )],
        Vec::new(),
    )
}

/// networking.k8s.io/v1 ServiceCIDRs (status writes as `status_types::SERVICE_CIDRS` checks
/// them).
pub(crate) const SERVICE_CIDRS: SpecValidated<ResetsMetaForStatus> = SpecValidated {
    base: ResetsMetaForStatus {
        columns: service_cidrs,
        ..status_types::SERVICE_CIDRS
    },
    defaults: no_defaults,
    created: nothing_created,
    validate: ip_checks::service_cidr,
    validate_update: ip_checks::service_cidr_update,
    validate_status: None,
    generation: Generation::Base,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintIngress` and `formatHosts`.
    #[test]
    fn ingress_cells() {
        let ing = json!({"spec": {"ingressClassName": "nginx", "tls": [{}], "rules": [
            {"host": "a"}, {"host": ""}, {"host": "b"}, {"host": "c"}, {"host": "d"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "2.2.2.2"}, {"hostname": "lb"}, {"ip": "2.2.2.2"}]}}});
        let cells: Vec<Value> = ingresses().iter().map(|c| c.cell(&ing)).collect();
        assert_eq!(
            cells[1..5].to_vec(),
            vec![
                json!("nginx"),
                json!("a,b,c + 2 more..."),
                json!("2.2.2.2,lb"),
                json!("80, 443")
            ]
        );
        assert_eq!(hosts(&json!({"spec": {"rules": [{}]}})), "*");
        let np = json!({"spec": {}});
        assert_eq!(network_policies()[1].cell(&np), json!("<none>"));
        let ip = json!({"spec": {"parentRef": {"group": "", "resource": "services",
            "namespace": "ns", "name": "svc"}}});
        assert_eq!(ip_addresses()[1].cell(&ip), json!("services/ns/svc"));
        // printIPAddress: a third cell, the age, that no column defines
        let defined: Vec<bool> = ip_addresses().iter().map(|c| c.defined).collect();
        assert_eq!(defined, [true, true, false]);
        assert_eq!(ip_addresses()[2].cell(&ip), json!("<unknown>"));
        let class = json!({"spec": {"controller": "c", "parameters": {"kind": "K", "apiGroup": "g", "name": "n"}}});
        assert_eq!(ingress_classes()[2].cell(&class), json!("K.g/n"));
    }
}
