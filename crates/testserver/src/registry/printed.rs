//! The strategy of built-in types whose only behaviour the test server reproduces is their
//! table columns, optionally with `ObjectMeta` validation and `ReturnDeletedObject`: each
//! type's value (its columns included) is defined in its group's file.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::metadata_only::MetadataOnly;
use crate::registry::strategy::Strategy;
use crate::registry::table::Column;
use crate::validation::{Invalid, NameRule};

/// Columns, and `ObjectMeta` validation when `validation` names a name rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Printed {
    /// `ObjectMeta` validation with this name rule; `None` stores the type unvalidated.
    pub(crate) validation: Option<NameRule>,
    /// `ReturnDeletedObject`.
    pub(crate) returns_deleted: bool,
    /// The table columns.
    pub(crate) columns: fn() -> Vec<Column>,
}

impl Printed {
    /// Columns only.
    pub(crate) const fn columns(columns: fn() -> Vec<Column>) -> Printed {
        Printed {
            validation: None,
            returns_deleted: false,
            columns,
        }
    }
}

impl Strategy for Printed {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        match self.validation {
            Some(rule) => MetadataOnly(rule).validate(rt, obj),
            None => Ok(()),
        }
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        match self.validation {
            Some(rule) => MetadataOnly(rule).validate_update(rt, subresource, new, old),
            None => Ok(()),
        }
    }

    fn returns_deleted_object(&self) -> bool {
        self.returns_deleted
    }

    fn columns(&self) -> Vec<Column> {
        (self.columns)()
    }
}
