//! Field selectors: `k8s.io/apimachinery/pkg/fields` syntax (`=`, `==`, `!=`, `,`, `\` escapes)
//! and the per-resource field labels.

use serde_json::Value;

use super::Getter;
use super::SelectorError;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    field: String,
    getter: Getter,
    value: String,
    negated: bool,
}

/// Resolves a field label to its canonical name and getter.
type Resolve<'a> = dyn Fn(&str) -> Result<(String, Getter), SelectorError> + 'a;

/// A parsed field selector for one resource; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldSelector {
    terms: Vec<Term>,
}

/// Splits on unescaped commas.
fn split_terms(s: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == ',' {
            terms.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    terms.push(current);
    terms
}

/// Splits `lhs OP rhs` at the first unescaped `!=`, `==` or `=`.
fn split_term(term: &str) -> Option<(&str, &str, &str)> {
    let mut chars = term.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
            continue;
        }
        for op in ["!=", "==", "="] {
            if term[i..].starts_with(op) {
                return Some((&term[..i], op, &term[i + op.len()..]));
            }
        }
    }
    None
}

fn unescape(value: &str) -> Result<String, SelectorError> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => out.push(e),
                Some(e) => {
                    return Err(SelectorError::new(format!(
                        "invalid field selector: invalid escape sequence: \\{e}"
                    )));
                }
                None => {
                    return Err(SelectorError::new(
                        "invalid field selector: invalid escape sequence: \\",
                    ));
                }
            },
            ',' | '=' => {
                return Err(SelectorError::new(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                )));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

impl FieldSelector {
    /// Parses `selector`, resolving each field label with `resolve` (a type's
    /// `Strategy::field_label`).
    ///
    /// # Errors
    /// [`SelectorError`] with the real text: a syntax error
    /// (`invalid selector: '...'; can't understand '...'`), or what `resolve` says of an
    /// unsupported field.
    pub(crate) fn parse(selector: &str, resolve: &Resolve<'_>) -> Result<Self, SelectorError> {
        let mut parts = split_terms(selector);
        parts.sort();
        let mut terms = Vec::new();
        for part in parts.iter().filter(|p| !p.is_empty()) {
            let Some((lhs, op, rhs)) = split_term(part) else {
                return Err(SelectorError::new(format!(
                    "invalid selector: '{selector}'; can't understand '{part}'"
                )));
            };
            let value = unescape(rhs)?;
            let (field, getter) = resolve(lhs)?;
            terms.push(Term {
                field,
                getter,
                value,
                negated: op == "!=",
            });
        }
        Ok(FieldSelector { terms })
    }

    /// Whether the selector matches everything.
    pub(crate) fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `obj` (external JSON) matches every term.
    pub(crate) fn matches(&self, obj: &Value) -> bool {
        self.terms
            .iter()
            .all(|t| (t.getter.get(obj) == t.value) != t.negated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::metadata_label;
    use serde_json::json;

    #[track_caller]
    fn check_err(selector: &str, message: &str) {
        assert_eq!(
            FieldSelector::parse(selector, &metadata_label)
                .unwrap_err()
                .message,
            message
        );
    }

    #[test]
    fn generic_labels() {
        let obj = json!({"metadata": {"name": "p2", "namespace": "ns"}});
        let s = FieldSelector::parse("metadata.name=p2,metadata.namespace!=x", &metadata_label)
            .unwrap();
        assert!(s.matches(&obj));
        let s = FieldSelector::parse("metadata.name==p1", &metadata_label).unwrap();
        assert!(!s.matches(&obj));
    }

    #[test]
    fn errors() {
        check_err(
            "status.phase=Available",
            "\"status.phase\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        );
        check_err(
            "nonsense",
            "invalid selector: 'nonsense'; can't understand 'nonsense'",
        );
        check_err(
            "metadata.name=a\\b",
            "invalid field selector: invalid escape sequence: \\b",
        );
        // Multi-byte characters next to escapes must not split a character.
        check_err(
            "metadata.name=\\é",
            "invalid field selector: invalid escape sequence: \\é",
        );
    }
}
