//! Event validation (`pkg/apis/core/validation/events.go`): one set of rules over the stored
//! (internal) form whatever version the request addressed, with the request's version choosing
//! how strict they are.
//!
//! Every check reads the core/v1 form and names fields by their internal names
//! (`involvedObject`, `message`, `firstTimestamp`, `count`, `source`), in the events.k8s.io API
//! too, as the real messages do; only the reporting controller is named after the version
//! addressed (`reportingComponent` in core/v1, `reportingController` otherwise).

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, NameRule, names, object_meta, object_meta_update};

/// `ReportingInstanceLengthLimit`, `ActionLengthLimit`, `ReasonLengthLimit`.
const SHORT_LIMIT: usize = 128;
/// `NoteLengthLimit`.
const NOTE_LIMIT: usize = 1024;

/// The API version a write addressed, which decides how strictly an Event is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventApi {
    /// `v1` (and events.k8s.io/v1beta1): the legacy rules only, for backwards compatibility.
    Core,
    /// `events.k8s.io/v1`: the legacy rules, then the strict ones of the new API.
    EventsV1,
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Whether a `metav1.Time`/`MicroTime` field is Go's zero time.
fn zero_time(v: &Value, key: &str) -> bool {
    v.get(key)
        .is_none_or(|t| t.is_null() || t.as_str() == Some(""))
}

/// `legacyValidateEvent`: what every Event must satisfy.
fn legacy(obj: &Value, api: EventApi) -> Vec<FieldError> {
    let controller_path = match api {
        EventApi::Core => "reportingComponent",
        EventApi::EventsV1 => "reportingController",
    };
    let mut errs = Vec::new();
    let ns = s(obj, "/metadata/namespace");
    let involved_ns = s(obj, "/involvedObject/namespace");
    let mismatch = || {
        FieldError::invalid(
            "involvedObject.namespace",
            involved_ns,
            "does not match event.namespace",
        )
    };
    if zero_time(obj, "eventTime") {
        // "old" events: event.namespace and involvedObject.namespace agree ("default" too, for
        // old clients, when the involved object has none)
        let agrees = if involved_ns.is_empty() {
            ns.is_empty() || ns == "default"
        } else {
            ns == involved_ns
        };
        if !agrees {
            errs.push(mismatch());
        }
    } else {
        if involved_ns.is_empty() && ns != "default" && ns != "kube-system" {
            errs.push(mismatch());
        }
        let controller = s(obj, "/reportingComponent");
        if controller.is_empty() {
            errs.push(FieldError::required(controller_path, ""));
        }
        for msg in names::qualified_name(controller) {
            errs.push(FieldError::invalid(controller_path, controller, msg));
        }
        let instance = s(obj, "/reportingInstance");
        if instance.is_empty() {
            errs.push(FieldError::required("reportingInstance", ""));
        }
        too_long(&mut errs, "reportingInstance", instance, SHORT_LIMIT);
        for key in ["action", "reason"] {
            let value = s(obj, &format!("/{key}"));
            if value.is_empty() {
                errs.push(FieldError::required(key, ""));
            }
            too_long(&mut errs, key, value, SHORT_LIMIT);
        }
        too_long(&mut errs, "message", s(obj, "/message"), NOTE_LIMIT);
    }
    for msg in names::dns1123_subdomain(ns) {
        errs.push(FieldError::invalid("namespace", ns, msg));
    }
    errs
}

/// `len(x) > limit`: Go counts bytes.
fn too_long(errs: &mut Vec<FieldError>, path: &str, value: &str, limit: usize) {
    if value.len() > limit {
        errs.push(FieldError::invalid(
            path,
            "",
            format!("can have at most {limit} characters"),
        ));
    }
}

/// `validateV1EventSeries`.
fn series(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(series) = obj.get("series").filter(|v| !v.is_null()) else {
        return errs;
    };
    if series.get("count").and_then(Value::as_i64).unwrap_or(0) < 2 {
        errs.push(FieldError::invalid(
            "series.count",
            "",
            "should be at least 2",
        ));
    }
    if zero_time(series, "lastObservedTime") {
        errs.push(FieldError::required("series.lastObservedTime", ""));
    }
    errs
}

/// `ValidateEventCreate` of the stored form of a new Event written through `api`. The
/// generic `ObjectMeta` checks the store runs after it are not part of it.
pub(crate) fn event_create(obj: &Value, api: EventApi) -> Vec<FieldError> {
    let mut errs = legacy(obj, api);
    if api == EventApi::Core {
        return errs;
    }
    errs.extend(object_meta(obj, true, NameRule::Subdomain));
    errs.extend(series(obj));
    if zero_time(obj, "eventTime") {
        errs.push(FieldError::required("eventTime", ""));
    }
    let ty = s(obj, "/type");
    if ty != "Normal" && ty != "Warning" {
        errs.push(FieldError::invalid(
            "type",
            "",
            format!("has invalid value: {ty}"),
        ));
    }
    for key in ["firstTimestamp", "lastTimestamp"] {
        if !zero_time(obj, key) {
            errs.push(FieldError::invalid(key, "", "needs to be unset"));
        }
    }
    if obj.get("count").and_then(Value::as_i64).unwrap_or(0) != 0 {
        errs.push(FieldError::invalid("count", "", "needs to be unset"));
    }
    if !s(obj, "/source/component").is_empty() || !s(obj, "/source/host").is_empty() {
        errs.push(FieldError::invalid("source", "", "needs to be unset"));
    }
    errs
}

/// How a field of the internal Event is compared and printed by `ValidateImmutableField`.
#[derive(Debug, Clone, Copy)]
enum Immutable {
    /// A string (`%q`).
    Str,
    /// An `int32` (`%v`).
    Int,
    /// A `metav1.Time` or `MicroTime` (its `String()`).
    Time,
    /// An `ObjectReference` (`%#v`).
    Reference,
    /// A `*ObjectReference` (`%#v` of the pointee, `"null"` when nil).
    RefPointer,
    /// An `EventSource` (`%#v`).
    Source,
}

/// The fields `ValidateEventUpdate` keeps immutable, in its order (`reason` twice, as it is).
const IMMUTABLE: &[(&str, &str, Immutable)] = &[
    ("involvedObject", "involvedObject", Immutable::Reference),
    ("reason", "reason", Immutable::Str),
    ("message", "message", Immutable::Str),
    ("source", "source", Immutable::Source),
    ("firstTimestamp", "firstTimestamp", Immutable::Time),
    ("lastTimestamp", "lastTimestamp", Immutable::Time),
    ("count", "count", Immutable::Int),
    ("reason", "reason", Immutable::Str),
    ("type", "type", Immutable::Str),
    ("eventTime", "eventTime", Immutable::Time),
    ("action", "action", Immutable::Str),
    ("related", "related", Immutable::RefPointer),
    ("reportingComponent", "reportingController", Immutable::Str),
    ("reportingInstance", "reportingInstance", Immutable::Str),
];

const REFERENCE_FIELDS: &[(&str, &str)] = &[
    ("Kind", "kind"),
    ("Namespace", "namespace"),
    ("Name", "name"),
    ("UID", "uid"),
    ("APIVersion", "apiVersion"),
    ("ResourceVersion", "resourceVersion"),
    ("FieldPath", "fieldPath"),
];
const SOURCE_FIELDS: &[(&str, &str)] = &[("Component", "component"), ("Host", "host")];

/// Go's `%#v` of an internal struct of string fields.
fn go_struct(name: &str, fields: &[(&str, &str)], v: Option<&Value>) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(go, json)| {
            let value = v
                .and_then(|v| v.get(*json))
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("{go}:{}", super::go_quote(value))
        })
        .collect();
    format!("core.{name}{{{}}}", body.join(", "))
}

/// Go's `time.Time.String()` of an RFC 3339 time in a server running in UTC.
fn go_time(v: Option<&Value>) -> String {
    use time::format_description::well_known::Rfc3339;
    let text = v.and_then(Value::as_str).unwrap_or("");
    let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) else {
        return "0001-01-01 00:00:00 +0000 UTC".to_owned();
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut frac = String::new();
    if t.nanosecond() != 0 {
        frac = format!(".{:09}", t.nanosecond());
        while frac.ends_with('0') {
            frac.pop();
        }
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{frac} +0000 UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Whether two values of an immutable field are the same to `apiequality.Semantic`.
fn same(new: Option<&Value>, old: Option<&Value>, kind: Immutable) -> bool {
    let norm = |v: Option<&Value>| -> Value {
        match (kind, v) {
            (_, None | Some(Value::Null)) => Value::Null,
            (Immutable::Str, Some(Value::String(s))) if s.is_empty() => Value::Null,
            (Immutable::Int, Some(n)) if n.as_i64() == Some(0) => Value::Null,
            (Immutable::Time, Some(Value::String(t))) => {
                Value::String(go_time(Some(&Value::String(t.clone()))))
            }
            (Immutable::Reference | Immutable::Source, Some(Value::Object(m))) if m.is_empty() => {
                Value::Null
            }
            (_, Some(v)) => v.clone(),
        }
    };
    norm(new) == norm(old)
}

fn bad_value(v: Option<&Value>, kind: Immutable) -> BadValue {
    let present = v.filter(|v| !v.is_null());
    match kind {
        Immutable::Str => BadValue::from(present.and_then(Value::as_str).unwrap_or("")),
        Immutable::Int => BadValue::from(present.and_then(Value::as_i64).unwrap_or(0)),
        Immutable::Time => BadValue::Raw(go_time(present)),
        Immutable::Reference => {
            BadValue::Raw(go_struct("ObjectReference", REFERENCE_FIELDS, present))
        }
        Immutable::RefPointer => match present {
            Some(r) => BadValue::Raw(go_struct("ObjectReference", REFERENCE_FIELDS, Some(r))),
            None => BadValue::from("null"),
        },
        Immutable::Source => BadValue::Raw(go_struct("EventSource", SOURCE_FIELDS, present)),
    }
}

/// `ValidateEventUpdate` of the stored forms of an Event updated through `api`. The generic
/// update checks the store runs before it (`validateCommonFields`) are not part of it.
pub(crate) fn event_update(new: &Value, old: &Value, api: EventApi) -> Vec<FieldError> {
    let mut errs = legacy(new, api);
    if api == EventApi::Core {
        return errs;
    }
    errs.extend(object_meta_update(new, old));
    if new.get("series").filter(|v| !v.is_null()) != old.get("series").filter(|v| !v.is_null()) {
        errs.extend(series(new));
    }
    for (key, path, kind) in IMMUTABLE {
        let (n, o) = (new.get(*key), old.get(*key));
        if !same(n, o, *kind) {
            errs.push(FieldError::invalid(
                *path,
                bad_value(n, *kind),
                "field is immutable",
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bodies(errs: &[FieldError]) -> Vec<String> {
        errs.iter()
            .map(|e| format!("{}: {}", e.field, e.body()))
            .collect()
    }

    fn new_event() -> Value {
        json!({"metadata": {"name": "e", "namespace": "ns"}, "eventTime": "2024-01-01T00:00:00.000000Z",
            "type": "Normal", "reason": "Provisioned", "action": "Create", "reportingComponent": "example.com/provisioner",
            "reportingInstance": "node-1", "involvedObject": {"kind": "PersistentVolume", "name": "pv", "namespace": "ns"},
            "source": {}, "firstTimestamp": null, "lastTimestamp": null})
    }

    #[test]
    fn the_reporting_controller_is_named_as_the_version_addressed_names_it() {
        // legacyValidateEvent after kubernetes#111506
        let mut ev = new_event();
        ev["reportingComponent"] = json!("");
        let core = bodies(&event_create(&ev, EventApi::Core));
        assert_eq!(core[0], "reportingComponent: Required value");
        assert!(
            core[1].starts_with(
                "reportingComponent: Invalid value: \"\": name part must be non-empty"
            )
        );
        let v1 = bodies(&event_create(&ev, EventApi::EventsV1));
        assert_eq!(v1[0], "reportingController: Required value");
    }

    #[test]
    fn legacy_rules_hold_in_both_versions_with_internal_field_names() {
        let mut ev = new_event();
        ev["action"] = json!("a".repeat(129));
        ev["message"] = json!("m".repeat(1025));
        ev["involvedObject"]["namespace"] = json!("");
        for api in [EventApi::Core, EventApi::EventsV1] {
            assert_eq!(
                bodies(&event_create(&ev, api)),
                [
                    "involvedObject.namespace: Invalid value: \"\": does not match event.namespace",
                    "action: Invalid value: \"\": can have at most 128 characters",
                    "message: Invalid value: \"\": can have at most 1024 characters",
                ]
            );
        }
    }

    #[test]
    fn events_v1_creates_are_strict() {
        let mut ev = new_event();
        ev["eventTime"] = Value::Null;
        ev["type"] = json!("Info");
        ev["count"] = json!(1);
        ev["firstTimestamp"] = json!("2024-01-01T00:00:00Z");
        ev["source"] = json!({"host": "h"});
        ev["series"] = json!({"count": 1});
        ev["metadata"]["name"] = json!("E");
        assert!(event_create(&ev, EventApi::Core).is_empty());
        assert_eq!(
            bodies(&event_create(&ev, EventApi::EventsV1)),
            [
                "metadata.name: Invalid value: \"E\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "series.count: Invalid value: \"\": should be at least 2",
                "series.lastObservedTime: Required value",
                "eventTime: Required value",
                "type: Invalid value: \"\": has invalid value: Info",
                "firstTimestamp: Invalid value: \"\": needs to be unset",
                "count: Invalid value: \"\": needs to be unset",
                "source: Invalid value: \"\": needs to be unset",
            ]
        );
    }

    #[test]
    fn events_v1_updates_keep_everything_but_the_series() {
        let mut old = new_event();
        old["metadata"]["resourceVersion"] = json!("1");
        let mut new = old.clone();
        new["series"] = json!({"count": 2, "lastObservedTime": "2024-01-01T00:00:01.000000Z"});
        assert!(event_update(&new, &old, EventApi::EventsV1).is_empty());
        new["message"] = json!("changed");
        new["involvedObject"]["name"] = json!("pv2");
        new["related"] = json!({"kind": "Node", "name": "n"});
        new["eventTime"] = json!("2024-01-01T00:00:00.500000Z");
        assert_eq!(
            bodies(&event_update(&new, &old, EventApi::EventsV1)),
            [
                "involvedObject: Invalid value: core.ObjectReference{Kind:\"PersistentVolume\", Namespace:\"ns\", Name:\"pv2\", UID:\"\", APIVersion:\"\", ResourceVersion:\"\", FieldPath:\"\"}: field is immutable",
                "message: Invalid value: \"changed\": field is immutable",
                "eventTime: Invalid value: 2024-01-01 00:00:00.5 +0000 UTC: field is immutable",
                "related: Invalid value: core.ObjectReference{Kind:\"Node\", Namespace:\"\", Name:\"n\", UID:\"\", APIVersion:\"\", ResourceVersion:\"\", FieldPath:\"\"}: field is immutable",
            ]
        );
        // core/v1 updates only keep the legacy rules
        assert!(event_update(&new, &old, EventApi::Core).is_empty());
    }
}
