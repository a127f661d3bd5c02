//! PodTemplates (`pkg/registry/core/podtemplate/strategy.go`): the pod defaults and canonical
//! quantities of the template.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, pod, quantities};
use crate::registry::strategy::Strategy;
use crate::shared::json::object_at;

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
}
