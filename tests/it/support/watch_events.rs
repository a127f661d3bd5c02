//! Reading a typed watch in end-to-end tests.

use std::time::Duration;

use futures_util::Stream;
use kubeset::clientset::{Error, WatchEvent};

/// How long a test waits for the next watch event.
const WAIT: Duration = Duration::from_secs(10);

/// The next event of `stream` that is not a bookmark; panics (failing the test) when none
/// comes within ten seconds, the watch errs or it ends.
pub(crate) async fn next_change<K: std::fmt::Debug>(
    stream: &mut (impl Stream<Item = Result<WatchEvent<K>, Error>> + Unpin),
) -> WatchEvent<K> {
    loop {
        let item = tokio::time::timeout(WAIT, futures_util::StreamExt::next(stream))
            .await
            .unwrap_or_else(|_| panic!("no watch event within {WAIT:?}"));
        match item {
            Some(Ok(WatchEvent::Bookmark(_))) => continue,
            Some(Ok(event)) => return event,
            Some(Err(err)) => panic!("watch error: {err}"),
            None => panic!("the watch ended"),
        }
    }
}
