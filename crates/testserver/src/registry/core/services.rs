//! Services (`pkg/registry/core/service/strategy.go`): defaults, an empty load-balancer
//! status on create, validation, table columns. Cluster IPs and node ports are placed by
//! `admission`.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, service};
use crate::registry::ResourceType;
use crate::registry::print::{self, int, items, text};
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The Service strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Services;

impl Validated for Services {
    const NAME_RULE: NameRule = NameRule::Dns1035;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::service::validate(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::service::validate_update(new, old)
    }

    fn status_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core_status::service(new, old)
    }
}

impl Strategy for Services {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::service::service(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "" => crate::warnings::service::service(new),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        service::service(obj);
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_status(obj, json!({"loadBalancer": {}}));
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

    /// `printService`: type, the first cluster IP, the external IPs
    /// (`getServiceExternalIP`), the ports (`makePortString`), the wide selector.
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col(
                    "Type",
                    "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
                    0,
                    |v| text(v, "/spec/type").into(),
                ),
                col(
                    "Cluster-IP",
                    "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
                    0,
                    |v| {
                        let ip = items(v, "/spec/clusterIPs").first().and_then(Value::as_str);
                        ip.unwrap_or("<none>").into()
                    },
                ),
                col(
                    "External-IP",
                    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
                    0,
                    |v| external_ip(v).into(),
                ),
                col(
                    "Port(s)",
                    "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
                    0,
                    |v| ports(v).into(),
                ),
            ],
            vec![col(
                "Selector",
                "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
                1,
                |v| print::format_labels(v.pointer("/spec/selector")).into(),
            )],
        )
    }
}

/// The strings at `pointer`.
fn strings<'a>(v: &'a Value, pointer: &str) -> Vec<&'a str> {
    items(v, pointer).iter().filter_map(Value::as_str).collect()
}

/// `getServiceExternalIP` of the wide output: the external IPs, for a load balancer its
/// ingress IPs or host names (sorted, unique) first and `<pending>` while it has none.
fn external_ip(svc: &Value) -> String {
    let external = strings(svc, "/spec/externalIPs");
    match text(svc, "/spec/type") {
        "ClusterIP" | "NodePort" if !external.is_empty() => external.join(","),
        "ClusterIP" | "NodePort" => "<none>".into(),
        "LoadBalancer" => {
            let mut lb: Vec<&str> = items(svc, "/status/loadBalancer/ingress")
                .iter()
                .map(|i| match text(i, "/ip") {
                    "" => text(i, "/hostname"),
                    ip => ip,
                })
                .filter(|s| !s.is_empty())
                .collect();
            lb.sort_unstable();
            lb.dedup();
            let mut all = lb;
            all.extend(external);
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => text(svc, "/spec/externalName").into(),
        _ => "<unknown>".into(),
    }
}

/// `makePortString`: `port/protocol` or `port:nodePort/protocol`, `<none>` without ports.
fn ports(svc: &Value) -> String {
    let ports: Vec<String> = items(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let (port, node, proto) = (int(p, "/port"), int(p, "/nodePort"), text(p, "/protocol"));
            if node > 0 {
                format!("{port}:{node}/{proto}")
            } else {
                format!("{port}/{proto}")
            }
        })
        .collect();
    if ports.is_empty() {
        "<none>".into()
    } else {
        ports.join(",")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(svc: Value, expected: Value) {
        let cells: Vec<Value> = Services.columns().iter().map(|c| c.cell(&svc)).collect();
        let mut cells = cells;
        cells.remove(5);
        assert_eq!(Value::from(cells[1..].to_vec()), expected);
    }

    /// Cases of `TestPrintService` (`pkg/printers/internalversion/printers_test.go`).
    #[test]
    fn print_service() {
        check(
            json!({"spec": {"type": "ClusterIP", "clusterIPs": ["10.9.8.7"], "ports": [
                {"protocol": "TCP", "port": 2233}], "selector": {"app": "web"}}}),
            json!(["ClusterIP", "10.9.8.7", "<none>", "2233/TCP", "app=web"]),
        );
        check(
            json!({"spec": {"type": "NodePort", "clusterIPs": ["10.9.8.7"], "ports": [
                {"protocol": "TCP", "port": 8888, "nodePort": 9999}]}}),
            json!(["NodePort", "10.9.8.7", "<none>", "8888:9999/TCP", "<none>"]),
        );
        check(
            json!({"spec": {"type": "LoadBalancer", "clusterIPs": ["10.9.8.7"], "ports": [
                {"protocol": "TCP", "port": 8888}]}}),
            json!([
                "LoadBalancer",
                "10.9.8.7",
                "<pending>",
                "8888/TCP",
                "<none>"
            ]),
        );
        check(
            json!({"spec": {"type": "LoadBalancer", "clusterIPs": ["10.9.8.7"],
                "externalIPs": ["80.11.12.11"], "ports": [{"protocol": "TCP", "port": 8888}]},
                "status": {"loadBalancer": {"ingress": [{"ip": "3.4.5.6"}, {"hostname": "lb.example"}]}}}),
            json!([
                "LoadBalancer",
                "10.9.8.7",
                "3.4.5.6,lb.example,80.11.12.11",
                "8888/TCP",
                "<none>"
            ]),
        );
        check(
            json!({"spec": {"type": "ExternalName", "externalName": "my.database.example.com"}}),
            json!([
                "ExternalName",
                "<none>",
                "my.database.example.com",
                "<none>",
                "<none>"
            ]),
        );
    }
}
