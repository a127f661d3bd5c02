//! Events as Go's typed decoding and encoding leave them, in both versions, and the conversion
//! between them (`pkg/apis/events/v1/conversion.go`, through the internal `core.Event`).
//!
//! Neither version has `SetDefaults_Event`, but a typed round trip is not the identity: fields
//! without `omitempty`, structs and `metav1.Time`s are always printed (`""`, `{}`, `null`),
//! empty `omitempty` strings and zero counts vanish. Both forms here are exactly what
//! `encoding/json` prints for the typed object, so converting there and back loses nothing the
//! real server keeps.

use serde_json::{Map, Value};

/// How a field of `core/v1.Event` or `events/v1.Event` is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    /// `string` with `omitempty`: absent when empty.
    Str,
    /// `string` without `omitempty`: `""` when empty.
    StrAlways,
    /// `int32` with `omitempty`: absent when zero.
    Int,
    /// `metav1.Time` (a struct, so `omitempty` never applies): `null` when zero, else UTC in
    /// whole seconds, as its `MarshalJSON` prints it.
    Time,
    /// `metav1.MicroTime`: as `Time`, with six fractional digits.
    MicroTime,
    /// `ObjectReference` or `EventSource` value: `{}` when empty, its strings `omitempty`.
    Struct,
    /// `*ObjectReference` with `omitempty`: absent when nil, its strings `omitempty`.
    Ref,
    /// `*EventSeries` with `omitempty`: absent when nil.
    Series,
}

/// The fields of both versions: core/v1 name, events.k8s.io/v1 name, and how each version
/// prints it.
const FIELDS: &[(&str, &str, Ty, Ty)] = &[
    ("involvedObject", "regarding", Ty::Struct, Ty::Struct),
    ("reason", "reason", Ty::Str, Ty::Str),
    ("message", "note", Ty::Str, Ty::Str),
    ("source", "deprecatedSource", Ty::Struct, Ty::Struct),
    (
        "firstTimestamp",
        "deprecatedFirstTimestamp",
        Ty::Time,
        Ty::Time,
    ),
    (
        "lastTimestamp",
        "deprecatedLastTimestamp",
        Ty::Time,
        Ty::Time,
    ),
    ("count", "deprecatedCount", Ty::Int, Ty::Int),
    ("type", "type", Ty::Str, Ty::Str),
    ("eventTime", "eventTime", Ty::MicroTime, Ty::MicroTime),
    ("series", "series", Ty::Series, Ty::Series),
    ("action", "action", Ty::Str, Ty::Str),
    ("related", "related", Ty::Ref, Ty::Ref),
    (
        "reportingComponent",
        "reportingController",
        Ty::StrAlways,
        Ty::Str,
    ),
    (
        "reportingInstance",
        "reportingInstance",
        Ty::StrAlways,
        Ty::Str,
    ),
];

/// Which version a form is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Core,
    EventsV1,
}

impl Form {
    fn name(self, field: &(&'static str, &'static str, Ty, Ty)) -> &'static str {
        match self {
            Form::Core => field.0,
            Form::EventsV1 => field.1,
        }
    }

    fn ty(self, field: &(&'static str, &'static str, Ty, Ty)) -> Ty {
        match self {
            Form::Core => field.2,
            Form::EventsV1 => field.3,
        }
    }

    fn api_version(self) -> &'static str {
        match self {
            Form::Core => "v1",
            Form::EventsV1 => "events.k8s.io/v1",
        }
    }
}

/// Whether `v` is Go's zero for a field printed as `ty`.
fn is_zero(v: &Value, ty: Ty) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => {
            s.is_empty() && matches!(ty, Ty::Str | Ty::StrAlways | Ty::Time | Ty::MicroTime)
        }
        Value::Number(n) => n.as_f64() == Some(0.0) && ty == Ty::Int,
        _ => false,
    }
}

/// A time as its `MarshalJSON` prints it: `t.UTC().Format(time.RFC3339)` for a `metav1.Time`,
/// `t.UTC().Format(metav1.RFC3339Micro)` for a `MicroTime`. The decoder refused what does not
/// parse; anything else is left as it is.
fn utc(v: &Value, ty: Ty) -> Value {
    use time::format_description::well_known::Rfc3339;
    let Some(parsed) = v
        .as_str()
        .and_then(|s| time::OffsetDateTime::parse(s, &Rfc3339).ok())
    else {
        return v.clone();
    };
    let t = parsed.to_offset(time::UtcOffset::UTC);
    let seconds = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Value::String(match ty {
        Ty::MicroTime => format!("{seconds}.{:06}Z", t.microsecond()),
        _ => format!("{seconds}Z"),
    })
}

/// An `ObjectReference` or `EventSource` as Go prints it: empty strings dropped.
fn reference(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An `EventSeries` as `form` prints it: core/v1 omits a zero count, events.k8s.io/v1 does
/// not; both print `lastObservedTime` (`null` when zero).
fn series(v: &Value, form: Form) -> Value {
    let Value::Object(m) = v else {
        return v.clone();
    };
    let mut out = Map::new();
    match m.get("count") {
        Some(c) if !is_zero(c, Ty::Int) => {
            out.insert("count".into(), c.clone());
        }
        _ if form == Form::EventsV1 => {
            out.insert("count".into(), 0.into());
        }
        _ => {}
    }
    let last = m
        .get("lastObservedTime")
        .map_or(Value::Null, |t| utc(t, Ty::MicroTime));
    out.insert("lastObservedTime".into(), last);
    Value::Object(out)
}

/// The value `v` of a field printed as `ty` in `form`, or `None` when Go leaves it out.
fn printed(v: Option<&Value>, ty: Ty, form: Form) -> Option<Value> {
    let v = v.filter(|v| !is_zero(v, ty));
    match (ty, v) {
        (Ty::Str | Ty::Int | Ty::Ref | Ty::Series, None) => None,
        (Ty::StrAlways, None) => Some(Value::String(String::new())),
        (Ty::Time | Ty::MicroTime, None) => Some(Value::Null),
        (Ty::Time | Ty::MicroTime, Some(v)) => Some(utc(v, ty)),
        (Ty::Struct, None) => Some(Value::Object(Map::new())),
        (Ty::Struct | Ty::Ref, Some(v)) => Some(reference(v)),
        (Ty::Series, Some(v)) => Some(series(v, form)),
        (_, Some(v)) => Some(v.clone()),
    }
}

/// Moves the event fields of `from` (in form `src`) into `out` (in form `dst`), printed as Go
/// prints `dst`. Other top-level keys stay as they are when converting in place.
fn fill(out: &mut Map<String, Value>, from: &Map<String, Value>, src: Form, dst: Form) {
    for field in FIELDS {
        let value = printed(from.get(src.name(field)), dst.ty(field), dst);
        if src != dst {
            out.remove(src.name(field));
        }
        match value {
            Some(v) => out.insert(dst.name(field).into(), v),
            None => out.remove(dst.name(field)),
        };
    }
}

/// A core/v1 Event as a typed core/v1 Event prints it (see the module docs); other keys are
/// left alone. What the server's decoding of a core/v1 Event body gives.
pub(crate) fn core_event(obj: &mut Value) {
    canonical(obj, Form::Core);
}

fn canonical(obj: &mut Value, form: Form) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    let from = map.clone();
    fill(map, &from, form, form);
}

/// An events.k8s.io/v1 Event as the core/v1 Event it is stored as
/// (`Convert_v1_Event_To_core_Event`, then core/v1 printing).
pub(crate) fn events_v1_to_core(obj: &Value) -> Value {
    convert(obj, Form::EventsV1, Form::Core)
}

/// A stored core/v1 Event as an events.k8s.io/v1 Event (`Convert_core_Event_To_v1_Event`).
pub(crate) fn core_to_events_v1(obj: &Value) -> Value {
    convert(obj, Form::Core, Form::EventsV1)
}

fn convert(obj: &Value, src: Form, dst: Form) -> Value {
    let Some(from) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    out.insert("kind".into(), "Event".into());
    out.insert("apiVersion".into(), dst.api_version().into());
    if let Some(meta) = from.get("metadata") {
        out.insert("metadata".into(), meta.clone());
    }
    fill(&mut out, from, src, dst);
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn core_events_print_as_go_prints_them() {
        // as the real server answered the create of the events-core transcript
        let mut ev = json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p", "uid": ""},
            "reason": "", "message": "hi", "count": 0, "source": {"component": "c", "host": ""}});
        core_event(&mut ev);
        assert_eq!(
            ev,
            json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"}, "message": "hi",
                "source": {"component": "c"}, "firstTimestamp": null, "lastTimestamp": null, "eventTime": null,
                "reportingComponent": "", "reportingInstance": ""})
        );
    }

    #[test]
    fn a_core_event_reads_as_the_real_server_prints_it_in_events_v1() {
        // the events-core transcript's core Event, read through events.k8s.io/v1
        let core = json!({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "p1.0001"},
            "involvedObject": {"kind": "Pod", "namespace": "ns", "name": "p1", "apiVersion": "v1"},
            "reason": "Scheduled", "message": "hello", "source": {"component": "transcripts"},
            "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:01:00Z", "count": 2,
            "type": "Normal", "eventTime": null, "reportingComponent": "", "reportingInstance": ""});
        assert_eq!(
            core_to_events_v1(&core),
            json!({"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": {"name": "p1.0001"},
                "eventTime": null, "reason": "Scheduled",
                "regarding": {"kind": "Pod", "namespace": "ns", "name": "p1", "apiVersion": "v1"},
                "note": "hello", "type": "Normal", "deprecatedSource": {"component": "transcripts"},
                "deprecatedFirstTimestamp": "2024-01-01T00:00:00Z",
                "deprecatedLastTimestamp": "2024-01-01T00:01:00Z", "deprecatedCount": 2})
        );
        assert_eq!(events_v1_to_core(&core_to_events_v1(&core)), core);
    }

    #[test]
    fn every_field_converts_both_ways() {
        let v1 = json!({"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": {"name": "e", "namespace": "ns"},
            "eventTime": "2024-01-01T00:00:00.000001Z", "series": {"count": 2, "lastObservedTime": "2024-01-01T00:00:05.000000Z"},
            "reportingController": "example.com/c", "reportingInstance": "c-1", "action": "Bind", "reason": "Scheduled",
            "regarding": {"kind": "Pod", "name": "p"}, "related": {"kind": "Node", "name": "n"}, "note": "bound",
            "type": "Normal", "deprecatedSource": {"component": "s", "host": "h"},
            "deprecatedFirstTimestamp": "2024-01-01T00:00:00Z", "deprecatedLastTimestamp": "2024-01-01T00:00:01Z",
            "deprecatedCount": 3});
        let core = events_v1_to_core(&v1);
        assert_eq!(
            core,
            json!({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e", "namespace": "ns"},
                "eventTime": "2024-01-01T00:00:00.000001Z", "series": {"count": 2, "lastObservedTime": "2024-01-01T00:00:05.000000Z"},
                "reportingComponent": "example.com/c", "reportingInstance": "c-1", "action": "Bind", "reason": "Scheduled",
                "involvedObject": {"kind": "Pod", "name": "p"}, "related": {"kind": "Node", "name": "n"}, "message": "bound",
                "type": "Normal", "source": {"component": "s", "host": "h"},
                "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:01Z", "count": 3})
        );
        assert_eq!(core_to_events_v1(&core), v1);
    }

    #[test]
    fn times_print_in_utc_as_their_go_types_do() {
        let mut ev = json!({"eventTime": "2024-01-01T01:00:00.000001+01:00",
            "firstTimestamp": "2024-01-01T01:00:00.75+01:00", "lastTimestamp": "2024-01-01T00:00:01Z",
            "series": {"count": 2, "lastObservedTime": "2024-01-01T00:00:05.500000-02:00"}});
        core_event(&mut ev);
        assert_eq!(ev["eventTime"], "2024-01-01T00:00:00.000001Z");
        assert_eq!(ev["firstTimestamp"], "2024-01-01T00:00:00Z");
        assert_eq!(ev["lastTimestamp"], "2024-01-01T00:00:01Z");
        assert_eq!(
            ev["series"]["lastObservedTime"],
            "2024-01-01T02:00:05.500000Z"
        );
    }

    #[test]
    fn an_empty_event_prints_the_zero_of_each_version() {
        // the zero objects the field manager compares a create with (`fields::types`)
        let v1 = core_to_events_v1(&json!({}));
        assert_eq!(
            v1,
            json!({"kind": "Event", "apiVersion": "events.k8s.io/v1", "eventTime": null, "regarding": {},
                "deprecatedSource": {}, "deprecatedFirstTimestamp": null, "deprecatedLastTimestamp": null})
        );
        assert_eq!(
            events_v1_to_core(&v1),
            json!({"kind": "Event", "apiVersion": "v1", "involvedObject": {}, "source": {}, "firstTimestamp": null,
                "lastTimestamp": null, "eventTime": null, "reportingComponent": "", "reportingInstance": ""})
        );
        let v1 = core_to_events_v1(&json!({"series": {"lastObservedTime": null}}));
        assert_eq!(v1["series"], json!({"count": 0, "lastObservedTime": null}));
    }
}
