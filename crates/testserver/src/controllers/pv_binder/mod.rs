//! kube-controller-manager's PersistentVolume binder (`persistentvolume-binder-controller`,
//! `pkg/controller/volume/persistentvolume`), for statically provisioned volumes, plus the part
//! of kube-scheduler's volume binder that reserves a volume on the node a claim waits for.
//!
//! What holds, as in a cluster:
//! - An unbound claim (no `pv.kubernetes.io/bind-completed`) binds to the volume pre-bound to
//!   it (`spec.claimRef`), else to the smallest `Available` volume of its class (the beta
//!   annotation before `spec.storageClassName`; `""` is the empty class), VolumeAttributesClass
//!   and volume mode whose capacity fits, whose labels match the claim's `selector`, searching
//!   the access-mode sets that include every requested mode with the fewest modes first. Node
//!   affinity does not filter here. A claim naming `spec.volumeName` binds to that volume only,
//!   and stays `Pending` (with a `VolumeMismatch` or `FailedBinding` Event) if it does not fit
//!   or belongs to another claim.
//! - A bind is four conditional writes in this order: the volume's `spec.claimRef` (kind,
//!   namespace, name, uid, apiVersion, resourceVersion; `pv.kubernetes.io/bound-by-controller`
//!   unless the user pre-bound it), its phase `Bound`, the claim's `spec.volumeName`
//!   (bound-by-controller when the controller chose) and `bind-completed`, the claim's status
//!   (phase `Bound`, the volume's access modes and capacity). A failed write stops the bind; the
//!   next sync finishes it. Two claims never get one volume: each write names the
//!   resourceVersion it was decided from, and decisions are made one claim at a time on the
//!   newest state.
//! - A claim whose class binds `WaitForFirstConsumer` stays `Pending` with the controller's
//!   `WaitForFirstConsumer` (or `WaitForPodScheduled`) Event. When it carries
//!   `volume.kubernetes.io/selected-node` naming a stored Node, this binder does what
//!   kube-scheduler's volume binder does for static volumes: it writes the claimRef (and
//!   bound-by-controller) of the smallest fitting `Available` volume whose node affinity
//!   matches that Node's labels, as the field manager `kube-scheduler`, and the controller then
//!   completes the bind. (A real scheduler binds static volumes without setting the annotation,
//!   which it sets only to ask for provisioning; a scheduler that writes the claimRef itself
//!   works here as on a cluster.)
//! - No fitting volume: a claim without a class gets the default class if there is one
//!   (retroactive default class), else a `FailedBinding` Event; a claim with a class fails to
//!   provision with the controller's `ProvisioningFailed` text when the class is missing or its
//!   provisioner is a `kubernetes.io/` one (e.g. `kubernetes.io/no-provisioner`); for another
//!   provisioner it gets the storage-provisioner annotations and an `ExternalProvisioning` Event.
//! - A volume whose claim is gone (or was re-created with another UID) becomes `Released`,
//!   then its reclaim policy runs: `Retain` keeps it `Released`; `Delete` of a volume annotated
//!   `pv.kubernetes.io/provisioned-by` a provisioner outside `kubernetes.io/` waits for that
//!   provisioner to delete it; `Delete` of another volume becomes `Failed` with the deleter
//!   error as message and a `VolumeFailedDelete` Event (only a `hostPath` volume under `/tmp/`
//!   has a deleter: its object is deleted, no file is touched); `Recycle` becomes `Failed`
//!   (`No recycler plugin found for the volume!`) unless the volume is `hostPath` or `nfs`,
//!   which stay `Released` (their recycler pod would need a kubelet). A volume without a
//!   claimRef, or whose claimRef has no UID, is `Available`.
//! - A bound claim whose volume is gone or points elsewhere becomes `Lost` (Warning Event).
//!
//! Scheduling, as in the controller: a claim is synced when it changes, a volume when it
//! changes; a deleted claim syncs its volume and a deleted volume its claim; everything is
//! synced again every sync period (`--pvclaimbinder-sync-period`, 15 s by default), which is
//! when a waiting claim sees a volume created after it.
//!
//! Architecture invariant: decisions ([`sync`], [`matching`], [`bind`]) are pure functions of
//! one store snapshot; [`act`] writes through the API's write path as the field manager
//! `kube-controller-manager`, each write conditional on the resourceVersion decided from.

mod act;
mod bind;
mod events;
mod matching;
mod sync;
mod world;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::api::App;
use crate::storage::EventType;
use matching::s;
use world::World;

/// The binder's queues and memory between runs.
#[derive(Debug)]
pub(super) struct Binder {
    period: Duration,
    next_resync: Instant,
    claims: BTreeSet<(String, String)>,
    volumes: BTreeSet<String>,
    recorder: events::Recorder,
}

impl Binder {
    /// A binder that syncs everything every `period` (and at once).
    pub(super) fn new(period: Duration) -> Self {
        Binder {
            period,
            next_resync: Instant::now(),
            claims: BTreeSet::new(),
            volumes: BTreeSet::new(),
            recorder: events::Recorder::default(),
        }
    }

    /// Notes one change of the store (the informers' event handlers).
    pub(super) fn observe(&mut self, kind: EventType, resource: &str, obj: &Value) {
        let name = s(obj, "/metadata/name").to_owned();
        match (resource, kind) {
            (world::VOLUMES, EventType::Deleted)
                if obj.pointer("/spec/claimRef").is_some_and(Value::is_object) =>
            {
                self.claims.insert((
                    s(obj, "/spec/claimRef/namespace").to_owned(),
                    s(obj, "/spec/claimRef/name").to_owned(),
                ));
            }
            (world::VOLUMES, EventType::Deleted) => {}
            (world::VOLUMES, _) => {
                self.volumes.insert(name);
            }
            (world::CLAIMS, EventType::Deleted) => {
                let volume = s(obj, "/spec/volumeName");
                if !volume.is_empty() {
                    self.volumes.insert(volume.to_owned());
                }
            }
            (world::CLAIMS, _) => {
                self.claims
                    .insert((s(obj, "/metadata/namespace").to_owned(), name));
            }
            _ => {}
        }
    }

    /// Everything again (after the event history was lost).
    pub(super) fn resync(&mut self) {
        self.next_resync = Instant::now();
    }

    /// Syncs what is queued (and everything, when the sync period is over).
    pub(super) fn run(&mut self, app: &App) {
        if Instant::now() >= self.next_resync {
            self.next_resync = Instant::now() + self.period;
            if let Ok(snap) = app.store.snapshot(None) {
                let world = World::new(snap);
                for c in world.claims() {
                    self.claims.insert((
                        s(&c, "/metadata/namespace").to_owned(),
                        s(&c, "/metadata/name").to_owned(),
                    ));
                }
                for v in world.volumes() {
                    self.volumes.insert(s(&v, "/metadata/name").to_owned());
                }
            }
        }
        for name in std::mem::take(&mut self.volumes) {
            let Ok(snap) = app.store.snapshot(None) else {
                return;
            };
            let world = World::new(snap);
            let Some(volume) = world.volume(&name) else {
                continue;
            };
            let steps = sync::sync_volume(&world, volume);
            self.act(app, steps, &format!("volume {name}"));
        }
        for (ns, name) in std::mem::take(&mut self.claims) {
            let Ok(snap) = app.store.snapshot(None) else {
                return;
            };
            let world = World::new(snap);
            let Some(claim) = world.claim(&ns, &name) else {
                continue;
            };
            match sync::sync_claim(&world, claim) {
                Ok(steps) => self.act(app, steps, &format!("claim {ns}/{name}")),
                Err(e) => {
                    tracing::debug!(claim = %format!("{ns}/{name}"), error = %e, "could not sync claim")
                }
            }
        }
    }

    fn act(&mut self, app: &App, steps: Vec<sync::Step>, what: &str) {
        match act::run(app, &mut self.recorder, steps) {
            Ok(outcome) => self.claims.extend(outcome.claims),
            // conflicts are frequent and harmless: the change that caused one syncs again
            Err(e) => tracing::debug!(object = what, code = e.code, "could not sync"),
        }
    }
}

#[cfg(test)]
mod tests;
