//! Which proxy, if any, carries a connection: the config's `proxy-url` for every request, or
//! else `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (with CIDRs) from the environment.
//!
//! The decision is pure; the handshakes (HTTP `CONNECT`, SOCKS5) are hyper-util's.

use base64::Engine as _;
use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::Matcher;
use kubeset_config::Secret;

use crate::error::Error;

/// How a proxy is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProxyKind {
    /// Plain HTTP to the proxy: `CONNECT` for `https://` targets, absolute-form for `http://`.
    Http,
    /// TLS to the proxy, then `CONNECT`.
    Https,
    /// SOCKS5; `remote_dns` lets the proxy resolve the target name (`socks5h`, and `socks5` as in
    /// client-go, whose SOCKS dialer sends names).
    Socks5,
}

/// Credentials for the proxy.
#[derive(Clone)]
pub(crate) enum ProxyAuth {
    /// A ready `Proxy-Authorization: Basic ...` value (HTTP proxies).
    Basic(HeaderValue),
    /// User and password (SOCKS5).
    Raw(String, Secret<String>),
}

/// One proxy to go through.
#[derive(Clone)]
pub(crate) struct ProxySpec {
    pub(crate) kind: ProxyKind,
    /// `scheme://host:port` without credentials.
    pub(crate) uri: Uri,
    pub(crate) auth: Option<ProxyAuth>,
}

impl std::fmt::Display for ProxySpec {
    /// The proxy as the user named it, without credentials. `uri` holds the address the
    /// connectors dial, which is `http://` for SOCKS5 proxies too.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.kind, self.uri.authority()) {
            (ProxyKind::Socks5, Some(authority)) => write!(f, "socks5://{authority}"),
            _ => write!(f, "{}", self.uri),
        }
    }
}

impl std::fmt::Debug for ProxySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySpec")
            .field("kind", &self.kind)
            .field("uri", &self.uri)
            .field("auth", &self.auth.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl ProxySpec {
    /// Parses a proxy URL (`http`, `https`, `socks5`, `socks5h`), taking credentials out of it.
    pub(crate) fn parse(url: &Uri) -> Result<Self, Error> {
        let (auth_part, host_part) = match url.authority().map(|a| a.as_str()) {
            Some(authority) => match authority.rsplit_once('@') {
                Some((userinfo, host)) => (Some(userinfo), host),
                None => (None, authority),
            },
            None => (None, ""),
        };
        let redacted = format!("{}://{host_part}", url.scheme_str().unwrap_or(""));
        let bad = || Error::ProxyUrl {
            url: redacted.clone(),
        };
        let (kind, default_port) = match url.scheme_str() {
            Some("http") => (ProxyKind::Http, 80),
            Some("https") => (ProxyKind::Https, 443),
            Some("socks5" | "socks5h") => (ProxyKind::Socks5, 1080),
            _ => return Err(bad()),
        };
        let host = url.host().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let port = url.port_u16().unwrap_or(default_port);
        let scheme = if kind == ProxyKind::Https {
            "https"
        } else {
            "http"
        };
        let uri: Uri = format!("{scheme}://{host}:{port}")
            .parse()
            .map_err(|_| bad())?;
        let auth = match auth_part {
            None => None,
            Some(userinfo) => {
                let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let user = percent_decode(user);
                let pass = percent_decode(pass);
                Some(match kind {
                    ProxyKind::Socks5 => ProxyAuth::Raw(user, Secret::new(pass)),
                    ProxyKind::Http | ProxyKind::Https => {
                        let encoded = base64::engine::general_purpose::STANDARD
                            .encode(format!("{user}:{pass}"));
                        let mut value =
                            HeaderValue::try_from(format!("Basic {encoded}")).map_err(|_| bad())?;
                        value.set_sensitive(true);
                        ProxyAuth::Basic(value)
                    }
                })
            }
        };
        Ok(Self { kind, uri, auth })
    }
}

/// Chooses the proxy for each destination.
#[derive(Clone, Debug)]
pub(crate) enum ProxyPolicy {
    /// `proxy-url`: every request goes through it (client-go ignores `NO_PROXY` then).
    Explicit(ProxySpec),
    /// The environment decides, per destination.
    Environment(std::sync::Arc<Matcher>),
}

impl ProxyPolicy {
    /// The policy for a config's `proxy_url`, reading the environment when there is none.
    pub(crate) fn new(proxy_url: Option<&Uri>) -> Result<Self, Error> {
        match proxy_url {
            Some(url) => Ok(Self::Explicit(ProxySpec::parse(url)?)),
            None => Ok(Self::Environment(std::sync::Arc::new(Matcher::from_env()))),
        }
    }

    /// The proxy for `dst`, or `None` to connect directly.
    pub(crate) fn route(&self, dst: &Uri) -> Option<ProxySpec> {
        match self {
            Self::Explicit(spec) => Some(spec.clone()),
            Self::Environment(matcher) => {
                // Like Go's ProxyFromEnvironment: loopback destinations never use an
                // environment proxy.
                if dst.host().is_some_and(is_loopback) {
                    return None;
                }
                let intercept = matcher.intercept(dst)?;
                let mut spec = match ProxySpec::parse(intercept.uri()) {
                    Ok(spec) => spec,
                    Err(err) => {
                        // Go would fail the request; connecting directly is kinder, but never
                        // silently (this runs once per new connection, not per request).
                        tracing::warn!(
                            error = %err,
                            "ignoring the proxy from HTTPS_PROXY/HTTP_PROXY/ALL_PROXY, connecting directly"
                        );
                        return None;
                    }
                };
                if let Some(value) = intercept.basic_auth() {
                    spec.auth = Some(ProxyAuth::Basic(value.clone()));
                } else if let Some((user, pass)) = intercept.raw_auth() {
                    spec.auth = Some(ProxyAuth::Raw(
                        user.to_owned(),
                        Secret::new(pass.to_owned()),
                    ));
                }
                Some(spec)
            }
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(http: &str, https: &str, no: &str) -> ProxyPolicy {
        ProxyPolicy::Environment(std::sync::Arc::new(
            Matcher::builder().http(http).https(https).no(no).build(),
        ))
    }

    #[track_caller]
    fn check(policy: &ProxyPolicy, dst: &str, expected: Option<&str>) {
        let route = policy.route(&dst.parse().unwrap());
        assert_eq!(
            route.map(|r| r.uri.to_string()).as_deref(),
            expected,
            "{dst}"
        );
    }

    #[test]
    fn environment_routes_with_no_proxy_and_cidrs() {
        let policy = env(
            "http://web-proxy:3128",
            "http://proxy:8080",
            "10.0.0.0/8,.internal,exact.example",
        );
        check(
            &policy,
            "https://api.example:6443",
            Some("http://proxy:8080/"),
        );
        check(
            &policy,
            "http://api.example",
            Some("http://web-proxy:3128/"),
        );
        check(&policy, "https://10.96.0.1:443", None);
        check(&policy, "https://11.0.0.1:443", Some("http://proxy:8080/"));
        check(&policy, "https://k8s.internal:443", None);
        check(&policy, "https://exact.example", None);
        check(&policy, "https://127.0.0.1:6443", None);
        check(&policy, "https://localhost:6443", None);
        check(&policy, "https://[::1]:6443", None);
    }

    #[test]
    fn explicit_proxy_applies_to_everything() {
        let policy =
            ProxyPolicy::new(Some(&"socks5://u:p%40ss@127.0.0.1:1081".parse().unwrap())).unwrap();
        check(
            &policy,
            "https://127.0.0.1:6443",
            Some("http://127.0.0.1:1081/"),
        );
        let spec = policy.route(&"https://x".parse().unwrap()).unwrap();
        assert_eq!(spec.kind, ProxyKind::Socks5);
        match &spec.auth {
            Some(ProxyAuth::Raw(user, pass)) => {
                assert_eq!((user.as_str(), pass.expose().as_str()), ("u", "p@ss"));
            }
            _ => panic!("expected SOCKS credentials"),
        }
        assert!(!format!("{spec:?}").contains("p@ss"));
    }

    #[test]
    fn bad_proxy_urls_are_refused_without_their_credentials() {
        let err = ProxySpec::parse(&"ftp://user:secret@proxy:21".parse().unwrap()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ftp://proxy:21"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
