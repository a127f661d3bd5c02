//! apiextensions.k8s.io/v1 CustomResourceDefinitions (apiextensions-apiserver's
//! `registry/customresourcedefinition/strategy.go`, built from `crd::crd_strategy` and
//! `crd::validate`). The custom resources a CRD defines have their own strategy
//! (`crd::CustomStrategy`, see `custom_strategy.rs`).

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::crd::{crd_strategy, validate};
use crate::registry::ResourceType;
use crate::registry::strategy::{Strategy, keep};
use crate::validation::Invalid;

/// The CustomResourceDefinition strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CustomResourceDefinitions;

impl Strategy for CustomResourceDefinitions {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        crd_strategy::default(obj);
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        crd_strategy::prepare_for_create(obj);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        if subresource == "status" {
            keep(new, old, "spec");
        }
        crd_strategy::prepare_for_update(subresource, new, old);
    }

    /// The cleanup finalizer and the `Terminating` condition, on the first delete.
    fn before_delete(&self, marked: &mut Value, old: &Value, already: bool, now: &str) {
        if !already {
            crd_strategy::mark_for_deletion(marked, old, now);
        }
    }

    fn validate(&self, _rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        validate::validate(obj, None)
    }

    fn validate_update(
        &self,
        _rt: &ResourceType,
        _subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        validate::validate(new, Some(old))
    }
}
