//! The bridge from the synchronous write path to the asynchronous webhook calls.
//!
//! Admission is synchronous (`registry::pipeline` and the plugins are plain functions), and a
//! webhook call is network I/O. A request that may reach a webhook is answered on tokio's
//! blocking pool (`api::dispatch` moves it there with `spawn_blocking` when a webhook
//! configuration is stored), inside `run`. The webhook caller on that thread drives each call
//! with `Handle::block_on`: the runtime's own worker (or, on a `current_thread` runtime, the
//! thread in `Runtime::block_on`, which is awaiting the blocking task) keeps driving the
//! sockets and timers meanwhile, so a webhook served by the same runtime, even a
//! `current_thread` one, is answered.
//!
//! Guarantees:
//! - `call` never blocks a runtime worker: outside `run` it calls nothing and answers
//!   `None` (the server's own writes, from its controllers, run on the runtime and do not
//!   reach webhooks).
//! - Webhooks add warnings and audit annotations through `admission::recorder`, whose scope
//!   the handler opens on this same thread; nothing leaks to the next request on it.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use tokio::runtime::Handle;

use crate::admission::matching::Matched;

/// The API defaulting of the written type, applied to an object a webhook patched (Go:
/// `o.GetObjectDefaulter().Default`).
#[derive(Clone)]
pub(crate) struct Defaulter(pub(crate) Arc<dyn Fn(&mut Value) + Send + Sync>);

impl fmt::Debug for Defaulter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Defaulter")
    }
}

/// Conversion between the form admission holds an object in (the stored form) and the
/// version a webhook matched (Go: `VersionedAttributes`, converted to the invocation's kind).
pub(crate) trait Versions: Send + Sync {
    /// `obj` (as admission holds it) in the external form of `to`.
    fn view(&self, obj: &Value, to: &Matched) -> Value;
    /// `obj`, in the external form of `from`, back as admission holds it.
    fn back(&self, obj: &Value, from: &Matched) -> Value;
}

/// The written type's [`Versions`].
#[derive(Clone)]
pub(crate) struct Converter(pub(crate) Arc<dyn Versions>);

impl fmt::Debug for Converter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Converter")
    }
}

/// What the webhook request carries about the API request besides its attributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestInfo {
    /// `dryRun=All` was asked.
    pub(crate) dry_run: bool,
    /// The request's options as the handler decoded them (`dryRun`, `fieldManager`,
    /// `fieldValidation`; a delete's `DeleteOptions`), without `kind` and `apiVersion`.
    pub(crate) options: serde_json::Map<String, Value>,
    /// The written type's defaulting (`None`: objects are left as patched).
    pub(crate) defaults: Option<Defaulter>,
    /// The written type's conversions (`None`: objects are sent as admission holds them).
    pub(crate) versions: Option<Converter>,
}

impl RequestInfo {
    /// `obj` as a webhook that matched `to` sees it.
    pub(crate) fn view(&self, obj: &Value, to: &Matched) -> Value {
        match &self.versions {
            Some(c) => c.0.view(obj, to),
            None => obj.clone(),
        }
    }

    /// `obj`, as a webhook that matched `from` patched it, back as admission holds it.
    pub(crate) fn back(&self, obj: &Value, from: &Matched) -> Value {
        match &self.versions {
            Some(c) => c.0.back(obj, from),
            None => obj.clone(),
        }
    }
}

#[derive(Debug)]
struct Bridge {
    handle: Handle,
    info: RequestInfo,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

/// Runs `answer` (a synchronous handler, on a blocking-pool thread) with webhook calls driven
/// by `handle`, and returns its result.
pub(crate) fn run<T>(handle: Handle, info: RequestInfo, answer: impl FnOnce() -> T) -> T {
    /// Puts the previous bridge back, even when `answer` panics.
    struct Restore(Option<Option<Bridge>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                BRIDGE.with(|b| *b.borrow_mut() = previous);
            }
        }
    }
    let previous = BRIDGE.with(|b| b.borrow_mut().replace(Bridge { handle, info }));
    let restore = Restore(Some(previous));
    let out = answer();
    drop(restore);
    out
}

/// The request information of the running bridge, `None` outside `run`.
pub(crate) fn info() -> Option<RequestInfo> {
    BRIDGE.with(|b| b.borrow().as_ref().map(|b| b.info.clone()))
}

/// Drives `call` to completion on the bridge's runtime; `None` outside `run`.
pub(crate) fn call<F: Future>(call: F) -> Option<F::Output> {
    let handle = BRIDGE.with(|b| b.borrow().as_ref().map(|b| b.handle.clone()))?;
    Some(handle.block_on(call))
}
