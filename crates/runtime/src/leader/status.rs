//! What the campaign task tells its observers: the term it leads in and until when.

use tokio::sync::watch;
use tokio::time::Instant;

/// The campaign's state, published through a `watch` channel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Status {
    /// Counts the terms this candidate has led; a new one starts at each acquisition.
    pub(crate) term: u64,
    /// While leading: the local time until which we may believe it (the last successful
    /// renewal's start plus the renew deadline). `None` when not leading.
    pub(crate) leading_until: Option<Instant>,
    /// The holder named by the record last read.
    pub(crate) holder: Option<String>,
}

impl Status {
    /// Whether term `term` is led at `now`.
    pub(crate) fn leads(&self, term: u64, now: Instant) -> bool {
        self.term == term && self.leading_until.is_some_and(|until| now < until)
    }
}

/// Whether `rx`'s campaign leads now, in `term` or (`None`) in its latest term; never once
/// the campaign has ended.
pub(crate) fn leads_now(rx: &watch::Receiver<Status>, term: Option<u64>) -> bool {
    if rx.has_changed().is_err() {
        return false;
    }
    let status = rx.borrow();
    status.leads(term.unwrap_or(status.term), Instant::now())
}

/// Resolves once `term` is no longer led: the campaign said so, its deadline passed (even if
/// the campaign task is stalled), or the campaign ended.
pub(crate) async fn lost(mut rx: watch::Receiver<Status>, term: u64) {
    loop {
        let until = {
            let status = rx.borrow_and_update();
            match status.leading_until {
                Some(until) if status.term == term && Instant::now() < until => until,
                _ => return,
            }
        };
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { return },
            // Look again: a renewal may have moved the deadline just now.
            () = tokio::time::sleep_until(until) => {}
        }
    }
}
