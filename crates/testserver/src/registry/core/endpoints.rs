//! Endpoints (`pkg/registry/core/endpoint/strategy.go`): defaults and `ObjectMeta`
//! validation (the subset checks are not reproduced).

use serde_json::Value;

use crate::admission::defaults::{DecodeError, service};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::validation::{FieldError, Invalid, NameRule};

/// The Endpoints strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoints;

impl Validated for Endpoints {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(_obj: &Value) -> Vec<FieldError> {
        Vec::new()
    }
}

impl Strategy for Endpoints {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        service::endpoints(obj);
        Ok(())
    }

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
}
