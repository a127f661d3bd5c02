//! A strategy with the warnings of its type (`WarningsOnCreate`, `WarningsOnUpdate` of the
//! main resource, from `crate::warnings`) in front of a base strategy that holds everything
//! else: for the types whose base is a shared value (`SpecValidated`, `SpecChecked`,
//! `StatusType`), registered wrapped in `builtin.rs`.
//!
//! Guarantees: every method but the two warning hooks is the base's; status and other
//! subresource writes warn as the base does.

use serde_json::Value;

use crate::registry::strategy::Strategy;
use crate::registry::wrapper;

/// `base` with the type's warnings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Warned<S: 'static> {
    /// Everything but the warnings.
    pub(crate) base: S,
    /// `WarningsOnCreate`.
    pub(crate) create: fn(&Value) -> Vec<String>,
    /// `WarningsOnUpdate` of the main resource (`new`, `old`).
    pub(crate) update: fn(&Value, &Value) -> Vec<String>,
}

/// Updates that warn nothing (the Ingress strategy's).
pub(crate) fn no_update_warnings(_: &Value, _: &Value) -> Vec<String> {
    Vec::new()
}

impl<S: Strategy> wrapper::Wrapper for Warned<S> {
    fn base(&self) -> &dyn Strategy {
        &self.base
    }

    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        (self.create)(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        match subresource {
            "" => (self.update)(new, old),
            _ => self.base.warnings_on_update(subresource, new, old),
        }
    }
}
