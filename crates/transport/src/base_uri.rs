//! Sends relative requests (`/api/v1/pods`) to the API server's base URL.

use std::task::{Context, Poll};

use http::Request;
use http::uri::{PathAndQuery, Uri};
use tower::{Layer, Service};

/// Makes request URIs absolute against the cluster URL, keeping its path prefix
/// (`https://host/k8s/clusters/c-1` + `/api` = `https://host/k8s/clusters/c-1/api`).
///
/// Requests that already carry a scheme and authority are left alone.
///
/// ```
/// use kubeset_transport::BaseUriLayer;
///
/// let layer = BaseUriLayer::new("https://10.96.0.1:443".parse().unwrap());
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct BaseUriLayer {
    base: Uri,
}

impl BaseUriLayer {
    /// A layer sending requests to `base`.
    pub fn new(base: Uri) -> Self {
        Self { base }
    }
}

impl<S> Layer<S> for BaseUriLayer {
    type Service = BaseUri<S>;

    fn layer(&self, inner: S) -> BaseUri<S> {
        BaseUri {
            inner,
            base: self.base.clone(),
        }
    }
}

/// The service made by [`BaseUriLayer`].
#[derive(Debug, Clone)]
pub struct BaseUri<S> {
    inner: S,
    base: Uri,
}

impl<S> BaseUri<S> {
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

impl<S, B> Service<Request<B>> for BaseUri<S>
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
        if req.uri().authority().is_none() {
            *req.uri_mut() = join(&self.base, req.uri());
        }
        self.inner.call(req)
    }
}

/// `base` with `relative`'s path and query appended to its path.
pub(crate) fn join(base: &Uri, relative: &Uri) -> Uri {
    let prefix = base.path().trim_end_matches('/');
    let rest = relative.path_and_query().map_or("/", PathAndQuery::as_str);
    let rest = if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    };
    let mut parts = base.clone().into_parts();
    parts.path_and_query = PathAndQuery::try_from(format!("{prefix}{rest}")).ok();
    Uri::from_parts(parts).unwrap_or_else(|_| base.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(base: &str, relative: &str, expected: &str) {
        let joined = join(&base.parse().unwrap(), &relative.parse().unwrap());
        assert_eq!(joined.to_string(), expected);
    }

    #[test]
    fn joins_keep_prefixes_and_queries() {
        check(
            "https://h:6443",
            "/api/v1/pods",
            "https://h:6443/api/v1/pods",
        );
        check("https://h:6443/", "/api?x=1", "https://h:6443/api?x=1");
        check(
            "https://h/k8s/clusters/c-1",
            "/api/v1/namespaces?limit=5",
            "https://h/k8s/clusters/c-1/api/v1/namespaces?limit=5",
        );
        check("https://h/prefix/", "/", "https://h/prefix/");
        check(
            "http://127.0.0.1:8001",
            "/version",
            "http://127.0.0.1:8001/version",
        );
    }
}
