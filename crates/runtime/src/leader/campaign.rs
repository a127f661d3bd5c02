//! The campaign task: try to acquire, renew while leading, give up at the renew deadline.

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kubeset_clientset::{Api, Error, PostParams};
use tokio::sync::watch;
use tokio::time::{Instant, sleep, sleep_until, timeout_at};

use super::config::LeaderElectionConfig;
use super::record::{self, Decision, Observed};
use super::status::Status;

/// What one try found.
#[derive(Debug)]
enum Outcome {
    /// We hold the lease: the write that says so succeeded.
    Holding,
    /// Someone else does, until `expires` on our clock.
    HeldBy { expires: Instant },
}

/// One candidate's state between tries.
pub(crate) struct Campaign {
    pub(crate) api: Api<Lease>,
    pub(crate) name: String,
    pub(crate) identity: String,
    pub(crate) config: LeaderElectionConfig,
    /// The record as last read, and since when (our clock).
    observed: Option<Observed>,
    /// The Lease as last read or written (its resourceVersion guards our next write).
    latest: Option<Lease>,
    status: watch::Sender<Status>,
}

fn now_micro() -> MicroTime {
    MicroTime(k8s_openapi::jiff::Timestamp::now())
}

impl Campaign {
    pub(crate) fn new(
        api: Api<Lease>,
        name: String,
        identity: String,
        config: LeaderElectionConfig,
        status: watch::Sender<Status>,
    ) -> Self {
        Self {
            api,
            name,
            identity,
            config,
            observed: None,
            latest: None,
            status,
        }
    }

    /// Campaigns until dropped: acquire, lead until a renewal misses its deadline, repeat.
    pub(crate) async fn run(&mut self) {
        loop {
            let until = self.acquire().await;
            self.status.send_modify(|s| {
                s.term += 1;
                s.leading_until = Some(until);
            });
            tracing::info!(lease = %self.name, identity = %self.identity, "became leader");
            self.lead(until).await;
            self.status.send_modify(|s| s.leading_until = None);
            tracing::warn!(lease = %self.name, identity = %self.identity, "lost leadership");
        }
    }

    /// Tries until a write makes us the holder; returns until when we may believe we lead.
    async fn acquire(&mut self) -> Instant {
        loop {
            let started = Instant::now();
            let deadline = started + self.config.renew_deadline;
            let wait = match timeout_at(deadline, self.try_acquire_or_renew()).await {
                Ok(Ok(Outcome::Holding)) => return deadline,
                // Wake when the holder's lease would expire, if that is sooner.
                Ok(Ok(Outcome::HeldBy { expires })) => {
                    (started + self.config.jittered_retry()).min(expires)
                }
                Ok(Err(err)) => {
                    tracing::debug!(lease = %self.name, error = %err, "failed to acquire the lease");
                    started + self.config.jittered_retry()
                }
                Err(_) => started + self.config.jittered_retry(),
            };
            sleep_until(wait).await;
        }
    }

    /// Renews every retry period; returns when a renewal could not be made before the deadline
    /// of the last one, or someone else holds the lease.
    async fn lead(&mut self, mut until: Instant) {
        loop {
            sleep(self.config.retry_period).await;
            loop {
                let started = Instant::now();
                if started >= until {
                    return;
                }
                match timeout_at(until, self.try_acquire_or_renew()).await {
                    Ok(Ok(Outcome::Holding)) => {
                        // A renewal that answers after the deadline does not revive the term:
                        // observers may already have seen it end.
                        if Instant::now() >= until {
                            return;
                        }
                        until = started + self.config.renew_deadline;
                        self.status.send_modify(|s| s.leading_until = Some(until));
                        break;
                    }
                    Ok(Ok(Outcome::HeldBy { .. })) | Err(_) => return,
                    Ok(Err(err)) => {
                        tracing::debug!(lease = %self.name, error = %err, "failed to renew the lease");
                        sleep_until((Instant::now() + self.config.retry_period).min(until)).await;
                    }
                }
            }
        }
    }

    /// client-go's `tryAcquireOrRenew`: renew with the Lease we wrote last when we hold it,
    /// else read it, and write it when it is ours or free.
    async fn try_acquire_or_renew(&mut self) -> Result<Outcome, Error> {
        let holding = self.status.borrow().leading_until.is_some();
        if holding && let Some(latest) = self.latest.clone() {
            let spec = record::claim(
                latest.spec.as_ref(),
                &self.identity,
                self.config.lease_seconds(),
                now_micro(),
            );
            match self.write(latest, spec).await {
                Ok(()) => return Ok(Outcome::Holding),
                Err(err) => {
                    tracing::debug!(lease = %self.name, error = %err, "fast renewal failed; reading the lease");
                }
            }
        }
        let Some(lease) = self.api.get_opt(&self.name).await? else {
            return self.create().await;
        };
        let now = Instant::now();
        let observed = self.observe(&lease, now);
        match record::decide(
            &observed,
            &self.identity,
            self.config.lease_seconds(),
            now,
            now_micro(),
        ) {
            Decision::HeldByOther { expires, .. } => Ok(Outcome::HeldBy { expires }),
            Decision::Write(spec) => {
                self.write(lease, spec).await?;
                Ok(Outcome::Holding)
            }
        }
    }

    /// Creates the Lease with us as its holder (a 409 means another candidate was faster).
    async fn create(&mut self) -> Result<Outcome, Error> {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: self.api.namespace().map(str::to_owned),
                ..ObjectMeta::default()
            },
            spec: Some(record::claim(
                None,
                &self.identity,
                self.config.lease_seconds(),
                now_micro(),
            )),
        };
        let created = self.api.create(&PostParams::default(), &lease).await?;
        self.observe(&created, Instant::now());
        Ok(Outcome::Holding)
    }

    /// Replaces `lease` (its resourceVersion guarding the write) with `spec`.
    async fn write(&mut self, mut lease: Lease, spec: LeaseSpec) -> Result<(), Error> {
        lease.spec = Some(spec);
        let written = self
            .api
            .replace(&self.name, &PostParams::default(), &lease)
            .await?;
        self.observe(&written, Instant::now());
        Ok(())
    }

    /// Remembers `lease` as read or written at `now`.
    fn observe(&mut self, lease: &Lease, now: Instant) -> Observed {
        let spec = lease.spec.clone().unwrap_or_default();
        let observed = Observed::update(self.observed.take(), spec, now);
        let holder = observed.holder().map(str::to_owned);
        self.status.send_if_modified(|s| {
            let changed = s.holder != holder;
            s.holder = holder;
            changed
        });
        self.observed = Some(observed.clone());
        self.latest = Some(lease.clone());
        observed
    }

    /// Gives the lease up (after the caller stopped leading): no holder, so a successor
    /// takes over on its next try. A lease someone else holds by now is left alone.
    pub(crate) async fn release(&mut self) -> Result<(), Error> {
        self.status.send_modify(|s| s.leading_until = None);
        let mut lease = match self.latest.clone() {
            Some(lease) => lease,
            None => return Ok(()),
        };
        for _ in 0..2 {
            let ours = lease
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.as_deref())
                == Some(self.identity.as_str());
            if !ours {
                return Ok(());
            }
            let current = lease.spec.clone().unwrap_or_default();
            let spec = record::release(&current, now_micro());
            match self.write(lease.clone(), spec).await {
                Ok(()) => {
                    tracing::info!(lease = %self.name, identity = %self.identity, "released the lease");
                    return Ok(());
                }
                // Our last renewal may have landed after we read it: read again, once.
                Err(err) if err.is_conflict() => match self.api.get_opt(&self.name).await? {
                    Some(fresh) => lease = fresh,
                    None => return Ok(()),
                },
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}
