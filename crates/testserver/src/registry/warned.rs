//! A strategy with the warnings of its type (`WarningsOnCreate`, `WarningsOnUpdate` of the
//! main resource, from `crate::warnings`) in front of a base strategy that holds everything
//! else: for the types whose base is a shared value (`SpecValidated`, `SpecChecked`,
//! `StatusType`), registered wrapped in `builtin.rs`.
//!
//! Guarantees: every method but the two warning hooks is the base's; status and other
//! subresource writes warn as the base does.

use serde_json::Value;

use crate::admission::UserInfo;
use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::strategy::{DeleteRules, GcDefault, StoredAs, Strategy};
use crate::registry::table::Column;
use crate::selector::{Getter, SelectorError};
use crate::validation::Invalid;

/// `base` with the type's warnings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Warned<S: 'static> {
    /// Everything but the warnings.
    pub(crate) base: S,
    /// `WarningsOnCreate`.
    pub(crate) create: fn(&Value) -> Vec<String>,
    /// `WarningsOnUpdate` of the main resource (`new`, `old`).
    pub(crate) update: fn(&Value, &Value) -> Vec<String>,
}

/// Updates that warn nothing (the Ingress strategy's).
pub(crate) fn no_update_warnings(_: &Value, _: &Value) -> Vec<String> {
    Vec::new()
}

impl<S: Strategy> Strategy for Warned<S> {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        self.base.default(obj)
    }

    fn tracks_generation(&self) -> bool {
        self.base.tracks_generation()
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        self.base.prepare_for_create(obj, now);
    }

    fn prepare_for_create_by(&self, obj: &mut Value, user: Option<&UserInfo<'_>>) {
        self.base.prepare_for_create_by(obj, user);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        self.base.prepare_for_update(subresource, new, old, now);
    }

    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        self.base.prepare_main_update(new, old);
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        self.base.validate(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        self.base.validate_update(rt, subresource, new, old)
    }

    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        (self.create)(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        match subresource {
            "" => (self.update)(new, old),
            _ => self.base.warnings_on_update(subresource, new, old),
        }
    }

    fn deprecation(&self) -> Option<&str> {
        self.base.deprecation()
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
