//! Turning an error answer into an [`ApiError`].

use http::Method;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

use crate::error::{ApiError, reason_for_code};
use crate::forbidden::Denial;

/// The `kind` of a JSON answer, read without decoding (or allocating) the rest of it.
#[derive(serde::Deserialize)]
struct Kind<'a> {
    #[serde(borrow)]
    kind: Option<std::borrow::Cow<'a, str>>,
}

/// A `Status` with `status: Failure` in a 2xx answer, as an [`ApiError`] (client-go does the
/// same): an eviction the server could not decide answers `201` with a Failure of code 500.
pub(crate) fn failure_in_success(body: &[u8], method: &Method, url: &str) -> Option<ApiError> {
    // a byte scan keeps the common answer (any object without that word) free of a second parse;
    // memmem's vectorized search, as the naive window compare cost 3% of a GET's CPU
    static FAILURE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"Failure\""));
    FAILURE.find(body)?;
    let kind = serde_json::from_slice::<Kind<'_>>(body).ok()?.kind?;
    if kind != "Status" {
        return None;
    }
    let status = serde_json::from_slice::<Status>(body).ok()?;
    if status.status.as_deref() != Some("Failure") {
        return None;
    }
    let code = status
        .code
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| *c >= 400)
        .unwrap_or(500);
    Some(api_error(code, body, method.clone(), url.to_owned()))
}

/// The longest non-`Status` body text kept as the message.
const MAX_MESSAGE: usize = 1024;

/// Decodes the `Status` in an error answer (or synthesizes one from the code and text, as
/// client-go does for bodies such as `404 page not found`).
pub(crate) fn api_error(code: u16, body: &[u8], method: Method, url: String) -> ApiError {
    let status = match serde_json::from_slice::<Status>(body) {
        Ok(status)
            if status.status.is_some() || status.reason.is_some() || status.code.is_some() =>
        {
            status
        }
        _ => synthesize(code, body),
    };
    let denial = (code == 403).then(|| Box::new(Denial::from_request(&method, &url, &status)));
    ApiError {
        status,
        code,
        method,
        url,
        denial,
    }
}

/// A `Status` for an answer whose body is not one.
pub(crate) fn synthesize(code: u16, body: &[u8]) -> Status {
    let text = String::from_utf8_lossy(body);
    let mut message: String = text.trim().chars().take(MAX_MESSAGE).collect();
    if message.is_empty() {
        message = format!("the server responded with HTTP {code} and no body");
    }
    Status {
        code: Some(i32::from(code)),
        message: Some(message),
        reason: Some(reason_for_code(code).to_owned()),
        status: Some(String::from("Failure")),
        ..Status::default()
    }
}

/// Where a redirect answer points, for its error message: the `Location` without its query
/// (which may carry a token), or `an unnamed location`.
///
/// kubeset never follows a redirect (hyper does not, and the transport adds nothing that
/// would), so credentials never leave for another host; client-go follows redirects and drops
/// `Authorization` when the host changes.
pub(crate) fn redirect_target(headers: &http::HeaderMap) -> String {
    headers
        .get(http::header::LOCATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()))
        .map(|location| {
            location
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|location| !location.is_empty())
        .unwrap_or_else(|| String::from("an unnamed location"))
}

/// An [`ApiError`] for a watch `ERROR` event (no HTTP code of its own: the Status's is used).
pub(crate) fn watch_error(status: Status, url: &str) -> ApiError {
    let code = status
        .code
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(500);
    ApiError {
        status,
        code,
        method: Method::GET,
        url: url.to_owned(),
        denial: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(code: u16, body: &str, reason: &str, message: &str) {
        let err = api_error(code, body.as_bytes(), Method::GET, "/x".into());
        assert_eq!(err.reason(), reason);
        assert_eq!(err.message(), message);
        assert_eq!(err.code, code);
    }

    #[test]
    fn error_answers() {
        check(
            404,
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" not found","reason":"NotFound","details":{"name":"p","kind":"pods"},"code":404}"#,
            "NotFound",
            "pods \"p\" not found",
        );
        check(
            404,
            "404 page not found\n",
            "NotFound",
            "404 page not found",
        );
        check(
            503,
            "",
            "ServiceUnavailable",
            "the server responded with HTTP 503 and no body",
        );
        check(
            500,
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"bad rv","code":500}"#,
            "InternalError",
            "bad rv",
        );
        check(
            409,
            r#"{"unrelated":true}"#,
            "Conflict",
            r#"{"unrelated":true}"#,
        );
    }

    #[test]
    fn failure_status_in_a_success_answer_is_an_error() {
        let failure = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.","code":500}"#;
        let err = failure_in_success(failure.as_bytes(), &Method::POST, "/e").expect("an error");
        assert_eq!(err.code, 500);
        assert!(err.message().starts_with("This pod has more than one"));
        // a success Status, other kinds and bodies that are no JSON object are answers
        let success =
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}"#;
        for body in [
            success,
            r#"{"kind":"Pod","status":{"phase":"Failure"}}"#,
            "[]",
            "",
        ] {
            assert!(
                failure_in_success(body.as_bytes(), &Method::POST, "/e").is_none(),
                "{body}"
            );
        }
    }
}
