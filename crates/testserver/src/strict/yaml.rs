//! Duplicate keys of a YAML body as `yaml.UnmarshalStrict` (go-yaml v2, through
//! sigs.k8s.io/yaml's `YAMLToJSONStrict`) reports them: `yaml: unmarshal errors:` and one
//! `line N: key "k" already set in map` line, N being the line where the mapping holding the
//! key starts (its first key, or the `- ` of the list item it opens).
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
    let line = mapping_start(text, location.line(), location.column());
    Some(StrictError::Yaml {
        text: format!(
            "yaml: unmarshal errors:\n  line {line}: key {} already set in map",
            go_quote(key)
        ),
    })
}

/// The 1-based line where the block mapping whose key sits at (`line`, `column`) starts:
/// the topmost line above it, within the mapping, holding a key at the same column.
fn mapping_start(text: &str, line: u64, column: u64) -> u64 {
    let lines: Vec<&str> = text.lines().collect();
    let key_indent = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    let mut start = line;
    let mut n = line;
    while n > 1 {
        n -= 1;
        let Some(l) = usize::try_from(n - 1).ok().and_then(|i| lines.get(i)) else {
            break;
        };
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = l.len() - trimmed.len();
        // the `- ` opening the list item whose mapping this is
        let item = trimmed
            .strip_prefix('-')
            .filter(|rest| rest.starts_with(' '))
            .map(|rest| indent + 1 + (rest.len() - rest.trim_start().len()));
        match item {
            Some(col) if col == key_indent => return n,
            _ if indent > key_indent => {}
            _ if indent == key_indent && item.is_none() => start = n,
            _ if indent == key_indent => {}
            _ => break,
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Option<&str>) {
        let got = duplicate_key(text).map(|e| e.to_string());
        assert_eq!(got.as_deref(), expected, "{text}");
    }

    /// go-yaml v2's `decoder.mapping` under `UnmarshalStrict`: `line %d: key %#v already set
    /// in map` with the mapping node's line.
    #[test]
    fn duplicates_name_the_mapping_line() {
        check("a: 1\nb: 2\n", None);
        check(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: b\n  name: y\n",
            Some("yaml: unmarshal errors:\n  line 4: key \"name\" already set in map"),
        );
        check(
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n    image: y\n",
            Some("yaml: unmarshal errors:\n  line 4: key \"image\" already set in map"),
        );
        check(
            "data: {}\ndata: {}\n",
            Some("yaml: unmarshal errors:\n  line 1: key \"data\" already set in map"),
        );
    }
}
