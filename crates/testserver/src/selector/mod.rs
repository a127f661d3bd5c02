//! Label and field selectors (`labelSelector=`, `fieldSelector=` of lists and watches).
//!
//! Parse once with [`LabelSelector::parse`] / [`FieldSelector::parse`], then match any number of
//! objects cheaply. Parse errors carry the real server's text; the server answers them with
//! `400 BadRequest`.

mod field;
mod getter;
mod label;

use std::fmt;

pub(crate) use field::FieldSelector;
pub(crate) use getter::{Getter, NAME, NAMESPACE, metadata_label, resolve_custom, supported};
pub(crate) use label::LabelSelector;

/// A selector the server refuses (HTTP 400, reason `BadRequest`, this `message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SelectorError {
    /// The Status message, e.g. `field label not supported: spec.foo`.
    pub(crate) message: String,
}

impl SelectorError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        SelectorError {
            message: message.into(),
        }
    }
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SelectorError {}

#[cfg(test)]
mod tests {
    use super::{FieldSelector, LabelSelector};

    /// Hostile inputs produce errors or selectors, never panics.
    #[test]
    fn hostile_inputs_do_not_panic() {
        let inputs = [
            "",
            ",",
            "=",
            "==",
            "!=",
            "!",
            "!!",
            "(",
            ")",
            "a in (",
            "a in )",
            "a notin (,,)",
            "a in (,b,)",
            "\\",
            "\\\\",
            "é=é",
            "\\é",
            "a=\\",
            "a,=b",
            "ü in (ö)",
            "a>",
            "a<b",
            "a=b=c",
            "😀!=😀",
            "a\u{0}b",
            "x in (a b)",
            "k=v,,k2=v2",
            "metadata.name=\\,",
            "metadata.name=a\\=b",
        ];
        for input in inputs {
            let _ = LabelSelector::parse(input);
            let _ = FieldSelector::parse(input, &super::metadata_label);
        }
        assert!(FieldSelector::parse("metadata.name=a\\=b", &super::metadata_label).is_ok());
    }
}
