//! Reading fields as the typed Go object has them (missing = zero value) and the small
//! formatting helpers of `printers.go`.

use serde_json::Value;

use crate::shared::quantity::Quantity;

/// The string at `pointer`, `""` when missing.
pub(crate) fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `text`, or `default` when it is empty.
pub(crate) fn or(text: &str, default: &str) -> String {
    if text.is_empty() { default } else { text }.to_owned()
}

/// The quantity at `pointer` as Go's `Quantity.String()` prints it (canonical), `0` when
/// missing.
pub(crate) fn quantity(obj: &Value, pointer: &str) -> String {
    match obj.pointer(pointer) {
        Some(Value::String(q)) => Quantity::canonical(q).unwrap_or_else(|| q.clone()),
        Some(Value::Number(n)) => Quantity::canonical(&n.to_string()).unwrap_or_default(),
        _ => "0".into(),
    }
}

/// Whether the object is being deleted (`deletionTimestamp` is set).
pub(crate) fn deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

/// The integer at `pointer`, 0 when missing.
pub(crate) fn int(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// The boolean at `pointer`, `false` when missing.
pub(crate) fn boolean(obj: &Value, pointer: &str) -> bool {
    obj.pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The list at `pointer`, empty when missing.
pub(crate) fn items<'a>(obj: &'a Value, pointer: &str) -> &'a [Value] {
    obj.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The number of entries of the list or map at `pointer`.
pub(crate) fn len(obj: &Value, pointer: &str) -> i64 {
    let n = match obj.pointer(pointer) {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        _ => 0,
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The `status` of the first condition of type `ty` in the list at `pointer`.
pub(crate) fn condition_status<'a>(obj: &'a Value, pointer: &str, ty: &str) -> Option<&'a str> {
    items(obj, pointer)
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
        .map(|c| text(c, "/status"))
}

/// `layoutContainerCells`: the names and the images of the containers at `pointer`, each
/// joined by `,`.
pub(crate) fn containers(obj: &Value, pointer: &str) -> (String, String) {
    let list = items(obj, pointer);
    let join = |key: &str| {
        list.iter()
            .map(|c| text(c, key))
            .collect::<Vec<_>>()
            .join(",")
    };
    (join("/name"), join("/image"))
}

/// `listWithMoreString`: the first `max` of `count` entries joined by `,`, then
/// ` + N more...`; `<unset>` when there are none.
pub(crate) fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let joined = list.join(",");
    if more {
        return format!("{joined} + {} more...", count.saturating_sub(max));
    }
    if joined.is_empty() {
        return "<unset>".into();
    }
    joined
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn zero_values_and_containers() {
        let obj = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        assert_eq!(text(&obj, "/spec/nodeName"), "");
        assert_eq!(int(&obj, "/spec/replicas"), 0);
        assert_eq!(len(&obj, "/spec/containers"), 2);
        assert_eq!(
            containers(&obj, "/spec/containers"),
            ("a,b".to_owned(), "x,y".to_owned())
        );
        assert_eq!(
            containers(&obj, "/spec/initContainers"),
            (String::new(), String::new())
        );
        assert_eq!(list_with_more(&[], false, 0, 3), "<unset>");
        let three = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(list_with_more(&three, true, 5, 3), "a,b,c + 2 more...");
    }
}
