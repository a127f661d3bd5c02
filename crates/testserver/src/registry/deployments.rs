//! apps/v1 Deployments (`pkg/registry/apps/deployment/strategy.go`): the workload behaviour
//! (template defaults, status, generation) plus validation.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, workloads};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::validation::{FieldError, Invalid, NameRule};

/// The Deployment strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deployments;

impl Validated for Deployments {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::workloads::deployment(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::workloads::deployment_update(new, old)
    }
}

impl Strategy for Deployments {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::pod_spec_at(obj, "/spec/template/spec")?;
        workloads::deployment(obj);
        Ok(())
    }

    fn has_status(&self) -> bool {
        true
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_generation(obj, 1);
        strategy::set_status(obj, json!({}));
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
