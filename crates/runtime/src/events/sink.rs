//! Where Events are written: `events.k8s.io/v1` when the server offers it, core/v1 otherwise;
//! creates and series updates, each retried a few times on transient failures.

use std::future::Future;
use std::time::Duration;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::events::v1::Event;
use kubeset_clientset::{Api, Client, Error, Patch, PatchParams, PostParams};

/// The API the Events go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `events.k8s.io/v1`.
    EventsV1,
    /// `v1` (core) Events, for servers without the events.k8s.io group.
    CoreV1,
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// The server (or the connection) failed.
    #[error("the API server refused or failed the write")]
    Api {
        #[source]
        source: Error,
    },
    /// No answer within the write timeout.
    #[error("the write got no answer within {timeout:?}")]
    TimedOut { timeout: Duration },
}

impl WriteError {
    fn retryable(&self) -> bool {
        match self {
            WriteError::TimedOut { .. } => true,
            WriteError::Api { source } => {
                matches!(source, Error::Transport { .. })
                    || source.is_server_error()
                    || source.is_too_many_requests()
                    || source.is_timeout()
            }
        }
    }

    /// Whether the Event object is gone (expired by the server's TTL, or deleted).
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, WriteError::Api { source } if source.is_not_found())
    }
}

/// Writes Events through one client.
#[derive(Debug)]
pub(crate) struct Sink {
    client: Client,
    target: Option<Target>,
    max_attempts: u32,
    timeout: Duration,
}

impl Sink {
    pub(crate) fn new(client: Client, max_attempts: u32, timeout: Duration) -> Self {
        Self {
            client,
            target: None,
            max_attempts: max_attempts.max(1),
            timeout,
        }
    }

    /// The API to write to, asked once: a server that does not serve events.k8s.io/v1 gets
    /// core Events; when discovery itself fails, events.k8s.io is used and asked again later.
    async fn target(&mut self) -> Target {
        if let Some(target) = self.target {
            return target;
        }
        let resolving = self.client.resolve("events.k8s.io", "v1", "Event");
        let target = match tokio::time::timeout(self.timeout, resolving).await {
            Ok(Ok(_)) => Target::EventsV1,
            Ok(Err(Error::UnknownResource { .. })) => Target::CoreV1,
            Ok(Err(err)) if err.is_not_found() => Target::CoreV1,
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "event API discovery failed; trying events.k8s.io/v1");
                return Target::EventsV1;
            }
            Err(_) => {
                tracing::debug!("event API discovery got no answer; trying events.k8s.io/v1");
                return Target::EventsV1;
            }
        };
        self.target = Some(target);
        target
    }

    /// Creates `event` (as a core Event where needed).
    pub(crate) async fn create(&mut self, event: &Event) -> Result<(), WriteError> {
        let namespace = event.metadata.namespace.clone().unwrap_or_default();
        match self.target().await {
            Target::EventsV1 => {
                let api: Api<Event> = Api::namespaced(self.client.clone(), &namespace);
                self.retrying(|| async {
                    api.create(&PostParams::default(), event).await.map(drop)
                })
                .await
            }
            Target::CoreV1 => {
                let api = self.client.events(&namespace);
                let core = to_core(event);
                self.retrying(|| async {
                    api.create(&PostParams::default(), &core).await.map(drop)
                })
                .await
            }
        }
    }

    /// Writes the series (count, lastObservedTime) of the existing `event` with a merge patch.
    pub(crate) async fn write_series(&mut self, event: &Event) -> Result<(), WriteError> {
        let namespace = event.metadata.namespace.clone().unwrap_or_default();
        let name = event.metadata.name.clone().unwrap_or_default();
        let patch = Patch::Merge(serde_json::json!({ "series": event.series }));
        let pp = PatchParams::default();
        match self.target().await {
            Target::EventsV1 => {
                let api: Api<Event> = Api::namespaced(self.client.clone(), &namespace);
                self.retrying(|| async { api.patch(&name, &pp, &patch).await.map(drop) })
                    .await
            }
            Target::CoreV1 => {
                let api = self.client.events(&namespace);
                self.retrying(|| async { api.patch(&name, &pp, &patch).await.map(drop) })
                    .await
            }
        }
    }

    /// Runs `op` up to `max_attempts` times while it fails transiently, each try bounded by
    /// the write timeout, with a jittered, doubling pause (0.5 s, 1 s, ...) in between.
    async fn retrying<F, Fut>(&self, mut op: F) -> Result<(), WriteError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        let mut pause = Duration::from_millis(500);
        let mut attempt = 1;
        loop {
            let result = match tokio::time::timeout(self.timeout, op()).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(source)) => WriteError::Api { source },
                Err(_) => WriteError::TimedOut {
                    timeout: self.timeout,
                },
            };
            if attempt >= self.max_attempts || !result.retryable() {
                return Err(result);
            }
            tokio::time::sleep(pause.mul_f64(1.0 + fastrand::f64() / 4.0)).await;
            pause *= 2;
            attempt += 1;
        }
    }
}

/// The same Event in the core/v1 form (the server stores both forms as one object).
fn to_core(event: &Event) -> core::Event {
    core::Event {
        metadata: event.metadata.clone(),
        involved_object: event.regarding.clone().unwrap_or_default(),
        related: event.related.clone(),
        reason: event.reason.clone(),
        message: event.note.clone(),
        type_: event.type_.clone(),
        action: event.action.clone(),
        reporting_component: event.reporting_controller.clone(),
        reporting_instance: event.reporting_instance.clone(),
        event_time: event.event_time.clone(),
        series: event.series.as_ref().map(|s| core::EventSeries {
            count: Some(s.count),
            last_observed_time: Some(s.last_observed_time.clone()),
        }),
        ..core::Event::default()
    }
}
