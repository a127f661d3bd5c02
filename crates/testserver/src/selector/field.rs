//! Field selectors: `k8s.io/apimachinery/pkg/fields` syntax (`=`, `==`, `!=`, `,`, `\` escapes)
//! and the per-resource field labels.

use serde_json::Value;

use super::SelectorError;
use super::fields_by_resource::{Getter, resolve};

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
    /// Parses `selector` for `group`/`resource` (plural), resolving each field label.
    ///
    /// # Errors
    /// [`SelectorError`] with the real text: a syntax error
    /// (`invalid selector: '...'; can't understand '...'`), or an unsupported field
    /// (`field label not supported: spec.foo`, or for resources with only the generic fields
    /// `"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"`).
    pub(crate) fn parse(
        group: &str,
        resource: &str,
        selector: &str,
    ) -> Result<Self, SelectorError> {
        Self::parse_with(selector, &|label| resolve(group, resource, label))
    }

    /// Parses a selector of a custom resource whose CRD version selects on `selectable`.
    pub(crate) fn parse_custom(
        selector: &str,
        selectable: &[String],
    ) -> Result<Self, SelectorError> {
        Self::parse_with(selector, &|label| {
            super::fields_by_resource::resolve_custom(selectable, label)
        })
    }

    fn parse_with(selector: &str, resolve: &Resolve<'_>) -> Result<Self, SelectorError> {
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

    /// The value a single `metadata.name=X` term requires, if that is the whole selector
    /// (lets the server look one object up instead of scanning).
    pub(crate) fn single_name(&self) -> Option<&str> {
        match self.terms.as_slice() {
            [t] if t.field == "metadata.name" && !t.negated => Some(&t.value),
            _ => None,
        }
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
    use serde_json::json;

    #[track_caller]
    fn check(resource: &str, selector: &str, obj: &Value, expected: bool) {
        let s = FieldSelector::parse("", resource, selector).unwrap();
        assert_eq!(s.matches(obj), expected, "{selector}");
    }

    #[track_caller]
    fn check_err(resource: &str, selector: &str, message: &str) {
        assert_eq!(
            FieldSelector::parse("", resource, selector)
                .unwrap_err()
                .message,
            message
        );
    }

    #[test]
    fn pod_fields() {
        let pod = json!({"metadata": {"name": "p2", "namespace": "ns"},
            "spec": {"restartPolicy": "Always", "schedulerName": "default-scheduler"},
            "status": {"phase": "Pending"}});
        check("pods", "metadata.name=p2", &pod, true);
        check("pods", "metadata.name==p1", &pod, false);
        check("pods", "spec.nodeName=", &pod, true);
        check("pods", "status.phase!=Pending", &pod, false);
        check(
            "pods",
            "spec.restartPolicy=Always,metadata.name!=p1",
            &pod,
            true,
        );
        check("pods", "spec.host=", &pod, true);
        check("pods", "spec.hostNetwork=false", &pod, true);
        check("pods", "metadata.namespace=ns", &pod, true);
    }

    #[test]
    fn errors() {
        check_err(
            "pods",
            "spec.foo=bar",
            "field label not supported: spec.foo",
        );
        check_err(
            "persistentvolumes",
            "status.phase=Available",
            "\"status.phase\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
        );
        check_err(
            "pods",
            "nonsense",
            "invalid selector: 'nonsense'; can't understand 'nonsense'",
        );
        check_err(
            "pods",
            "metadata.name=a\\b",
            "invalid field selector: invalid escape sequence: \\b",
        );
        // Multi-byte characters next to escapes must not split a character.
        check_err("pods", "\\é\\é=x", "field label not supported: \\é\\é");
        check_err(
            "pods",
            "metadata.name=\\é",
            "invalid field selector: invalid escape sequence: \\é",
        );
    }

    #[test]
    fn event_and_node_fields() {
        let ev = json!({"involvedObject": {"name": "p1", "kind": "Pod"}, "reason": "Scheduled", "type": "Normal", "source": {"component": "x"}});
        check("events", "involvedObject.name=p1", &ev, true);
        check("events", "reason=Scheduled,type=Normal", &ev, true);
        check("events", "source=x", &ev, true);
        let node = json!({"metadata": {"name": "n"}, "spec": {"unschedulable": true}});
        check("nodes", "spec.unschedulable=true", &node, true);
        check("nodes", "spec.unschedulable=false", &json!({}), true);
    }
}
