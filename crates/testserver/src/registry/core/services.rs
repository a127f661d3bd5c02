//! Services (`pkg/registry/core/service/strategy.go`): defaults, an empty load-balancer
//! status on create, validation. Cluster IPs and node ports are placed by `admission`.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, service};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::validation::{FieldError, Invalid, NameRule};

/// The Service strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Services;

impl Validated for Services {
    const NAME_RULE: NameRule = NameRule::Dns1035;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::service::validate(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::service::validate_update(new, old)
    }

    fn status_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core_status::service(new, old)
    }
}

impl Strategy for Services {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        service::service(obj);
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_status(obj, json!({"loadBalancer": {}}));
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
