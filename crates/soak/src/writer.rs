//! The provisioner-style writer: creates ConfigMaps under deterministic names (never
//! `generateName`, never a name twice), updates and deletes them, each write made exactly
//! once however its answers are lost.
//!
//! Every write carries its operation's id in the [`OP`] annotation, so an answer that never
//! arrived (a reset body, a stall, a 5xx after the server acted) is settled by looking:
//! - a retried create that meets `AlreadyExists` reads the object: ours (its `OP` is this
//!   create's) means the first attempt landed; anything else is a foreign object;
//! - an update re-reads before each attempt: the object already carrying this update's `OP`
//!   means an earlier attempt landed (a `Conflict` is answered by reading again);
//! - a retried delete that meets `NotFound` means the earlier attempt landed (a first
//!   attempt meeting `NotFound` means the object was lost).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeset_clientset::{Api, DeleteParams, PostParams};

/// The annotation holding the id of the last operation that wrote an object.
pub(crate) const OP: &str = "soak.kubeset.dev/op";
/// The label on every object of the soak.
pub(crate) const LABEL: &str = "soak.kubeset.dev/writer";

/// How long one call may take before the writer gives up on its answer (stalled answers).
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one operation is retried before it is abandoned.
const OP_DEADLINE: Duration = Duration::from_secs(120);
/// How many objects the writer keeps around.
const POPULATION: usize = 40;

/// What the writer did, as it saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterCounts {
    /// Creates made (each a new name).
    pub creates: u64,
    /// Updates made.
    pub updates: u64,
    /// Deletes made.
    pub deletes: u64,
    /// Errors the client returned to the writer (each then retried or settled by reading).
    pub errors: u64,
    /// The same errors by kind: `HTTP <code>`, `timeout` (no answer within the writer's
    /// deadline: a stall), `connect`, `tls`, `body` (the answer was cut) or `other`.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Writes whose answer was lost but which had landed (found by reading).
    pub recovered: u64,
    /// Retried creates that met an object that was not ours.
    pub foreign: u64,
    /// First delete attempts that met `NotFound` (an object lost).
    pub lost: u64,
    /// Operations given up after retrying for two minutes.
    pub abandoned: u64,
}

/// The logical writes made per object name: (creates, updates, deletes).
pub(crate) type Ledger = BTreeMap<String, [u64; 3]>;

/// The writer's state.
pub(crate) struct Writer {
    api: Api<ConfigMap>,
    rng: fastrand::Rng,
    next_name: u64,
    next_op: u64,
    /// The objects that should exist, with the op that last wrote each.
    pub(crate) expected: BTreeMap<String, u64>,
    /// Names whose state is unknown (an abandoned operation).
    pub(crate) unknown: Vec<String>,
    pub(crate) ledger: Ledger,
    pub(crate) counts: WriterCounts,
    /// The ledger grows with the run by design: its memory is counted apart.
    harness: crate::heap::Harness,
}

enum Outcome {
    Done,
    Recovered,
    Foreign,
    Lost,
    Abandoned,
}

impl Writer {
    pub(crate) fn new(api: Api<ConfigMap>, seed: u64) -> Self {
        Writer {
            api,
            rng: fastrand::Rng::with_seed(seed),
            next_name: 0,
            next_op: 0,
            expected: BTreeMap::new(),
            unknown: Vec::new(),
            ledger: Ledger::new(),
            counts: WriterCounts::default(),
            harness: crate::heap::Harness::new(),
        }
    }

    /// Makes one operation: a create, an update or a delete, keeping about [`POPULATION`]
    /// objects.
    pub(crate) async fn step(&mut self) {
        self.next_op += 1;
        let op = self.next_op;
        let roll = self.rng.f64();
        let len = self.expected.len();
        let create = len < POPULATION / 4 || (len < POPULATION && roll < 0.4);
        if create {
            self.next_name += 1;
            let name = format!("cm-{:06}", self.next_name);
            let outcome = self.create(&name, op).await;
            self.settle(&name, op, outcome, 0);
            return;
        }
        let Some(name) = self.pick() else {
            return;
        };
        if roll < 0.8 || len < POPULATION / 2 {
            let outcome = self.update(&name, op).await;
            self.settle(&name, op, outcome, 1);
        } else {
            let outcome = self.delete(&name).await;
            self.settle(&name, op, outcome, 2);
        }
    }

    fn pick(&mut self) -> Option<String> {
        let n = self.rng.usize(..self.expected.len().max(1));
        self.expected.keys().nth(n).cloned()
    }

    fn settle(&mut self, name: &str, op: u64, outcome: Outcome, kind: usize) {
        match outcome {
            Outcome::Abandoned => {
                self.counts.abandoned += 1;
                self.expected.remove(name);
                self.unknown.push(name.to_owned());
                return;
            }
            Outcome::Foreign => {
                self.counts.foreign += 1;
                self.expected.remove(name);
                self.unknown.push(name.to_owned());
                return;
            }
            Outcome::Lost => {
                self.counts.lost += 1;
                self.expected.remove(name);
                return;
            }
            Outcome::Recovered => self.counts.recovered += 1,
            Outcome::Done => {}
        }
        let ledger = &mut self.ledger;
        self.harness.record(|| {
            if let Some(slot) = ledger.entry(name.to_owned()).or_default().get_mut(kind) {
                *slot += 1;
            }
        });
        match kind {
            0 => {
                self.counts.creates += 1;
                self.expected.insert(name.to_owned(), op);
            }
            1 => {
                self.counts.updates += 1;
                self.expected.insert(name.to_owned(), op);
            }
            _ => {
                self.counts.deletes += 1;
                self.expected.remove(name);
            }
        }
    }

    fn object(name: &str, op: u64) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(BTreeMap::from([(LABEL.to_owned(), "true".to_owned())])),
                annotations: Some(BTreeMap::from([(OP.to_owned(), op.to_string())])),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([("op".to_owned(), op.to_string())])),
            ..ConfigMap::default()
        }
    }

    /// One call with the call timeout; an error or a timeout is counted.
    async fn call<T>(
        &mut self,
        call: impl std::future::Future<Output = Result<T, kubeset_clientset::Error>>,
    ) -> Option<Result<T, kubeset_clientset::Error>> {
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(value)) => Some(Ok(value)),
            Ok(Err(err)) => {
                self.count_error(kind_of(&err));
                Some(Err(err))
            }
            Err(_elapsed) => {
                self.count_error(String::from("timeout"));
                None
            }
        }
    }

    fn count_error(&mut self, kind: String) {
        self.counts.errors += 1;
        *self.counts.errors_by_kind.entry(kind).or_default() += 1;
    }

    async fn pause(&mut self, tries: u32) {
        let ms = 50u64.saturating_mul(1 << tries.min(5)).min(1_000);
        tokio::time::sleep(Duration::from_millis(ms + self.rng.u64(..ms))).await;
    }

    /// Reads `name` until the server answers; `Some(None)` when it is not there, `None` when
    /// the operation deadline passed.
    async fn read(&mut self, name: &str, deadline: Instant) -> Option<Option<ConfigMap>> {
        let api = self.api.clone();
        let mut tries = 0;
        while Instant::now() < deadline {
            match self.call(api.get_opt(name)).await {
                Some(Ok(found)) => return Some(found),
                _ => {
                    tries += 1;
                    self.pause(tries).await;
                }
            }
        }
        None
    }

    async fn create(&mut self, name: &str, op: u64) -> Outcome {
        let deadline = Instant::now() + OP_DEADLINE;
        let api = self.api.clone();
        let object = Self::object(name, op);
        let pp = PostParams::default();
        let mut tries = 0;
        while Instant::now() < deadline {
            tries += 1;
            match self.call(api.create(&pp, &object)).await {
                Some(Ok(_)) => return Outcome::Done,
                Some(Err(err)) if err.is_already_exists() => {
                    return match self.read(name, deadline).await {
                        None => Outcome::Abandoned,
                        Some(Some(found)) if op_of(&found) == Some(op) && tries > 1 => {
                            Outcome::Recovered
                        }
                        Some(_) => Outcome::Foreign,
                    };
                }
                _ => self.pause(tries).await,
            }
        }
        Outcome::Abandoned
    }

    async fn update(&mut self, name: &str, op: u64) -> Outcome {
        let deadline = Instant::now() + OP_DEADLINE;
        let api = self.api.clone();
        let pp = PostParams::default();
        let mut tries = 0;
        while Instant::now() < deadline {
            tries += 1;
            let current = match self.read(name, deadline).await {
                None => break,
                Some(None) => return Outcome::Lost,
                Some(Some(current)) => current,
            };
            if op_of(&current) == Some(op) {
                return Outcome::Recovered;
            }
            let mut next = Self::object(name, op);
            next.metadata.resource_version = current.metadata.resource_version;
            match self.call(api.replace(name, &pp, &next)).await {
                Some(Ok(_)) => return Outcome::Done,
                // a conflict or a lost answer: the next read tells whether it landed
                _ => self.pause(tries).await,
            }
        }
        Outcome::Abandoned
    }

    async fn delete(&mut self, name: &str) -> Outcome {
        let deadline = Instant::now() + OP_DEADLINE;
        let api = self.api.clone();
        let dp = DeleteParams::default();
        let mut tries = 0;
        while Instant::now() < deadline {
            tries += 1;
            match self.call(api.delete(name, &dp)).await {
                Some(Ok(_)) => return Outcome::Done,
                Some(Err(err)) if err.is_not_found() => {
                    return if tries == 1 {
                        Outcome::Lost
                    } else {
                        Outcome::Recovered
                    };
                }
                _ => self.pause(tries).await,
            }
        }
        Outcome::Abandoned
    }
}

/// What kind of error `err` is, for [`WriterCounts::errors_by_kind`] and the controller's.
pub(crate) fn kind_of(err: &kubeset_clientset::Error) -> String {
    if let Some(code) = err.code() {
        format!("HTTP {code}")
    } else if err.is_tls() {
        String::from("tls")
    } else if err.is_connect() {
        String::from("connect")
    } else if err.is_request_timeout() {
        String::from("timeout")
    } else if matches!(err, kubeset_clientset::Error::ReadBody { .. }) {
        String::from("body")
    } else if matches!(err, kubeset_clientset::Error::Transport { .. }) {
        String::from("transport")
    } else {
        String::from("other")
    }
}

/// The operation that last wrote `object`.
pub(crate) fn op_of(object: &ConfigMap) -> Option<u64> {
    object.metadata.annotations.as_ref()?.get(OP)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test")]

    use super::*;
    use crate::cluster::{self, NAMESPACE};
    use kubeset_testserver::Hits;

    /// Each write's answer is reset after the server made it: the writer settles it by
    /// reading, and the audit log shows each write made once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_whose_answers_are_lost_are_settled_not_repeated() {
        let cluster = cluster::start().await.unwrap();
        let faults = cluster.server.faults();
        let mut writer = Writer::new(cluster.writer.client.config_maps(NAMESPACE), 1);

        faults.reset_next(1, Hits::Writes);
        let outcome = writer.create("lost-create", 1).await;
        assert!(matches!(outcome, Outcome::Recovered), "create");
        writer.settle("lost-create", 1, outcome, 0);

        faults.reset_next(1, Hits::Writes);
        let outcome = writer.update("lost-create", 2).await;
        assert!(matches!(outcome, Outcome::Recovered), "update");
        writer.settle("lost-create", 2, outcome, 1);

        faults.reset_next(1, Hits::Writes);
        let outcome = writer.delete("lost-create").await;
        assert!(matches!(outcome, Outcome::Recovered), "delete");
        writer.settle("lost-create", 3, outcome, 2);

        assert_eq!(faults.counts().resets, 3);
        assert_eq!(writer.counts.recovered, 3);
        assert!(writer.counts.errors >= 3, "{:?}", writer.counts);
        assert_eq!(writer.ledger["lost-create"], [1, 1, 1]);
        let once = crate::check::exactly_once(&cluster.audit_log, &writer.ledger).unwrap();
        assert_eq!(once, crate::check::ExactlyOnce::default());
    }

    /// The audit comparison can fail: a write the writer did not record is a duplicate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_made_twice_shows_in_the_audit_comparison() {
        let cluster = cluster::start().await.unwrap();
        let mut writer = Writer::new(cluster.writer.client.config_maps(NAMESPACE), 1);
        let outcome = writer.create("twice", 1).await;
        writer.settle("twice", 1, outcome, 0);
        // two updates the server makes and the ledger does not record
        assert!(matches!(writer.update("twice", 2).await, Outcome::Done));
        assert!(matches!(writer.update("twice", 3).await, Outcome::Done));
        let once = crate::check::exactly_once(&cluster.audit_log, &writer.ledger).unwrap();
        assert_eq!(once.duplicates, 2, "{once:?}");
        assert_eq!(once.missing, 0);
    }
}
