//! ServiceAccounts (`pkg/registry/core/serviceaccount/strategy.go`): `ObjectMeta` validation
//! and the `Secrets` column.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, int_col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The ServiceAccount strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceAccounts;

impl Validated for ServiceAccounts {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(_obj: &Value) -> Vec<FieldError> {
        Vec::new()
    }
}

impl Strategy for ServiceAccounts {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        strategy::validate::<Self>(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }

    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![int_col(
                "Secrets",
                "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount.",
                |v| {
                    v.get("secrets")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                        .into()
                },
            )],
            Vec::new(),
        )
    }
}
