//! The types at the boundary between the transport and its users.

use bytes::Bytes;

/// Any error a layer or body may produce.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body: fully buffered, so a retried request is a cheap clone.
pub type RequestBody = http_body_util::Full<Bytes>;

/// A response body: streamed as it arrives (watches, large lists), decompressed if needed.
pub type ResponseBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// The erased transport: one cloneable service that every `Client` holds.
pub type BoxService = tower::util::BoxCloneSyncService<
    http::Request<RequestBody>,
    http::Response<ResponseBody>,
    BoxError,
>;

/// A copy of `req` (method, URI, version, headers, extensions and body), for a retry.
pub(crate) fn clone_request<B: Clone>(req: &http::Request<B>) -> http::Request<B> {
    let mut copy = http::Request::new(req.body().clone());
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.version_mut() = req.version();
    *copy.headers_mut() = req.headers().clone();
    *copy.extensions_mut() = req.extensions().clone();
    copy
}
