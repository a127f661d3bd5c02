//! A response body that records its request's audit event when it ends or is dropped (the
//! `ResponseComplete` of a long-running request).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;

use super::{AuditLog, Event};
use crate::answer::body::Body;

/// `body`, recording `event` (its stage timestamp renewed) when it ends.
pub(super) fn on_end(body: Body, event: Event, log: Arc<AuditLog>) -> Body {
    Completing {
        inner: body,
        pending: Some((event, log)),
    }
    .boxed_unsync()
}

struct Completing {
    inner: Body,
    pending: Option<(Event, Arc<AuditLog>)>,
}

impl Completing {
    fn complete(&mut self) {
        if let Some((mut event, log)) = self.pending.take() {
            event.stage_timestamp = super::request::now();
            log.record(event);
        }
    }
}

impl http_body::Body for Completing {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            this.complete();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Completing {
    fn drop(&mut self) {
        self.complete();
    }
}
