//! Field errors, as `k8s.io/apimachinery/pkg/util/validation/field` words them.

use std::fmt;

use serde_json::Value;

/// The type of a field error (`field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum ErrorKind {
    /// `Not found` (`FieldValueNotFound`).
    NotFound,
    /// `Required value` (`FieldValueRequired`).
    Required,
    /// `Duplicate value` (`FieldValueDuplicate`).
    Duplicate,
    /// `Invalid value` (`FieldValueInvalid`).
    Invalid,
    /// A value of the wrong JSON type (`FieldValueTypeInvalid`).
    TypeInvalid,
    /// `Unsupported value` (`FieldValueNotSupported`).
    NotSupported,
    /// `Forbidden` (`FieldValueForbidden`).
    Forbidden,
    /// `Too long` (`FieldValueTooLong`).
    TooLong,
    /// `Too many` (`FieldValueTooMany`).
    TooMany,
}

impl ErrorKind {
    /// The Status cause `reason`.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "FieldValueNotFound",
            ErrorKind::Required => "FieldValueRequired",
            ErrorKind::Duplicate => "FieldValueDuplicate",
            ErrorKind::Invalid => "FieldValueInvalid",
            ErrorKind::TypeInvalid => "FieldValueTypeInvalid",
            ErrorKind::NotSupported => "FieldValueNotSupported",
            ErrorKind::Forbidden => "FieldValueForbidden",
            ErrorKind::TooLong => "FieldValueTooLong",
            ErrorKind::TooMany => "FieldValueTooMany",
        }
    }

    /// The words that open the message.
    pub(crate) fn text(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "Not found",
            ErrorKind::Required => "Required value",
            ErrorKind::Duplicate => "Duplicate value",
            ErrorKind::Invalid | ErrorKind::TypeInvalid => "Invalid value",
            ErrorKind::NotSupported => "Unsupported value",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::TooLong => "Too long",
            ErrorKind::TooMany => "Too many",
        }
    }

    /// Kinds whose message never shows the bad value.
    fn hides_value(self) -> bool {
        matches!(
            self,
            ErrorKind::Required | ErrorKind::Forbidden | ErrorKind::TooLong
        )
    }
}

/// The offending value of a field error, rendered the way Go's `%v`/`%q`/JSON would.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BadValue {
    /// A JSON value: strings are Go-quoted, numbers and booleans raw, `null` as `null`, objects
    /// and arrays as compact JSON (keys in the map's order).
    Json(Value),
    /// Text used verbatim (e.g. JSON with Go's field order, or `[]string{"a"}`).
    Raw(String),
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Raw(text) => f.write_str(text),
            BadValue::Json(Value::String(s)) => f.write_str(&go_quote(s)),
            BadValue::Json(v) => f.write_str(&v.to_string()),
        }
    }
}

impl From<&str> for BadValue {
    fn from(s: &str) -> Self {
        BadValue::Json(Value::String(s.to_owned()))
    }
}

impl From<String> for BadValue {
    fn from(s: String) -> Self {
        BadValue::Json(Value::String(s))
    }
}

impl From<i64> for BadValue {
    fn from(n: i64) -> Self {
        BadValue::Json(Value::from(n))
    }
}

impl From<i32> for BadValue {
    fn from(n: i32) -> Self {
        BadValue::Json(Value::from(n))
    }
}

impl From<Value> for BadValue {
    fn from(v: Value) -> Self {
        BadValue::Json(v)
    }
}

/// Go's `%q` of a string: JSON-like escaping, but non-ASCII printable characters stay as they
/// are and control characters use `\x..`/`\u....`.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One validation error of one field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldError {
    /// The error type.
    pub(crate) kind: ErrorKind,
    /// The field path, e.g. `spec.containers[0].image` or `data[tls.crt]`.
    pub(crate) field: String,
    /// The bad value, when the message shows one.
    pub(crate) value: Option<BadValue>,
    /// The explanation after the value (may be empty).
    pub(crate) detail: String,
}

impl FieldError {
    fn new(
        kind: ErrorKind,
        field: impl Into<String>,
        value: Option<BadValue>,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            kind,
            field: field.into(),
            value,
            detail: detail.into(),
        }
    }

    /// `field.Required`.
    pub(crate) fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Required, field, None, detail)
    }

    /// `field.Invalid`.
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl Into<BadValue>,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::Invalid, field, Some(value.into()), detail)
    }

    /// `field.Forbidden`.
    /// `field.TypeInvalid`: the value has the wrong type.
    pub(crate) fn type_invalid(
        field: impl Into<String>,
        value: impl Into<BadValue>,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::TypeInvalid, field, Some(value.into()), detail)
    }

    pub(crate) fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, field, None, detail)
    }

    /// `field.Duplicate`.
    pub(crate) fn duplicate(field: impl Into<String>, value: impl Into<BadValue>) -> Self {
        Self::new(ErrorKind::Duplicate, field, Some(value.into()), "")
    }

    /// `field.NotFound`.
    pub(crate) fn not_found(field: impl Into<String>, value: impl Into<BadValue>) -> Self {
        Self::new(ErrorKind::NotFound, field, Some(value.into()), "")
    }

    /// `field.TooLong`: `may not be more than N bytes`.
    pub(crate) fn too_long(field: impl Into<String>, max: usize) -> Self {
        let unit = if max == 1 { "byte" } else { "bytes" };
        Self::new(
            ErrorKind::TooLong,
            field,
            None,
            format!("may not be more than {max} {unit}"),
        )
    }

    /// `field.TooMany`: `N: must have at most M items`.
    pub(crate) fn too_many(field: impl Into<String>, actual: usize, max: usize) -> Self {
        let value = BadValue::Raw(actual.to_string());
        let unit = if max == 1 { "item" } else { "items" };
        Self::new(
            ErrorKind::TooMany,
            field,
            Some(value),
            format!("must have at most {max} {unit}"),
        )
    }

    /// `field.NotSupported`: `supported values: "a", "b"`.
    pub(crate) fn not_supported(
        field: impl Into<String>,
        value: impl Into<BadValue>,
        supported: &[&str],
    ) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(ErrorKind::NotSupported, field, Some(value.into()), detail)
    }

    /// The message without the field (a Status cause's `message`), e.g.
    /// `Invalid value: "x": must be ...`.
    pub(crate) fn body(&self) -> String {
        let mut s = self.kind.text().to_owned();
        if !self.kind.hides_value()
            && let Some(value) = &self.value
        {
            s.push_str(": ");
            s.push_str(&value.to_string());
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.body())
        } else {
            write!(f, "{}: {}", self.field, self.body())
        }
    }
}

impl std::error::Error for FieldError {}

/// The errors as Go prints each (`field: message`), for tests to compare with the real texts.
#[cfg(test)]
pub(crate) fn texts(errs: impl AsRef<[FieldError]>) -> Vec<String> {
    errs.as_ref().iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(err: FieldError, expected: &str) {
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn messages() {
        check(
            FieldError::required("spec.containers[0].image", ""),
            "spec.containers[0].image: Required value",
        );
        check(
            FieldError::invalid("spec.leaseDurationSeconds", 0, "must be greater than 0"),
            "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
        );
        check(
            FieldError::invalid("parameters", json!({"type": "slow"}), "field is immutable"),
            "parameters: Invalid value: {\"type\":\"slow\"}: field is immutable",
        );
        check(
            FieldError::invalid("spec.resourceAttributes", Value::Null, "x"),
            "spec.resourceAttributes: Invalid value: null: x",
        );
        check(
            FieldError::not_supported(
                "volumeBindingMode",
                "Later",
                &["Immediate", "WaitForFirstConsumer"],
            ),
            "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", \"WaitForFirstConsumer\"",
        );
        check(
            FieldError::too_long("metadata.name", 63),
            "metadata.name: Too long: may not be more than 63 bytes",
        );
        check(
            FieldError::forbidden("data", "field is immutable when `immutable` is set"),
            "data: Forbidden: field is immutable when `immutable` is set",
        );
    }
}
