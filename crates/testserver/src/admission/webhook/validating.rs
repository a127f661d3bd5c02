//! ValidatingAdmissionWebhook (Go's `validating/dispatcher.go`): every matching webhook is
//! called (Go calls them in parallel; here one after another, in configuration order), and
//! the request is refused with the error of the first of them, in that order, that refused or
//! failed under `failurePolicy: Fail`, so the answer is the same on every run.
//!
//! A failure under `failurePolicy: Ignore` records the audit annotation
//! `failed-open.validating.webhook.admission.k8s.io/round_0_index_<i>`, `<i>` counting the
//! matching webhooks only.

use serde_json::Value;

use super::bridge::RequestInfo;
use super::call::{self, Failed, Subject};
use super::config;
use super::matching;
use super::response;
use crate::admission::{AdmissionError, Attributes, Lookup};

/// Runs the validating webhooks on `obj` (`None` for a delete; `old` the stored object).
///
/// # Errors
/// The first refusal or failure under `failurePolicy: Fail`, in webhook order.
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
    info: &RequestInfo,
) -> Result<(), AdmissionError> {
    let hooks = config::hooks(config::Kind::Validating, lookup);
    let mut relevant = Vec::new();
    for hook in &hooks {
        if let Some(invocation) = matching::invocation(hook, attrs, (obj, old), (lookup, info))? {
            relevant.push((hook, invocation));
        }
    }
    let subject = Subject {
        attrs,
        object: obj,
        old_object: old,
    };
    let mut first = None;
    for (index, (hook, invocation)) in relevant.iter().enumerate() {
        let error = match call::call(hook, invocation, subject, (info, false), lookup) {
            Ok(answer) if answer.allowed => continue,
            Ok(answer) => response::denied(&hook.name, answer.result.as_ref()),
            Err(Failed::Calling(text)) if hook.ignores_failures() => {
                tracing::warn!(webhook = %hook.name, error = %text, "failing open");
                crate::admission::recorder::annotate(
                    format!(
                        "failed-open.validating.webhook.admission.k8s.io/round_0_index_{index}"
                    ),
                    hook.name.clone(),
                );
                continue;
            }
            Err(Failed::Calling(text)) => response::internal(&text),
            Err(Failed::Refused(e)) => e,
        };
        first.get_or_insert(error);
    }
    match first {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
