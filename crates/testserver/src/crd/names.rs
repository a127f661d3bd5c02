//! The naming controller's check: a CRD's requested names against the names other CRDs of
//! its group have been accepted under (apiextensions-apiserver's `NamingConditionController`).

use serde_json::Value;

fn text<'a>(names: &'a Value, key: &str) -> &'a str {
    names.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(names: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    names
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The first conflict of `requested` (a CRD's `spec.names`) with `accepted` (the
/// `status.acceptedNames` of the group's other CRDs): the condition reason and message.
pub(crate) fn conflict(requested: &Value, accepted: &[&Value]) -> Option<(&'static str, String)> {
    let in_use = |word: &str, keys: &[&str]| {
        !word.is_empty()
            && accepted.iter().any(|names| {
                keys.iter().any(|k| text(names, k) == word)
                    || (keys.contains(&"shortNames")
                        && list(names, "shortNames").any(|s| s == word))
            })
    };
    let message = |word: &str| format!("{} is already in use", crate::validation::go_quote(word));
    let plural = text(requested, "plural");
    if in_use(plural, &["plural", "singular"]) {
        return Some(("PluralConflict", message(plural)));
    }
    let singular = text(requested, "singular");
    if in_use(singular, &["plural", "singular"]) {
        return Some(("SingularConflict", message(singular)));
    }
    for short in list(requested, "shortNames") {
        if in_use(short, &["plural", "singular", "shortNames"]) {
            return Some(("ShortNamesConflict", message(short)));
        }
    }
    let kind = text(requested, "kind");
    if in_use(kind, &["kind", "listKind"]) {
        return Some(("KindConflict", message(kind)));
    }
    let list_kind = text(requested, "listKind");
    if in_use(list_kind, &["kind", "listKind"]) {
        return Some(("ListKindConflict", message(list_kind)));
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_first_name_in_use_is_the_conflict() {
        let other = json!({"plural": "widgets", "singular": "widget", "kind": "Widget",
            "listKind": "WidgetList", "shortNames": ["wd"]});
        let ask = |names: Value| conflict(&names, &[&other]);
        assert_eq!(
            ask(
                json!({"plural": "gizmos", "singular": "gizmo", "kind": "Widget", "listKind": "GizmoList"})
            ),
            Some(("KindConflict", "\"Widget\" is already in use".to_owned()))
        );
        assert_eq!(
            ask(
                json!({"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo", "listKind": "GizmoList", "shortNames": ["wd"]})
            ),
            Some(("ShortNamesConflict", "\"wd\" is already in use".to_owned()))
        );
        assert_eq!(
            ask(
                json!({"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo", "listKind": "GizmoList"})
            ),
            None
        );
    }
}
