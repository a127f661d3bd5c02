//! Whether a webhook is called for a request, and as what it sees the request (Go's
//! `generic.Webhook.ShouldCallHook`): the webhook's rules, scope, selectors and match policy,
//! decided by `admission::matching` (shared with the admission policies), then its
//! `matchConditions` (CEL, `admission::cel`).

use serde_json::Value;

use super::bridge::RequestInfo;
use super::config::Hook;
use crate::admission::cel::{
    Activation, FailurePolicy, Input, MatchConditionsError, Request, match_conditions,
};
use crate::admission::matching::{Criteria, Matched, matches};
use crate::admission::{AdmissionError, Attributes, Lookup};

/// The resource and kind `hook` sees the request as, or `None` when it does not match.
///
/// # Errors
/// A selector that cannot be decided (the request's namespace does not exist: 404), or match
/// conditions that fail to evaluate under `failurePolicy: Fail` (403, as `ShouldCallHook`
/// answers them).
pub(crate) fn invocation(
    hook: &Hook,
    attrs: &Attributes<'_>,
    (obj, old): (Option<&Value>, Option<&Value>),
    (lookup, info): (&dyn Lookup, &RequestInfo),
) -> Result<Option<Matched>, AdmissionError> {
    let Some(matched) = matches(&Criteria::of_webhook(&hook.spec), attrs, obj, old, lookup)? else {
        return Ok(None);
    };
    let conditions = hook
        .spec
        .get("matchConditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if conditions.is_empty() {
        return Ok(Some(matched));
    }
    let options = super::review::options(attrs.operation, &info.options);
    let input = Input {
        attrs,
        request: Request::of(attrs, &matched, info.dry_run, Some(&options)),
        object: obj,
        old_object: old,
        params: None,
        namespace: None,
        lookup,
    };
    let policy = FailurePolicy::of(hook.spec.get("failurePolicy"));
    let decided: Result<bool, MatchConditionsError> =
        match_conditions(conditions, policy, &Activation::new(&input));
    match decided {
        Ok(true) => Ok(Some(matched)),
        Ok(false) => Ok(None),
        Err(error) => Err(AdmissionError::Forbidden {
            group: attrs.group.to_owned(),
            resource: attrs.resource.to_owned(),
            name: attrs.name.to_owned(),
            message: error.to_string(),
            causes: Vec::new(),
        }),
    }
}
