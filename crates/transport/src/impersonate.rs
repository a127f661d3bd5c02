//! Impersonation headers: `Impersonate-User`, `-Uid`, `-Group` (one per group) and
//! `-Extra-<key>` (one per value, keys escaped as client-go escapes them).

use std::task::{Context, Poll};

use http::{HeaderMap, HeaderName, HeaderValue, Request};
use kubeset_config::Impersonation;
use tower::{Layer, Service};

use crate::error::Error;

/// Adds impersonation headers to every request.
///
/// ```
/// use kubeset_config::Impersonation;
/// use kubeset_transport::ImpersonateLayer;
///
/// let mut who = Impersonation::default();
/// who.user = Some("jane".into());
/// who.groups = vec!["devs".into()];
/// let layer = ImpersonateLayer::new(&who).unwrap();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct ImpersonateLayer {
    headers: HeaderMap,
}

impl ImpersonateLayer {
    /// A layer sending `who`'s headers; fails when a value cannot be a header.
    pub fn new(who: &Impersonation) -> Result<Self, Error> {
        Ok(Self {
            headers: headers(who)?,
        })
    }
}

/// The headers for `who` (pure).
pub(crate) fn headers(who: &Impersonation) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    // Bytes, not `&str`: names may be UTF-8 (`--as=josé`), which HTTP carries as opaque bytes
    // and kubectl sends as they are; control characters are still refused.
    let value = |header: &str, text: &str| {
        HeaderValue::from_bytes(text.as_bytes()).map_err(|_| Error::InvalidImpersonation {
            header: header.to_owned(),
        })
    };
    if let Some(user) = &who.user {
        map.append("impersonate-user", value("Impersonate-User", user)?);
    }
    if let Some(uid) = &who.uid {
        map.append("impersonate-uid", value("Impersonate-Uid", uid)?);
    }
    for group in &who.groups {
        map.append("impersonate-group", value("Impersonate-Group", group)?);
    }
    for (key, values) in &who.extra {
        let name = format!("impersonate-extra-{}", escape_extra_key(key));
        let header =
            HeaderName::try_from(name.as_str()).map_err(|_| Error::InvalidImpersonation {
                header: name.clone(),
            })?;
        for v in values {
            map.append(header.clone(), value(&name, v)?);
        }
    }
    Ok(map)
}

/// Percent-encodes every byte that is not legal in a header name (and `%` itself), as
/// client-go's `headerKeyEscape` does; the API server unescapes and lower-cases the key.
fn escape_extra_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        let legal = byte.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&byte);
        if legal {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl<S> Layer<S> for ImpersonateLayer {
    type Service = Impersonate<S>;

    fn layer(&self, inner: S) -> Impersonate<S> {
        Impersonate {
            inner,
            headers: self.headers.clone(),
        }
    }
}

/// The service made by [`ImpersonateLayer`].
#[derive(Debug, Clone)]
pub struct Impersonate<S> {
    inner: S,
    headers: HeaderMap,
}

impl<S> Impersonate<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for Impersonate<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        for (name, value) in &self.headers {
            req.headers_mut().append(name, value.clone());
        }
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(key: &str, expected: &str) {
        assert_eq!(escape_extra_key(key), expected);
    }

    #[test]
    fn extra_keys_are_escaped() {
        check("scopes", "scopes");
        check("example.com/team", "example.com%2Fteam");
        check("a b%c", "a%20b%25c");
    }

    #[test]
    fn all_four_kinds_are_sent() {
        let mut who = Impersonation::default();
        who.user = Some("jane".into());
        who.uid = Some("42".into());
        who.groups = vec!["a".into(), "b".into()];
        who.extra
            .insert("example.com/scopes".into(), vec!["x".into(), "y".into()]);
        let map = headers(&who).unwrap();
        assert_eq!(map["impersonate-user"], "jane");
        who.user = Some("josé".into());
        assert_eq!(
            headers(&who).unwrap()["impersonate-user"].as_bytes(),
            "josé".as_bytes()
        );
        who.user = Some("bad\nname".into());
        assert!(headers(&who).is_err());
        who.user = Some("jane".into());
        assert_eq!(map["impersonate-uid"], "42");
        let groups: Vec<_> = map.get_all("impersonate-group").iter().collect();
        assert_eq!(groups, ["a", "b"]);
        let extra: Vec<_> = map
            .get_all("impersonate-extra-example.com%2fscopes")
            .iter()
            .collect();
        assert_eq!(extra, ["x", "y"]);
    }
}
