//! scheduling.k8s.io/v1 PriorityClasses (`pkg/registry/scheduling/priorityclass/strategy.go`):
//! defaults, generation, validation.

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::shared::json::default_str;
use crate::validation::{FieldError, Invalid, NameRule, core_misc};

/// The PriorityClass strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PriorityClasses;

impl Validated for PriorityClasses {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        core_misc::priority_class(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        core_misc::priority_class_update(new, old)
    }
}

impl Strategy for PriorityClasses {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        if let Some(map) = obj.as_object_mut() {
            default_str(map, "preemptionPolicy", "PreemptLowerPriority");
            map.entry("value").or_insert(Value::from(0));
        }
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        true
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
