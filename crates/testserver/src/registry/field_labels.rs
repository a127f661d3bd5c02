//! Field selector labels per type, and how to read them from an object.

use serde_json::Value;

const POD: &[&str] = &[
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];
const EVENT: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
];

/// Field labels of a type beyond `metadata.name` and `metadata.namespace`.
pub(super) fn labels(group: &str, plural: &str) -> &'static [&'static str] {
    match (group, plural) {
        ("", "pods") => POD,
        ("", "events") | ("events.k8s.io", "events") => EVENT,
        ("", "nodes") => &["spec.unschedulable"],
        ("", "namespaces") => &["status.phase"],
        ("", "secrets") => &["type"],
        ("", "replicationcontrollers") => &["status.replicas"],
        ("", "persistentvolumeclaims") | ("", "persistentvolumes") => &[],
        ("batch", "jobs") => &["status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    }
}

/// The value of a field label on an object, as the real server's field set renders it.
pub(crate) fn field_value(obj: &Value, label: &str) -> String {
    let path = match label {
        // events.k8s.io serves the core field names over the new field layout
        "source" => {
            return text(obj.pointer("/source/component"))
                .unwrap_or_else(|| text(obj.get("reportingController")).unwrap_or_default());
        }
        "status.podIPs" => return text(obj.pointer("/status/podIPs/0/ip")).unwrap_or_default(),
        other => other,
    };
    let mut cur = obj;
    for part in path.split('.') {
        match cur.get(part) {
            Some(v) => cur = v,
            None => {
                return match label {
                    "spec.hostNetwork" | "spec.unschedulable" => "false".to_owned(),
                    _ => String::new(),
                };
            }
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}
