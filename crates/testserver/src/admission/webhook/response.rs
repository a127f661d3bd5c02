//! Reading a webhook's answer (Go's `request.VerifyAdmissionResponse` and the REST client's
//! decoding) and the `Status` objects of webhook failures (`webhookerrors.ToStatusErr`,
//! `NewDryRunUnsupportedErr`, `apierrors.NewInternalError` around `ErrCallingWebhook`).

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::admission::AdmissionError;

/// A verified AdmissionResponse.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Answer {
    /// `allowed`.
    pub(crate) allowed: bool,
    /// The decoded `patch` (mutating webhooks only), empty when none.
    pub(crate) patch: Vec<u8>,
    /// `patchType` (`JSONPatch` for v1beta1 answers that carry a patch).
    pub(crate) patch_type: String,
    /// `status`, the webhook's `Status` for a refusal.
    pub(crate) result: Option<Value>,
    /// `warnings`.
    pub(crate) warnings: Vec<String>,
    /// `auditAnnotations`.
    pub(crate) audit_annotations: BTreeMap<String, String>,
}

/// Reads the HTTP answer `(code, body)` to a review of `version` (`v1`/`v1beta1`) with `uid`.
///
/// # Errors
/// `Err(Call(..))` when the answer is an HTTP error or does not decode (the text after
/// `failed to call webhook: `), `Err(Invalid(..))` when it decodes but breaks a rule of
/// `VerifyAdmissionResponse` (the text after `received invalid webhook response: `).
pub(crate) fn verify(
    (code, body): (u16, &[u8]),
    version: &str,
    uid: &str,
    mutating: bool,
) -> Result<Answer, Unreadable> {
    if !(200..300).contains(&code) {
        return Err(Unreadable::Call(http_error(code, body)));
    }
    let review: Value = serde_json::from_slice(body).map_err(|e| {
        Unreadable::Call(format!("couldn't get version/kind; json parse error: {e}"))
    })?;
    let got = (
        review
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or(""),
        review.get("kind").and_then(Value::as_str).unwrap_or(""),
    );
    let invalid = |m: String| Unreadable::Invalid(m);
    let Some(response) = review.get("response").filter(|r| r.is_object()) else {
        return Err(invalid("webhook response was absent".into()));
    };
    let text = |k: &str| response.get(k).and_then(Value::as_str).unwrap_or("");
    let patch = match response.get("patch").and_then(Value::as_str) {
        Some(p) => base64::engine::general_purpose::STANDARD
            .decode(p)
            .map_err(|e| Unreadable::Call(format!("illegal base64 data in response.patch: {e}")))?,
        None => Vec::new(),
    };
    let patch_type = response.get("patchType").and_then(Value::as_str);
    let mut answer = Answer {
        allowed: response.get("allowed").and_then(Value::as_bool) == Some(true),
        result: response.get("status").filter(|s| s.is_object()).cloned(),
        warnings: strings(response.get("warnings")),
        audit_annotations: response
            .get("auditAnnotations")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
        ..Answer::default()
    };
    if version == "v1" {
        if text("uid") != uid {
            return Err(invalid(format!(
                "expected response.uid=\"{uid}\", got \"{}\"",
                text("uid")
            )));
        }
        if got != ("admission.k8s.io/v1", "AdmissionReview") {
            return Err(invalid(format!(
                "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {}",
                gvk_string(got)
            )));
        }
        if mutating {
            match (patch.is_empty(), patch_type) {
                (false, None) => {
                    return Err(invalid(
                        "webhook returned response.patch but not response.patchType".into(),
                    ));
                }
                (true, Some(_)) => {
                    return Err(invalid(
                        "webhook returned response.patchType but not response.patch".into(),
                    ));
                }
                (_, Some("")) => {
                    return Err(invalid(
                        "webhook returned invalid response.patchType of \"\"".into(),
                    ));
                }
                _ => {}
            }
            answer.patch = patch;
            answer.patch_type = patch_type.unwrap_or("").to_owned();
        } else {
            if !patch.is_empty() {
                return Err(invalid(
                    "validating webhook may not return response.patch".into(),
                ));
            }
            if patch_type.is_some() {
                return Err(invalid(
                    "validating webhook may not return response.patchType".into(),
                ));
            }
        }
    } else if mutating && !patch.is_empty() {
        answer.patch = patch;
        answer.patch_type = "JSONPatch".into();
    }
    Ok(answer)
}

/// Why an answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// The call failed (HTTP error, undecodable body): Go's `failed to call webhook: ...`.
    Call(String),
    /// `VerifyAdmissionResponse` refused it: `received invalid webhook response: ...`.
    Invalid(String),
}

/// Go's `schema.GroupVersionKind.String()`: `group/version, Kind=kind`.
fn gvk_string((api_version, kind): (&str, &str)) -> String {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    format!("{group}/{version}, Kind={kind}")
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The REST client's error for a non-2xx answer: the `Status` message it carries, else
/// `apierrors.NewGenericServerResponse`'s text.
fn http_error(code: u16, body: &[u8]) -> String {
    if let Ok(status) = serde_json::from_slice::<Value>(body)
        && status.get("kind").and_then(Value::as_str) == Some("Status")
        && let Some(message) = status.get("message").and_then(Value::as_str)
    {
        return message.to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match code {
        500.. => format!(
            "an error on the server ({}) has prevented the request from succeeding",
            go_quoted(text)
        ),
        _ => format!(
            "the server responded with the status code {code} but did not return more information"
        ),
    }
}

fn go_quoted(s: &str) -> String {
    crate::validation::go_quote(s)
}

/// `webhookerrors.ToStatusErr`: the refusal of webhook `name` with its `result`.
pub(crate) fn denied(name: &str, result: Option<&Value>) -> AdmissionError {
    let mut status = result
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let code = status
        .get("code")
        .and_then(Value::as_u64)
        .filter(|c| *c >= 400)
        .unwrap_or(400);
    status.insert("code".into(), json!(code));
    if matches!(
        status.get("status").and_then(Value::as_str),
        None | Some("") | Some("Success")
    ) {
        status.insert("status".into(), json!("Failure"));
    }
    let text = |k: &str| {
        status
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let denied_by = format!("admission webhook {} denied the request", go_quoted(name));
    let message = if !text("message").is_empty() {
        format!("{denied_by}: {}", text("message"))
    } else if !text("reason").is_empty() {
        format!("{denied_by}: {}", text("reason"))
    } else {
        format!("{denied_by} without explanation")
    };
    status.insert("message".into(), json!(message));
    status_error(u16::try_from(code).unwrap_or(400), status)
}

/// `NewDryRunUnsupportedErr`: a 400.
pub(crate) fn dry_run_unsupported(name: &str) -> AdmissionError {
    bad_request(&format!(
        "admission webhook {} does not support dry run",
        go_quoted(name)
    ))
}

/// `apierrors.NewBadRequest`.
pub(crate) fn bad_request(message: &str) -> AdmissionError {
    let mut status = Map::new();
    status.insert("status".into(), json!("Failure"));
    status.insert("message".into(), json!(message));
    status.insert("reason".into(), json!("BadRequest"));
    status.insert("code".into(), json!(400));
    status_error(400, status)
}

/// `apierrors.NewInternalError(err)`: a 500 whose message and only cause is `err`.
pub(crate) fn internal(err: &str) -> AdmissionError {
    AdmissionError::Internal {
        message: err.to_owned(),
    }
}

/// The text of an `ErrCallingWebhook`.
pub(crate) fn calling(name: &str, reason: &str) -> String {
    format!("failed calling webhook {}: {reason}", go_quoted(name))
}

fn status_error(code: u16, fields: Map<String, Value>) -> AdmissionError {
    let mut status = Map::new();
    status.insert("kind".into(), json!("Status"));
    status.insert("apiVersion".into(), json!("v1"));
    status.insert(
        "metadata".into(),
        fields
            .get("metadata")
            .filter(|m| m.is_object())
            .cloned()
            .unwrap_or(json!({})),
    );
    for (k, v) in fields {
        if !matches!(k.as_str(), "kind" | "apiVersion" | "metadata") {
            status.insert(k, v);
        }
    }
    AdmissionError::Status {
        code,
        status: Box::new(Value::Object(status)),
    }
}
