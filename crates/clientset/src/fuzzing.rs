//! Entry points for the fuzz targets in `fuzz/` and their regression tests: not part of the
//! API, no stability promise.
//!
//! Each function runs one of the crate's private decoders on bytes as a server would send
//! them, split into the given pieces, with no I/O: the body is an in-memory stream that is
//! always ready, so the futures finish on their first polls.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::StreamExt as _;
use http_body::Frame;
use http_body_util::BodyExt as _;
use kubeset_transport::{BoxError, ResponseBody};
use serde::de::DeserializeOwned;

use crate::{ApiError, Error, ObjectList, WatchEvent, WatchStream};

const URL: &str = "https://127.0.0.1/fuzz";

/// A response body that yields `chunks`, one frame each.
fn body(chunks: &[&[u8]]) -> ResponseBody {
    let frames: Vec<Result<Frame<Bytes>, BoxError>> = chunks
        .iter()
        .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    http_body_util::StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync()
}

/// Polls `future` to completion; it must never wait on anything but the in-memory body.
fn drive<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The events (and errors) a watch yields for a body arriving in `chunks`.
pub fn watch_events<K: DeserializeOwned>(chunks: &[&[u8]]) -> Vec<Result<WatchEvent<K>, Error>> {
    let stream = WatchStream::<K>::new(body(chunks), URL.to_owned());
    drive(stream.collect())
}

/// A list body arriving in `chunks`, split and decoded as `Api::list` does (without a tokio
/// runtime, so batches are decoded inline).
pub fn read_list<K: DeserializeOwned + Send + 'static>(
    chunks: &[&[u8]],
) -> Result<ObjectList<K>, Error> {
    drive(crate::list::read_list(body(chunks), URL))
}

/// One JSON document decoded as a `get` decodes its answer.
pub fn decode<K: DeserializeOwned>(bytes: &[u8]) -> Result<K, Error> {
    crate::decode::decode_json(bytes, URL)
}

/// The error for an answer with HTTP `code` and `body`, as the client builds it.
pub fn api_error(code: u16, body: &[u8]) -> ApiError {
    crate::status::api_error(code, body, http::Method::GET, URL.to_owned())
}

/// The error for a `2xx` answer whose body is a Failure `Status`, if it is one.
pub fn failure_in_success(body: &[u8]) -> Option<ApiError> {
    crate::status::failure_in_success(body, &http::Method::POST, URL)
}
