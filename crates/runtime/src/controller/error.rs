//! [`Error`]: what a controller's result stream reports besides successful reconciles.

use super::ObjectRef;

/// A failure reported on a controller's result stream; the controller goes on after each.
///
/// ```
/// use kubeset_runtime::controller::{Error, ObjectRef};
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("the backend is down")]
/// struct Down;
///
/// let err: Error<Down> = Error::Reconcile { object: ObjectRef::new("web").within("apps"), source: Down };
/// assert_eq!(err.to_string(), "failed to reconcile apps/web");
/// assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "the backend is down");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: std::error::Error + 'static> {
    /// The reconcile returned an error; the error policy chose when to retry.
    #[error("failed to reconcile {object}")]
    Reconcile {
        /// The object reconciled.
        object: ObjectRef,
        /// The reconcile's error.
        #[source]
        source: E,
    },
    /// The reconcile panicked; the key is retried with backoff.
    #[error("the reconcile of {object} panicked")]
    ReconcilePanicked {
        /// The object reconciled.
        object: ObjectRef,
        /// What tokio reported.
        #[source]
        source: tokio::task::JoinError,
    },
    /// A watch failed; the watcher retries on its own.
    #[error("the watch of {resource} failed; retrying")]
    Watch {
        /// The watched collection's URL path.
        resource: String,
        /// The watcher's error.
        #[source]
        source: kubeset_clientset::Error,
    },
}
