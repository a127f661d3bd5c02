//! The [`Strategy`] of every custom resource type: its [`CustomStrategy`] (pruning and
//! defaulting by the version's schema, status isolation, generation, schema and CEL
//! validation, `selectableFields`, `additionalPrinterColumns`).

use serde_json::Value;

use super::ResourceType;
use super::strategy::Strategy;
use super::table::{self, Column};
use crate::admission::defaults::DecodeError;
use crate::crd::CustomStrategy;
use crate::selector::{Getter, SelectorError, resolve_custom};
use crate::validation::Invalid;

impl Strategy for CustomStrategy {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::custom::finalizer_names(obj, None)
    }

    fn warnings_on_update(&self, _subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        crate::warnings::custom::finalizer_names(new, Some(old))
    }

    fn deprecation(&self) -> Option<&str> {
        CustomStrategy::deprecation(self)
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        self.apply_defaults(obj);
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        CustomStrategy::prepare_for_create(self, obj);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        CustomStrategy::prepare_for_update(self, subresource, new, old);
    }

    fn validate(&self, _rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        CustomStrategy::validate(self, obj, None, "")
    }

    fn validate_update(
        &self,
        _rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        CustomStrategy::validate(self, new, Some(old), subresource)
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        resolve_custom(self.selectable_fields(), label)
    }

    fn columns(&self) -> Vec<Column> {
        table::printer_columns(CustomStrategy::columns(self))
    }
}
