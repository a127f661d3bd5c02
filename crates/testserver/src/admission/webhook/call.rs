//! Calling one webhook: the dry-run check, the review, the endpoint, the POST through the
//! [`bridge`](super::bridge), the answer's verification, and what every answer adds to the
//! request (audit annotations `<webhook>/<key>`, warnings), as Go's `callHook` and
//! `callAttrMutatingHook` do before they look at `allowed`.

use serde_json::Value;

use super::bridge::{self, RequestInfo};
use super::config::Hook;
use super::response::{self, Answer, Unreadable};
use super::review::{self, Parts};
use super::{client, endpoint};
use crate::admission::matching::Matched;
use crate::admission::{AdmissionError, Attributes, Lookup};

/// A call that produced no usable answer.
#[derive(Debug)]
pub(crate) enum Failed {
    /// Go's `ErrCallingWebhook`, whose text this is: the failure policy decides.
    Calling(String),
    /// Any other error, returned whatever the failure policy (a dry run the webhook does not
    /// support).
    Refused(AdmissionError),
}

/// The request a webhook is called about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    /// The request's attributes.
    pub(crate) attrs: &'a Attributes<'a>,
    /// The object (`None` for a delete).
    pub(crate) object: Option<&'a Value>,
    /// The stored object (updates and deletes).
    pub(crate) old_object: Option<&'a Value>,
}

/// Calls `hook` about `subject`, as matched by `invocation`.
///
/// # Errors
/// See `Failed`.
pub(crate) fn call(
    hook: &Hook,
    invocation: &Matched,
    subject: Subject<'_>,
    (info, mutating): (&RequestInfo, bool),
    lookup: &dyn Lookup,
) -> Result<Answer, Failed> {
    let calling = |reason: String| Failed::Calling(response::calling(&hook.name, &reason));
    if info.dry_run && !hook.dry_run_safe() {
        return Err(Failed::Refused(response::dry_run_unsupported(&hook.name)));
    }
    // the objects in the version the webhook matched
    let object = subject.object.map(|o| info.view(o, invocation));
    let old_object = subject.old_object.map(|o| info.view(o, invocation));
    let parts = Parts {
        object: object.as_ref(),
        old_object: old_object.as_ref(),
        dry_run: info.dry_run,
        options: &info.options,
    };
    let review = review::build(&hook.review_versions(), subject.attrs, invocation, parts)
        .ok_or_else(|| {
            calling(format!(
                "could not create admission objects: {}",
                review::NO_VERSION
            ))
        })?;
    let client_config = hook.spec.get("clientConfig").cloned().unwrap_or_default();
    let timeout = hook.timeout_seconds();
    let endpoint = endpoint::locate(&client_config, lookup).map_err(|refused| match refused {
        endpoint::Refused::BadUrl { .. } => calling(format!(
            "could not get REST client: {}",
            response::calling(&hook.name, &refused.to_string())
        )),
        other => calling(format!(
            "failed to call webhook: Post {}: {other}",
            crate::validation::go_quote(&client::url_with_timeout(
                &configured_url(&client_config),
                timeout
            ))
        )),
    })?;
    let ca_bundle = client_config
        .get("caBundle")
        .and_then(Value::as_str)
        .and_then(|b| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(b).ok()
        })
        .unwrap_or_default();
    let answered = bridge::call(client::post(&endpoint, &ca_bundle, timeout, &review.body))
        .ok_or_else(|| calling("failed to call webhook: no request context".into()))?
        .map_err(|e| calling(format!("failed to call webhook: {e}")))?;
    let answer = response::verify(
        (answered.0, &answered.1),
        review.version,
        &review.uid,
        mutating,
    )
    .map_err(|e| match e {
        Unreadable::Call(m) => calling(format!("failed to call webhook: {m}")),
        Unreadable::Invalid(m) => calling(format!("received invalid webhook response: {m}")),
    })?;
    for (key, value) in &answer.audit_annotations {
        crate::admission::recorder::annotate(format!("{}/{key}", hook.name), value.clone());
    }
    for warning in &answer.warnings {
        crate::admission::recorder::warn(warning.clone());
    }
    Ok(answer)
}

/// The webhook's URL as configured (for a Service, the URL Go's client builds).
fn configured_url(client_config: &Value) -> String {
    if let Some(url) = client_config.get("url").and_then(Value::as_str) {
        return url.to_owned();
    }
    let service = client_config.get("service").cloned().unwrap_or_default();
    let text = |k: &str| {
        service
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let port = service.get("port").and_then(Value::as_i64).unwrap_or(443);
    let path = match text("path") {
        p if p.is_empty() => "/".to_owned(),
        p => p,
    };
    format!(
        "https://{}.{}.svc:{port}{path}",
        text("name"),
        text("namespace")
    )
}
