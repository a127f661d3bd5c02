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
use crate::validation::go_url::{
    self, GoUrl, parse_request_uri, unescape_path, valid_optional_port,
};

const TYPE: &str = "kubernetes.URL";

/// A parsed URL, as Go's `url.URL` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Url(GoUrl);

impl Opaque for Url {
    fn runtime_type_name(&self) -> &str {
        TYPE
    }
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
    let path = unescape_path(raw).unwrap_or_default();
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
        let decode = |s: &str| unescape_path(&s.replace('+', " "));
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
    parse_request_uri(raw).err()
}

/// `urls.go` `stringToUrl`: checked by `ParseRequestURI`, split by `Parse`.
fn to_url(raw: &str) -> Result<Url, String> {
    let wrap = |err: String| format!("URL parse error during conversion from string: {err}");
    parse_request_uri(raw).map_err(wrap)?;
    go_url::parse(raw).map(Url).map_err(wrap)
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
            parse_request_uri(string(&args)?).is_ok()
        ))),
    )?;
    let getters: [(&str, cel::common::functions::Function); 6] = [
        (
            "getScheme",
            overload!("getScheme", |args| Ok(Value::from(
                url(&args)?.0.scheme.clone()
            ))),
        ),
        (
            "getHost",
            overload!("getHost", |args| Ok(Value::from(
                url(&args)?.0.host.clone()
            ))),
        ),
        (
            "getHostname",
            overload!("getHostname", |args| Ok(Value::from(
                host_port(&url(&args)?.0.host).0
            ))),
        ),
        (
            "getPort",
            overload!("getPort", |args| Ok(Value::from(
                host_port(&url(&args)?.0.host).1
            ))),
        ),
        (
            "getEscapedPath",
            overload!("getEscapedPath", |args| Ok(Value::from(escaped_path(
                &url(&args)?.0.raw_path
            )))),
        ),
        (
            "getQuery",
            overload!("getQuery", |args| Ok(query(&url(&args)?.0.raw_query))),
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
