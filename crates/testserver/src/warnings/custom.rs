//! Custom resources (`customresource/strategy.go` `generateWarningsFromObj` with
//! `validateKubeFinalizerName`): finalizer names the write adds that are not qualified names
//! or not domain-qualified with a path.

use serde_json::Value;

use crate::validation::go_quote;
use crate::validation::names::qualified_name;

/// `metav1.FinalizerOrphanDependents`, `FinalizerDeleteDependents`, `FinalizerKubernetes`.
const STANDARD_FINALIZERS: &[&str] = &["orphan", "foregroundDeletion", "kubernetes"];

fn finalizers(obj: Option<&Value>) -> Vec<&str> {
    obj.and_then(|o| o.pointer("/metadata/finalizers"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The finalizer warnings of a create (`old` `None`) or update: the names `new` adds, sorted
/// (`sets.String.List()`).
pub(crate) fn finalizer_names(new: &Value, old: Option<&Value>) -> Vec<String> {
    let before = finalizers(old);
    let mut added: Vec<&str> = finalizers(Some(new))
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    added.sort_unstable();
    added.dedup();
    let mut warnings = Vec::new();
    for name in added {
        let quoted = go_quote(name);
        for msg in qualified_name(name) {
            warnings.push(format!("metadata.finalizers: {quoted}: {msg}"));
        }
        if !name.contains('/') && !STANDARD_FINALIZERS.contains(&name) {
            let advice = if name.contains('.') {
                "prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers"
            } else {
                "prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers"
            };
            warnings.push(format!("metadata.finalizers: {quoted}: {advice}"));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Only added names are judged; a dotted name without a path is told to add one.
    #[test]
    fn added_finalizers_without_a_path() {
        let old = json!({"metadata": {"finalizers": ["keep"]}});
        let new = json!({"metadata": {"finalizers": ["keep", "example.com/ok", "a.example.com", "orphan", "plain"]}});
        assert_eq!(
            finalizer_names(&new, Some(&old)),
            [
                "metadata.finalizers: \"a.example.com\": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers",
                "metadata.finalizers: \"plain\": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers",
            ]
        );
        assert_eq!(finalizer_names(&new, None).len(), 3);
    }
}
