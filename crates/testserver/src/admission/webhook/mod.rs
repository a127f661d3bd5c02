//! MutatingAdmissionWebhook and ValidatingAdmissionWebhook: the webhooks of the stored
//! MutatingWebhookConfigurations and ValidatingWebhookConfigurations, called over HTTPS as
//! kube-apiserver v1.36 calls them (`k8s.io/apiserver/pkg/admission/plugin/webhook/...`).
//!
//! - `admit` runs after the in-tree mutating plugins, `validate` after the in-tree
//!   validating plugins and before ResourceQuota, as in the real plugin order.
//! - Webhooks are called only for requests answered inside `bridge::run` (the API moves a
//!   write there when a webhook configuration is stored) and made by a user: the server's own
//!   writes (controllers, bootstrap) reach no webhook.
//! - Only loopback addresses are ever called (see `endpoint`).
//!
//! The parts: `config` (the stored webhooks, in order), `matching` (which match),
//! `review` (the AdmissionReview), `endpoint` and `client` (where and how to call),
//! `response` (the answer and the errors), `call` (one call), `mutating` and
//! `validating` (the two dispatchers).

/// The bridge from the synchronous write path to the asynchronous calls.
pub(crate) mod bridge;
mod call;
mod client;
mod config;
mod endpoint;
mod matching;
mod mutating;
mod response;
mod review;
mod validating;

use serde_json::Value;

pub(crate) use config::any_stored;

use super::{AdmissionError, Attributes, Lookup};

/// Runs the mutating webhooks on `obj` (`None` for a delete, `old` the stored object for an
/// update or delete); a no-op outside `bridge::run` and for the server's own writes.
///
/// # Errors
/// A webhook's refusal, or a failed call under `failurePolicy: Fail`, as Go reports them.
pub(crate) fn admit(
    attrs: &Attributes<'_>,
    obj: Option<&mut Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    match (bridge::info(), &attrs.user) {
        (Some(info), Some(_)) => mutating::admit(attrs, obj, old, lookup, &info),
        _ => Ok(()),
    }
}

/// Runs the validating webhooks on `obj` (`None` for a delete, `old` the stored object);
/// a no-op outside `bridge::run` and for the server's own writes.
///
/// # Errors
/// As `admit`.
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    match (bridge::info(), &attrs.user) {
        (Some(info), Some(_)) => validating::validate(attrs, obj, old, lookup, &info),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
