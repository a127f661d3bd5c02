//! The strict decoder of request bodies (`fieldValidation`), shared by built-in and custom
//! types: which fields are unknown or duplicated, the `Warning` texts and the 400 message, as
//! kube-apiserver's serializer (sigs.k8s.io/json `UnmarshalStrict`) and its handlers write them;
//! and the decoder's type errors of built-in types (`types.rs` for bodies and JSON-patched
//! objects, `convert.rs` for strategically merged ones), which no `fieldValidation` silences.
//!
//! Guarantees: errors come in the order the Go decoder meets them (document order of a JSON
//! body; sorted keys for YAML bodies and patched objects, which Go re-encodes from maps), each
//! distinct text once, at most 100; paths read `spec.containers[0].foo`.

mod convert;
mod prune;
mod scan;
mod types;
mod yaml;

use std::fmt;

pub(crate) use self::convert::convert_error;
pub(crate) use self::prune::prune;
pub(crate) use self::scan::scan;
pub(crate) use self::types::type_error;
pub(crate) use self::yaml::duplicate_key as yaml_duplicate_key;

use crate::validation::go_quote;

/// How a request wants unknown and duplicate fields treated (`fieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldValidation {
    /// Drop unknown fields silently.
    Ignore,
    /// Drop them with a `Warning` each (the server's default when the parameter is absent).
    Warn,
    /// Refuse the request.
    Strict,
}

impl FieldValidation {
    /// From the query value (`Warn` when absent, as `fieldValidation()` of the handlers has
    /// it; other values are refused earlier by the options validation).
    pub(crate) fn parse(value: Option<&str>) -> FieldValidation {
        match value {
            Some("Ignore") => FieldValidation::Ignore,
            Some("Strict") => FieldValidation::Strict,
            _ => FieldValidation::Warn,
        }
    }
}

/// One strict decoding error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StrictError {
    /// A key the type has no field for (`unknown field "spec.foo"`).
    UnknownField {
        /// The field path, `spec.containers[0].foo`.
        path: String,
    },
    /// A key given twice in one JSON object (`duplicate field "metadata.name"`).
    DuplicateField {
        /// The field path.
        path: String,
    },
    /// The YAML decoder's text for a duplicate key (`yaml: unmarshal errors: ...`).
    Yaml {
        /// The whole text.
        text: String,
    },
}

impl fmt::Display for StrictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StrictError::UnknownField { path } => write!(f, "unknown field {}", go_quote(path)),
            StrictError::DuplicateField { path } => {
                write!(f, "duplicate field {}", go_quote(path))
            }
            StrictError::Yaml { text } => f.write_str(text),
        }
    }
}

/// The 400 message of a create or update whose body does not decode into its Go type
/// (`transformDecodeError` around the decoder's `error`).
pub(crate) fn cannot_handle_error(kind: &str, version: &str, error: &str) -> String {
    format!(
        "{kind} in version {} cannot be handled as a {kind}: {error}",
        go_quote(version)
    )
}

/// `runtime.NewStrictDecodingError(errs).Error()`: `strict decoding error: a, b`.
pub(crate) fn decoding_error(errs: &[StrictError]) -> String {
    let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
    format!("strict decoding error: {}", texts.join(", "))
}

/// The 400 message of a create or update refused by strict decoding (`transformDecodeError`):
/// `Pod in version "v1" cannot be handled as a Pod: strict decoding error: ...`.
pub(crate) fn cannot_handle(kind: &str, version: &str, errs: &[StrictError]) -> String {
    format!(
        "{kind} in version {} cannot be handled as a {kind}: {}",
        go_quote(version),
        decoding_error(errs)
    )
}

/// The errors the Go decoder keeps: each distinct text once, at most 100
/// (`saveStrictError`).
#[derive(Debug, Default)]
pub(crate) struct Collected {
    errs: Vec<StrictError>,
}

impl Collected {
    /// Records `err` unless its text was seen or 100 are kept.
    pub(crate) fn push(&mut self, err: StrictError) {
        if self.errs.len() < 100 && !self.errs.contains(&err) {
            self.errs.push(err);
        }
    }

    /// The kept errors, in order.
    pub(crate) fn into_vec(self) -> Vec<StrictError> {
        self.errs
    }
}

/// What a write does with the strict errors of its body: the `Warning` texts to send, or the
/// refusal (`Err` with the errors) under `Strict`. `Ignore` drops them.
pub(crate) fn resolve(
    validation: FieldValidation,
    errs: Vec<StrictError>,
) -> Result<Vec<String>, Vec<StrictError>> {
    match validation {
        FieldValidation::Ignore => Ok(Vec::new()),
        FieldValidation::Warn => Ok(errs.iter().map(ToString::to_string).collect()),
        FieldValidation::Strict if errs.is_empty() => Ok(Vec::new()),
        FieldValidation::Strict => Err(errs),
    }
}

#[cfg(test)]
mod tests;
