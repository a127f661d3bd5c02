//! `Accept-Encoding: gzip` and transparent decoding (tower-http's decompression), unless the
//! config says `disable-compression`; the response body is boxed into [`ResponseBody`] here.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt as _;
use tower::{Layer, Service};
use tower_http::decompression::{Decompression, DecompressionLayer};

use crate::body::{BoxError, ResponseBody};

/// Asks for gzip and decodes it; turns any response body into a [`ResponseBody`].
///
/// ```
/// use kubeset_transport::CompressionLayer;
///
/// let on = CompressionLayer::new(true);
/// let off = CompressionLayer::new(false); // `disable-compression: true`
/// # let _ = (on, off);
/// ```
#[derive(Debug, Clone)]
pub struct CompressionLayer {
    enabled: bool,
}

impl CompressionLayer {
    /// Compression on (`enabled`) or off; when off, no `Accept-Encoding` is sent.
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }
}

impl<S> Layer<S> for CompressionLayer {
    type Service = Compression<S>;

    fn layer(&self, inner: S) -> Compression<S> {
        Compression {
            inner: DecompressionLayer::new().gzip(self.enabled).layer(inner),
        }
    }
}

/// The service made by [`CompressionLayer`].
#[derive(Debug, Clone)]
pub struct Compression<S> {
    inner: Decompression<S>,
}

impl<S> Compression<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        self.inner.get_ref()
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        self.inner.get_mut()
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner.into_inner()
    }
}

impl<S, B, RB> Service<Request<B>> for Compression<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    RB: http_body::Body<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError> + Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let future = self.inner.call(req);
        Box::pin(async move {
            let response = future.await.map_err(Into::into)?;
            Ok(response.map(|body| body.map_err(Into::into).boxed_unsync()))
        })
    }
}
