//! PodTemplates (`pkg/registry/core/podtemplate/strategy.go`): the pod defaults and canonical
//! quantities of the template, and `ObjectMeta` validation.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, pod, quantities};
use crate::registry::ResourceType;
use crate::registry::metadata_only::MetadataOnly;
use crate::registry::strategy::Strategy;
use crate::shared::json::object_at;
use crate::validation::{Invalid, NameRule};

/// The PodTemplate strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodTemplates;

impl Strategy for PodTemplates {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::pod_spec_at(obj, "/template/spec")?;
        if let Some(spec) = object_at(obj, &["template", "spec"]) {
            pod::pod_spec(spec);
        }
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        MetadataOnly(NameRule::Subdomain).validate(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        MetadataOnly(NameRule::Subdomain).validate_update(rt, subresource, new, old)
    }
}
