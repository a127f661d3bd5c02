//! The public face of an election: a candidate, its running campaign, and a term's guard.

use std::future::Future;

use k8s_openapi::api::coordination::v1::Lease;
use kubeset_clientset::{Api, Error};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::campaign::Campaign;
use super::config::{ConfigError, LeaderElectionConfig};
use super::status::{self, Status};

/// A candidate for the leadership named by one Lease (client-go's `LeaderElector`).
///
/// ```no_run
/// use kubeset_runtime::leader::{LeaderElectionConfig, LeaderElector};
///
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let identity = std::env::var("POD_NAME")?;
/// let elector = LeaderElector::new(
///     client.leases("kube-system"),
///     "my-controller",
///     identity,
///     LeaderElectionConfig::default(),
/// )?;
/// let leader = elector.spawn();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LeaderElector {
    api: Api<Lease>,
    name: String,
    identity: String,
    config: LeaderElectionConfig,
}

impl LeaderElector {
    /// A candidate `identity` for the Lease `name` that `api` (a namespaced Lease handle) holds.
    /// The identity must be unique among the candidates (a pod name, or host name and a UUID).
    ///
    /// ```
    /// # use http_body_util::Full;
    /// # let client = kubeset_clientset::Client::from_service(tower::service_fn(
    /// #     |_: http::Request<Full<bytes::Bytes>>| async {
    /// #         Ok::<_, std::convert::Infallible>(http::Response::new(Full::<bytes::Bytes>::default()))
    /// #     },
    /// # ));
    /// use kubeset_runtime::leader::{ConfigError, LeaderElectionConfig, LeaderElector};
    ///
    /// let config = LeaderElectionConfig::default();
    /// let err = LeaderElector::new(client.leases("apps"), "web", "", config.clone());
    /// assert!(matches!(err, Err(ConfigError::EmptyIdentity)));
    /// let err = LeaderElector::new(client.all_leases(), "web", "web-0", config);
    /// assert!(matches!(err, Err(ConfigError::NoNamespace)));
    /// ```
    pub fn new(
        api: Api<Lease>,
        name: impl Into<String>,
        identity: impl Into<String>,
        config: LeaderElectionConfig,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let identity = identity.into();
        if identity.is_empty() {
            return Err(ConfigError::EmptyIdentity);
        }
        if api.namespace().is_none() {
            return Err(ConfigError::NoNamespace);
        }
        Ok(Self {
            api,
            name: name.into(),
            identity,
            config,
        })
    }

    /// This candidate's identity, as the Lease names its holder.
    ///
    /// ```no_run
    /// # fn demo(elector: kubeset_runtime::leader::LeaderElector) {
    /// println!("campaigning as {}", elector.identity());
    /// # }
    /// ```
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Starts campaigning on a task of the current tokio runtime. The campaign goes on, term
    /// after term, until the handle is released (or dropped: then it stops without releasing,
    /// and the lease expires for the others one lease duration after its last renewal).
    ///
    /// ```no_run
    /// # async fn demo(elector: kubeset_runtime::leader::LeaderElector) {
    /// let leader = elector.spawn();
    /// if let Some(term) = leader.acquired().await {
    ///     println!("leading in term {}", term.term());
    /// }
    /// # }
    /// ```
    pub fn spawn(self) -> LeaderHandle {
        let (tx, rx) = watch::channel(Status::default());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let release = self.config.release_on_shutdown;
        let mut campaign = Campaign::new(self.api, self.name, self.identity, self.config, tx);
        let task = tokio::spawn(async move {
            tokio::select! {
                () = campaign.run() => Ok(()),
                // Only an explicit release gives the lease up; a dropped handle does not.
                stop = stop_rx => if release && stop.is_ok() { campaign.release().await } else { Ok(()) },
            }
        });
        LeaderHandle {
            status: rx,
            stop: Some(stop_tx),
            task,
        }
    }
}

/// A running campaign: ask whether it leads, wait for a term, run work while leading.
///
/// Dropping the handle stops the campaign without releasing the lease (as a killed process
/// would); [`release`](LeaderHandle::release) stops it gracefully.
#[derive(Debug)]
pub struct LeaderHandle {
    status: watch::Receiver<Status>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: JoinHandle<Result<(), Error>>,
}

impl Drop for LeaderHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LeaderHandle {
    /// Whether this candidate believes it leads at this instant. The belief ends on the local
    /// clock at the renew deadline even when the campaign task is stalled.
    ///
    /// ```no_run
    /// # fn demo(leader: &kubeset_runtime::leader::LeaderHandle) {
    /// if leader.is_leader() {
    ///     println!("acting");
    /// }
    /// # }
    /// ```
    pub fn is_leader(&self) -> bool {
        status::leads_now(&self.status, None)
    }

    /// The holder the Lease named when this candidate last read or wrote it (possibly itself).
    ///
    /// ```no_run
    /// # fn demo(leader: &kubeset_runtime::leader::LeaderHandle) {
    /// println!("current leader: {:?}", leader.holder());
    /// # }
    /// ```
    pub fn holder(&self) -> Option<String> {
        self.status.borrow().holder.clone()
    }

    /// Waits until this candidate leads and returns the guard of that term; `None` when the
    /// campaign task has ended (it panicked or the runtime is shutting down).
    ///
    /// ```no_run
    /// # async fn demo(leader: kubeset_runtime::leader::LeaderHandle) {
    /// while let Some(term) = leader.acquired().await {
    ///     println!("term {} started", term.term());
    ///     term.lost().await;
    ///     println!("term {} ended", term.term());
    /// }
    /// # }
    /// ```
    pub async fn acquired(&self) -> Option<Leadership> {
        let mut rx = self.status.clone();
        loop {
            let term = rx.borrow_and_update().term;
            if status::leads_now(&rx, Some(term)) {
                return Some(Leadership { status: rx, term });
            }
            rx.changed().await.ok()?;
        }
    }

    /// Waits until this candidate leads, then runs `work` until it finishes or the term ends,
    /// whichever comes first: the work is dropped at the renew deadline of a leader that can
    /// no longer renew, before any other candidate may take over.
    ///
    /// Dropping stops a future only at its next `.await`: keep blocking sections short.
    ///
    /// ```no_run
    /// # async fn reconcile_forever() {}
    /// # async fn demo(leader: kubeset_runtime::leader::LeaderHandle) -> Result<(), kubeset_clientset::Error> {
    /// loop {
    ///     match leader.lead(reconcile_forever()).await {
    ///         Ok(()) => break,
    ///         Err(lost) => eprintln!("{lost}; campaigning again"),
    ///     }
    /// }
    /// leader.release().await
    /// # }
    /// ```
    pub async fn lead<F: Future>(&self, work: F) -> Result<F::Output, NotLeading> {
        let term = self.acquired().await.ok_or(NotLeading { term: None })?;
        let lost = term.lost();
        tokio::select! {
            biased;
            () = lost => Err(NotLeading { term: Some(term.term) }),
            output = work => Ok(output),
        }
    }

    /// Stops campaigning and, when leading and `release_on_shutdown` is set, gives the lease up
    /// so a successor takes over on its next try instead of a lease duration later. Call it
    /// once the work has stopped. The error is the failed release write (the lease then
    /// expires as if this candidate had been killed).
    ///
    /// ```no_run
    /// # async fn demo(leader: kubeset_runtime::leader::LeaderHandle) {
    /// if let Err(err) = leader.release().await {
    ///     eprintln!("could not release the lease: {err}");
    /// }
    /// # }
    /// ```
    pub async fn release(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            // The campaign may be gone (its task panicked); then there is nothing to release.
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(_) => Ok(()),
        }
    }
}

/// One term of leadership (from [`LeaderHandle::acquired`]): ask whether it still holds, or
/// wait for its end.
///
/// ```no_run
/// # async fn demo(leader: kubeset_runtime::leader::LeaderHandle) {
/// let Some(term) = leader.acquired().await else { return };
/// while term.is_held() {
///     // one step of work
/// #   break;
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Leadership {
    status: watch::Receiver<Status>,
    term: u64,
}

impl Leadership {
    /// The term's number: 1 for this candidate's first, counting up.
    pub fn term(&self) -> u64 {
        self.term
    }

    /// Whether the term still holds at this instant (on the local clock, so a stalled
    /// campaign task cannot extend it).
    pub fn is_held(&self) -> bool {
        status::leads_now(&self.status, Some(self.term))
    }

    /// Resolves when the term ends: renewals failed until the renew deadline, another holder
    /// was seen, the handle was released or dropped.
    pub async fn lost(&self) {
        status::lost(self.status.clone(), self.term).await;
    }
}

/// [`LeaderHandle::lead`] stopped the work because the term ended (or never started).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match .term { Some(term) => format!("leadership term {term} ended before the work finished"), None => "the campaign ended before it won a term".to_owned() })]
#[non_exhaustive]
pub struct NotLeading {
    /// The term that ended; `None` when the campaign ended without a term.
    pub term: Option<u64>,
}
