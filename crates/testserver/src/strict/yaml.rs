//! Duplicate keys of a YAML body as `yaml.UnmarshalStrict` (go-yaml v2's `setMapIndex`,
//! through sigs.k8s.io/yaml's `YAMLToJSONStrict`) reports them: `yaml: unmarshal errors:` and
//! one `line N: key "k" already set in map` line, N being the line where the repeated key's
//! value starts.
//!
//! Only the first duplicate is reported (go-yaml lists every one).

use serde_json::Value;

use super::StrictError;
use crate::validation::go_quote;

/// The strict error of the first duplicate key of `text`, if it has one.
pub(crate) fn duplicate_key(text: &str) -> Option<StrictError> {
    let err = serde_saphyr::from_str::<Value>(text).err()?;
    let serde_saphyr::Error::DuplicateMappingKey {
        key: Some(key),
        location,
    } = err.without_snippet()
    else {
        return None;
    };
    let line = value_line(text, location.line(), location.column());
    Some(StrictError::Yaml {
        text: format!(
            "yaml: unmarshal errors:\n  line {line}: key {} already set in map",
            go_quote(key)
        ),
    })
}

/// The 1-based line where the value of the key at (`line`, `column`) starts: the key's own
/// line when something follows the key's `:` there, else the next line with content.
fn value_line(text: &str, line: u64, column: u64) -> u64 {
    let lines: Vec<&str> = text.lines().collect();
    let at = |n: u64| {
        usize::try_from(n.saturating_sub(1))
            .ok()
            .and_then(|i| lines.get(i))
    };
    let Some(key_line) = at(line) else {
        return line;
    };
    let from = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    let rest = key_line.get(from..).unwrap_or_default();
    let after_colon = rest
        .match_indices(':')
        .map(|(i, _)| &rest[i + 1..])
        .find(|after| after.is_empty() || after.starts_with(' '))
        .unwrap_or_default();
    let value = after_colon.split(" #").next().unwrap_or_default().trim();
    if !value.is_empty() {
        return line;
    }
    let mut n = line + 1;
    while let Some(l) = at(n) {
        let trimmed = l.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return n;
        }
        n += 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Option<&str>) {
        let got = duplicate_key(text).map(|e| e.to_string());
        assert_eq!(got.as_deref(), expected, "{text}");
    }

    /// go-yaml v2's `setMapIndex` under `UnmarshalStrict`: `line %d: key %#v already set in
    /// map` with the line of the repeated key's value node.
    #[test]
    fn duplicates_name_the_value_line() {
        check("a: 1\nb: 2\n", None);
        check(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: b\n  name: y\n",
            Some("yaml: unmarshal errors:\n  line 7: key \"name\" already set in map"),
        );
        check(
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n    image: y\n",
            Some("yaml: unmarshal errors:\n  line 6: key \"image\" already set in map"),
        );
        check(
            "data: {}\ndata: {}\n",
            Some("yaml: unmarshal errors:\n  line 2: key \"data\" already set in map"),
        );
        check(
            "spec:\n  x: 1\nspec:\n\n  # the second\n  y: 2\n",
            Some("yaml: unmarshal errors:\n  line 6: key \"spec\" already set in map"),
        );
    }
}
