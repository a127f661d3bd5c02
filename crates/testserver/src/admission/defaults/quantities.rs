//! Resource quantities are decoded into `resource.Quantity` and re-serialised canonically
//! (`1000m` becomes `1`, `1024Mi` becomes `1Gi`); a malformed one fails the decoding.

use serde_json::{Map, Value};

use super::DecodeError;
use crate::shared::quantity::Quantity;

fn canonical_in(map: &mut Map<String, Value>, kind: &str) -> Result<(), DecodeError> {
    for value in map.values_mut() {
        canonical_value(value, kind)?;
    }
    Ok(())
}

fn canonical_value(value: &mut Value, kind: &str) -> Result<(), DecodeError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Ok(()),
    };
    match Quantity::canonical(&text) {
        Some(c) => {
            *value = Value::String(c);
            Ok(())
        }
        None => Err(DecodeError::InvalidQuantity {
            kind: kind.to_owned(),
            value: text,
        }),
    }
}

/// Canonicalises the maps of quantities at each JSON pointer.
fn maps(obj: &mut Value, pointers: &[&str], kind: &str) -> Result<(), DecodeError> {
    for pointer in pointers {
        if let Some(map) = obj.pointer_mut(pointer).and_then(Value::as_object_mut) {
            canonical_in(map, kind)?;
        }
    }
    Ok(())
}

/// The quantities of a pod spec (containers, overhead, pod resources, emptyDir limits).
fn pod_spec(spec: &mut Value, kind: &str) -> Result<(), DecodeError> {
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        if let Some(containers) = spec.get_mut(key).and_then(Value::as_array_mut) {
            for c in containers {
                maps(c, &["/resources/limits", "/resources/requests"], kind)?;
            }
        }
    }
    maps(
        spec,
        &["/overhead", "/resources/limits", "/resources/requests"],
        kind,
    )?;
    if let Some(volumes) = spec.get_mut("volumes").and_then(Value::as_array_mut) {
        for v in volumes {
            if let Some(limit) = v.pointer_mut("/emptyDir/sizeLimit") {
                canonical_value(limit, kind)?;
            }
            maps(
                v,
                &[
                    "/ephemeral/volumeClaimTemplate/spec/resources/requests",
                    "/ephemeral/volumeClaimTemplate/spec/resources/limits",
                ],
                kind,
            )?;
        }
    }
    Ok(())
}

fn kind_of(obj: &Value) -> String {
    obj.get("kind")
        .and_then(Value::as_str)
        .unwrap_or("Object")
        .to_owned()
}

/// Canonicalises the quantities of the pod spec at `pointer` (`/spec` of a Pod,
/// `/spec/template/spec` of a workload).
///
/// # Errors
/// [`DecodeError::InvalidQuantity`] for a quantity that does not parse.
pub(crate) fn pod_spec_at(obj: &mut Value, pointer: &str) -> Result<(), DecodeError> {
    let kind = kind_of(obj);
    match obj.pointer_mut(pointer) {
        Some(spec) => pod_spec(spec, &kind),
        None => Ok(()),
    }
}

/// Canonicalises the maps of quantities at each JSON pointer (`/spec/capacity`).
///
/// # Errors
/// [`DecodeError::InvalidQuantity`] for a quantity that does not parse.
pub(crate) fn maps_at(obj: &mut Value, pointers: &[&str]) -> Result<(), DecodeError> {
    let kind = kind_of(obj);
    maps(obj, pointers, &kind)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{maps_at, pod_spec_at};

    #[test]
    fn quantities_are_canonical_after_decoding() {
        let mut pod = json!({"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "x",
            "resources": {"limits": {"cpu": "1000m", "memory": "1024Mi"}, "requests": {"cpu": 0.5}}}]}});
        pod_spec_at(&mut pod, "/spec").unwrap();
        crate::admission::defaults::pod::pod(&mut pod);
        assert_eq!(
            pod["spec"]["containers"][0]["resources"],
            json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}})
        );
        let mut claim = json!({"kind": "PersistentVolumeClaim", "spec": {"resources": {"requests": {"storage": "5GB"}}}});
        assert_eq!(
            maps_at(&mut claim, &["/spec/resources/requests"])
                .unwrap_err()
                .status_message(),
            "PersistentVolumeClaim in version \"v1\" cannot be handled as a PersistentVolumeClaim: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
    }
}
