//! How a field label reads its value from an object ([`Getter`]), and the labels every
//! resource supports (`metadata.name`, `metadata.namespace`). Each type's own labels are in its
//! strategy (`registry`).

use std::borrow::Cow;

use serde_json::Value;

use super::SelectorError;

/// How to read one selectable field from an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Getter {
    /// A string at this JSON pointer (`""` when missing).
    Str(&'static str),
    /// A boolean at this JSON pointer, as `"true"`/`"false"` (`"false"` when missing).
    Bool(&'static str),
    /// An integer at this JSON pointer, in decimal (`"0"` when missing).
    Int(&'static str),
    /// The pod's first IP (`status.podIPs[0].ip`, else `status.podIP`).
    PodIp,
    /// A label the conversion accepts but the selectable set lacks: always `""`.
    Empty,
    /// A custom resource's selectable field: a string, integer or boolean at this JSON
    /// pointer, as text (`""` when missing).
    Scalar(&'static str),
    /// The string at the first JSON pointer, or at the second when that one is empty (an
    /// Event's `source`: the source component, else the reporting controller).
    StrOr(&'static str, &'static str),
}

impl Getter {
    /// The field's value in `obj`, as the selectable-fields set of the real registry holds it
    /// (borrowed where possible: matching allocates nothing for string fields).
    pub(crate) fn get(self, obj: &Value) -> Cow<'_, str> {
        match self {
            Getter::Str(p) => Cow::Borrowed(obj.pointer(p).and_then(Value::as_str).unwrap_or("")),
            Getter::Bool(p) => {
                let b = obj.pointer(p).and_then(Value::as_bool).unwrap_or(false);
                Cow::Borrowed(if b { "true" } else { "false" })
            }
            Getter::Int(p) => Cow::Owned(
                obj.pointer(p)
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                    .to_string(),
            ),
            Getter::Empty => Cow::Borrowed(""),
            Getter::StrOr(first, second) => match Getter::Str(first).get(obj) {
                Cow::Borrowed("") => Getter::Str(second).get(obj),
                found => found,
            },
            Getter::Scalar(p) => match obj.pointer(p) {
                Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => Cow::Owned(v.to_string()),
                _ => Cow::Borrowed(""),
            },
            Getter::PodIp => Cow::Borrowed(
                obj.pointer("/status/podIPs/0/ip")
                    .or_else(|| obj.pointer("/status/podIP"))
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
        }
    }
}

/// `metadata.name`.
pub(crate) const NAME: Getter = Getter::Str("/metadata/name");
/// `metadata.namespace`.
pub(crate) const NAMESPACE: Getter = Getter::Str("/metadata/namespace");

/// Resolves `label` against the labels of a type with its own conversion function
/// (`table`, which lists `metadata.name` and `metadata.namespace` where the type has them).
///
/// # Errors
/// `field label not supported: <label>` for any other label.
pub(crate) fn supported(
    table: &[(&str, Getter)],
    label: &str,
) -> Result<(String, Getter), SelectorError> {
    match table.iter().find(|(l, _)| *l == label) {
        Some((l, getter)) => Ok(((*l).to_owned(), *getter)),
        None => Err(SelectorError::new(format!(
            "field label not supported: {label}"
        ))),
    }
}

/// Resolves a field label of a custom resource: `metadata.name`, `metadata.namespace` and the
/// CRD version's `selectableFields` (`.spec.color` selects as `spec.color`).
pub(crate) fn resolve_custom(
    selectable: &[String],
    label: &str,
) -> Result<(String, Getter), SelectorError> {
    match label {
        "metadata.name" => return Ok((label.to_owned(), NAME)),
        "metadata.namespace" => return Ok((label.to_owned(), NAMESPACE)),
        _ => {}
    }
    if selectable
        .iter()
        .any(|path| path.strip_prefix('.') == Some(label))
    {
        let pointer = format!("/{}", label.replace('.', "/"));
        return Ok((label.to_owned(), Getter::Scalar(intern(&pointer))));
    }
    Err(SelectorError::new(format!(
        "field label not supported: {label}"
    )))
}

/// A `'static` copy of a custom field's JSON pointer; each distinct pointer is leaked once
/// (they are bounded by the CRDs' selectable fields).
fn intern(pointer: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static POINTERS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = POINTERS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = set.get(pointer) {
        return p;
    }
    let leaked: &'static str = Box::leak(pointer.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// Resolves a field label of a type with only the generic conversion (`metadata.name`,
/// `metadata.namespace`).
///
/// # Errors
/// The real text for any other label.
pub(crate) fn metadata_label(label: &str) -> Result<(String, Getter), SelectorError> {
    match label {
        "metadata.name" => Ok((label.to_owned(), NAME)),
        "metadata.namespace" => Ok((label.to_owned(), NAMESPACE)),
        _ => Err(SelectorError::new(format!(
            "\"{label}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        ))),
    }
}
