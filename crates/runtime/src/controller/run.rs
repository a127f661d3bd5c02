//! The loop behind [`Controller::run`](super::Controller::run): watches in, keys through the
//! queue, reconciles out as tokio tasks, results back.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::SelectAll;
use futures_util::{Stream, StreamExt, stream};
use kubeset_clientset::runtime::Store;
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;

use super::source::Source;
use super::{Action, ControllerConfig, Error, ObjectRef};
use crate::queue::{Processing, WorkQueue};

/// What the user gave `run`.
pub(super) struct Handlers<R, P, Ctx> {
    pub(super) reconcile: R,
    pub(super) error_policy: P,
    pub(super) context: Arc<Ctx>,
}

type Item<E> = Result<(ObjectRef, Action), Error<E>>;

/// What one reconcile task ends with; `None` when the object was gone.
type Outcome<E> = Option<(ObjectRef, Result<Action, E>)>;

pub(super) struct Run<K, R, P, Ctx, E: std::error::Error + 'static> {
    store: Store<K>,
    keys: SelectAll<
        futures_util::stream::BoxStream<
            'static,
            Result<Vec<ObjectRef>, super::source::SourceError>,
        >,
    >,
    ready: Vec<Box<dyn Fn() -> bool + Send + Sync>>,
    synced: bool,
    /// Every source ended.
    keys_ended: bool,
    queue: WorkQueue<ObjectRef>,
    config: ControllerConfig,
    shutdown: Option<BoxFuture<'static, ()>>,
    /// Set when shutting down: running reconciles may finish until then.
    deadline: Option<Instant>,
    tasks: JoinSet<Outcome<E>>,
    running: HashMap<Id, ObjectRef>,
    out: VecDeque<Item<E>>,
    handlers: Arc<Handlers<R, P, Ctx>>,
}

impl<K, R, P, Ctx, Fut, E> Run<K, R, P, Ctx, E>
where
    K: Send + Sync + 'static,
    Ctx: Send + Sync + 'static,
    R: Fn(Arc<K>, Arc<Ctx>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Action, E>> + Send + 'static,
    E: std::error::Error + Send + 'static,
    P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
{
    pub(super) fn new(
        store: Store<K>,
        sources: Vec<Source>,
        queue: WorkQueue<ObjectRef>,
        config: ControllerConfig,
        shutdown: Option<BoxFuture<'static, ()>>,
        handlers: Handlers<R, P, Ctx>,
    ) -> Self {
        let mut keys = SelectAll::new();
        let mut ready = Vec::with_capacity(sources.len());
        for source in sources {
            keys.push(source.keys);
            ready.push(source.ready);
        }
        Self {
            store,
            keys,
            ready,
            synced: false,
            keys_ended: false,
            queue,
            config,
            shutdown,
            deadline: None,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            out: VecDeque::new(),
            handlers: Arc::new(handlers),
        }
    }

    pub(super) fn into_stream(self) -> impl Stream<Item = Item<E>> + Send + 'static {
        stream::unfold(self, |mut run| async move {
            let item = run.next().await?;
            Some((item, run))
        })
    }

    /// The next result; `None` once shut down.
    async fn next(&mut self) -> Option<Item<E>> {
        loop {
            if let Some(item) = self.out.pop_front() {
                return Some(item);
            }
            if self.deadline.is_some() && self.tasks.is_empty() {
                return None;
            }
            let stopping = self.deadline.is_some();
            // at least one worker, whatever the config says
            let workers = self.config.concurrency.max(1);
            let can_start = self.synced && !stopping && self.tasks.len() < workers;
            let shutdown = async {
                match self.shutdown.as_mut() {
                    Some(signal) => signal.await,
                    None => std::future::pending().await,
                }
            };
            let deadline = async {
                match self.deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = shutdown, if !stopping => {
                    self.shutdown = None;
                    self.begin_shutdown();
                }
                () = deadline => {
                    tracing::warn!(running = self.tasks.len(), "controller shutdown timed out; cancelling reconciles");
                    self.tasks.abort_all();
                    return None;
                }
                Some(joined) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    self.finished(joined);
                }
                // keys first while workers are free, so a long re-list does not hold
                // reconciles back
                Some(item) = self.queue.get(), if can_start => {
                    self.start(item);
                }
                keys = self.keys.next(), if !stopping && !self.keys_ended => {
                    match keys {
                        Some(keys) => self.keys_arrived(keys),
                        // only if every source ended (watchers never do): stop polling
                        None => self.keys_ended = true,
                    }
                }
            }
        }
    }

    fn begin_shutdown(&mut self) {
        tracing::debug!(running = self.tasks.len(), "controller shutting down");
        self.queue.shut_down();
        // no more watching: the streams (and their connections) go
        self.keys = SelectAll::new();
        let timeout = self.config.shutdown_timeout;
        self.deadline = Some(
            Instant::now()
                .checked_add(timeout)
                .unwrap_or_else(far_future),
        );
    }

    fn keys_arrived(&mut self, keys: Result<Vec<ObjectRef>, super::source::SourceError>) {
        match keys {
            Ok(keys) => {
                for key in keys {
                    self.queue.add(key);
                }
                if !self.synced {
                    self.synced = self.ready.iter().all(|ready| ready());
                    if self.synced {
                        tracing::debug!("controller caches synced; reconciles start");
                    }
                }
            }
            Err(err) => self.out.push_back(Err(Error::Watch {
                resource: err.resource.to_string(),
                source: err.error,
            })),
        }
    }

    fn start(&mut self, item: Processing<ObjectRef>) {
        let key = item.key().clone();
        let store = self.store.clone();
        let queue = self.queue.clone();
        let handlers = Arc::clone(&self.handlers);
        let span = tracing::debug_span!("reconcile", object = %key);
        let task = self.tasks.spawn(tracing::Instrument::instrument(
            async move {
                let key = item.key().clone();
                let Some(object) = store.get(key.namespace.as_deref(), &key.name) else {
                    // deleted meanwhile: nothing to reconcile, nothing to retry
                    queue.forget(&key);
                    return None;
                };
                let context = Arc::clone(&handlers.context);
                let result = (handlers.reconcile)(Arc::clone(&object), Arc::clone(&context)).await;
                let action = match &result {
                    Ok(action) => *action,
                    Err(err) => (handlers.error_policy)(object, err, context),
                };
                if action.is_backoff() {
                    queue.add_rate_limited(key.clone());
                } else {
                    if result.is_ok() {
                        queue.forget(&key);
                    }
                    if let Some(delay) = action.requeue_after() {
                        queue.add_after(key.clone(), delay);
                    }
                }
                tracing::debug!(?action, ok = result.is_ok(), "reconciled");
                // done only now: a change during the reconcile queues the key once more
                drop(item);
                Some((key, result))
            },
            span,
        ));
        self.running.insert(task.id(), key);
    }

    fn finished(&mut self, joined: Result<(Id, Outcome<E>), tokio::task::JoinError>) {
        match joined {
            Ok((id, outcome)) => {
                self.running.remove(&id);
                match outcome {
                    Some((object, Ok(action))) => self.out.push_back(Ok((object, action))),
                    Some((object, Err(source))) => {
                        self.out.push_back(Err(Error::Reconcile { object, source }));
                    }
                    None => {}
                }
            }
            Err(err) => {
                let Some(object) = self.running.remove(&err.id()) else {
                    return;
                };
                if err.is_panic() {
                    // the key was marked done while the task unwound
                    self.queue.add_rate_limited(object.clone());
                    self.out.push_back(Err(Error::ReconcilePanicked {
                        object,
                        source: err,
                    }));
                }
            }
        }
    }
}

/// About thirty years from now (what `Instant + Duration::MAX` would overflow to).
fn far_future() -> Instant {
    Instant::now() + std::time::Duration::from_secs(86400 * 365 * 30)
}
