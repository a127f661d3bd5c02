//! The access reviews' `metadata` rule (`ValidateSelfSubjectAccessReview`,
//! `ValidateSubjectAccessReview`, `ValidateLocalSubjectAccessReview`): a review's
//! `ObjectMeta` must be empty but for the `managedFields` the create handler's field manager
//! added (and, for a LocalSubjectAccessReview, its namespace).
//!
//! The error prints the whole `ObjectMeta` as `encoding/json` marshals it (Go's field order,
//! `omitempty`, a zero `creationTimestamp` left out), the `managedFields` entry included, as
//! the validation sees it after the field manager ran. "Empty" is apimachinery's semantic
//! equality: an empty map or list is as good as none.

use serde_json::{Map, Value};

use super::access::{FieldError, Stamp, field_invalid, managed_fields_entry};

/// `ObjectMeta`'s JSON fields in Go's declaration order.
const FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// `OwnerReference`'s JSON fields in Go's declaration order.
const OWNER_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "uid",
    "controller",
    "blockOwnerDeletion",
];

/// `ManagedFieldsEntry`'s JSON fields in Go's declaration order.
const ENTRY_FIELDS: &[&str] = &[
    "manager",
    "operation",
    "apiVersion",
    "time",
    "fieldsType",
    "fieldsV1",
    "subresource",
];

/// Whether `encoding/json`'s `omitempty` (or `omitzero`) leaves the field `key` out; the
/// pointer fields (`deletionTimestamp`, `deletionGracePeriodSeconds`) only when absent.
fn omitted(key: &str, v: &Value) -> bool {
    match (key, v) {
        (_, Value::Null) => true,
        ("deletionTimestamp" | "deletionGracePeriodSeconds", _) => false,
        (_, Value::String(s)) => s.is_empty(),
        (_, Value::Number(n)) => n.as_f64() == Some(0.0),
        (_, Value::Bool(b)) => !b,
        (_, Value::Array(a)) => a.is_empty(),
        (_, Value::Object(m)) => m.is_empty(),
    }
}

/// `v` as JSON with the keys of an object in `order` (others dropped, as the Go struct has no
/// field for them); maps (`labels`) keep serde's sorted order, which is Go's.
fn ordered(v: &Map<String, Value>, order: &[&str], inner: fn(&str, &Value) -> String) -> String {
    let parts: Vec<String> = order
        .iter()
        .filter_map(|k| {
            let value = v.get(*k).filter(|value| !omitted(k, value))?;
            Some(format!("{}:{}", Value::from(*k), inner(k, value)))
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn meta_field(key: &str, v: &Value) -> String {
    let items = |order: &'static [&'static str]| match v {
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match item {
                    Value::Object(m) => ordered(m, order, |_, v| v.to_string()),
                    other => other.to_string(),
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    };
    match key {
        "ownerReferences" => items(OWNER_FIELDS),
        "managedFields" => items(ENTRY_FIELDS),
        _ => v.to_string(),
    }
}

/// The `metadata` error of a review `request`, if it has one. `local` is a
/// LocalSubjectAccessReview's (whose namespace may be set); `stamp` makes the `managedFields`
/// entry the field manager adds before validation.
pub(super) fn metadata_error(
    request: &Value,
    local: bool,
    stamp: &Stamp<'_>,
) -> Option<FieldError> {
    let mut meta = request
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let ignored: &[&str] = if local {
        &["managedFields", "namespace"]
    } else {
        &["managedFields"]
    };
    let empty = FIELDS
        .iter()
        .filter(|k| !ignored.contains(k))
        .all(|k| meta.get(*k).is_none_or(|v| omitted(k, v)));
    if empty {
        return None;
    }
    match managed_fields_entry(request, stamp) {
        Some(entry) => meta.insert("managedFields".into(), Value::Array(vec![entry])),
        None => meta.remove("managedFields"),
    };
    let detail = if local {
        "must be empty except for namespace"
    } else {
        "must be empty"
    };
    Some(field_invalid(
        "metadata",
        &ordered(&meta, FIELDS, meta_field),
        detail,
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const STAMP: Stamp<'static> = Stamp {
        manager: "kubectl",
        now: "2026-01-02T03:04:05Z",
    };

    #[track_caller]
    fn check(request: Value, local: bool, expected: Option<&str>) {
        let got = metadata_error(&request, local, &STAMP).map(|e| e.body);
        assert_eq!(got.as_deref(), expected, "{request}");
    }

    #[test]
    fn empty_metadata_passes() {
        let spec = json!({"resourceAttributes": {"verb": "get", "resource": "pods"}});
        check(json!({"spec": spec}), false, None);
        // semantic equality: empty maps, lists and strings are no content
        check(
            json!({"metadata": {"name": "", "labels": {}, "finalizers": []}, "spec": spec}),
            false,
            None,
        );
        // what the client sends as managedFields is replaced by the field manager's
        check(
            json!({"metadata": {"managedFields": [{"manager": "x"}]}, "spec": spec}),
            false,
            None,
        );
        check(
            json!({"metadata": {"namespace": "ns"}, "spec": spec}),
            true,
            None,
        );
    }

    /// `field.Invalid(field.NewPath("metadata"), sar.ObjectMeta, ...)`: the value is the
    /// `ObjectMeta` marshalled by `encoding/json`, with the field manager's entry.
    #[test]
    fn the_value_is_the_object_meta_as_go_marshals_it() {
        let spec = json!({"resourceAttributes": {"verb": "get", "resource": "pods"}});
        check(
            json!({"apiVersion": "authorization.k8s.io/v1", "metadata": {"labels": {"b": "2", "a": "1"}, "name": "x"}, "spec": spec}),
            false,
            Some(
                "Invalid value: {\"name\":\"x\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"apiVersion\":\"authorization.k8s.io/v1\",\"time\":\"2026-01-02T03:04:05Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:a\":{},\"f:b\":{}}},\"f:spec\":{\"f:resourceAttributes\":{\".\":{},\"f:resource\":{},\"f:verb\":{}}}}}]}: must be empty",
            ),
        );
        check(
            json!({"apiVersion": "authorization.k8s.io/v1", "metadata": {"namespace": "ns", "generateName": "r-"}, "spec": spec}),
            true,
            Some(
                "Invalid value: {\"generateName\":\"r-\",\"namespace\":\"ns\",\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"apiVersion\":\"authorization.k8s.io/v1\",\"time\":\"2026-01-02T03:04:05Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:generateName\":{}},\"f:spec\":{\"f:resourceAttributes\":{\".\":{},\"f:resource\":{},\"f:verb\":{}}}}}]}: must be empty except for namespace",
            ),
        );
    }
}
