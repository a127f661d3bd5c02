//! Lease-based leader election (`coordination.k8s.io/v1`), as client-go's
//! `tools/leaderelection`: of the replicas campaigning on one Lease, one leads at a time.
//!
//! ```no_run
//! use kubeset_runtime::leader::{LeaderElectionConfig, LeaderElector};
//!
//! # async fn run_controller() {}
//! # async fn demo(client: kubeset_clientset::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let identity = std::env::var("POD_NAME")?;
//! let leader = LeaderElector::new(
//!     client.leases("kube-system"),
//!     "my-controller",
//!     identity,
//!     LeaderElectionConfig::default(),
//! )?
//! .spawn();
//! tokio::select! {
//!     // Runs the controller while leading; it is dropped when leadership is lost.
//!     result = leader.lead(run_controller()) => {
//!         if let Err(lost) = result {
//!             eprintln!("{lost}; exiting so a fresh replica campaigns");
//!         }
//!     }
//!     _ = tokio::signal::ctrl_c() => {}
//! }
//! // The work has stopped: hand the lease over at once.
//! leader.release().await?;
//! # Ok(()) }
//! ```
//!
//! # How it works
//!
//! The Lease records `holderIdentity`, `leaseDurationSeconds`, `acquireTime`, `renewTime`
//! (MicroTime) and `leaseTransitions`. Every write carries the `resourceVersion` that was read:
//! a Lease that changed meanwhile answers 409 Conflict, so of two candidates writing at once
//! exactly one wins. A missing Lease is created (409 AlreadyExists: someone else was faster).
//!
//! A candidate reads the Lease every retry period (jittered by up to 1.2×, so candidates do not
//! move in lockstep) and takes it when nobody holds it, or when the record has not changed for
//! its `leaseDurationSeconds`, counted from the local time at which this candidate *saw* it
//! change. The leader renews every retry period and retries failed renewals until its renew
//! deadline; after that it stops believing it leads.
//!
//! # Guarantees
//!
//! - **At most one leader at a time**, under this assumption: *the candidates' clocks run at
//!   about the same rate* (their time of day may differ arbitrarily; no remote timestamp is
//!   compared with a local clock). A leader believes it leads until `renew_deadline` after its
//!   last successful renewal *started*; any other candidate saw that renewal after it started
//!   and waits `lease_duration` from then. The difference, `lease_duration - renew_deadline`
//!   (5 s by default), is the margin for clock-rate differences, for the time the work takes
//!   to stop, and for scheduling delays. [`LeaderHandle::is_leader`] and
//!   [`Leadership::lost`] judge the deadline on the local clock, so a stalled campaign task
//!   cannot extend a term.
//! - **The work stops before a successor starts**: [`LeaderHandle::lead`] drops the work when
//!   the term ends (at the latest at the renew deadline); a term that ended never comes back
//!   (a later successful write starts a new term).
//! - **Leadership moves within one lease duration** (plus one jittered retry period) of a
//!   killed leader's last renewal: a waiting candidate wakes when the lease it watches
//!   expires. After [`LeaderHandle::release`] it moves on the successor's next try.
//! - **Transient failures are ridden out**: failed requests (5xx, timeouts, a restarting API
//!   server) are retried every retry period until the renew deadline. Credentials are the
//!   client's concern: a rotated token is picked up by the transport.

mod campaign;
mod config;
mod elector;
mod record;
mod status;

#[cfg(test)]
pub(crate) mod tests;

pub use config::{ConfigError, LeaderElectionConfig};
pub use elector::{LeaderElector, LeaderHandle, Leadership, NotLeading};
