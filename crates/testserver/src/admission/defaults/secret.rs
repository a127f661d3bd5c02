//! Secret and ConfigMap decoding: `stringData` folded into `data`, the `Opaque` type, and the
//! base64 check of `[]byte` fields.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::DecodeError;
use crate::shared::json::default_str;

/// `SetDefaults_Secret` (type `Opaque`) and the conversion that merges `stringData` into `data`
/// (a `stringData` key wins over the same `data` key) and drops `stringData`.
pub(crate) fn secret(obj: &mut Value) -> Result<(), DecodeError> {
    let Some(secret) = obj.as_object_mut() else {
        return Ok(());
    };
    check_base64(secret, "Secret", "data")?;
    if let Some(Value::Object(string_data)) = secret.remove("stringData") {
        let data = secret
            .entry("data")
            .or_insert_with(|| Value::Object(Map::new()));
        if data.is_null() {
            *data = Value::Object(Map::new());
        }
        if let Some(data) = data.as_object_mut() {
            for (k, v) in string_data {
                let text = v.as_str().unwrap_or("");
                data.insert(k, Value::String(STANDARD.encode(text)));
            }
        }
    }
    default_str(secret, "type", "Opaque");
    Ok(())
}

/// ConfigMap `binaryData` must be base64 like Secret `data`.
pub(crate) fn config_map(obj: &mut Value) -> Result<(), DecodeError> {
    match obj.as_object() {
        Some(map) => check_base64(map, "ConfigMap", "binaryData"),
        None => Ok(()),
    }
}

fn check_base64(obj: &Map<String, Value>, kind: &str, key: &str) -> Result<(), DecodeError> {
    let Some(Value::Object(data)) = obj.get(key) else {
        return Ok(());
    };
    for (k, v) in data {
        let Some(text) = v.as_str() else { continue };
        if let Err(e) = STANDARD.decode(text) {
            let offset = match e {
                base64::DecodeError::InvalidByte(offset, _) => offset,
                base64::DecodeError::InvalidLastSymbol(offset, _) => offset,
                base64::DecodeError::InvalidLength(len) => len - len % 4,
                base64::DecodeError::InvalidPadding => text.len(),
            };
            return Err(DecodeError::IllegalBase64 {
                kind: kind.to_owned(),
                field: format!("{key}[{k}]"),
                offset,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_data_wins_and_is_dropped() {
        let mut s = json!({"kind": "Secret", "data": {"a": "YQ=="}, "stringData": {"b": "plain", "a": "overrides"}});
        secret(&mut s).unwrap();
        assert_eq!(
            s,
            json!({"kind": "Secret", "data": {"a": "b3ZlcnJpZGVz", "b": "cGxhaW4="}, "type": "Opaque"})
        );
    }

    #[test]
    fn illegal_base64_is_reported_with_the_real_offset() {
        let mut s = json!({"data": {"a": "not base64!"}});
        let err = secret(&mut s).unwrap_err();
        assert_eq!(
            err.status_message(),
            "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 3"
        );
    }
}
