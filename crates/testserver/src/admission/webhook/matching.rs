//! Whether a webhook is called for a request, and as what it sees the request (Go's
//! `generic.Webhook.ShouldCallHook`): the webhook's rules, scope, selectors and match policy,
//! decided by `admission::matching` (shared with the admission policies).

use serde_json::Value;

use super::config::Hook;
use crate::admission::matching::{Criteria, Matched, matches};
use crate::admission::{AdmissionError, Attributes, Lookup};

/// The resource and kind `hook` sees the request as, or `None` when it does not match.
///
/// # Errors
/// A selector that cannot be decided (the request's namespace does not exist: 404), as
/// `ShouldCallHook` reports it.
pub(crate) fn invocation(
    hook: &Hook,
    attrs: &Attributes<'_>,
    (obj, old): (Option<&Value>, Option<&Value>),
    lookup: &dyn Lookup,
) -> Result<Option<Matched>, AdmissionError> {
    Ok(matches(
        &Criteria::of_webhook(&hook.spec),
        attrs,
        obj,
        old,
        lookup,
    )?)
}
