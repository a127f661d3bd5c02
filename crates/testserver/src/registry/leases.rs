//! coordination.k8s.io/v1 Leases (`pkg/registry/coordination/lease/strategy.go`): validation
//! and the `Holder` column.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::print::text;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule, core_misc};

/// The Lease strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leases;

impl Validated for Leases {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        core_misc::lease(obj)
    }
}

impl Strategy for Leases {
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

    /// `printLease`: the holder (empty when unset).
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![col(
                "Holder",
                "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
                0,
                |v| text(v, "/spec/holderIdentity").into(),
            )],
            Vec::new(),
        )
    }
}
