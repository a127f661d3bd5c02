//! [`Wrapper`]: a strategy made of a base strategy and the few methods a type changes.
//!
//! Several strategies put something in front of a shared base (`SpecValidated`: a type's
//! defaults and validation; `Warned`: its warnings; the ResourceClaim, ResourceSlice and
//! HorizontalPodAutoscaler strategies: one rule each). Each implements [`Wrapper`]: it names
//! its base and overrides what it changes; every other [`Strategy`] method is the base's.
//!
//! Guarantee: a wrapper never falls back to [`Strategy`]'s defaults behind its base's back;
//! a method it does not override answers exactly as the base answers. (Before this, each
//! wrapper delegated method by method, and one that left a method out silently got the
//! trait's default instead of its base's.)

use serde_json::Value;

use crate::admission::UserInfo;
use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::strategy::{DeleteRules, GcDefault, StoredAs, Strategy};
use crate::registry::table::Column;
use crate::selector::{Getter, SelectorError};
use crate::validation::Invalid;

/// A strategy that is its [`Wrapper::base`] but for the methods it overrides. The methods
/// mean what [`Strategy`]'s of the same name mean.
pub(crate) trait Wrapper: std::fmt::Debug + Send + Sync {
    /// The strategy every method not overridden comes from.
    fn base(&self) -> &dyn Strategy;

    /// [`Strategy::default`].
    ///
    /// # Errors
    /// As the base's.
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        self.base().default(obj)
    }

    /// [`Strategy::tracks_generation`].
    fn tracks_generation(&self) -> bool {
        self.base().tracks_generation()
    }

    /// [`Strategy::prepare_for_create`].
    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        self.base().prepare_for_create(obj, now);
    }

    /// [`Strategy::prepare_for_create_by`].
    fn prepare_for_create_by(&self, obj: &mut Value, user: Option<&UserInfo<'_>>) {
        self.base().prepare_for_create_by(obj, user);
    }

    /// [`Strategy::prepare_for_update`].
    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        self.base().prepare_for_update(subresource, new, old, now);
    }

    /// [`Strategy::prepare_main_update`].
    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        self.base().prepare_main_update(new, old);
    }

    /// [`Strategy::validate`].
    ///
    /// # Errors
    /// As the base's.
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        self.base().validate(rt, obj)
    }

    /// [`Strategy::validate_update`].
    ///
    /// # Errors
    /// As the base's.
    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        self.base().validate_update(rt, subresource, new, old)
    }

    /// [`Strategy::warnings_on_create`].
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        self.base().warnings_on_create(obj)
    }

    /// [`Strategy::warnings_on_update`].
    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        self.base().warnings_on_update(subresource, new, old)
    }

    /// [`Strategy::deprecation`].
    fn deprecation(&self) -> Option<&str> {
        self.base().deprecation()
    }

    /// [`Strategy::canonicalize`].
    fn canonicalize(&self, obj: &mut Value) {
        self.base().canonicalize(obj);
    }

    /// [`Strategy::allow_create_on_update`].
    fn allow_create_on_update(&self) -> bool {
        self.base().allow_create_on_update()
    }

    /// [`Strategy::returns_deleted_object`].
    fn returns_deleted_object(&self) -> bool {
        self.base().returns_deleted_object()
    }

    /// [`Strategy::gc_default`].
    fn gc_default(&self) -> GcDefault {
        self.base().gc_default()
    }

    /// [`Strategy::graceful_delete`].
    fn graceful_delete(&self, old: &Value, requested: Option<i64>) -> Option<i64> {
        self.base().graceful_delete(old, requested)
    }

    /// [`Strategy::delete_rules`].
    fn delete_rules(&self) -> DeleteRules {
        self.base().delete_rules()
    }

    /// [`Strategy::before_delete`].
    fn before_delete(&self, marked: &mut Value, old: &Value, already: bool, now: &str) {
        self.base().before_delete(marked, old, already, now);
    }

    /// [`Strategy::stored_as`].
    fn stored_as(&self) -> Option<StoredAs> {
        self.base().stored_as()
    }

    /// [`Strategy::checks_escalation`].
    fn checks_escalation(&self) -> bool {
        self.base().checks_escalation()
    }

    /// [`Strategy::field_label`].
    ///
    /// # Errors
    /// As the base's.
    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        self.base().field_label(label)
    }

    /// [`Strategy::columns`].
    fn columns(&self) -> Vec<Column> {
        self.base().columns()
    }
}

impl<W: Wrapper> Strategy for W {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        Wrapper::default(self, obj)
    }

    fn tracks_generation(&self) -> bool {
        Wrapper::tracks_generation(self)
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        Wrapper::prepare_for_create(self, obj, now);
    }

    fn prepare_for_create_by(&self, obj: &mut Value, user: Option<&UserInfo<'_>>) {
        Wrapper::prepare_for_create_by(self, obj, user);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        Wrapper::prepare_for_update(self, subresource, new, old, now);
    }

    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        Wrapper::prepare_main_update(self, new, old);
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        Wrapper::validate(self, rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        Wrapper::validate_update(self, rt, subresource, new, old)
    }

    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        Wrapper::warnings_on_create(self, obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        Wrapper::warnings_on_update(self, subresource, new, old)
    }

    fn deprecation(&self) -> Option<&str> {
        Wrapper::deprecation(self)
    }

    fn canonicalize(&self, obj: &mut Value) {
        Wrapper::canonicalize(self, obj);
    }

    fn allow_create_on_update(&self) -> bool {
        Wrapper::allow_create_on_update(self)
    }

    fn returns_deleted_object(&self) -> bool {
        Wrapper::returns_deleted_object(self)
    }

    fn gc_default(&self) -> GcDefault {
        Wrapper::gc_default(self)
    }

    fn graceful_delete(&self, old: &Value, requested: Option<i64>) -> Option<i64> {
        Wrapper::graceful_delete(self, old, requested)
    }

    fn delete_rules(&self) -> DeleteRules {
        Wrapper::delete_rules(self)
    }

    fn before_delete(&self, marked: &mut Value, old: &Value, already: bool, now: &str) {
        Wrapper::before_delete(self, marked, old, already, now);
    }

    fn stored_as(&self) -> Option<StoredAs> {
        Wrapper::stored_as(self)
    }

    fn checks_escalation(&self) -> bool {
        Wrapper::checks_escalation(self)
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        Wrapper::field_label(self, label)
    }

    fn columns(&self) -> Vec<Column> {
        Wrapper::columns(self)
    }
}
