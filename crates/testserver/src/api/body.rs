//! Request body decoding and response representation negotiation.

use serde_json::Value;

use crate::api::status::ApiError;
use crate::registry::ResourceType;

/// Response representation chosen from `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// `application/vnd.kubernetes.protobuf`, for built-in types; for others JSON when
    /// `or_json` (the `Accept` also allowed it), else 406.
    Protobuf {
        /// Whether JSON was acceptable too.
        or_json: bool,
    },
}

/// What shape of object the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum As {
    /// The full object.
    Object,
    /// `as=PartialObjectMetadata[List]`.
    Metadata,
    /// `as=Table`.
    Table,
}

/// The negotiated representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Representation {
    /// Serialization.
    pub(crate) format: Format,
    /// Object shape.
    pub(crate) shape: As,
}

impl Representation {
    /// Plain JSON objects.
    pub(crate) const JSON: Representation = Representation {
        format: Format::Json,
        shape: As::Object,
    };
}

/// Picks the first acceptable media range of an `Accept` header.
pub(crate) fn negotiate(accept: Option<&str>) -> Result<Representation, ApiError> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(Representation::JSON);
    };
    let or_json = accept.split(',').any(|range| {
        let media = range
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        matches!(media.as_str(), "application/json" | "*/*" | "application/*")
    });
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut as_ = None;
        let mut group = None;
        for p in parts {
            match p.split_once('=') {
                Some(("as", v)) => as_ = Some(v.to_owned()),
                Some(("g", v)) => group = Some(v.to_owned()),
                _ => {}
            }
        }
        let format = match media.as_str() {
            "application/json" | "*/*" | "application/*" | "application/json-seq" => Format::Json,
            "application/yaml" => Format::Yaml,
            "application/vnd.kubernetes.protobuf" if as_.is_none() => Format::Protobuf { or_json },
            _ => continue,
        };
        let shape = match (as_.as_deref(), group.as_deref()) {
            (None, _) => As::Object,
            (Some("PartialObjectMetadata" | "PartialObjectMetadataList"), Some("meta.k8s.io")) => {
                As::Metadata
            }
            (Some("Table"), Some("meta.k8s.io")) => As::Table,
            _ => continue,
        };
        return Ok(Representation { format, shape });
    }
    Err(ApiError::not_acceptable())
}

/// The body's media type, as far as decoding is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyType {
    /// `application/json` (or none given).
    Json,
    /// `application/yaml`.
    Yaml,
    /// `application/merge-patch+json`.
    MergePatch,
    /// `application/json-patch+json`.
    JsonPatch,
    /// `application/strategic-merge-patch+json`.
    StrategicMergePatch,
    /// `application/apply-patch+yaml`.
    ApplyPatch,
    /// `application/vnd.kubernetes.protobuf`.
    Protobuf,
    /// Anything else.
    Other,
}

/// Classifies a `Content-Type` header.
pub(crate) fn body_type(content_type: Option<&str>) -> BodyType {
    let media = content_type
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "" | "application/json" => BodyType::Json,
        "application/yaml" => BodyType::Yaml,
        "application/merge-patch+json" => BodyType::MergePatch,
        "application/json-patch+json" => BodyType::JsonPatch,
        "application/strategic-merge-patch+json" => BodyType::StrategicMergePatch,
        "application/apply-patch+yaml" | "application/apply-patch+cbor" => BodyType::ApplyPatch,
        "application/vnd.kubernetes.protobuf" => BodyType::Protobuf,
        _ => BodyType::Other,
    }
}

/// Go's text for a JSON syntax error at the position serde reports.
pub(crate) fn go_json_error(body: &[u8], err: &serde_json::Error) -> String {
    if err.is_eof() {
        return "unexpected end of JSON input".to_owned();
    }
    // serde's line and column count bytes, so the offset is one into `body`; the text on
    // each side is decoded separately, as the offset may fall inside a character.
    let offset: usize = body
        .split(|&b| b == b'\n')
        .take(err.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>()
        + err.column().saturating_sub(1);
    let (prefix, rest) = body.split_at(offset.min(body.len()));
    let ch = String::from_utf8_lossy(&rest[..rest.len().min(4)])
        .chars()
        .next()
        .unwrap_or(' ');
    let prefix = String::from_utf8_lossy(prefix);
    let before = prefix.trim_end().chars().last();
    let context = match before {
        Some('{') => "looking for beginning of object key string",
        Some(',') if in_object(&prefix) => "looking for beginning of object key string",
        Some(':') | Some('[') | Some(',') | None => "looking for beginning of value",
        _ => "after object key:value pair",
    };
    format!("invalid character {} {context}", go_quote_char(ch))
}

fn in_object(prefix: &str) -> bool {
    let mut depth: Vec<char> = Vec::new();
    let mut in_str = false;
    let mut esc = false;
    for c in prefix.chars() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => depth.push(c),
            '}' | ']' => {
                depth.pop();
            }
            _ => {}
        }
    }
    depth.last() == Some(&'{')
}

fn go_quote_char(c: char) -> String {
    if c == '\'' {
        "'\\''".to_owned()
    } else if c.is_ascii_graphic() || c == ' ' {
        format!("'{c}'")
    } else {
        format!("'\\u{:04x}'", c as u32)
    }
}

/// Decodes a create/update body into an object of the resource's kind, as the real server does.
pub(crate) fn decode_object(
    rt: &ResourceType,
    kind: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Value, ApiError> {
    let value: Value = match body_type(content_type) {
        BodyType::Json => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!(
                "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: {} ({})",
                go_json_error(body, &e),
                summarize_data(body)
            ))
        })?,
        BodyType::Yaml => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("the body is not valid UTF-8"))?;
            // Go's non-strict YAMLToJSON: a repeated key's last value wins (strict decoding
            // reports the repetition, see `strict/`)
            let last_wins = serde_saphyr::options! {
                duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
            };
            serde_saphyr::from_str_with_options(text, last_wins).map_err(|e| {
                ApiError::bad_request(format!(
                    "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; yaml parse error: {e}"
                ))
            })?
        }
        BodyType::Protobuf => crate::api::protobuf::decode(body)?,
        _ => return Err(ApiError::unsupported_body()),
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            go_type(&value)
        )));
    }
    if rt.custom.is_none() {
        // a custom resource's kind is checked by its strategy (a 422, not this 400)
        crate::api::hooks::type_meta_mismatch(rt, kind, &value)?;
    }
    Ok(value)
}

/// `summarizeData(body, 30)` of the create and update handlers: the body as text, cut after
/// 30 bytes with ` ...`, `<empty>`, or `<binary, N bytes>` when it starts with a NUL byte.
fn summarize_data(body: &[u8]) -> String {
    match body {
        [] => "<empty>".to_owned(),
        [0, ..] => format!("<binary, {} bytes>", body.len()),
        _ if body.len() > 30 => format!("{} ...", String::from_utf8_lossy(&body[..30])),
        _ => String::from_utf8_lossy(body).into_owned(),
    }
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "null",
    }
}

/// Decodes a DeleteOptions body (may be empty).
pub(crate) fn decode_delete_options(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "couldn't get version/kind; json parse error: {}",
            go_json_error(body, &e)
        ))
    })?;
    if !v.is_object() {
        return Err(ApiError::bad_request(format!(
            "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            go_type(&v)
        )));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(body: &str, expected: &str) {
        let e = serde_json::from_slice::<Value>(body.as_bytes()).unwrap_err();
        assert_eq!(go_json_error(body.as_bytes(), &e), expected);
    }

    #[test]
    fn go_error_texts() {
        check(
            "{\"apiVersion\": \"v1\", \"kind\": ",
            "unexpected end of JSON input",
        );
        check(
            "{bad",
            "invalid character 'b' looking for beginning of object key string",
        );
        check("[x", "invalid character 'x' looking for beginning of value");
    }

    /// `summarizeData` of apiserver/pkg/endpoints/handlers/rest.go.
    #[test]
    fn body_summaries() {
        assert_eq!(summarize_data(b""), "<empty>");
        assert_eq!(summarize_data(b"\0abc"), "<binary, 4 bytes>");
        assert_eq!(
            summarize_data(br#"{"apiVersion": "v1", "kind": "#),
            r#"{"apiVersion": "v1", "kind": "#
        );
        assert_eq!(
            summarize_data(br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}"#),
            r#"{"apiVersion":"v1","kind":"Con ..."#
        );
    }

    /// Found by the `patch` fuzz target: a byte that is not UTF-8 before the error moved the
    /// offset into the middle of the replacement character, and slicing there panicked.
    #[test]
    fn invalid_utf8_before_the_error_is_no_panic() {
        let body = b"{\"metadaza\":{\"labels\":{\"tier\":\"fronT\xb8\0\0\0\0\0\0\0ers\":[{\"name\":\"app\",\"image\"&\"x\"}]}}";
        let e = serde_json::from_slice::<Value>(body).unwrap_err();
        // the character is the NUL serde stopped at (Go would add "in string literal")
        assert!(
            go_json_error(body, &e).starts_with("invalid character '\\u0000' "),
            "{}",
            go_json_error(body, &e)
        );
        let body = "{\"a\":\"\u{e9}\"x".as_bytes();
        let e = serde_json::from_slice::<Value>(body).unwrap_err();
        assert_eq!(
            go_json_error(body, &e),
            "invalid character 'x' after object key:value pair"
        );
    }

    #[test]
    fn accept() {
        assert_eq!(
            negotiate(Some("application/yaml")).unwrap().format,
            Format::Yaml
        );
        assert_eq!(
            negotiate(Some(
                "application/vnd.kubernetes.protobuf, application/json"
            ))
            .unwrap()
            .format,
            Format::Protobuf { or_json: true }
        );
        assert_eq!(
            negotiate(Some("application/vnd.kubernetes.protobuf"))
                .unwrap()
                .format,
            Format::Protobuf { or_json: false }
        );
        // Protobuf Tables and metadata are not served: the next range is.
        assert_eq!(
            negotiate(Some(
                "application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1, application/json"
            ))
            .unwrap(),
            Representation::JSON
        );
        assert_eq!(
            negotiate(Some(
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            ))
            .unwrap()
            .shape,
            As::Metadata
        );
        assert_eq!(negotiate(Some("text/html")).unwrap_err().code, 406);
    }
}
