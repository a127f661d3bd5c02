//! `as=Table` answers (what `kubectl get` prints), with the real columns for common types.

use serde_json::{Value, json};

use crate::api::query::Query;
use crate::api::respond::partial_metadata;
use crate::clock;
use crate::registry::ResourceType;

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const CM_DATA_DESC: &str = "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";

type Cell = fn(&Value) -> Value;

struct Column {
    name: &'static str,
    ty: &'static str,
    format: &'static str,
    description: &'static str,
    priority: u8,
    cell: Cell,
}

const fn col(name: &'static str, description: &'static str, priority: u8, cell: Cell) -> Column {
    Column {
        name,
        ty: "string",
        format: "",
        description,
        priority,
        cell,
    }
}

fn s(v: &Value, p: &str) -> Value {
    v.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or("<none>")
        .into()
}

fn name(v: &Value) -> Value {
    s(v, "/metadata/name")
}

fn age(v: &Value) -> Value {
    let created = v
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .unwrap_or("");
    match time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339) {
        Ok(t) => human((clock::unix_now() - t.unix_timestamp()).max(0)).into(),
        Err(_) => "<unknown>".into(),
    }
}

/// Go's `duration.HumanDuration`, shortened.
fn human(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 600 => format!("{}m{}s", s / 60, s % 60),
        s if s < 3 * 3600 => format!("{}m", s / 60),
        s if s < 8 * 3600 => format!("{}h{}m", s / 3600, (s % 3600) / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s if s < 8 * 86400 => format!("{}d{}h", s / 86400, (s % 86400) / 3600),
        s => format!("{}d", s / 86400),
    }
}

fn count(v: &Value, keys: &[&str]) -> Value {
    keys.iter()
        .map(|k| v.get(*k).and_then(Value::as_object).map_or(0, |m| m.len()))
        .sum::<usize>()
        .into()
}

fn columns(rt: &ResourceType) -> Vec<Column> {
    let name_col = Column {
        name: "Name",
        ty: "string",
        format: "name",
        description: NAME_DESC,
        priority: 0,
        cell: name,
    };
    let age_col = col("Age", AGE_DESC, 0, age);
    let mut cols = vec![name_col];
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "configmaps") => cols.push(col("Data", CM_DATA_DESC, 0, |v| count(v, &["data", "binaryData"]))),
        ("", "secrets") => {
            cols.push(col("Type", "The type of the secret", 0, |v| s(v, "/type")));
            cols.push(col("Data", "The number of entries in the data", 0, |v| count(v, &["data"])));
        }
        ("", "namespaces") => cols.push(col("Status", "The status of the namespace", 0, |v| s(v, "/status/phase"))),
        ("", "pods") => {
            cols.push(col("Ready", "The aggregate readiness state of this pod for accepting traffic.", 0, |v| {
                let total = v.pointer("/spec/containers").and_then(Value::as_array).map_or(0, Vec::len);
                let ready = v
                    .pointer("/status/containerStatuses")
                    .and_then(Value::as_array)
                    .map_or(0, |a| a.iter().filter(|c| c.get("ready") == Some(&Value::Bool(true))).count());
                format!("{ready}/{total}").into()
            }));
            cols.push(col("Status", "The aggregate status of the containers in this pod.", 0, |v| s(v, "/status/phase")));
            cols.push(Column { ty: "integer", ..col("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0, |_| 0.into()) });
            return with_tail(cols, age_col, vec![
                col("IP", "The IP address assigned to this pod", 1, |v| s(v, "/status/podIP")),
                col("Node", "The node this pod is scheduled to", 1, |v| s(v, "/spec/nodeName")),
                col("Nominated Node", "The node this pod is nominated to", 1, |v| s(v, "/status/nominatedNodeName")),
                col("Readiness Gates", "The readiness gates of this pod", 1, |_| "<none>".into()),
            ]);
        }
        ("", "nodes") => {
            cols.push(col("Status", "The status of the node", 0, |v| {
                let ready = v
                    .pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .and_then(|c| c.iter().find(|c| c.get("type").and_then(Value::as_str) == Some("Ready")))
                    .and_then(|c| c.get("status").and_then(Value::as_str))
                    == Some("True");
                let mut st = if ready { "Ready".to_owned() } else { "NotReady".to_owned() };
                if v.pointer("/spec/unschedulable") == Some(&Value::Bool(true)) {
                    st.push_str(",SchedulingDisabled");
                }
                st.into()
            }));
            cols.push(col("Roles", "The roles of the node", 0, |_| "<none>".into()));
            return with_tail(cols, age_col, vec![col("Version", "Kubelet Version reported by the node.", 0, |v| {
                v.pointer("/status/nodeInfo/kubeletVersion").and_then(Value::as_str).unwrap_or("").into()
            })]);
        }
        ("", "serviceaccounts") => cols.push(Column { ty: "integer", ..col("Secrets", "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount.", 0, |v| {
            v.get("secrets").and_then(Value::as_array).map_or(0, Vec::len).into()
        }) }),
        ("", "persistentvolumes") => {
            cols.push(col("Capacity", "capacity of the volume", 0, |v| s(v, "/spec/capacity/storage")));
            cols.push(col("Status", "status of the volume", 0, |v| s(v, "/status/phase")));
            cols.push(col("StorageClass", "storage class of the volume", 0, |v| s(v, "/spec/storageClassName")));
        }
        ("", "persistentvolumeclaims") => {
            cols.push(col("Status", "status of the claim", 0, |v| s(v, "/status/phase")));
            cols.push(col("Volume", "bound volume", 0, |v| s(v, "/spec/volumeName")));
            cols.push(col("StorageClass", "storage class of the claim", 0, |v| s(v, "/spec/storageClassName")));
        }
        ("storage.k8s.io", "storageclasses") => {
            cols.push(col("Provisioner", "the provisioner", 0, |v| s(v, "/provisioner")));
            cols.push(col("ReclaimPolicy", "the reclaim policy", 0, |v| s(v, "/reclaimPolicy")));
            cols.push(col("VolumeBindingMode", "the volume binding mode", 0, |v| s(v, "/volumeBindingMode")));
        }
        ("coordination.k8s.io", "leases") => cols.push(col("Holder", "the lease holder", 0, |v| s(v, "/spec/holderIdentity"))),
        _ => {
            return vec![
                cols.remove(0),
                Column { name: "Created At", ty: "date", format: "", description: AGE_DESC, priority: 0, cell: |v| s(v, "/metadata/creationTimestamp") },
            ];
        }
    }
    cols.push(age_col);
    cols
}

/// A row's `object` as `includeObject` asks (`Metadata` by default).
fn row_object(include: &str, o: &Value) -> Option<Value> {
    match include {
        "None" => None,
        "Object" => Some(o.clone()),
        _ => Some(partial_metadata(o)),
    }
}

/// The Table of custom resources: Name, then the CRD version's `additionalPrinterColumns`
/// (an `Age` column of the creation time when it has none), cells read by their simple
/// `jsonPath` (`.spec.replicas`); `date` cells show the age, as kubectl prints them.
fn custom_table<'a>(
    printer: &[Value],
    objects: impl Iterator<Item = &'a Value>,
    resource_version: &str,
    query: &Query,
) -> Value {
    let age_column = json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
        "description": AGE_DESC});
    let printer: Vec<Value> = if printer.is_empty() {
        vec![age_column]
    } else {
        printer.to_vec()
    };
    let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut defs = vec![json!({"name": "Name", "type": "string", "format": "name",
        "description": NAME_DESC, "priority": 0})];
    for c in &printer {
        defs.push(json!({"name": text(c, "name"), "type": text(c, "type"), "format": text(c, "format"),
            "description": text(c, "description"), "priority": c.get("priority").and_then(Value::as_i64).unwrap_or(0)}));
    }
    let include = query.get("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = objects
        .map(|o| {
            let mut cells = vec![name(o)];
            for c in &printer {
                let pointer = text(c, "jsonPath").replace('.', "/");
                let value = o.pointer(&pointer).cloned().unwrap_or(Value::Null);
                cells.push(match (text(c, "type").as_str(), &value) {
                    ("date", Value::String(_)) => {
                        age(&json!({"metadata": {"creationTimestamp": value}}))
                    }
                    _ => value,
                });
            }
            let mut row = json!({"cells": cells});
            if let Some(object) = row_object(include, o) {
                row["object"] = object;
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": defs,
        "rows": rows,
    })
}

fn with_tail(mut cols: Vec<Column>, age: Column, tail: Vec<Column>) -> Vec<Column> {
    cols.push(age);
    cols.extend(tail);
    cols
}

/// The Table of the objects.
pub(crate) fn render<'a>(
    rt: &ResourceType,
    objects: impl Iterator<Item = &'a Value>,
    resource_version: &str,
    query: &Query,
) -> Value {
    if let Some(custom) = &rt.custom {
        return custom_table(custom.columns(), objects, resource_version, query);
    }
    let cols = columns(rt);
    let include = query.get("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = objects
        .map(|o| {
            let mut row = json!({"cells": cols.iter().map(|c| (c.cell)(o)).collect::<Vec<_>>()});
            if let Some(object) = row_object(include, o) {
                row["object"] = object;
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": cols.iter().map(|c| json!({
            "name": c.name, "type": c.ty, "format": c.format, "description": c.description, "priority": c.priority,
        })).collect::<Vec<_>>(),
        "rows": rows,
    })
}
