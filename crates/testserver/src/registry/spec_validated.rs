//! A strategy with the type's own `Validate`/`ValidateUpdate` and defaults in front of a base
//! strategy that holds the rest (status handling, generation, columns): the webhook
//! configurations, ValidatingAdmissionPolicies, APIServices, FlowSchemas and
//! PriorityLevelConfigurations, whose bases (`Printed`, `ResetsMetaForStatus`, `StatusType`)
//! validate no spec.
//!
//! Guarantees: every method but `default`, `validate` and the main resource's
//! `validate_update` is the base's; a `status` (or other subresource) update is validated by
//! the base alone; `validate` and `validate_update` produce the type's errors, `ObjectMeta`
//! included, behind `validateCommonFields` on updates.

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, DeleteRules, GcDefault, StoredAs, Strategy};
use crate::registry::table::Column;
use crate::selector::{Getter, SelectorError};
use crate::validation::{FieldError, Invalid, NameRule};

/// The type's validation and defaults over `base`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpecValidated<S: 'static> {
    /// Everything else.
    pub(crate) base: S,
    /// `SetDefaults_*` of the served version.
    pub(crate) defaults: fn(&mut Value),
    /// Run after the base's `PrepareForCreate` (`now` in RFC 3339).
    pub(crate) created: fn(&mut Value, &str),
    /// `ValidateX`: every error of a new object, `ObjectMeta` included.
    pub(crate) validate: fn(&Value) -> Vec<FieldError>,
    /// `ValidateXUpdate(new, old)` as the strategy calls it, `ObjectMeta` included.
    pub(crate) validate_update: fn(&Value, &Value) -> Vec<FieldError>,
}

/// Nothing more on create.
pub(crate) fn nothing_created(_: &mut Value, _: &str) {}

/// The checks of `validateCommonFields` (names as path segments) around the type's own.
fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::PathSegment,
    }
}

impl<S: Strategy> Strategy for SpecValidated<S> {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        self.base.default(obj)?;
        (self.defaults)(obj);
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        self.base.tracks_generation()
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        self.base.prepare_for_create(obj, now);
        (self.created)(obj, now);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        self.base.prepare_for_update(subresource, new, old, now);
    }

    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        self.base.prepare_main_update(new, old);
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        checks(rt).result(obj, (self.validate)(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        if !subresource.is_empty() {
            return self.base.validate_update(rt, subresource, new, old);
        }
        checks(rt).update(subresource, new, old, || (self.validate_update)(new, old))
    }

    fn canonicalize(&self, obj: &mut Value) {
        self.base.canonicalize(obj);
    }

    fn allow_create_on_update(&self) -> bool {
        self.base.allow_create_on_update()
    }

    fn returns_deleted_object(&self) -> bool {
        self.base.returns_deleted_object()
    }

    fn gc_default(&self) -> GcDefault {
        self.base.gc_default()
    }

    fn graceful_delete(&self, old: &Value, requested: Option<i64>) -> Option<i64> {
        self.base.graceful_delete(old, requested)
    }

    fn delete_rules(&self) -> DeleteRules {
        self.base.delete_rules()
    }

    fn before_delete(&self, marked: &mut Value, old: &Value, already: bool, now: &str) {
        self.base.before_delete(marked, old, already, now);
    }

    fn stored_as(&self) -> Option<StoredAs> {
        self.base.stored_as()
    }

    fn checks_escalation(&self) -> bool {
        self.base.checks_escalation()
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        self.base.field_label(label)
    }

    fn columns(&self) -> Vec<Column> {
        self.base.columns()
    }
}
