//! One server warning and who receives it: the [`WarningHandler`] trait (client-go's
//! `rest.WarningHandler`), with [`LogWarnings`] (the default) and [`CollectWarnings`].

use std::sync::{Arc, Mutex};

use http::Method;

/// A warning the API server sent in a `Warning` response header, with the request it answered.
///
/// Kubernetes sends warnings for deprecated APIs, unknown or duplicate fields
/// (`fieldValidation=Warn`), and from admission webhooks; they are never errors.
///
/// ```
/// use kubeset_transport::Warning;
///
/// fn show(warning: &Warning) -> String {
///     format!("{} {}: {}", warning.method, warning.path, warning.text)
/// }
/// # let _ = show;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// The warn-code; Kubernetes always sends `299` ("miscellaneous persistent warning").
    pub code: u16,
    /// The warn-agent: `-` from kube-apiserver itself, or the component that added it.
    pub agent: String,
    /// The warning text.
    pub text: String,
    /// The method of the request it answered.
    pub method: Method,
    /// The path of the request it answered, without the query.
    pub path: String,
}

/// Receives each warning the server sends (client-go's `rest.WarningHandler`).
///
/// Called on the task that sent the request, as soon as the response headers arrive (before the
/// body is read), so it must be quick and must not block; hand slow work to a channel. Any
/// `Fn(&Warning) + Send + Sync + 'static` closure is a handler.
///
/// ```
/// use kubeset_transport::{Warning, WarningHandler};
///
/// /// Counts deprecation warnings.
/// #[derive(Default)]
/// struct CountDeprecations(std::sync::atomic::AtomicUsize);
///
/// impl WarningHandler for CountDeprecations {
///     fn handle(&self, warning: &Warning) {
///         if warning.text.contains("deprecated") {
///             self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         }
///     }
/// }
///
/// let closure = |warning: &Warning| eprintln!("Warning: {}", warning.text);
/// let _handlers: [&dyn WarningHandler; 2] = [&CountDeprecations::default(), &closure];
/// ```
pub trait WarningHandler: Send + Sync + 'static {
    /// Takes one warning.
    fn handle(&self, warning: &Warning);
}

impl<F> WarningHandler for F
where
    F: Fn(&Warning) + Send + Sync + 'static,
{
    fn handle(&self, warning: &Warning) {
        self(warning);
    }
}

/// Logs each `299` warning through `tracing` at `warn` level, as client-go's default
/// `WarningLogger` logs through klog; other codes and empty texts are ignored, as there.
///
/// ```
/// use kubeset_transport::{LogWarnings, TransportOptions};
///
/// let mut options = TransportOptions::default();
/// options.warning_handler = std::sync::Arc::new(LogWarnings);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWarnings;

impl WarningHandler for LogWarnings {
    fn handle(&self, warning: &Warning) {
        if warning.code != 299 || warning.text.is_empty() {
            return;
        }
        tracing::warn!(
            warning = %warning.text,
            agent = %warning.agent,
            method = %warning.method,
            path = %warning.path,
            "the API server sent a warning"
        );
    }
}

/// Keeps every warning it is given, for a test to inspect or a tool to print at the end (as
/// kubectl does). Clones share one list.
///
/// The list grows with every warning it is handed: with deduplication on (the default) that is
/// one entry per distinct text.
///
/// ```
/// use kubeset_transport::{CollectWarnings, TransportOptions};
///
/// let warnings = CollectWarnings::default();
/// let mut options = TransportOptions::default();
/// options.warning_handler = std::sync::Arc::new(warnings.clone());
/// // ... send requests ...
/// for warning in warnings.take() {
///     eprintln!("Warning: {}", warning.text);
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CollectWarnings {
    seen: Arc<Mutex<Vec<Warning>>>,
}

impl CollectWarnings {
    /// A copy of the warnings collected so far, oldest first.
    pub fn warnings(&self) -> Vec<Warning> {
        match self.seen.lock() {
            Ok(seen) => seen.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The warnings collected so far, oldest first, leaving the list empty.
    pub fn take(&self) -> Vec<Warning> {
        match self.seen.lock() {
            Ok(mut seen) => std::mem::take(&mut *seen),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

impl WarningHandler for CollectWarnings {
    fn handle(&self, warning: &Warning) {
        match self.seen.lock() {
            Ok(mut seen) => seen.push(warning.clone()),
            Err(poisoned) => poisoned.into_inner().push(warning.clone()),
        }
    }
}
