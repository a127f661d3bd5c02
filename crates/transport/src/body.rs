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
