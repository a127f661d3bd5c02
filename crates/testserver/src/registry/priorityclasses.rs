//! scheduling.k8s.io/v1 PriorityClasses (`pkg/registry/scheduling/priorityclass/strategy.go`):
//! defaults, generation, validation.

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::print::{self, text};
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
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

    /// `printPriorityClass`: value, global default, and the preemption policy after the age.
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.", 0, |v| {
                    print::int(v, "/value").into()
                })
                .typed("integer"),
                col("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.", 0, |v| {
                    print::boolean(v, "/globalDefault").into()
                })
                .typed("boolean"),
            ],
            vec![col("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.", 0, |v| {
                text(v, "/preemptionPolicy").into()
            })],
        )
    }
}
