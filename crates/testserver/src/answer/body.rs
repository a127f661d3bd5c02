//! The response body type.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};

/// The response body type of every answer (watches and log streams through it too); an
/// error breaks the connection mid-body, as a dropped connection does.
pub(crate) type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// A complete body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}
