//! `User-Agent: kubeset/<version> (<os>/<arch>)`, unless the request already has one.

use std::task::{Context, Poll};

use http::header::USER_AGENT;
use http::{HeaderValue, Request};
use tower::{Layer, Service};

use crate::error::Error;

/// The default User-Agent: `kubeset/0.1.0 (linux/amd64)`, with Go's names for the OS and
/// architecture so server-side audit logs read the same as for client-go.
pub fn default_user_agent() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!(
        "kubeset/{} ({}/{arch})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    )
}

/// Sets a `User-Agent` on requests that have none.
///
/// ```
/// use kubeset_transport::UserAgentLayer;
///
/// let layer = UserAgentLayer::new("my-controller/1.2").unwrap();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct UserAgentLayer {
    value: HeaderValue,
}

impl UserAgentLayer {
    /// A layer setting `user_agent`; fails when it is not a valid header value.
    pub fn new(user_agent: &str) -> Result<Self, Error> {
        // Bytes: a product name may be UTF-8, which HTTP carries as opaque bytes.
        HeaderValue::from_bytes(user_agent.as_bytes())
            .map(|value| Self { value })
            .map_err(|_| Error::InvalidUserAgent {
                user_agent: user_agent.to_owned(),
            })
    }
}

impl Default for UserAgentLayer {
    fn default() -> Self {
        Self {
            value: HeaderValue::try_from(default_user_agent())
                .unwrap_or(HeaderValue::from_static("kubeset")),
        }
    }
}

impl<S> Layer<S> for UserAgentLayer {
    type Service = UserAgent<S>;

    fn layer(&self, inner: S) -> UserAgent<S> {
        UserAgent {
            inner,
            value: self.value.clone(),
        }
    }
}

/// The service made by [`UserAgentLayer`].
#[derive(Debug, Clone)]
pub struct UserAgent<S> {
    inner: S,
    value: HeaderValue,
}

impl<S> UserAgent<S> {
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

impl<S, B> Service<Request<B>> for UserAgent<S>
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
        req.headers_mut()
            .entry(USER_AGENT)
            .or_insert_with(|| self.value.clone());
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_version_os_and_arch() {
        let ua = default_user_agent();
        assert!(
            ua.starts_with(concat!("kubeset/", env!("CARGO_PKG_VERSION"), " (")),
            "{ua}"
        );
        assert!(ua.ends_with(')') && ua.contains('/'), "{ua}");
    }

    #[test]
    fn invalid_user_agent_is_refused() {
        assert!(UserAgentLayer::new("bad\nagent").is_err());
    }
}
