//! The `Warning`s of a write's answer, as kube-apiserver's warning recorder collects them:
//! the decoder's (`fieldValidation`, added by the handler before the store runs), then the
//! strategy's (`WarningsOnCreate`/`WarningsOnUpdate`, added by `rest.BeforeCreate`/
//! `BeforeUpdate` once validation passed), each text once.
//!
//! Guarantees: the strategy's warnings are computed from the object as stored (or as a dry
//! run would store it) and, for updates, the stored object the write replaced; a write refused
//! once validation passed (by validating admission, or a create by AlreadyExists) carries
//! them too, after the decoder's; one refused earlier carries only the decoder's.

use serde_json::Value;

use crate::api::status::ApiError;
use crate::registry::ResourceType;

/// The warnings of a create answered with `created`.
pub(crate) fn created(rt: &ResourceType, decoder: Vec<String>, created: &Value) -> Vec<String> {
    let mut all = decoder;
    all.extend(rt.strategy.warnings_on_create(created));
    crate::warnings::recorded(all)
}

/// The warnings of an update of `subresource` answered with `new`, which replaced `old`
/// (`None` when no stored object was read).
pub(crate) fn updated(
    rt: &ResourceType,
    subresource: &str,
    decoder: Vec<String>,
    (new, old): (&Value, Option<&Value>),
) -> Vec<String> {
    let mut all = decoder;
    if let Some(old) = old {
        all.extend(rt.strategy.warnings_on_update(subresource, new, old));
    }
    crate::warnings::recorded(all)
}

/// The answer of a write refused after decoding: the error, with the decoder's `warnings`
/// before those the error carries (the real recorder has added them to the response by then).
pub(crate) fn refused(
    mut error: ApiError,
    warnings: &[String],
) -> Result<http::Response<crate::api::respond::Body>, ApiError> {
    let mut all = warnings.to_vec();
    all.append(&mut error.warnings);
    error.warnings = crate::warnings::recorded(all);
    Err(error)
}
