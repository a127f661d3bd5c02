//! Decoding JSON answers into typed values, with errors that name the type, the field path and
//! show where in the body it went wrong.

use serde::de::DeserializeOwned;

use crate::Error;

/// How many bytes of the body an error shows on each side of the failure.
const EXCERPT_RADIUS: usize = 48;

/// Decodes one complete JSON document from `bytes`.
pub(crate) fn decode_json<T: DeserializeOwned>(bytes: &[u8], url: &str) -> Result<T, Error> {
    decode_with_prefix(bytes, url, String::new)
}

/// Like [`decode_json`]; `prefix()` is prepended to the field path in errors (`items[7]`).
///
/// The happy path is plain serde_json (path tracking costs time on every field); only a
/// failed document is decoded again with `serde_path_to_error` to find where it failed.
pub(crate) fn decode_with_prefix<T: DeserializeOwned>(
    bytes: &[u8],
    url: &str,
    prefix: impl FnOnce() -> String,
) -> Result<T, Error> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(first) => Err(explain::<T>(bytes, url, &prefix(), first)),
    }
}

/// The error for a document that failed to decode, with the field path where it failed.
#[cold]
fn explain<T: DeserializeOwned>(
    bytes: &[u8],
    url: &str,
    prefix: &str,
    first: serde_json::Error,
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(err) => {
            let path = join_path(prefix, &err.path().to_string());
            decode_error::<T>(bytes, url, path, err.into_inner())
        }
        // The document itself decoded: what failed is what follows it.
        Ok(_) => decode_error::<T>(bytes, url, join_path(prefix, "(after the document)"), first),
    }
}

/// Builds a [`Error::Decode`] for `source`, which happened while decoding `bytes`.
pub(crate) fn decode_error<T>(
    bytes: &[u8],
    url: &str,
    path: String,
    source: serde_json::Error,
) -> Error {
    Error::Decode {
        type_name: std::any::type_name::<T>(),
        url: url.to_owned(),
        path,
        excerpt: excerpt(bytes, source.line(), source.column()),
        source,
    }
}

fn join_path(prefix: &str, inner: &str) -> String {
    match (prefix.is_empty(), inner == ".") {
        (true, _) => inner.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{inner}"),
    }
}

/// A short printable excerpt of `bytes` around `line`:`column` (1-based, as serde_json counts).
///
/// String values are masked (`"****"`), keys, numbers and punctuation are kept: the excerpt
/// shows the shape that failed to decode without ever showing a token, a Secret's data or any
/// other string the server sent, since decode errors end up in logs.
pub(crate) fn excerpt(bytes: &[u8], line: usize, column: usize) -> String {
    let mut offset = 0usize;
    for _ in 1..line {
        match bytes[offset..].iter().position(|&b| b == b'\n') {
            Some(nl) => offset += nl + 1,
            None => break,
        }
    }
    let at = (offset + column.saturating_sub(1)).min(bytes.len());
    let start = at.saturating_sub(EXCERPT_RADIUS);
    let end = (at + EXCERPT_RADIUS).min(bytes.len());
    let masked = mask_string_values(&bytes[..end]);
    let text = String::from_utf8_lossy(&masked[start..end]);
    let mut out = String::with_capacity(text.len() + 8);
    if start > 0 {
        out.push('…');
    }
    out.extend(text.chars().flat_map(|c| {
        if c.is_control() {
            c.escape_default().collect::<Vec<_>>()
        } else {
            vec![c]
        }
    }));
    if end < bytes.len() {
        out.push('…');
    }
    out
}

/// A copy of `json` with the content of every string value replaced by `*` (object keys kept).
/// Tolerates malformed input: it only tracks strings, escapes and object/array nesting.
fn mask_string_values(json: &[u8]) -> Vec<u8> {
    let mut out = json.to_vec();
    let mut in_objects = Vec::new(); // true for `{`, false for `[`
    let mut expect_key = false;
    let mut string: Option<bool> = None; // Some(masked) while inside a string
    let mut escaped = false;
    for (i, &b) in json.iter().enumerate() {
        if let Some(masked) = string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                string = None;
                continue;
            }
            if masked {
                out[i] = b'*';
            }
            continue;
        }
        match b {
            b'"' => string = Some(!(expect_key && in_objects.last() == Some(&true))),
            b'{' => {
                in_objects.push(true);
                expect_key = true;
            }
            b'[' => {
                in_objects.push(false);
                expect_key = false;
            }
            b'}' | b']' => {
                in_objects.pop();
                expect_key = false;
            }
            b',' => expect_key = in_objects.last() == Some(&true),
            b':' => expect_key = false,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        spec: Inner,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        replicas: u32,
    }

    #[test]
    fn decode_error_names_type_path_and_excerpt() {
        let body = br#"{"spec": {"replicas": "three"}}"#;
        let err = decode_with_prefix::<Outer>(body, "/x", || "items[2]".into()).unwrap_err();
        let Error::Decode {
            type_name,
            path,
            excerpt,
            url,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert!(type_name.ends_with("Outer"), "{type_name}");
        assert_eq!(path, "items[2].spec.replicas");
        assert!(excerpt.contains(r#""replicas": "*****""#), "{excerpt}");
        assert!(
            !excerpt.contains("three"),
            "string values must be masked: {excerpt}"
        );
        assert_eq!(url, "/x");
    }

    #[test]
    fn excerpt_never_shows_string_values() {
        let body = br#"{"kind":"TokenRequest","status":{"token":"eyJhbGciOi.sig","expirationTimestamp":7},"list":["s3cr3t",{"k":"v\"x"}]}"#;
        let e = excerpt(body, 1, 60);
        for secret in ["eyJ", "s3cr3t", "TokenRequest", "v\\"] {
            assert!(!e.contains(secret), "{secret} shown in {e}");
        }
        assert!(
            e.contains(r#""token":"#) && e.contains(r#""expirationTimestamp":7"#),
            "{e}"
        );
        assert!(e.contains(r#"{"k":"*"#), "{e}");
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        let err = decode_json::<serde_json::Value>(b"{} x", "/y").unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    }

    #[test]
    fn excerpt_is_bounded_and_printable() {
        let body = format!("{}\n{{\"a\":\u{1}}}{}", "x".repeat(200), "y".repeat(200));
        let e = excerpt(body.as_bytes(), 2, 6);
        assert!(e.chars().count() <= 2 * EXCERPT_RADIUS + 2 + 6, "{e}");
        assert!(e.contains("\\u{1}"), "{e}");
        assert!(e.starts_with('…') && e.ends_with('…'));
    }
}
