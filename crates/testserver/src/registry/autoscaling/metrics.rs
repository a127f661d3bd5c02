//! One metric, spec or status, between autoscaling/v2 (the stored form, shaped as the internal
//! type) and autoscaling/v1's annotation form (`k8s.io/api/autoscaling/v1` `MetricSpec` and
//! `MetricStatus`), as `Convert_autoscaling_MetricSpec_To_v1_MetricSpec`,
//! `Convert_v1_MetricSpec_To_autoscaling_MetricSpec` and their `MetricStatus` twins of
//! `pkg/apis/autoscaling/v1/conversion.go` convert it.
//!
//! The v1 text is what `json.Marshal` prints; v1's non-pointer quantities print `"0"` when the
//! v2 value is unset, and read back as a set `"0"`. Annotations are read as
//! `json.Unmarshal` reads them: field names match without regard to case.

use serde_json::{Map, Value, json};

use super::gojson::{
    int_ptr, object, quantity, quantity_ptr, quantity_text, selector, text, text_omitempty,
};

/// `v[key]`, the key matched without regard to case, as `encoding/json` matches it.
pub(super) fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    map.get(key)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .filter(|v| !v.is_null())
}

fn source<'a>(m: &'a Value, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| v.is_object())
}

/// `CrossVersionObjectReference` in v1's text.
fn reference(r: Option<&Value>) -> Option<String> {
    let null = Value::Null;
    let r = r.unwrap_or(&null);
    Some(object(&[
        ("kind", text(r, "kind")),
        ("name", text(r, "name")),
        ("apiVersion", text_omitempty(r, "apiVersion")),
    ]))
}

/// What tells v1's `MetricSpec` and `MetricStatus` apart in their text.
struct Side {
    /// v2's value holder and v1's field-name prefix: `target` or `current`.
    holder: &'static str,
    /// Whether v1's resource average value and external value are pointers (`MetricSpec`:
    /// absent when unset) or values (`MetricStatus`: `"0"` when unset).
    optional_values: bool,
}

/// The v1 text of a v2 `MetricSpec`.
pub(super) fn spec_to_v1(m: &Value) -> String {
    to_v1(
        m,
        &Side {
            holder: "target",
            optional_values: true,
        },
    )
}

/// The v1 text of a v2 `MetricStatus`.
pub(super) fn status_to_v1(m: &Value) -> String {
    to_v1(
        m,
        &Side {
            holder: "current",
            optional_values: false,
        },
    )
}

/// The v1 text of a v2 metric, spec or status, as `side` says.
fn to_v1(m: &Value, side: &Side) -> String {
    let held = |s: &Value| s.get(side.holder).cloned().unwrap_or(Value::Null);
    let metric = |s: &Value| s.get("metric").cloned().unwrap_or(Value::Null);
    let maybe = |v: Option<&Value>| {
        if side.optional_values {
            quantity_ptr(v)
        } else {
            quantity(v)
        }
    };
    let value = format!("{}Value", side.holder);
    let average_value = format!("{}AverageValue", side.holder);
    let average_utilization = format!("{}AverageUtilization", side.holder);
    let object_src = source(m, "object").map(|s| {
        let (v, id) = (held(s), metric(s));
        object(&[
            ("target", reference(s.get("describedObject"))),
            ("metricName", text(&id, "name")),
            (&value, quantity(v.get("value"))),
            ("selector", selector(id.get("selector"))),
            ("averageValue", quantity_ptr(v.get("averageValue"))),
        ])
    });
    let pods = source(m, "pods").map(|s| {
        let (v, id) = (held(s), metric(s));
        object(&[
            ("metricName", text(&id, "name")),
            (&average_value, quantity(v.get("averageValue"))),
            ("selector", selector(id.get("selector"))),
        ])
    });
    let resource = |s: &Value, container: bool| {
        let v = held(s);
        object(&[
            ("name", text(s, "name")),
            (&average_utilization, int_ptr(&v, "averageUtilization")),
            (&average_value, maybe(v.get("averageValue"))),
            (
                "container",
                container.then(|| text(s, "container")).flatten(),
            ),
        ])
    };
    let external = source(m, "external").map(|s| {
        let (v, id) = (held(s), metric(s));
        object(&[
            ("metricName", text(&id, "name")),
            ("metricSelector", selector(id.get("selector"))),
            (&value, maybe(v.get("value"))),
            (&average_value, quantity_ptr(v.get("averageValue"))),
        ])
    });
    object(&[
        ("type", text(m, "type")),
        ("object", object_src),
        ("pods", pods),
        (
            "resource",
            source(m, "resource").map(|s| resource(s, false)),
        ),
        (
            "containerResource",
            source(m, "containerResource").map(|s| resource(s, true)),
        ),
        ("external", external),
    ])
}

/// Inserts `key: value` when `value` is set.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

fn q(v: Option<&Value>) -> Option<Value> {
    quantity_text(v).map(Value::String)
}

fn q0(v: Option<&Value>) -> Value {
    Value::String(quantity_text(v).unwrap_or_else(|| "0".into()))
}

fn string_of(v: &Value, key: &str) -> Value {
    Value::String(
        field(v, key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    )
}

/// v2's `MetricIdentifier` from v1's name and selector fields.
fn identifier(s: &Value, name: &str, sel: &str) -> Value {
    let mut id = Map::new();
    id.insert("name".into(), string_of(s, name));
    put(&mut id, "selector", field(s, sel).cloned());
    Value::Object(id)
}

/// v2's `CrossVersionObjectReference` from v1's.
fn reference_v2(r: Option<&Value>) -> Value {
    let null = Value::Null;
    let r = r.unwrap_or(&null);
    let mut out = Map::new();
    out.insert("kind".into(), string_of(r, "kind"));
    out.insert("name".into(), string_of(r, "name"));
    if let Some(v) = field(r, "apiVersion").filter(|v| v.as_str() != Some("")) {
        out.insert("apiVersion".into(), v.clone());
    }
    Value::Object(out)
}

fn obj(pairs: Vec<(&str, Option<Value>)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        put(&mut map, k, v);
    }
    Value::Object(map)
}

/// A v2 `MetricSpec` from v1's (`Convert_v1_MetricSpec_To_autoscaling_MetricSpec`).
pub(super) fn spec_from_v1(m: &Value) -> Value {
    let src = |key: &str| field(m, key).filter(|v| v.is_object());
    let object_src = src("object").map(|s| {
        let average = q(field(s, "averageValue"));
        let kind = if average.is_none() {
            "Value"
        } else {
            "AverageValue"
        };
        obj(vec![
            ("describedObject", Some(reference_v2(field(s, "target")))),
            ("metric", Some(identifier(s, "metricName", "selector"))),
            (
                "target",
                Some(obj(vec![
                    ("type", Some(json!(kind))),
                    ("value", Some(q0(field(s, "targetValue")))),
                    ("averageValue", average),
                ])),
            ),
        ])
    });
    let pods = src("pods").map(|s| {
        json!({"metric": identifier(s, "metricName", "selector"),
            "target": {"type": "AverageValue", "averageValue": q0(field(s, "targetAverageValue"))}})
    });
    let resource = |s: &Value, container: bool| {
        let utilization = field(s, "targetAverageUtilization").cloned();
        let kind = if utilization.is_none() {
            "AverageValue"
        } else {
            "Utilization"
        };
        obj(vec![
            ("name", Some(string_of(s, "name"))),
            ("container", container.then(|| string_of(s, "container"))),
            (
                "target",
                Some(obj(vec![
                    ("type", Some(json!(kind))),
                    ("averageUtilization", utilization),
                    ("averageValue", q(field(s, "targetAverageValue"))),
                ])),
            ),
        ])
    };
    let external = src("external").map(|s| {
        let value = q(field(s, "targetValue"));
        let kind = if value.is_none() {
            "AverageValue"
        } else {
            "Value"
        };
        obj(vec![
            (
                "metric",
                Some(identifier(s, "metricName", "metricSelector")),
            ),
            (
                "target",
                Some(obj(vec![
                    ("type", Some(json!(kind))),
                    ("value", value),
                    ("averageValue", q(field(s, "targetAverageValue"))),
                ])),
            ),
        ])
    });
    obj(vec![
        ("type", Some(string_of(m, "type"))),
        ("object", object_src),
        ("pods", pods),
        ("resource", src("resource").map(|s| resource(s, false))),
        (
            "containerResource",
            src("containerResource").map(|s| resource(s, true)),
        ),
        ("external", external),
    ])
}

/// A v2 `MetricStatus` from v1's (`Convert_v1_MetricStatus_To_autoscaling_MetricStatus`).
pub(super) fn status_from_v1(m: &Value) -> Value {
    let src = |key: &str| field(m, key).filter(|v| v.is_object());
    let object_src = src("object").map(|s| {
        obj(vec![
            ("describedObject", Some(reference_v2(field(s, "target")))),
            ("metric", Some(identifier(s, "metricName", "selector"))),
            (
                "current",
                Some(obj(vec![
                    ("value", Some(q0(field(s, "currentValue")))),
                    ("averageValue", q(field(s, "averageValue"))),
                ])),
            ),
        ])
    });
    let pods = src("pods").map(|s| {
        json!({"metric": identifier(s, "metricName", "selector"),
            "current": {"averageValue": q0(field(s, "currentAverageValue"))}})
    });
    let resource = |s: &Value, container: bool| {
        obj(vec![
            ("name", Some(string_of(s, "name"))),
            ("container", container.then(|| string_of(s, "container"))),
            (
                "current",
                Some(obj(vec![
                    ("averageValue", Some(q0(field(s, "currentAverageValue")))),
                    (
                        "averageUtilization",
                        field(s, "currentAverageUtilization").cloned(),
                    ),
                ])),
            ),
        ])
    };
    let external = src("external").map(|s| {
        obj(vec![
            (
                "metric",
                Some(identifier(s, "metricName", "metricSelector")),
            ),
            (
                "current",
                Some(obj(vec![
                    ("value", Some(q0(field(s, "currentValue")))),
                    ("averageValue", q(field(s, "currentAverageValue"))),
                ])),
            ),
        ])
    });
    obj(vec![
        ("type", Some(string_of(m, "type"))),
        ("object", object_src),
        ("pods", pods),
        ("resource", src("resource").map(|s| resource(s, false))),
        (
            "containerResource",
            src("containerResource").map(|s| resource(s, true)),
        ),
        ("external", external),
    ])
}
