//! The one error type of decoding and encoding; it names the message and the field path.
//!
//! [`Error`] is one pointer wide (the [`ErrorKind`] is boxed): every serde call returns a
//! `Result` with it, and a large error would be copied on every return of the hot path.

use std::fmt;

/// Why bytes could not be decoded, or a value encoded: see [`Error::kind`].
pub struct Error(Box<ErrorKind>);

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {}

/// The kinds of [`Error`].
///
/// Most variants carry `path`: where in the object it happened, as the JSON path from the
/// top-level message (`k8s.io.api.core.v1.Pod: spec.containers[0].image`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not well-formed protobuf.
    #[error("malformed protobuf at {path}: {reason}")]
    Malformed {
        /// What was wrong.
        reason: &'static str,
        /// Where.
        path: Path,
    },
    /// A field's wire type does not match the type the `.proto` gives it.
    #[error("field has the wrong wire type at {path}")]
    WireType {
        /// Where.
        path: Path,
    },
    /// The value being decoded into refused what the bytes hold (serde's own message).
    #[error("{message} at {path}")]
    Custom {
        /// The deserializer's or serializer's message.
        message: String,
        /// Where.
        path: Path,
    },
    /// A key of the value being encoded is not a field of its protobuf message.
    #[error("{field:?} is not a field of protobuf message {message}, at {path}")]
    UnknownField {
        /// The key.
        field: String,
        /// The message's full name.
        message: &'static str,
        /// Where.
        path: Path,
    },
    /// A value cannot be written as the field's protobuf type.
    #[error("a {got} cannot be encoded as protobuf {expected} at {path}")]
    Mismatch {
        /// What serde handed over (`string`, `map`, ...).
        got: &'static str,
        /// The field's type.
        expected: &'static str,
        /// Where.
        path: Path,
    },
    /// A string in a Kubernetes special format (a time, a duration) could not be read.
    #[error("{value:?} is not a valid {format} at {path}")]
    Format {
        /// The string.
        value: String,
        /// `RFC 3339 time`, `duration`, `base64`.
        format: &'static str,
        /// Where.
        path: Path,
    },
    /// No protobuf message is known for this type.
    #[error("no protobuf message is known for apiVersion {api_version:?}, kind {kind:?}")]
    UnknownType {
        /// The `apiVersion`.
        api_version: String,
        /// The `kind`.
        kind: String,
    },
    /// The bytes do not start with the `k8s\0` prefix of a Kubernetes protobuf object.
    #[error("not a Kubernetes protobuf object (no k8s\\0 prefix)")]
    NoEnvelope,
}

/// A field path inside one object, built as an error travels up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    message: Option<&'static str>,
    fields: String,
}

impl Path {
    /// The full name of the top-level message, when known.
    pub fn message(&self) -> Option<&'static str> {
        self.message
    }

    /// The JSON path inside it (`spec.containers[0].image`), empty at the top.
    pub fn fields(&self) -> &str {
        &self.fields
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.message, self.fields.is_empty()) {
            (Some(m), true) => write!(f, "{m}"),
            (Some(m), false) => write!(f, "{m}: {}", self.fields),
            (None, true) => f.write_str("the top"),
            (None, false) => f.write_str(&self.fields),
        }
    }
}

impl Error {
    pub(crate) fn malformed(reason: &'static str) -> Self {
        ErrorKind::Malformed {
            reason,
            path: Path::default(),
        }
        .into()
    }

    pub(crate) fn wire_type() -> Self {
        ErrorKind::WireType {
            path: Path::default(),
        }
        .into()
    }

    pub(crate) fn mismatch(got: &'static str, expected: &'static str) -> Self {
        ErrorKind::Mismatch {
            got,
            expected,
            path: Path::default(),
        }
        .into()
    }

    pub(crate) fn format(value: &str, format: &'static str) -> Self {
        ErrorKind::Format {
            value: value.to_owned(),
            format,
            path: Path::default(),
        }
        .into()
    }

    /// The path, for variants that have one.
    pub fn path(&self) -> Option<&Path> {
        match self.kind() {
            ErrorKind::Malformed { path, .. }
            | ErrorKind::WireType { path }
            | ErrorKind::Custom { path, .. }
            | ErrorKind::UnknownField { path, .. }
            | ErrorKind::Mismatch { path, .. }
            | ErrorKind::Format { path, .. } => Some(path),
            ErrorKind::UnknownType { .. } | ErrorKind::NoEnvelope => None,
        }
    }

    fn path_mut(&mut self) -> Option<&mut Path> {
        match &mut *self.0 {
            ErrorKind::Malformed { path, .. }
            | ErrorKind::WireType { path }
            | ErrorKind::Custom { path, .. }
            | ErrorKind::UnknownField { path, .. }
            | ErrorKind::Mismatch { path, .. }
            | ErrorKind::Format { path, .. } => Some(path),
            ErrorKind::UnknownType { .. } | ErrorKind::NoEnvelope => None,
        }
    }

    /// Prefixes the path with a field name.
    pub(crate) fn at_field(mut self, name: &str) -> Self {
        if let Some(path) = self.path_mut() {
            if path.fields.is_empty() || path.fields.starts_with('[') {
                path.fields.insert_str(0, name);
            } else {
                path.fields.insert(0, '.');
                path.fields.insert_str(0, name);
            }
        }
        self
    }

    /// Prefixes the path with an index or map key.
    pub(crate) fn at_index(mut self, index: impl fmt::Display) -> Self {
        if let Some(path) = self.path_mut() {
            let segment = format!("[{index}]");
            if !path.fields.is_empty() && !path.fields.starts_with('[') {
                path.fields.insert(0, '.');
            }
            path.fields.insert_str(0, &segment);
        }
        self
    }

    /// Names the top-level message.
    pub(crate) fn in_message(mut self, message: &'static str) -> Self {
        if let Some(path) = self.path_mut() {
            path.message.get_or_insert(message);
        }
        self
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ErrorKind::Custom {
            message: msg.to_string(),
            path: Path::default(),
        }
        .into()
    }
}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ErrorKind::Custom {
            message: msg.to_string(),
            path: Path::default(),
        }
        .into()
    }
}
