//! Kubernetes' URL library (`k8s.io/apiserver/pkg/cel/library/urls.go`): `url()`, `isURL()`
//! and `getScheme()`, `getHost()`, `getHostname()`, `getPort()`, `getEscapedPath()`,
//! `getQuery()` on values of the opaque type `kubernetes.URL`.
//!
//! A URL must be an absolute URI or an absolute path, as Go's `url.ParseRequestURI` checks it
//! (its errors are `URL parse error during conversion from string: parse "<url>": <why>`); its
//! parts are those of Go's `url.Parse` (the fragment cut off first).

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::types::{STRING_TYPE, Type};
use cel::objects::{Key, Opaque, Value};
use cel::{DeclarationError, Env};

use super::env::overload;
use crate::validation::go_quote;

const TYPE: &str = "kubernetes.URL";

/// The parts of a parsed URL, as Go's `url.URL` holds them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Url {
    scheme: String,
    host: String,
    /// the path as written (escaped)
    raw_path: String,
    raw_query: String,
}

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        TYPE
    }
}

/// Go's `url.parse(raw, viaRequest)`, the parts it keeps, or its error text.
fn parse(raw: &str, via_request: bool) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_owned());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".to_owned());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.raw_path = "*".to_owned();
        return Ok(url);
    }
    let (scheme, rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    let mut rest = rest;
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_owned();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // opaque: `mailto:someone`
            return Ok(url);
        }
        if via_request {
            return Err("invalid URI for request".to_owned());
        }
        if rest.split('/').next().unwrap_or("").contains(':') {
            return Err("first path segment in URL cannot contain colon".to_owned());
        }
    }
    if (!url.scheme.is_empty() || (!via_request && !rest.starts_with("///")))
        && let Some(after) = rest.strip_prefix("//")
    {
        let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        url.host = authority_host(authority)?;
        rest = path;
    }
    unescape(rest, false)?;
    url.raw_path = rest.to_owned();
    Ok(url)
}

/// Go's `getScheme`: the scheme and the rest, or `missing protocol scheme`.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".to_owned()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Go's `parseAuthority`/`parseHost`: the host (unescaped) of `user@host:port`.
fn authority_host(authority: &str) -> Result<String, String> {
    let (user, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let port_start = if host.starts_with('[') {
        host.rfind(']')
            .ok_or_else(|| "missing ']' in host".to_owned())?
            + 1
    } else {
        host.rfind(':').unwrap_or(host.len())
    };
    let port = &host[port_start..];
    if !valid_optional_port(port) {
        return Err(format!("invalid port {} after host", go_quote(port)));
    }
    if let Some(bad) = host.bytes().find(|&b| {
        b < 0x80 && !b.is_ascii_alphanumeric() && !b"-._~!$&'()*+,;=:[]<>\"%".contains(&b)
    }) {
        return Err(format!(
            "invalid character {} in host name",
            go_quote(&(bad as char).to_string())
        ));
    }
    let host = unescape(host, true)?;
    if let Some(user) = user
        && !user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b))
    {
        return Err("net/url: invalid userinfo".to_owned());
    }
    Ok(host)
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `unescape`: `%XX` decoded (`+` kept), `invalid URL escape "%zz"` otherwise.
fn unescape(s: &str, host: bool) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(hex) = hex else {
                let end = (i + 3).min(bytes.len());
                return Err(format!(
                    "invalid URL escape {}",
                    go_quote(&String::from_utf8_lossy(&bytes[i..end]))
                ));
            };
            let text = std::str::from_utf8(hex).unwrap_or("00");
            out.push(u8::from_str_radix(text, 16).unwrap_or(0));
            i += 3;
            continue;
        }
        let _ = host;
        out.push(bytes[i]);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `shouldEscape(c, encodePath)`.
fn escaped_in_path(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&c))
}

/// Go's `URL.EscapedPath`: the path as written when it is a valid encoding, else the
/// unescaped path escaped again.
fn escaped_path(raw: &str) -> String {
    let valid = raw
        .bytes()
        .all(|c| b"!$&'()*+,;=:@[]%".contains(&c) || !escaped_in_path(c));
    if valid || raw == "*" {
        return raw.to_owned();
    }
    let path = unescape(raw, false).unwrap_or_default();
    path.bytes()
        .map(|c| {
            if escaped_in_path(c) {
                format!("%{c:02X}")
            } else {
                (c as char).to_string()
            }
        })
        .collect()
}

/// Go's `url.ParseQuery`, pairs that do not decode (or hold a `;`) left out.
fn query(raw: &str) -> Value {
    let mut map: HashMap<Key, Vec<Value>> = HashMap::new();
    for pair in raw.split('&').filter(|p| !p.is_empty() && !p.contains(';')) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| unescape(&s.replace('+', " "), false);
        if let (Ok(k), Ok(v)) = (decode(k), decode(v)) {
            map.entry(Key::String(k.into()))
                .or_default()
                .push(Value::from(v));
        }
    }
    let map: HashMap<Key, Value> = map.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
    Value::from(map)
}

/// The error of Go's `url.ParseRequestURI(raw)` (`parse "<raw>": <why>`), if any.
pub(super) fn request_uri_error(raw: &str) -> Option<String> {
    parse(raw, true)
        .err()
        .map(|err| format!("parse {}: {err}", go_quote(raw)))
}

/// `urls.go` `stringToUrl`: checked by `ParseRequestURI`, split by `Parse`.
fn to_url(raw: &str) -> Result<Url, String> {
    let wrap = |err: String| {
        format!(
            "URL parse error during conversion from string: parse {}: {err}",
            go_quote(raw)
        )
    };
    parse(raw, true).map_err(wrap)?;
    let without_fragment = raw.split_once('#').map_or(raw, |(before, _)| before);
    parse(without_fragment, false).map_err(wrap)
}

fn ty() -> Type {
    Type::new_opaque_type(TYPE)
}

fn string(args: &[Value]) -> Result<&str, String> {
    match args.first() {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err("no such overload".to_owned()),
    }
}

fn url(args: &[Value]) -> Result<&Url, String> {
    match args.first() {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Url>()
            .ok_or_else(|| "no such overload".to_owned()),
        _ => Err("no such overload".to_owned()),
    }
}

/// Go's `URL.Hostname` and `URL.Port`.
fn host_port(host: &str) -> (&str, &str) {
    let (name, port) = match host.rfind(':') {
        Some(i) if valid_optional_port(&host[i..]) => (&host[..i], &host[i + 1..]),
        _ => (host, ""),
    };
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    (name, port)
}

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(ty())?;
    env.add_overload(
        "url",
        "string_to_url",
        vec![STRING_TYPE],
        overload!("url", |args| to_url(string(&args)?)
            .map(|u| Value::Opaque(Arc::new(u)))),
    )?;
    env.add_overload(
        "isURL",
        "is_url_string",
        vec![STRING_TYPE],
        overload!("isURL", |args| Ok(Value::Bool(
            parse(string(&args)?, true).is_ok()
        ))),
    )?;
    let getters: [(&str, cel::common::functions::Function); 6] = [
        (
            "getScheme",
            overload!("getScheme", |args| Ok(Value::from(
                url(&args)?.scheme.clone()
            ))),
        ),
        (
            "getHost",
            overload!("getHost", |args| Ok(Value::from(url(&args)?.host.clone()))),
        ),
        (
            "getHostname",
            overload!("getHostname", |args| Ok(Value::from(
                host_port(&url(&args)?.host).0
            ))),
        ),
        (
            "getPort",
            overload!("getPort", |args| Ok(Value::from(
                host_port(&url(&args)?.host).1
            ))),
        ),
        (
            "getEscapedPath",
            overload!("getEscapedPath", |args| Ok(Value::from(escaped_path(
                &url(&args)?.raw_path
            )))),
        ),
        (
            "getQuery",
            overload!("getQuery", |args| Ok(query(&url(&args)?.raw_query))),
        ),
    ];
    for (name, function) in getters {
        let id = format!("url_{name}");
        env.add_member_overload(name, &id, ty(), vec![], function)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of `urls.go`'s documentation.
    #[test]
    fn urls_go_examples() {
        for (expr, want) in [
            (
                "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
                "true",
            ),
            ("isURL('/absolute-path')", "true"),
            ("isURL('https://a:b:c/')", "false"),
            ("isURL('../relative-path')", "false"),
            ("url('/path').getScheme()", "\"\""),
            ("url('https://example.com/').getScheme()", "\"https\""),
            (
                "url('https://example.com:80/').getHost()",
                "\"example.com:80\"",
            ),
            ("url('https://example.com/').getHost()", "\"example.com\""),
            ("url('https://[::1]:80/').getHost()", "\"[::1]:80\""),
            ("url('https://[::1]/').getHost()", "\"[::1]\""),
            ("url('/path').getHost()", "\"\""),
            (
                "url('https://example.com:80/').getHostname()",
                "\"example.com\"",
            ),
            (
                "url('https://127.0.0.1:80/').getHostname()",
                "\"127.0.0.1\"",
            ),
            ("url('https://[::1]:80/').getHostname()", "\"::1\""),
            ("url('https://example.com:80/').getPort()", "\"80\""),
            ("url('https://example.com/').getPort()", "\"\""),
            (
                "url('https://example.com/path').getEscapedPath()",
                "\"/path\"",
            ),
            (
                "url('https://example.com/path with spaces/').getEscapedPath()",
                "\"/path%20with%20spaces/\"",
            ),
            ("url('https://example.com').getEscapedPath()", "\"\""),
            (
                "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == \
                 {'k1': ['a'], 'k2': ['b', 'c']}",
                "true",
            ),
            (
                "url('https://example.com/path?key with spaces=value with spaces').getQuery() \
                 == {'key with spaces': ['value with spaces']}",
                "true",
            ),
            ("url('https://example.com/path?').getQuery() == {}", "true"),
            (
                "url('https://example.com/p?a=1#frag').getQuery() == {'a': ['1']}",
                "true",
            ),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }

    /// `url.ParseRequestURI`'s errors, wrapped as `stringToUrl` does.
    #[test]
    fn parse_errors() {
        for (raw, why) in [
            ("https://a:b:c/", "invalid port \":c\" after host"),
            ("../relative-path", "invalid URI for request"),
            (":x", "missing protocol scheme"),
            ("", "empty url"),
            ("/a%zz", "invalid URL escape \"%zz\""),
        ] {
            assert_eq!(
                eval(&format!("url('{raw}')")),
                format!(
                    "error: URL parse error during conversion from string: parse \"{raw}\": {why}"
                ),
                "{raw}"
            );
        }
    }
}
