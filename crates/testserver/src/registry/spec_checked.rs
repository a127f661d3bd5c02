//! The strategy of built-in types whose only behaviour in the test server is their validation:
//! `ObjectMeta` with the type's name rule, then the type's spec checks from `validation`
//! (NetworkPolicies, IngressClasses), and their table columns. Each type's value is defined in
//! its group's file (`networking.rs`); Ingresses, which also have a status strategy, are a
//! `status_types::StatusType` with the same spec checks.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::Column;
use crate::validation::{FieldError, Invalid, NameRule};

/// `Validate`/`ValidateUpdate` from a type's spec checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpecChecked {
    /// How names are checked.
    pub(crate) name_rule: NameRule,
    /// The spec checks (`ValidateX`).
    pub(crate) spec: fn(&Value) -> Vec<FieldError>,
    /// The update-only checks (run after the metadata); the create checks when `None`.
    pub(crate) spec_update: Option<fn(&Value, &Value) -> Vec<FieldError>>,
    /// Update-only checks run after the spec checks.
    pub(crate) extra_update: fn(&Value, &Value) -> Vec<FieldError>,
    /// The table columns.
    pub(crate) columns: fn() -> Vec<Column>,
}

/// No update-only checks.
pub(crate) fn nothing(_: &Value, _: &Value) -> Vec<FieldError> {
    Vec::new()
}

impl Strategy for SpecChecked {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        c.create(obj, (self.spec)(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        c.update(subresource, new, old, || {
            let mut errs = (self.extra_update)(new, old);
            errs.extend(match self.spec_update {
                Some(update) => c.object(new, update(new, old)),
                None => c.object(new, (self.spec)(new)),
            });
            errs
        })
    }

    fn columns(&self) -> Vec<Column> {
        (self.columns)()
    }
}
