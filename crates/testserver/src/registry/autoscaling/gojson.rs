//! JSON text as Go's `encoding/json` prints a typed value: fields in the struct's order,
//! `omitempty` fields left out, strings with `<`, `>` and `&` escaped. The round-trip
//! annotations of autoscaling/v1 HorizontalPodAutoscalers hold such text.

use serde_json::Value;

use crate::shared::quantity::Quantity;

/// An object of the given fields in order; `None` values (an empty `omitempty` field) are
/// left out. Values are JSON text.
pub(super) fn object(fields: &[(&str, Option<String>)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{}:{v}", string(k))))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A JSON array of the given JSON texts.
pub(super) fn array(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

/// A string as `json.Marshal` quotes it (HTML-safe escapes).
pub(super) fn string(s: &str) -> String {
    let quoted = Value::String(s.to_owned()).to_string();
    quoted
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `v[key]` as a string field (`""` when missing), printed whatever its emptiness.
pub(super) fn text(v: &Value, key: &str) -> Option<String> {
    Some(string(v.get(key).and_then(Value::as_str).unwrap_or("")))
}

/// `v[key]` as an `omitempty` string field.
pub(super) fn text_omitempty(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(string)
}

/// `v[key]` as an `omitempty` pointer to an integer.
pub(super) fn int_ptr(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_i64).map(|n| n.to_string())
}

/// The canonical text of a quantity field (a string or a number), or `None` when unset.
pub(super) fn quantity_text(v: Option<&Value>) -> Option<String> {
    let raw = match v? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(Quantity::canonical(&raw).unwrap_or(raw))
}

/// An `omitempty` `*resource.Quantity` field.
pub(super) fn quantity_ptr(v: Option<&Value>) -> Option<String> {
    quantity_text(v).map(|q| string(&q))
}

/// A `resource.Quantity` value field: `"0"` when unset.
pub(super) fn quantity(v: Option<&Value>) -> Option<String> {
    Some(string(&quantity_text(v).unwrap_or_else(|| "0".into())))
}

/// An `omitempty` `*metav1.LabelSelector`: `matchLabels` (keys sorted, as Go prints maps),
/// then `matchExpressions`.
pub(super) fn selector(v: Option<&Value>) -> Option<String> {
    let sel = v.filter(|s| s.is_object())?;
    let labels = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .map(|m| {
            let pairs: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", string(k), string(v.as_str().unwrap_or(""))))
                .collect();
            format!("{{{}}}", pairs.join(","))
        });
    let expressions = sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .map(|a| {
            array(a.iter().map(|e| {
                let values = e
                    .get("values")
                    .and_then(Value::as_array)
                    .filter(|vs| !vs.is_empty())
                    .map(|vs| array(vs.iter().map(|x| string(x.as_str().unwrap_or("")))));
                object(&[
                    ("key", text(e, "key")),
                    ("operator", text(e, "operator")),
                    ("values", values),
                ])
            }))
        });
    Some(object(&[
        ("matchLabels", labels),
        ("matchExpressions", expressions),
    ]))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_keep_their_order_and_empty_ones_vanish() {
        assert_eq!(
            object(&[
                ("b", Some("1".into())),
                ("a", None),
                ("c", string("<&>").into())
            ]),
            r#"{"b":1,"c":"\u003c\u0026\u003e"}"#
        );
        assert_eq!(quantity(None).unwrap(), r#""0""#);
        assert_eq!(quantity(Some(&json!("1000m"))).unwrap(), r#""1""#);
        assert_eq!(
            selector(Some(&json!({"matchLabels": {"b": "2", "a": "1"}}))).unwrap(),
            r#"{"matchLabels":{"a":"1","b":"2"}}"#
        );
    }
}
