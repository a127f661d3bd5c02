//! The `Authorization` header, from any [`CredentialSource`], with one retry after a `401` when
//! the source has a newer credential (a rotated token file, a re-run exec plugin).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine as _;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use kubeset_config::{BasicAuth, Secret};
use tower::{Layer, Service, ServiceExt};

use crate::body::{BoxError, clone_request};
use crate::error::{AuthError, Error};

/// A boxed future borrowing the credential source.
pub type CredentialFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AuthError>> + Send + 'a>>;

/// One credential as sent on a request.
#[derive(Clone)]
pub struct Credential {
    header: Option<HeaderValue>,
    generation: u64,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("header", &self.header.as_ref().map(|_| "<redacted>"))
            .field("generation", &self.generation)
            .finish()
    }
}

impl Credential {
    /// A credential sending `header` (marked sensitive); `generation` must change whenever the
    /// credential does.
    pub fn new(header: Option<HeaderValue>, generation: u64) -> Self {
        let header = header.map(|mut h| {
            h.set_sensitive(true);
            h
        });
        Self { header, generation }
    }

    /// A `Bearer` credential; fails when the token cannot be a header value.
    pub fn bearer(token: &str, generation: u64, origin: &str) -> Result<Self, AuthError> {
        let header = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
            AuthError::InvalidToken {
                origin: origin.to_owned(),
            }
        })?;
        Ok(Self::new(Some(header), generation))
    }

    /// The `Authorization` value, if this credential sends one (exec plugins may only provide a
    /// client certificate).
    pub fn header(&self) -> Option<&HeaderValue> {
        self.header.as_ref()
    }

    /// Increases whenever the source's credential changes.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// Where credentials come from. Implemented by [`StaticCredential`],
/// [`TokenFile`](crate::TokenFile) and [`ExecCredentials`](crate::ExecCredentials); implement it
/// to plug in another source (an OIDC refresher, say).
pub trait CredentialSource: std::fmt::Debug + Send + Sync + 'static {
    /// The current credential when it is fresh and known without I/O or locks; `None` sends the
    /// caller to [`fetch`](Self::fetch).
    fn cached(&self) -> Option<Credential>;

    /// The current credential, reading or renewing it if needed.
    fn fetch(&self) -> CredentialFuture<'_, Credential>;

    /// Called after the server answered `401` to a request sent with generation `rejected`:
    /// returns a different credential to retry with, or `None` to hand the `401` back.
    fn refresh_unauthorized(&self, rejected: u64) -> CredentialFuture<'_, Option<Credential>>;

    /// Whether [`refresh_unauthorized`](Self::refresh_unauthorized) can ever return a new
    /// credential. `false` lets [`AuthLayer`] skip keeping a copy of each request for the retry
    /// after a `401`. Default `true`.
    ///
    /// ```
    /// use kubeset_config::Secret;
    /// use kubeset_transport::{CredentialSource, StaticCredential};
    ///
    /// let token = StaticCredential::bearer(&Secret::new(String::from("abc"))).unwrap();
    /// assert!(!token.can_refresh());
    /// ```
    fn can_refresh(&self) -> bool {
        true
    }
}

/// A credential that never changes: a static token or basic auth.
#[derive(Debug, Clone)]
pub struct StaticCredential {
    credential: Credential,
}

impl StaticCredential {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: &Secret<String>) -> Result<Self, Error> {
        Credential::bearer(token.expose().trim(), 0, "token")
            .map(|credential| Self { credential })
            .map_err(|_| Error::InvalidCredential { field: "token" })
    }

    /// `Authorization: Basic <base64(user:password)>`.
    pub fn basic(basic: &BasicAuth) -> Result<Self, Error> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            basic.username,
            basic.password.expose()
        ));
        let header = HeaderValue::try_from(format!("Basic {encoded}")).map_err(|_| {
            Error::InvalidCredential {
                field: "username/password",
            }
        })?;
        Ok(Self {
            credential: Credential::new(Some(header), 0),
        })
    }
}

impl CredentialSource for StaticCredential {
    fn cached(&self) -> Option<Credential> {
        Some(self.credential.clone())
    }

    fn fetch(&self) -> CredentialFuture<'_, Credential> {
        Box::pin(std::future::ready(Ok(self.credential.clone())))
    }

    fn refresh_unauthorized(&self, _rejected: u64) -> CredentialFuture<'_, Option<Credential>> {
        Box::pin(std::future::ready(Ok(None)))
    }

    fn can_refresh(&self) -> bool {
        false
    }
}

/// Authenticates requests with a [`CredentialSource`]; after a `401`, asks the source for a
/// newer credential and retries once.
///
/// ```
/// use kubeset_config::Secret;
/// use kubeset_transport::{AuthLayer, StaticCredential};
///
/// let token = Secret::new(String::from("abc"));
/// let layer = AuthLayer::new(StaticCredential::bearer(&token).unwrap());
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct AuthLayer {
    source: Arc<dyn CredentialSource>,
}

impl AuthLayer {
    /// A layer authenticating with `source`.
    pub fn new(source: impl CredentialSource) -> Self {
        Self {
            source: Arc::new(source),
        }
    }

    /// A layer authenticating with a shared `source`.
    pub fn from_shared(source: Arc<dyn CredentialSource>) -> Self {
        Self { source }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth {
            inner,
            source: self.source.clone(),
        }
    }
}

/// The service made by [`AuthLayer`].
#[derive(Debug, Clone)]
pub struct Auth<S> {
    inner: S,
    source: Arc<dyn CredentialSource>,
}

impl<S> Auth<S> {
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

fn authorize<B>(req: &mut Request<B>, credential: &Credential) {
    if let Some(header) = credential.header() {
        req.headers_mut().insert(AUTHORIZATION, header.clone());
    }
}

impl<S, B, RB> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
    B: Clone + Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<RB>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // The ready service serves this call; a fresh clone waits for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let source = self.source.clone();
        let cached = source.cached();
        Box::pin(async move {
            let credential = match cached {
                Some(credential) => credential,
                None => source.fetch().await?,
            };
            authorize(&mut req, &credential);
            let retry = source.can_refresh().then(|| clone_request(&req));
            let response = inner.call(req).await.map_err(Into::into)?;
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            let Some(retry) = retry else {
                metrics::counter!("kubeset_unauthorized_refreshes_total", "result" => "unchanged")
                    .increment(1);
                return Ok(response);
            };
            let Some(fresh) = source.refresh_unauthorized(credential.generation()).await? else {
                metrics::counter!("kubeset_unauthorized_refreshes_total", "result" => "unchanged")
                    .increment(1);
                return Ok(response);
            };
            metrics::counter!("kubeset_unauthorized_refreshes_total", "result" => "retried")
                .increment(1);
            tracing::debug!("401 Unauthorized: retrying once with a refreshed credential");
            drop(response);
            let mut retry = retry;
            authorize(&mut retry, &fresh);
            inner.oneshot(retry).await.map_err(Into::into)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show_in_debug() {
        let token = Secret::new(String::from("super-secret-token"));
        let layer = AuthLayer::new(StaticCredential::bearer(&token).unwrap());
        let basic = StaticCredential::basic(&BasicAuth {
            username: "admin".into(),
            password: Secret::new("hunter2".into()),
        })
        .unwrap();
        let text = format!("{layer:?} {basic:?}");
        assert!(!text.contains("super-secret-token"), "{text}");
        assert!(
            !text.contains("hunter2") && !text.contains("aHVudGVy"),
            "{text}"
        );
    }

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused() {
        let token = Secret::new(String::from("bad\ntoken"));
        assert!(matches!(
            StaticCredential::bearer(&token),
            Err(Error::InvalidCredential { field: "token" })
        ));
    }
}
