//! Events, core/v1 and events.k8s.io/v1 (`pkg/registry/core/event/strategy.go`): one stored
//! resource served in two versions, as kube-apiserver serves it.
//!
//! Guarantees:
//! - objects are stored once, as core/v1 Events (`/events`), and each version reads, lists and
//!   watches all of them, converted (`admission::defaults::event`, after
//!   `pkg/apis/events/v1/conversion.go`); a write through either version is seen by both;
//! - the strategy's steps see the stored form, whatever the version addressed, and validation
//!   is the one `eventStrategy` runs for the request's version (`validation::event`): the
//!   legacy rules for core/v1, the strict ones for events.k8s.io/v1, with internal field
//!   names and the core `Event` kind in the 422;
//! - each version has its own field labels (`AddFieldLabelConversionsForEvent` of core/v1 and
//!   of events/v1), resolved to the same selectable fields of the stored object
//!   (`ToSelectableFields`: `source` falls back to the reporting controller);
//! - both versions print the same Table (one table convertor), take part in no garbage
//!   collection, and create on a PUT of a missing name (`AllowCreateOnUpdate`).

use serde_json::Value;

use crate::admission::defaults::{DecodeError, event};
use crate::registry::ResourceType;
use crate::registry::strategy::{GcDefault, StoredAs, Strategy};
use crate::registry::table::Column;
use crate::selector::{Getter, NAME, NAMESPACE, SelectorError, supported};
use crate::validation::event::{EventApi, event_create, event_update};
use crate::validation::{Invalid, NameRule, object_meta, object_meta_update};

mod columns;

/// The Event strategy of one API version: the same store, rules and table for both, each
/// version's own objects, validation and field labels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Events(EventApi);

/// The core/v1 Event strategy.
pub(crate) const CORE_EVENTS: Events = Events(EventApi::Core);

/// The events.k8s.io/v1 Event strategy, stored as core/v1 Events.
pub(crate) const EVENTS_V1: Events = Events(EventApi::EventsV1);

/// `source`: `ToSelectableFields` falls back to the reporting controller.
const SOURCE: Getter = Getter::StrOr("/source/component", "/reportingComponent");

/// The selectable fields of a stored Event (`ToSelectableFields`), by their names there.
const SELECTABLE: &[(&str, Getter)] = &[
    ("metadata.name", NAME),
    ("metadata.namespace", NAMESPACE),
    ("involvedObject.kind", Getter::Str("/involvedObject/kind")),
    (
        "involvedObject.namespace",
        Getter::Str("/involvedObject/namespace"),
    ),
    ("involvedObject.name", Getter::Str("/involvedObject/name")),
    ("involvedObject.uid", Getter::Str("/involvedObject/uid")),
    (
        "involvedObject.apiVersion",
        Getter::Str("/involvedObject/apiVersion"),
    ),
    (
        "involvedObject.resourceVersion",
        Getter::Str("/involvedObject/resourceVersion"),
    ),
    (
        "involvedObject.fieldPath",
        Getter::Str("/involvedObject/fieldPath"),
    ),
    ("reason", Getter::Str("/reason")),
    ("reportingComponent", Getter::Str("/reportingComponent")),
    ("source", SOURCE),
    ("type", Getter::Str("/type")),
];

/// events.k8s.io/v1 field labels and the selectable field each maps to
/// (`pkg/apis/events/v1/conversion.go`).
const EVENTS_V1_LABELS: &[(&str, &str)] = &[
    ("reason", "reason"),
    ("regarding.kind", "involvedObject.kind"),
    ("regarding.namespace", "involvedObject.namespace"),
    ("regarding.name", "involvedObject.name"),
    ("regarding.uid", "involvedObject.uid"),
    ("regarding.apiVersion", "involvedObject.apiVersion"),
    (
        "regarding.resourceVersion",
        "involvedObject.resourceVersion",
    ),
    ("regarding.fieldPath", "involvedObject.fieldPath"),
    ("reportingController", "reportingComponent"),
    ("source", "source"),
    ("type", "type"),
    ("metadata.namespace", "metadata.namespace"),
    ("metadata.name", "metadata.name"),
];

/// Where events.k8s.io/v1 Events live, and their conversion.
const STORED_AS_CORE: StoredAs = StoredAs {
    group: "",
    version: "v1",
    plural: "events",
    to_stored: event::events_v1_to_core,
    from_stored: event::core_to_events_v1,
};

/// The 422 of an Event: `BeforeCreate`/`BeforeUpdate` name the kind of the internal object,
/// the core `Event`, whichever version was addressed.
fn invalid(obj: &Value, errors: Vec<crate::validation::FieldError>) -> Result<(), Invalid> {
    if errors.is_empty() {
        return Ok(());
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    Err(Invalid::new("", "Event", name, errors))
}

/// `Validate`, then (only when it passes) the generic `ObjectMeta` checks, as `BeforeCreate`
/// runs them.
fn validate(obj: &Value, api: EventApi) -> Result<(), Invalid> {
    let own = event_create(obj, api);
    if !own.is_empty() {
        return invalid(obj, own);
    }
    invalid(obj, object_meta(obj, true, NameRule::PathSegment))
}

/// `validateCommonFields`, then `ValidateUpdate`, as `BeforeUpdate` runs them.
fn validate_update(new: &Value, old: &Value, api: EventApi) -> Result<(), Invalid> {
    let mut errs = object_meta(new, true, NameRule::PathSegment);
    errs.extend(object_meta_update(new, old));
    errs.extend(event_update(new, old, api));
    invalid(new, errs)
}

impl Strategy for Events {
    /// The strategy's steps see the stored (core/v1) form, whatever the version addressed.
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        event::core_event(obj);
        Ok(())
    }

    fn validate(&self, _rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        validate(obj, self.0)
    }

    fn validate_update(
        &self,
        _rt: &ResourceType,
        _subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        validate_update(new, old, self.0)
    }

    fn allow_create_on_update(&self) -> bool {
        true
    }

    fn gc_default(&self) -> GcDefault {
        GcDefault::Unsupported
    }

    fn stored_as(&self) -> Option<StoredAs> {
        match self.0 {
            EventApi::Core => None,
            EventApi::EventsV1 => Some(STORED_AS_CORE),
        }
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        match self.0 {
            EventApi::Core => supported(SELECTABLE, label),
            EventApi::EventsV1 => {
                let mapped = EVENTS_V1_LABELS
                    .iter()
                    .find(|(l, _)| *l == label)
                    .map(|(_, to)| *to)
                    .ok_or_else(|| {
                        SelectorError::new(format!("field label not supported: {label}"))
                    })?;
                supported(SELECTABLE, mapped)
            }
        }
    }

    /// `printEvent` (`events/columns.rs`): one table convertor serves both versions.
    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::selector::FieldSelector;

    #[track_caller]
    fn selects(strategy: &dyn Strategy, selector: &str, obj: &Value) -> bool {
        FieldSelector::parse(selector, &|l| strategy.field_label(l))
            .unwrap()
            .matches(obj)
    }

    #[track_caller]
    fn refused(strategy: &dyn Strategy, selector: &str) -> String {
        FieldSelector::parse(selector, &|l| strategy.field_label(l))
            .unwrap_err()
            .message
    }

    fn stored() -> Value {
        json!({"metadata": {"name": "e", "namespace": "ns"}, "involvedObject": {"name": "p1", "kind": "Pod"},
            "reason": "Scheduled", "type": "Normal", "source": {}, "reportingComponent": "ctrl"})
    }

    #[test]
    fn core_field_selectors() {
        let ev = stored();
        assert!(selects(&CORE_EVENTS, "involvedObject.name=p1", &ev));
        assert!(selects(&CORE_EVENTS, "reason=Scheduled,type=Normal", &ev));
        assert!(selects(&CORE_EVENTS, "reportingComponent=ctrl", &ev));
        assert!(!selects(&CORE_EVENTS, "involvedObject.kind=Node", &ev));
        assert_eq!(
            refused(&CORE_EVENTS, "regarding.name=p1"),
            "field label not supported: regarding.name"
        );
    }

    #[test]
    fn source_falls_back_to_the_reporting_controller() {
        let mut ev = stored();
        assert!(selects(&CORE_EVENTS, "source=ctrl", &ev));
        ev["source"] = json!({"component": "kubelet"});
        assert!(selects(&CORE_EVENTS, "source=kubelet", &ev));
        assert!(!selects(&CORE_EVENTS, "source=ctrl", &ev));
    }

    #[test]
    fn events_v1_labels_map_to_the_same_selectable_fields() {
        let ev = stored();
        assert!(selects(
            &EVENTS_V1,
            "regarding.name=p1,regarding.kind=Pod",
            &ev
        ));
        assert!(selects(&EVENTS_V1, "reportingController=ctrl", &ev));
        assert!(selects(
            &EVENTS_V1,
            "source=ctrl,reason=Scheduled,type=Normal",
            &ev
        ));
        assert!(selects(&EVENTS_V1, "metadata.name=e", &ev));
        assert!(!selects(&EVENTS_V1, "regarding.name=p2", &ev));
        for label in ["involvedObject.name", "reportingComponent", "note"] {
            assert_eq!(
                refused(&EVENTS_V1, &format!("{label}=x")),
                format!("field label not supported: {label}")
            );
        }
    }

    #[test]
    fn both_versions_print_the_same_table() {
        let names = |cols: Vec<Column>| -> Vec<String> {
            cols.iter().map(|c| c.name.to_string()).collect()
        };
        assert_eq!(names(EVENTS_V1.columns()), names(CORE_EVENTS.columns()));
    }

    #[test]
    fn validation_names_the_core_kind_in_both_versions() {
        let ev = json!({"metadata": {"name": "e", "namespace": "ns"}, "eventTime": null, "type": "Info",
            "involvedObject": {"namespace": "ns"}});
        assert!(validate(&ev, EventApi::Core).is_ok());
        let err = validate(&ev, EventApi::EventsV1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Event \"e\" is invalid: [eventTime: Required value, type: Invalid value: \"\": has invalid value: Info]"
        );
    }

    #[test]
    fn metadata_is_checked_after_the_events_own_rules() {
        let mut ev = json!({"metadata": {"name": "a/b", "namespace": "ns"}, "involvedObject": {"namespace": "other"}});
        assert_eq!(
            validate(&ev, EventApi::Core).unwrap_err().to_string(),
            "Event \"a/b\" is invalid: involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"
        );
        ev["involvedObject"]["namespace"] = json!("ns");
        assert_eq!(
            validate(&ev, EventApi::Core).unwrap_err().to_string(),
            "Event \"a/b\" is invalid: metadata.name: Invalid value: \"a/b\": may not contain '/'"
        );
    }
}
