//! Decoding an apply request body (YAML, of which JSON is a subset).

use serde_json::{Map, Value};

use super::ApplyError;

/// Decodes an apply body into an object, as the server decodes
/// `application/apply-patch+yaml`: an empty document is an empty object,
/// anything but a mapping is an error.
///
/// ```
/// use kubeset_testserver::fields::apply::parse_apply_body;
///
/// let config = parse_apply_body("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"1\"\n").unwrap();
/// assert_eq!(config["data"]["a"], "1");
/// assert!(parse_apply_body("data: [unclosed").is_err());
/// ```
pub fn parse_apply_body(body: &str) -> Result<Value, ApplyError> {
    let value: Value = if body.trim().is_empty() {
        Value::Null
    } else {
        // YAML 1.1 like the server's go-yaml: `0777` is octal (`yes`/`on` are booleans either way);
        // a repeated key's last value wins, as in its non-strict decoding.
        let options = serde_saphyr::options! {
            legacy_octal_numbers: true,
            duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
        };
        serde_saphyr::from_str_with_options(body, options).map_err(|err| ApplyError::Decode {
            message: format!(
                "error converting YAML to JSON: yaml: {}",
                yaml_message(&err.to_string())
            ),
        })?
    };
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Ok(Value::Object(Map::new())),
        other => Err(ApplyError::Decode {
            message: format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                match other {
                    Value::Array(_) => "array",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    _ => "bool",
                }
            ),
        }),
    }
}

/// The decoder's message in go-yaml's words where they are known
/// (`line N: did not find expected ',' or ']'`), its own otherwise.
fn yaml_message(text: &str) -> String {
    let first = text.lines().next().unwrap_or(text).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let Some((location, message)) = first.split_once(": ") else {
        return first.to_owned();
    };
    let line = location
        .strip_prefix("line ")
        .and_then(|rest| rest.split(' ').next())
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()));
    let Some(line) = line else {
        return first.to_owned();
    };
    let message = match message {
        "unclosed bracket '['" => "did not find expected ',' or ']'",
        "unclosed bracket '{'" => "did not find expected ',' or '}'",
        other => other,
    };
    format!("line {line}: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_resolve_like_go_yaml() {
        let config = parse_apply_body("a: yes\nb: 0777\nc: ~\nd: \"0777\"\n1: x\n").unwrap();
        assert_eq!(
            config,
            json!({"a": true, "b": 511, "c": null, "d": "0777", "1": "x"})
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse_apply_body("data: [unclosed").unwrap_err();
        assert_eq!(
            err.to_string(),
            "error decoding YAML: error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'"
        );
        // go-yaml's non-strict decoding: a repeated key's last value wins (the strict check,
        // `api/strict.rs`'s `apply_config`, reports it)
        assert_eq!(parse_apply_body("a: 1\na: 2\n").unwrap(), json!({"a": 2}));
    }
}
