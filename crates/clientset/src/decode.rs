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
///
/// The body is checked to be UTF-8 once, as a whole, and then read as a `str`: reading it as
/// bytes makes serde_json check every string on its own, which costs a pod ~390 short checks
/// (a tenth of a GET's client CPU in `cargo xtask bench`'s profile) against one pass over the
/// body. A body that is not UTF-8 is read as bytes, so the error is serde_json's own, at the
/// same line and column.
pub(crate) fn decode_with_prefix<T: DeserializeOwned>(
    bytes: &[u8],
    url: &str,
    prefix: impl FnOnce() -> String,
) -> Result<T, Error> {
    let decoded = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    decoded.map_err(|first| explain::<T>(bytes, url, &prefix(), first))
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
        source: masked_message(&source),
    }
}

/// `err` with the values its message quotes masked: serde's `invalid type: string "…"` and
/// `unknown variant `…`` quote what they met, which may be a token or a Secret's data. Line
/// and column are kept (serde_json reads them back from the message's end).
fn masked_message(err: &serde_json::Error) -> serde_json::Error {
    let text = err.to_string();
    let (message, position) = match text.rfind(" at line ") {
        Some(at) if err.line() > 0 => text.split_at(at),
        _ => (text.as_str(), ""),
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = message;
    loop {
        let quote = rest.find('"');
        let variant = ["unknown variant `", "character `"]
            .iter()
            .filter_map(|p| rest.find(p).map(|at| at + p.len() - 1))
            .min();
        let (open, close) = match (quote, variant) {
            (Some(q), Some(v)) if v < q => (v, '`'),
            (Some(q), _) => (q, '"'),
            (None, Some(v)) => (v, '`'),
            (None, None) => break,
        };
        out.push_str(&rest[..=open]);
        let body = &rest[open + 1..];
        // Debug-escaped text: `\"` does not close it.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                c if c == close => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            out.push_str("****");
            rest = "";
            break;
        };
        out.push_str("****");
        out.push(close);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out.push_str(position);
    <serde_json::Error as serde::de::Error>::custom(out)
}

fn join_path(prefix: &str, inner: &str) -> String {
    match (prefix.is_empty(), inner == ".") {
        (true, _) => inner.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{inner}"),
    }
}

/// Where a piece of JSON starts, relative to strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StringState {
    /// Outside any string (the start of a document).
    Outside,
    /// Inside a string.
    InString,
    /// Inside a string, right after a backslash.
    AfterEscape,
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
    excerpt_from(
        bytes,
        offset + column.saturating_sub(1),
        StringState::Outside,
    )
}

/// Like [`excerpt`] around byte `at` of a piece of a document that starts in state `entry`
/// (a piece of a streamed body may start in the middle of a string).
pub(crate) fn excerpt_from(bytes: &[u8], at: usize, entry: StringState) -> String {
    let at = at.min(bytes.len());
    let start = at.saturating_sub(EXCERPT_RADIUS);
    let end = (at + EXCERPT_RADIUS).min(bytes.len());
    let masked = mask_string_values(bytes, end, entry);
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

/// A copy of `json[..end]` with the content of every string replaced by `*`, except object
/// keys: strings without escapes after `{` or `,` and followed by `:` (looking past `end` if
/// needed); words outside strings that
/// are not numbers or `true`/`false`/`null` are masked too, so a body whose quotes are out of
/// step (one lost or added by a broken server) shows no string's content either.
///
/// Deciding by what follows needs no knowledge of the nesting, so a piece that starts in the
/// middle of a document is masked as well as a whole one; only where the piece starts
/// relative to strings must be known (`entry`): a string cut by the start is always masked.
/// Tolerates malformed input.
fn mask_string_values(json: &[u8], end: usize, entry: StringState) -> Vec<u8> {
    let end = end.min(json.len());
    let mut out = json[..end].to_vec();
    let mut i = 0;
    // The first string may have started before the piece: mask up to its closing quote.
    let mut open: Option<usize> = (entry != StringState::Outside).then_some(0);
    let mut escaped = entry == StringState::AfterEscape;
    let mut cut = open.is_some();
    while i < json.len() {
        let b = json[i];
        match open {
            Some(from) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    open = None;
                    // A key holds no escapes: a value string that ends early in a broken
                    // body (`\"` turned into `\}`) may be followed by a colon, and may hold
                    // whole documents (`last-applied-configuration`).
                    // Likewise a key follows `{` or `,`, never the `:` before a value.
                    let is_key = !cut
                        && !json[from..i].contains(&b'\\')
                        && preceded_by_key_start(&json[..from.saturating_sub(1)])
                        && followed_by_colon(&json[i + 1..]);
                    if !is_key {
                        out[from.min(end)..i.min(end)].fill(b'*');
                    }
                    cut = false;
                    if i >= end {
                        return out;
                    }
                }
            }
            None => {
                if i >= end {
                    return out;
                }
                if b == b'"' {
                    open = Some(i + 1);
                } else if !is_structural(b) {
                    // A word outside strings: shown only if it is a number or a literal. In
                    // a broken body (a quote lost or added) string contents end up here.
                    let run = json[i..]
                        .iter()
                        .position(|&c| is_structural(c) || c == b'"')
                        .map_or(json.len(), |n| i + n);
                    let word = &json[i..run];
                    if !is_literal(word)
                        && word.iter().any(|&c| c.is_ascii_alphanumeric() || c >= 0x80)
                    {
                        out[i.min(end)..run.min(end)].fill(b'*');
                    }
                    i = run;
                    continue;
                }
            }
        }
        i += 1;
    }
    // A string still open at the end of the input is masked.
    if let Some(from) = open {
        out[from.min(end)..].fill(b'*');
    }
    out
}

/// JSON's punctuation and whitespace.
fn is_structural(b: u8) -> bool {
    b.is_ascii_whitespace() || b"{}[]:,".contains(&b)
}

/// Whether `word` is `true`, `false`, `null` or looks like a number.
fn is_literal(word: &[u8]) -> bool {
    matches!(word, b"true" | b"false" | b"null")
        || (word
            .first()
            .is_some_and(|&c| c == b'-' || c.is_ascii_digit())
            && word
                .iter()
                .all(|&c| c.is_ascii_digit() || b".eE+-".contains(&c)))
}

/// Whether the last byte that is not whitespace is a `{` or `,` (or there is none).
fn preceded_by_key_start(before: &[u8]) -> bool {
    before
        .iter()
        .rfind(|b| !b.is_ascii_whitespace())
        .is_none_or(|&b| b == b'{' || b == b',')
}

/// Whether the next byte that is not whitespace is a `:` (what follows an object key).
fn followed_by_colon(rest: &[u8]) -> bool {
    rest.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b':')
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
    fn decoder_messages_lose_the_values_they_quote() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            A,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Doc {
            n: Option<u32>,
            k: Option<Kind>,
            c: Option<char>,
        }
        for (body, shown) in [
            (
                r#"{"n": "tok\"en"}"#,
                r#"invalid type: string "****", expected u32 at line 1 column 15"#,
            ),
            (
                r#"{"k": "s3cr3t"}"#,
                "unknown variant `****`, expected `A` at line 1 column 14",
            ),
            (
                r#"{"c": 5}"#,
                "invalid type: integer `5`, expected a character at line 1 column 7",
            ),
        ] {
            let err = decode_json::<Doc>(body.as_bytes(), "/x").unwrap_err();
            let Error::Decode { source, .. } = &err else {
                panic!("{err:?}")
            };
            assert_eq!(source.to_string(), shown);
            assert_eq!(source.line(), 1, "the position is kept");
        }
    }

    #[test]
    fn text_and_bytes_decode_alike() {
        // Valid UTF-8 (read as text) with escapes and multi-byte characters.
        let value: serde_json::Value =
            decode_json(r#"{"a":"ü\u00e9\n","b":["日本"]}"#.as_bytes(), "/x").unwrap();
        assert_eq!(value, serde_json::json!({"a": "üé\n", "b": ["日本"]}));
        // Not UTF-8 inside a string: read as bytes, so the error is serde_json's own, with the
        // position where the bad byte is.
        let body = b"{\"a\":\n\"ok \xff\"}";
        let err = decode_json::<serde_json::Value>(body, "/x").unwrap_err();
        let Error::Decode { source, .. } = &err else {
            panic!("{err:?}")
        };
        let direct = serde_json::from_slice::<serde_json::Value>(body).unwrap_err();
        assert_eq!(
            (source.line(), source.column()),
            (direct.line(), direct.column())
        );
        assert_eq!(source.to_string(), masked_message(&direct).to_string());
        assert!(
            source.to_string().starts_with("invalid unicode code point"),
            "{source}"
        );
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

    #[track_caller]
    fn check_masked(piece: &str, entry: StringState, shown: &[&str], hidden: &[&str]) {
        let e = excerpt_from(piece.as_bytes(), 0, entry);
        for s in shown {
            assert!(e.contains(s), "{s:?} should be shown in {e:?}");
        }
        for s in hidden {
            assert!(!e.contains(s), "{s:?} must be masked in {e:?}");
        }
    }

    #[test]
    fn a_piece_starting_mid_document_is_masked_too() {
        // Starts inside a string value.
        check_masked(
            r#"cr3t","token":"abc"},{"k":["v1","v2"]}"#,
            StringState::InString,
            &[r#""token":"#, r#"{"k":["#],
            &["cr3t", "abc", "v1", "v2"],
        );
        // Starts right after a backslash: the quote that follows is part of the string.
        check_masked(
            r#""rest","key":"val"}"#,
            StringState::AfterEscape,
            &[r#""key":"#],
            &["rest", "val"],
        );
        // Starts between tokens, inside an array nested in an object: no context needed.
        check_masked(
            r#", "password": "hunter2", "n": 3}], "x": "y""#,
            StringState::Outside,
            &[r#""password": "#, r#""n": 3"#],
            &["hunter2", "\"y\""],
        );
        // A quote lost: the contents of the strings fall outside them, and are still masked.
        check_masked(
            r#"{"metadata]:{"name":"db"},"data":{"password":"c2VjcmV0","n":12}"#,
            StringState::Outside,
            &[],
            &["c2VjcmV0", "db", "name"],
        );
        // A string cut by the end of the input is masked.
        check_masked(
            r#"{"a": "unterminated"#,
            StringState::Outside,
            &[r#""a""#],
            &["unterminated"],
        );
    }
}
