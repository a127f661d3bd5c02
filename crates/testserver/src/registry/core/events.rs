//! Events, core/v1 and events.k8s.io/v1 (`pkg/registry/core/event/strategy.go`): defaults,
//! validation (the event's own checks first, `ObjectMeta` only when they pass), the core
//! field selectors, table columns; events take part in no garbage collection.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, event};
use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, GcDefault, Strategy};
use crate::registry::table::Column;
use crate::selector::{Getter, NAME, NAMESPACE, SelectorError, supported};
use crate::validation::{FieldError, Invalid, NameRule, core_misc};

mod columns;

/// The core/v1 Event strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Events;

/// The events.k8s.io/v1 Event strategy (same storage, its own validation and no field labels
/// beyond the generic ones).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventsV1;

const FIELD_LABELS: &[(&str, Getter)] = &[
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
    ("source", Getter::Str("/source/component")),
    ("type", Getter::Str("/type")),
];

/// An event's checks: its own first, the generic metadata checks only when those pass.
fn object_errors(
    c: &Checks<'_>,
    obj: &Value,
    own: fn(&Value) -> Vec<FieldError>,
) -> Vec<FieldError> {
    let errs = own(obj);
    if !errs.is_empty() {
        return errs;
    }
    c.object(obj, Vec::new())
}

fn validate(
    rt: &ResourceType,
    obj: &Value,
    own: fn(&Value) -> Vec<FieldError>,
) -> Result<(), Invalid> {
    let c = Checks {
        rt,
        name_rule: NameRule::PathSegment,
    };
    c.result(obj, object_errors(&c, obj, own))
}

fn validate_update(
    rt: &ResourceType,
    subresource: &str,
    new: &Value,
    old: &Value,
    own: fn(&Value) -> Vec<FieldError>,
) -> Result<(), Invalid> {
    let c = Checks {
        rt,
        name_rule: NameRule::PathSegment,
    };
    c.update(subresource, new, old, || object_errors(&c, new, own))
}

impl Strategy for Events {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        event::core_event(obj);
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        validate(rt, obj, core_misc::event)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        validate_update(rt, subresource, new, old, core_misc::event)
    }

    fn gc_default(&self) -> GcDefault {
        GcDefault::Unsupported
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        supported(FIELD_LABELS, label)
    }

    /// `printEvent` (`events/columns.rs`).
    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}

impl Strategy for EventsV1 {
    /// Stored as core/v1 Events, as kube-apiserver does.
    fn stored_as(&self) -> Option<&'static str> {
        Some("/events")
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        validate(rt, obj, core_misc::events_v1)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        validate_update(rt, subresource, new, old, core_misc::events_v1)
    }

    fn gc_default(&self) -> GcDefault {
        GcDefault::Unsupported
    }

    /// `printEvent` (`events/columns.rs`).
    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn field_selectors() {
        let parse =
            |s: &str| crate::selector::FieldSelector::parse(s, &|l| Events.field_label(l)).unwrap();
        let ev = json!({"involvedObject": {"name": "p1", "kind": "Pod"}, "reason": "Scheduled",
            "type": "Normal", "source": {"component": "x"}});
        assert!(parse("involvedObject.name=p1").matches(&ev));
        assert!(parse("reason=Scheduled,type=Normal").matches(&ev));
        assert!(parse("source=x").matches(&ev));
        assert!(!parse("source=y").matches(&ev));
    }
}
