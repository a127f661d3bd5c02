//! The `scale` subresource of a custom resource (apiextensions-apiserver's `ScaleREST`): an
//! `autoscaling/v1` Scale read from, and written to, the paths the CRD names
//! (`specReplicasPath`, `statusReplicasPath`, `labelSelectorPath`).
//!
//! Guarantee: a scale write changes only the value at `specReplicasPath` (and the object's
//! generation and `managedFields`, as any spec write does).

use serde_json::{Value, json};

use crate::validation::{FieldError, Invalid};

/// `.spec.replicas` -> `/spec/replicas`.
fn pointer(path: &str) -> String {
    path.replace('.', "/")
}

fn path<'a>(scale: &'a Value, key: &str) -> Option<&'a str> {
    scale.get(key).and_then(Value::as_str)
}

/// Whether `obj` has a value at the scale subresource's `specReplicasPath` (a GET of the
/// scale of an object without one is the real server's 500).
pub(crate) fn has_spec_replicas(scale: &Value, obj: &Value) -> bool {
    path(scale, "specReplicasPath").is_some_and(|p| obj.pointer(&pointer(p)).is_some())
}

/// The spec replicas path (`.spec.replicas`), for messages.
pub(crate) fn spec_replicas_path(scale: &Value) -> &str {
    path(scale, "specReplicasPath").unwrap_or("")
}

/// The Scale of `obj` under the CRD version's scale subresource `scale`.
pub(crate) fn to_scale(scale: &Value, obj: &Value) -> Value {
    let read = |key: &str| {
        path(scale, key)
            .and_then(|p| obj.pointer(&pointer(p)))
            .cloned()
    };
    let meta = obj.get("metadata").cloned().unwrap_or_default();
    let keep = [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ];
    let metadata: serde_json::Map<String, Value> = keep
        .iter()
        .filter_map(|k| meta.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect();
    let mut status = json!({"replicas": read("statusReplicasPath").unwrap_or(json!(0))});
    if let Some(Value::String(selector)) = read("labelSelectorPath") {
        status["selector"] = selector.into();
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": metadata,
        "spec": {"replicas": read("specReplicasPath").unwrap_or(json!(0))},
        "status": status,
    })
}

/// `obj` with the replicas of `new_scale` written to `specReplicasPath`, or the 422 of a
/// negative count.
pub(crate) fn apply(scale: &Value, obj: &Value, new_scale: &Value) -> Result<Value, Invalid> {
    let replicas = new_scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let name = crate::crd::meta_str(obj, "name");
    if replicas < 0 {
        return Err(Invalid::new(
            "autoscaling",
            "Scale",
            name,
            vec![FieldError::invalid(
                "spec.replicas",
                replicas,
                "must be greater than or equal to 0",
            )],
        ));
    }
    let mut out = obj.clone();
    if let Some(p) = path(scale, "specReplicasPath") {
        let segments: Vec<&str> = p.trim_start_matches('.').split('.').collect();
        let mut at = &mut out;
        for (i, seg) in segments.iter().enumerate() {
            if !at.is_object() {
                *at = json!({});
            }
            let last = i + 1 == segments.len();
            let next = at
                .as_object_mut()
                .map(|m| m.entry((*seg).to_owned()).or_insert(Value::Null));
            let Some(next) = next else {
                break;
            };
            if last {
                *next = replicas.into();
                break;
            }
            at = next;
        }
    }
    if let Some(rv) = new_scale.pointer("/metadata/resourceVersion")
        && let Some(m) = crate::crd::meta_mut(&mut out)
    {
        m.insert("resourceVersion".into(), rv.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_reads_and_writes_the_named_paths() {
        let sub = json!({"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
            "labelSelectorPath": ".status.selector"});
        let obj = json!({"metadata": {"name": "w", "labels": {"a": "b"}}, "spec": {"replicas": 2, "x": 1},
            "status": {"replicas": 1, "selector": "app=w"}});
        assert_eq!(
            to_scale(&sub, &obj),
            json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": "w"},
                "spec": {"replicas": 2}, "status": {"replicas": 1, "selector": "app=w"}})
        );
        let scaled = apply(&sub, &obj, &json!({"spec": {"replicas": 5}})).unwrap();
        assert_eq!(scaled["spec"], json!({"replicas": 5, "x": 1}));
        assert!(apply(&sub, &obj, &json!({"spec": {"replicas": -1}})).is_err());
    }
}
