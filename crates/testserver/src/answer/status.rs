//! API errors and the `Status` objects the real server answers them with.

use serde_json::{Map, Value, json};

use crate::registry::ResourceType;

/// One field cause of an `Invalid` (422) error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cause {
    /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueForbidden`, ...
    pub(crate) reason: String,
    /// The cause message without the field (`Invalid value: "x": ...`).
    pub(crate) message: String,
    /// The field path (`metadata.name`).
    pub(crate) field: String,
}

impl Cause {
    /// Builds a cause.
    pub(crate) fn new(reason: &str, field: &str, message: impl Into<String>) -> Self {
        Cause {
            reason: reason.to_owned(),
            message: message.into(),
            field: field.to_owned(),
        }
    }
}

/// An error answer: a status code with a `Status` body (or the plain-text 404).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    /// HTTP status code.
    pub(crate) code: u16,
    /// `reason` of the Status, if any.
    pub(crate) reason: Option<&'static str>,
    /// `message` of the Status.
    pub(crate) message: String,
    /// `details`; `None` omits the key (the real server does so for BadRequest).
    pub(crate) details: Option<Box<Value>>,
    /// Answer `message` as text/plain instead of a Status (`404 page not found`, the filters'
    /// internal errors).
    pub(crate) plain: bool,
    /// `Retry-After` header value in seconds.
    pub(crate) retry_after: Option<u64>,
    /// A complete Status built elsewhere (admission, validation), answered as is.
    pub(crate) raw: Option<Box<Value>>,
    /// `Warning`s recorded before the refusal, answered as headers with it (kube-apiserver's
    /// recorder writes each warning to the response as it is added).
    pub(crate) warnings: Vec<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

fn details(rt: &ResourceType, name: &str) -> Value {
    let mut d = Map::new();
    d.insert("name".into(), name.into());
    if !rt.group.is_empty() {
        d.insert("group".into(), rt.group.clone().into());
    }
    d.insert("kind".into(), rt.plural.clone().into());
    Value::Object(d)
}

impl ApiError {
    fn new(
        code: u16,
        reason: &'static str,
        message: impl Into<String>,
        details: Option<Value>,
    ) -> Self {
        ApiError {
            code,
            reason: Some(reason),
            message: message.into(),
            details: details.map(Box::new),
            plain: false,
            retry_after: None,
            raw: None,
            warnings: Vec::new(),
        }
    }

    /// The error with `warnings` recorded after those it carries.
    pub(crate) fn with_warnings(mut self, warnings: Vec<String>) -> Self {
        self.warnings.extend(warnings);
        self
    }

    /// An error whose complete Status object was built by admission or validation.
    pub(crate) fn from_status(code: u16, status: Value) -> Self {
        let message = status
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        ApiError {
            raw: Some(Box::new(status)),
            ..Self::new(code, "Invalid", message, None)
        }
    }

    /// The text/plain `404 page not found` of unknown groups and non-resource paths.
    pub(crate) fn page_not_found() -> Self {
        ApiError {
            plain: true,
            ..Self::new(404, "NotFound", "404 page not found\n", None)
        }
    }

    /// The text/plain 500 kube-apiserver's filters write (`responsewriters.InternalError`):
    /// `Internal Server Error: "<request URI>": <error>`, with `&`, `<` and `>` escaped as HTML.
    pub(crate) fn plain_internal(uri: &str, message: &str) -> Self {
        let text = format!("Internal Server Error: {}: {message}", go_quote(uri))
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        ApiError {
            plain: true,
            ..Self::new(500, "InternalError", text, None)
        }
    }

    /// 404 for an unknown resource in a known group version.
    pub(crate) fn no_resource() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({})),
        )
    }

    /// 404 for a missing object.
    pub(crate) fn not_found(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", rt.qualified()),
            Some(details(rt, name)),
        )
    }

    /// 409 for a taken name.
    pub(crate) fn already_exists(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", rt.qualified()),
            Some(details(rt, name)),
        )
    }

    /// 409 Conflict on `resource "name"` with the given reason text.
    pub(crate) fn conflict(rt: &ResourceType, name: &str, why: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                rt.qualified()
            ),
            Some(details(rt, name)),
        )
    }

    /// 409 Conflict on a stale resourceVersion.
    pub(crate) fn stale(rt: &ResourceType, name: &str) -> Self {
        Self::conflict(
            rt,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 409 Conflict naming the kind (delete preconditions do this).
    pub(crate) fn conflict_kind(kind: &str, group: &str, name: &str, why: &str) -> Self {
        let mut d = Map::new();
        d.insert("name".into(), name.into());
        if !group.is_empty() {
            d.insert("group".into(), group.into());
        }
        d.insert("kind".into(), kind.into());
        let what = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {what} \"{name}\": {why}"),
            Some(Value::Object(d)),
        )
    }

    /// 422 with field causes: `Kind "name" is invalid: ...`.
    pub(crate) fn invalid(kind: &str, group: &str, name: &str, causes: Vec<Cause>) -> Self {
        let what = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        let summary: Vec<String> = causes
            .iter()
            .map(|c| {
                if c.field.is_empty() {
                    c.message.clone()
                } else {
                    format!("{}: {}", c.field, c.message)
                }
            })
            .collect();
        let list = if summary.len() == 1 {
            summary.concat()
        } else {
            format!("[{}]", summary.join(", "))
        };
        let mut d = Map::new();
        if !name.is_empty() {
            d.insert("name".into(), name.into());
        }
        if !group.is_empty() {
            d.insert("group".into(), group.into());
        }
        d.insert("kind".into(), kind.into());
        d.insert(
            "causes".into(),
            causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect(),
        );
        Self::new(
            422,
            "Invalid",
            format!("{what} \"{name}\" is invalid: {list}"),
            Some(Value::Object(d)),
        )
    }

    /// 422 about request options (`ListOptions.meta.k8s.io "" is invalid: ...`).
    pub(crate) fn invalid_options(kind: &str, causes: Vec<Cause>) -> Self {
        Self::invalid(kind, "meta.k8s.io", "", causes)
    }

    /// 422 with the generic message and empty details (failed JSON patch operations).
    pub(crate) fn invalid_generic() -> Self {
        Self::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
            Some(json!({})),
        )
    }

    /// 400 Bad Request (the real server omits `details`).
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message, None)
    }

    /// 403 Forbidden with a message.
    pub(crate) fn forbidden(message: impl Into<String>, details: Value) -> Self {
        Self::new(403, "Forbidden", message, Some(details))
    }

    /// 401 for credentials no authenticator accepts.
    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized", None)
    }

    /// 405 for a verb the resource does not support.
    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            Some(json!({})),
        )
    }

    /// 415 for a PATCH content type that is no patch type.
    pub(crate) fn unsupported_patch_type() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "415: Unsupported Media Type",
            Some(json!({})),
        )
    }

    /// 415 for a body in a format the server does not decode.
    pub(crate) fn unsupported_body() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
            None,
        )
    }

    /// 406 for an Accept header the server cannot serve.
    pub(crate) fn not_acceptable() -> Self {
        Self::new(
            406,
            "NotAcceptable",
            "406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf",
            Some(json!({})),
        )
    }

    /// 410 Expired (too old resourceVersion, stale continue token).
    pub(crate) fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message, None)
    }

    /// 413 for a request body over the limit.
    pub(crate) fn too_large() -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            "the request body is too large or could not be read",
            Some(json!({})),
        )
    }

    /// 500 with the given message and no reason.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        ApiError {
            reason: None,
            ..Self::new(500, "InternalError", message, None)
        }
    }

    /// 504 for a resourceVersion the server has not reached.
    pub(crate) fn too_large_rv(requested: u64, current: u64) -> Self {
        Self::new(
            504,
            "Timeout",
            format!("Too large resource version: {requested}, current: {current}"),
            Some(
                json!({"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1}),
            ),
        )
    }

    /// 429 injected by a fault.
    pub(crate) fn too_many_requests(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                429,
                "TooManyRequests",
                "the server has received too many requests and has asked us to try again later",
                Some(json!({"retryAfterSeconds": retry_after})),
            )
        }
    }

    /// A 5xx injected by a fault.
    pub(crate) fn injected(code: u16) -> Self {
        let reason = match code {
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "InternalError",
        };
        Self::new(
            code,
            reason,
            format!("injected fault: HTTP {code}"),
            Some(json!({})),
        )
    }

    /// The Status object.
    pub(crate) fn to_status(&self) -> Value {
        if let Some(raw) = &self.raw {
            return (**raw).clone();
        }
        let mut s = Map::new();
        s.insert("kind".into(), "Status".into());
        s.insert("apiVersion".into(), "v1".into());
        s.insert("metadata".into(), json!({}));
        s.insert("status".into(), "Failure".into());
        s.insert("message".into(), self.message.clone().into());
        if let Some(r) = self.reason {
            s.insert("reason".into(), r.into());
        }
        if let Some(d) = &self.details {
            s.insert("details".into(), (**d).clone());
        }
        s.insert("code".into(), self.code.into());
        Value::Object(s)
    }
}

/// Go's `%q` for a request URI (printable ASCII: quotes and backslashes escaped; anything else
/// as `\u` escapes, which a parsed URI never holds).
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            other => out.push_str(&format!("\\u{:04x}", u32::from(other))),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(err: ApiError, expected: Value) {
        assert_eq!(err.to_status(), expected);
    }

    #[test]
    fn statuses_match_the_real_server() {
        check(
            ApiError::invalid_options(
                "ListOptions",
                vec![Cause::new(
                    "FieldValueForbidden",
                    "resourceVersionMatch",
                    "Forbidden: x",
                )],
            ),
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: x",
                "reason": "Invalid", "details": {"group": "meta.k8s.io", "kind": "ListOptions",
                "causes": [{"reason": "FieldValueForbidden", "message": "Forbidden: x", "field": "resourceVersionMatch"}]},
                "code": 422}),
        );
        check(
            ApiError::bad_request("x"),
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "x", "reason": "BadRequest", "code": 400}),
        );
        check(
            ApiError::internal("boom"),
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "boom", "code": 500}),
        );
    }
}
