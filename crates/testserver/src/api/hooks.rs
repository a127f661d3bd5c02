//! The seams where defaulting, admission, validation, `managedFields` and selectors plug into
//! the server. Each is called from exactly one place in the write or read path.

use serde_json::Value;

use crate::api::status::ApiError;
use crate::api::{App, meta_mut, meta_str};
use crate::clock;
use crate::registry::{ResourceType, field_value};

/// The operation admission sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Create.
    Create,
    /// Update or patch.
    Update,
}

/// API field defaulting of a decoded object.
pub(crate) fn apply_defaults(_rt: &ResourceType, _obj: &mut Value) {}

/// Records the write in `metadata.managedFields`.
pub(crate) fn record_managed_fields(
    _rt: &ResourceType,
    _old: Option<&Value>,
    _new: &mut Value,
    _manager: &str,
    _subresource: &str,
) {
}

/// Mutating admission (and the namespace lifecycle checks).
#[allow(clippy::too_many_arguments)]
pub(crate) fn admit(
    app: &App,
    rt: &ResourceType,
    op: Op,
    namespace: &str,
    _name: &str,
    _subresource: &str,
    _obj: Option<&mut Value>,
    _old: Option<&Value>,
) -> Result<(), ApiError> {
    if op == Op::Create && rt.namespaced {
        let ns_key = crate::storage::Key::new("/namespaces", "", namespace);
        if app.store.get(&ns_key).is_none() {
            return Err(ApiError::namespace_not_found(namespace));
        }
    }
    Ok(())
}

/// The type's create strategy (status reset and the like).
pub(crate) fn prepare_create(_rt: &ResourceType, _obj: &mut Value) {}

/// The type's update strategy.
pub(crate) fn prepare_update(_rt: &ResourceType, _obj: &mut Value, _old: &Value) {}

/// Resolves `generateName` into `name`.
pub(crate) fn generate_name(obj: &mut Value) {
    let prefix = meta_str(obj, "generateName").to_owned();
    if meta_str(obj, "name").is_empty() && !prefix.is_empty() {
        if let Some(m) = meta_mut(obj) {
            m.insert(
                "name".into(),
                format!("{prefix}{}", clock::random_suffix(5)).into(),
            );
        }
    }
}

/// Create validation.
pub(crate) fn validate_create(
    _app: &App,
    _rt: &ResourceType,
    _obj: &Value,
) -> Result<(), ApiError> {
    Ok(())
}

/// Update validation.
pub(crate) fn validate_update(
    _app: &App,
    _rt: &ResourceType,
    _obj: &Value,
    _old: &Value,
) -> Result<(), ApiError> {
    Ok(())
}

/// A parsed label and field selector.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    labels: Vec<(String, String, Vec<String>)>,
    fields: Vec<(String, bool, String)>,
}

impl Filter {
    /// Parses `labelSelector` and `fieldSelector` for the type.
    pub(crate) fn parse(rt: &ResourceType, label: &str, field: &str) -> Result<Self, ApiError> {
        let mut f = Filter::default();
        for req in split_top(label) {
            let req = req.trim();
            if req.is_empty() {
                continue;
            }
            let parsed = if let Some(k) = req.strip_prefix('!') {
                (k.trim().to_owned(), "!".to_owned(), vec![])
            } else if let Some((k, v)) = req.split_once("!=") {
                (
                    k.trim().to_owned(),
                    "!=".to_owned(),
                    vec![v.trim().to_owned()],
                )
            } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
                (
                    k.trim().to_owned(),
                    "=".to_owned(),
                    vec![v.trim().to_owned()],
                )
            } else if let Some((k, rest)) =
                req.split_once(" notin ").or_else(|| req.split_once(" in "))
            {
                let op = if req.contains(" notin ") {
                    "notin"
                } else {
                    "in"
                };
                let rest = rest.trim();
                let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
                    let found = rest.split([' ', ',']).next().unwrap_or(rest);
                    return Err(ApiError::bad_request(format!(
                        "unable to parse requirement: found '{found}' expected: '('"
                    )));
                };
                (
                    k.trim().to_owned(),
                    op.to_owned(),
                    inner.split(',').map(|s| s.trim().to_owned()).collect(),
                )
            } else {
                (req.to_owned(), "exists".to_owned(), vec![])
            };
            f.labels.push(parsed);
        }
        for req in field.split(',') {
            let req = req.trim();
            if req.is_empty() {
                continue;
            }
            let (k, neg, v) = if let Some((k, v)) = req.split_once("!=") {
                (k, true, v)
            } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
                (k, false, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{field}'; can't understand '{req}'"
                )));
            };
            let k = k.trim();
            let supported =
                k == "metadata.name" || k == "metadata.namespace" || rt.field_labels().contains(&k);
            if !supported {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {k}"
                )));
            }
            f.fields.push((k.to_owned(), neg, v.trim().to_owned()));
        }
        Ok(f)
    }

    /// Whether nothing is selected on.
    pub(crate) fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// Whether the object matches.
    pub(crate) fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        let labels_ok = self.labels.iter().all(|(k, op, vals)| match op.as_str() {
            "exists" => label(k).is_some(),
            "!" => label(k).is_none(),
            "=" | "in" => label(k).is_some_and(|v| vals.iter().any(|x| x == v)),
            "!=" | "notin" => label(k).is_none_or(|v| !vals.iter().any(|x| x == v)),
            _ => false,
        });
        labels_ok
            && self.fields.iter().all(|(k, neg, v)| {
                let actual = match k.as_str() {
                    "metadata.name" => meta_str(obj, "name").to_owned(),
                    "metadata.namespace" => meta_str(obj, "namespace").to_owned(),
                    other => field_value(obj, other),
                };
                (actual == *v) != *neg
            })
    }
}

/// Splits a label selector at commas outside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// `managedFields` of a TokenRequest answer (an Update by the caller on the `token` subresource).
pub(crate) fn record_token_request_fields(_request: &Value, _answer: &mut Value, _manager: &str) {}
