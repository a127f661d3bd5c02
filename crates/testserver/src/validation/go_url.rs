//! Go's `net/url` parser as far as the server's checks look at it: `url.Parse` (webhook URLs)
//! and `url.ParseRequestURI` (CEL's `url()` and `isURL()`), the parts they keep (scheme, host,
//! user information, path as written, query, fragment) and their errors with Go's wording
//! (`parse "<url>": <reason>`).

/// What `url.Parse` found in a URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GoUrl {
    /// The scheme, lowercased.
    pub(crate) scheme: String,
    /// The host with its port (`u.Host`); empty for opaque URLs and paths.
    pub(crate) host: String,
    /// `u.User.String()` when the URL names a user.
    pub(crate) user: Option<String>,
    /// The path as written (`u.RawPath`, or `u.Path` when that needs no escaping).
    pub(crate) raw_path: String,
    /// `u.RawQuery`.
    pub(crate) raw_query: String,
    /// `u.Fragment` (unescaped).
    pub(crate) fragment: String,
}

/// `url.Parse`.
///
/// # Errors
/// The text of Go's `*url.Error`, e.g. `parse ":x": missing protocol scheme`.
pub(crate) fn parse(raw: &str) -> Result<GoUrl, String> {
    let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
    let mut url = parse_raw(u, false).map_err(|e| wrap(u, &e))?;
    url.fragment = unescape(frag, Mode::Other).map_err(|e| wrap(raw, &e))?;
    Ok(url)
}

/// `url.ParseRequestURI`: an absolute URI or an absolute path, the fragment not cut off.
///
/// # Errors
/// As [`parse`], plus `empty url` and `invalid URI for request`.
pub(crate) fn parse_request_uri(raw: &str) -> Result<GoUrl, String> {
    parse_raw(raw, true).map_err(|e| wrap(raw, &e))
}

/// `*url.Error`'s text for the operation `parse`.
fn wrap(url: &str, reason: &str) -> String {
    format!("parse {}: {reason}", super::go_quote(url))
}

/// Go's `parse(rawURL, viaRequest)`: the parts, or the reason it fails.
fn parse_raw(raw: &str, via_request: bool) -> Result<GoUrl, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".into());
    }
    let mut url = GoUrl::default();
    if raw == "*" {
        url.raw_path = "*".into();
        return Ok(url);
    }
    let (scheme, rest) = scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        url.raw_query = query.to_owned();
        rest
    };
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            return Ok(url); // opaque
        }
        if via_request {
            return Err("invalid URI for request".into());
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut path = rest;
    if (!url.scheme.is_empty() || (!via_request && !rest.starts_with("///")))
        && rest.starts_with("//")
    {
        let authority = &rest[2..];
        let (authority, tail) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        path = tail;
        let (user, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        url.host = parse_host(host)?;
        if let Some(user) = user {
            if !user.bytes().all(valid_userinfo_byte) {
                return Err("net/url: invalid userinfo".into());
            }
            unescape(user, Mode::Other)?;
            url.user = Some(user.to_owned());
        }
    }
    unescape(path, Mode::Other)?;
    url.raw_path = path.to_owned();
    Ok(url)
}

/// `getScheme`.
fn scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// `parseHost` (IPv6 literals checked for their brackets and port only).
fn parse_host(host: &str) -> Result<String, String> {
    let port = if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        Some(&host[i + 1..])
    } else {
        host.rfind(':').map(|i| &host[i..])
    };
    if let Some(port) = port
        && !valid_optional_port(port)
    {
        return Err(format!("invalid port {} after host", super::go_quote(port)));
    }
    unescape(host, Mode::Host)
}

/// `validOptionalPort`: empty, or `:` and digits.
pub(crate) fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// `unescape(s, encodePath)`: `%XX` sequences decoded (`+` kept).
///
/// # Errors
/// `invalid URL escape "%zz"`.
pub(crate) fn unescape_path(s: &str) -> Result<String, String> {
    unescape(s, Mode::Other)
}

fn valid_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Host,
    Other,
}

/// `unescape`: `%XX` sequences, and in hosts only the characters Go allows there.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => {
                    let end = (i + 3).min(s.len());
                    let text = s.get(i..end).unwrap_or(&s[i..]);
                    return Err(format!("invalid URL escape {}", super::go_quote(text)));
                }
            }
        }
        if mode == Mode::Host && b < 0x80 && !host_byte(b) {
            let c = String::from(b as char);
            return Err(format!(
                "invalid character {} in host name",
                super::go_quote(&c)
            ));
        }
        out.push(b);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The ASCII bytes `shouldEscape(c, encodeHost)` lets through unescaped.
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `net/url.Parse` results and errors as Go gives them.
    #[test]
    fn parses_like_go() {
        let u = parse("HTTPS://user:pw@example.com:8443/path?q=1#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "example.com:8443");
        assert_eq!(u.user.as_deref(), Some("user:pw"));
        assert_eq!((u.raw_query.as_str(), u.fragment.as_str()), ("q=1", "frag"));
        assert_eq!(parse("example.com/x").unwrap().host, "");
        assert_eq!(parse("https://a.b/?").unwrap().raw_query, "");
        for (raw, err) in [
            (":x", "parse \":x\": missing protocol scheme"),
            (
                "https://a b",
                "parse \"https://a b\": invalid character \" \" in host name",
            ),
            (
                "https://h:port/",
                "parse \"https://h:port/\": invalid port \":port\" after host",
            ),
            (
                "https://h/%zz",
                "parse \"https://h/%zz\": invalid URL escape \"%zz\"",
            ),
            (
                "1a:b",
                "parse \"1a:b\": first path segment in URL cannot contain colon",
            ),
            (
                "https://h\n",
                "parse \"https://h\\n\": net/url: invalid control character in URL",
            ),
        ] {
            assert_eq!(parse(raw).unwrap_err(), err, "{raw}");
        }
    }

    /// `net/url.ParseRequestURI`: no relative references, the fragment kept in the path.
    #[test]
    fn parses_request_uris_like_go() {
        let u = parse_request_uri("https://h:8/a%20b?x=1").unwrap();
        assert_eq!((u.host.as_str(), u.raw_path.as_str()), ("h:8", "/a%20b"));
        assert_eq!(parse_request_uri("/p#f").unwrap().raw_path, "/p#f");
        assert_eq!(parse_request_uri("*").unwrap().raw_path, "*");
        // no authority without a scheme: the whole is the path
        let u = parse_request_uri("//h/p").unwrap();
        assert_eq!((u.host.as_str(), u.raw_path.as_str()), ("", "//h/p"));
        for (raw, err) in [
            ("", "parse \"\": empty url"),
            ("a/b", "parse \"a/b\": invalid URI for request"),
        ] {
            assert_eq!(parse_request_uri(raw).unwrap_err(), err, "{raw}");
        }
    }
}
