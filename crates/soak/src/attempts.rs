//! Attempts per logical request, read from the transport's `kube_request` span (opened once
//! per request above the retry layer, its `attempts` field recorded after each attempt).
//!
//! A process-wide tracing layer ([`install`]) counts them; requests that start while a 429
//! storm is on ([`Attempts::storm`]), or have an attempt answered during one, are also counted
//! apart, for the amplification figure.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// The transport's span around one logical request.
const SPAN: &str = "kube_request";

/// Counters of logical requests and their attempts.
#[derive(Debug, Default)]
pub(crate) struct Attempts {
    storm: AtomicBool,
    all: Tally,
    in_storm: Tally,
}

/// Requests, attempts and the most attempts one request took.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    requests: AtomicU64,
    attempts: AtomicU64,
    most: AtomicU64,
}

/// Logical requests and the attempts made for them (a snapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    /// Logical requests (what callers asked for).
    pub requests: u64,
    /// Attempts sent for them (retries included).
    pub attempts: u64,
    /// The most attempts one request took.
    pub most: u64,
}

impl Counted {
    /// Retries: attempts beyond the first of each request.
    pub fn retries(&self) -> u64 {
        self.attempts.saturating_sub(self.requests)
    }

    /// Attempts per logical request (1.0 when there were none).
    #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    pub fn amplification(&self) -> f64 {
        if self.requests == 0 {
            1.0
        } else {
            self.attempts as f64 / self.requests as f64
        }
    }
}

impl Tally {
    fn add(&self, attempts: u64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.attempts.fetch_add(attempts, Ordering::Relaxed);
        self.most.fetch_max(attempts, Ordering::Relaxed);
    }

    fn read(&self) -> Counted {
        Counted {
            requests: self.requests.load(Ordering::Relaxed),
            attempts: self.attempts.load(Ordering::Relaxed),
            most: self.most.load(Ordering::Relaxed),
        }
    }

    fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.attempts.store(0, Ordering::Relaxed);
        self.most.store(0, Ordering::Relaxed);
    }
}

impl Attempts {
    /// Marks the start or end of a 429 storm: requests starting now, or with an attempt answered
    /// now, count as in it.
    pub(crate) fn storm(&self, on: bool) {
        self.storm.store(on, Ordering::Relaxed);
    }

    /// All requests since the last reset.
    pub(crate) fn all(&self) -> Counted {
        self.all.read()
    }

    /// The requests that met a storm (started or had an attempt answered during one) since the
    /// last reset.
    pub(crate) fn in_storm(&self) -> Counted {
        self.in_storm.read()
    }

    /// Starts counting from zero (a new soak in the same process).
    pub(crate) fn reset(&self) {
        self.all.reset();
        self.in_storm.reset();
    }
}

/// The counters of this process, installing the layer as the global subscriber the first
/// time; `None` when another global subscriber was installed first.
pub(crate) fn install() -> Option<Arc<Attempts>> {
    static INSTALLED: OnceLock<Option<Arc<Attempts>>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let attempts = Arc::new(Attempts::default());
            let layer = Counter {
                attempts: attempts.clone(),
            }
            .with_filter(Targets::new().with_target("kubeset_transport", tracing::Level::DEBUG));
            let subscriber = tracing_subscriber::registry().with(layer);
            tracing::subscriber::set_global_default(subscriber)
                .ok()
                .map(|()| attempts)
        })
        .clone()
}

/// The state kept on each `kube_request` span.
struct Request {
    in_storm: bool,
    attempts: u64,
}

struct Counter {
    attempts: Arc<Attempts>,
}

struct AttemptsField<'a>(&'a mut u64);

impl Visit for AttemptsField<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "attempts" {
            *self.0 = value;
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl<S> Layer<S> for Counter
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != SPAN {
            return;
        }
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Request {
                in_storm: self.attempts.storm.load(Ordering::Relaxed),
                attempts: 0,
            });
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(request) = extensions.get_mut::<Request>() {
            values.record(&mut AttemptsField(&mut request.attempts));
            // an attempt answered during a storm: the request met it, even if it began before
            request.in_storm |= self.attempts.storm.load(Ordering::Relaxed);
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let extensions = span.extensions();
        if let Some(request) = extensions.get::<Request>() {
            // a request cancelled before its first answer made one attempt at most
            let attempts = request.attempts.max(1);
            self.attempts.all.add(attempts);
            if request.in_storm {
                self.attempts.in_storm.add(attempts);
            }
        }
    }
}
