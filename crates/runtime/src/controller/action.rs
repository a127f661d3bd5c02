//! [`Action`]: what the controller does with a key after its reconcile.

use std::time::Duration;

/// When a key is reconciled again, as a reconcile or an error policy decides.
///
/// Whatever the action, a change of the object (or of an owned or watched object mapped to
/// it) reconciles it again; the action only adds a later reconcile without one. A key has at
/// most one pending reconcile: the earliest request wins.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::controller::Action;
///
/// assert_eq!(Action::requeue(Duration::from_secs(300)).requeue_after(), Some(Duration::from_secs(300)));
/// assert_eq!(Action::await_change().requeue_after(), None);
/// assert!(Action::backoff().is_backoff());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    next: Next,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    AwaitChange,
    After(Duration),
    Backoff,
}

impl Action {
    /// Reconcile again only when something changes.
    ///
    /// ```
    /// use kubeset_runtime::controller::Action;
    ///
    /// assert_eq!(Action::await_change().requeue_after(), None);
    /// ```
    pub fn await_change() -> Self {
        Self {
            next: Next::AwaitChange,
        }
    }

    /// Reconcile again after `delay` at the latest (a periodic check of the outside world).
    ///
    /// ```
    /// use std::time::Duration;
    /// use kubeset_runtime::controller::Action;
    ///
    /// let check_hourly = Action::requeue(Duration::from_secs(3600));
    /// assert!(!check_hourly.is_backoff());
    /// ```
    pub fn requeue(delay: Duration) -> Self {
        Self {
            next: Next::After(delay),
        }
    }

    /// Reconcile again after the key's rate-limited backoff (the queue's
    /// [`RateLimiter`](crate::queue::RateLimiter): exponential per key, and an overall
    /// bucket). Each backoff in a row waits longer; any other action after a successful
    /// reconcile starts the key's backoff over. The usual answer of an error policy.
    ///
    /// ```
    /// use kubeset_runtime::controller::Action;
    ///
    /// // an error policy
    /// let policy = |_err: &std::io::Error| Action::backoff();
    /// assert!(policy(&std::io::Error::other("down")).is_backoff());
    /// ```
    pub fn backoff() -> Self {
        Self {
            next: Next::Backoff,
        }
    }

    /// The fixed delay of [`Action::requeue`]; `None` for the other actions.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kubeset_runtime::controller::Action;
    ///
    /// assert_eq!(Action::requeue(Duration::from_secs(5)).requeue_after(), Some(Duration::from_secs(5)));
    /// assert_eq!(Action::backoff().requeue_after(), None);
    /// ```
    pub fn requeue_after(&self) -> Option<Duration> {
        match self.next {
            Next::After(delay) => Some(delay),
            Next::AwaitChange | Next::Backoff => None,
        }
    }

    /// Whether this is [`Action::backoff`].
    ///
    /// ```
    /// use kubeset_runtime::controller::Action;
    ///
    /// assert!(!Action::await_change().is_backoff());
    /// ```
    pub fn is_backoff(&self) -> bool {
        self.next == Next::Backoff
    }
}
