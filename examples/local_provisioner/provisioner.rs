//! The discovery and deleter loops, serial as upstream's, over one indexed PV cache.
//!
//! Guarantees: a PV is only ever deleted when it carries this provisioner's
//! `provisioned-by` value, names this node in its node affinity, is `Released` with policy
//! `Delete`, and its volume was emptied first; the delete carries the PV's uid as a
//! precondition, so a namesake created meanwhile is never deleted. A volume directory that
//! vanished under a PV is reported (a Warning Event and a log line) once per disappearance.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::PersistentVolume;
use kubeset::clientset::{Api, Client, DeleteParams, PostParams};
use kubeset::runtime::events::{EventRecorder, NewEvent, reference_to};
use kubeset::runtime::{Change, Index, SharedInformer, Store, WatcherConfig};

use crate::clean::{self, CleanError};
use crate::config::{ClassConfig, Config};
use crate::volume::{self, NewVolume};

/// Who this provisioner is on which node.
pub(crate) struct Identity {
    /// `metadata.name` of the node.
    pub(crate) node: String,
    /// Its `kubernetes.io/hostname` label (what the PVs' node affinity names).
    pub(crate) hostname: String,
    /// The `provisioned-by` value of its PVs.
    pub(crate) provisioner: String,
    /// Labels every PV gets.
    pub(crate) labels: BTreeMap<String, String>,
}

/// The running provisioner.
pub(crate) struct Provisioner {
    client: Client,
    pvs: Api<PersistentVolume>,
    config: Config,
    me: Identity,
    recorder: EventRecorder,
    store: Store<PersistentVolume>,
    by_node: Index<PersistentVolume>,
    /// PVs whose directory is missing and was reported.
    missing: HashSet<String>,
    /// Uids of PVs this process deleted (the cache may still show them for a moment).
    deleted: HashSet<String>,
    /// Uids of PVs whose cleaning failed and was reported (retried at every pass, quietly).
    failed: HashSet<String>,
}

impl Provisioner {
    pub(crate) fn new(
        client: Client,
        config: Config,
        me: Identity,
        recorder: EventRecorder,
        informer: &SharedInformer<PersistentVolume>,
    ) -> Self {
        let store = informer.store();
        // Only this node's PVs are ever looked at: the index narrows, the annotation decides.
        let by_node = store.index("node", volume::hostnames);
        Self {
            pvs: client.persistent_volumes(),
            client,
            config,
            me,
            recorder,
            store,
            by_node,
            missing: HashSet::new(),
            deleted: HashSet::new(),
            failed: HashSet::new(),
        }
    }

    /// The informer this provisioner reads (all PVs: a field selector cannot select on node
    /// affinity or annotations).
    pub(crate) fn informer(client: &Client) -> SharedInformer<PersistentVolume> {
        SharedInformer::new(client.persistent_volumes(), WatcherConfig::default())
    }

    /// Runs until `shutdown` resolves.
    pub(crate) async fn run(
        mut self,
        informer: SharedInformer<PersistentVolume>,
        period: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let mut changes = informer.subscribe();
        tokio::pin!(shutdown);
        tokio::select! {
            _ = self.store.wait_until_ready() => {}
            () = &mut shutdown => return,
        }
        println!(
            "PV cache ready: {} PVs on node {}",
            self.mine().len(),
            self.me.node
        );
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = tick.tick() => {
                    self.discover().await;
                    for pv in self.mine() {
                        self.maybe_reclaim(&pv).await;
                    }
                }
                Some(change) = changes.next() => {
                    if let Change::Added(pv) | Change::Updated { new: pv, .. } = change {
                        self.maybe_reclaim(&pv).await;
                    }
                }
            }
        }
    }

    /// This node's PVs made by this provisioner.
    fn mine(&self) -> Vec<Arc<PersistentVolume>> {
        self.by_node
            .get(&self.me.hostname)
            .into_iter()
            .filter(|pv| volume::is_ours(pv, &self.me.provisioner))
            .collect()
    }

    /// One pass over every discovery directory: a PV for each new entry, a report for each
    /// PV whose entry vanished.
    async fn discover(&mut self) {
        let classes = self.config.storage_class_map.clone();
        for (class, c) in &classes {
            if let Err(err) = self.discover_class(class, c).await {
                eprintln!("warning: discovery of class {class} failed: {err}");
            }
        }
        self.report_missing(&classes);
    }

    async fn discover_class(
        &mut self,
        class: &str,
        c: &ClassConfig,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let storage_class = self.client.storage_classes().get(class).await?;
        let reclaim_policy = storage_class
            .reclaim_policy
            .unwrap_or_else(|| "Delete".to_owned());
        if reclaim_policy != "Delete" && reclaim_policy != "Retain" {
            return Err(format!("unsupported reclaim policy {reclaim_policy}").into());
        }
        let mut entries: Vec<_> = std::fs::read_dir(c.mount_dir())?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            // Directories (a mount point is one); symlinks are never followed.
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let name = volume::pv_name(&file, &self.me.node, class);
            if self.store.get(None, &name).is_some() {
                continue;
            }
            let capacity = volume::capacity(&entry.path())?;
            let host_path = c.host_dir.join(&file);
            let pv = NewVolume {
                name: name.clone(),
                host_path: &host_path,
                capacity,
                class,
                reclaim_policy: reclaim_policy.clone(),
                volume_mode: &c.volume_mode,
                fs_type: c.fs_type.as_deref(),
                mount_options: storage_class.mount_options.clone(),
                provisioner: &self.me.provisioner,
                hostname: &self.me.hostname,
                labels: self.me.labels.clone(),
            }
            .build();
            match self.pvs.create(&PostParams::default(), &pv).await {
                Ok(created) => {
                    println!(
                        "created PV {name} for {} ({capacity} bytes, class {class})",
                        host_path.display()
                    );
                    self.recorder.record(
                        NewEvent::normal(reference_to(&created), "Provisioned", "Provisioning")
                            .note(format!("local volume at {}", host_path.display())),
                    );
                }
                // The cache has not seen our own create yet.
                Err(err) if err.is_already_exists() => {}
                Err(err) => return Err(self.client.explain_forbidden(err).await.into()),
            }
        }
        Ok(())
    }

    /// Reports each PV of ours whose directory is gone (once, until it comes back).
    fn report_missing(&mut self, classes: &BTreeMap<String, ClassConfig>) {
        for pv in self.mine() {
            let name = pv.metadata.name.clone().unwrap_or_default();
            let Some((c, file)) = locate(classes, &pv) else {
                continue;
            };
            let path = c.mount_dir().join(&file);
            if path.is_dir() {
                self.missing.remove(&name);
                continue;
            }
            if self.missing.insert(name.clone()) {
                let note = format!(
                    "volume directory {} of PV {name} is missing; the PV is kept",
                    c.host_dir.join(&file).display()
                );
                eprintln!("warning: {note}");
                self.recorder.record(
                    NewEvent::warning(reference_to(pv.as_ref()), "VolumeMissing", "Discovering")
                        .note(note),
                );
            }
        }
    }

    /// Cleans and deletes `pv` when it is ours, on this node, and released for deletion.
    async fn maybe_reclaim(&mut self, pv: &PersistentVolume) {
        if !volume::is_ours(pv, &self.me.provisioner)
            || !volume::hostnames(pv).contains(&self.me.hostname)
            || !volume::is_released_for_delete(pv)
            || pv.metadata.deletion_timestamp.is_some()
        {
            return;
        }
        let name = pv.metadata.name.clone().unwrap_or_default();
        let uid = pv.metadata.uid.clone().unwrap_or_default();
        if self.deleted.contains(&uid) {
            return;
        }
        let cleaned = match locate(&self.config.storage_class_map, pv) {
            Some((c, file)) => clean::clean(c.mount_dir(), &file),
            None => Err(CleanError::Outside {
                path: volume::local_path(pv).unwrap_or_default().to_owned(),
            }),
        };
        if let Err(err) = cleaned {
            if !self.failed.insert(uid) {
                return;
            }
            eprintln!("warning: cannot clean PV {name}: {err}");
            self.recorder.record(
                NewEvent::warning(reference_to(pv), "VolumeFailedDelete", "Deleting")
                    .note(err.to_string()),
            );
            return;
        }
        let dp = DeleteParams::default().precondition_uid(&uid);
        match self.pvs.delete(&name, &dp).await {
            Ok(_) => {
                println!("cleaned and deleted PV {name}");
                self.failed.remove(&uid);
                self.deleted.insert(uid);
                self.recorder.record(
                    NewEvent::normal(reference_to(pv), "VolumeDeleted", "Deleting")
                        .note("volume cleaned; the PV is created afresh at the next discovery"),
                );
            }
            Err(err) if err.is_not_found() || err.is_conflict() => {
                self.deleted.insert(uid);
            }
            Err(err) => {
                let err = self.client.explain_forbidden(err).await;
                eprintln!("warning: cannot delete PV {name}: {err}");
            }
        }
    }
}

/// The class configuration and entry name of `pv`'s path, if it lies in a discovery directory
/// of its class.
fn locate<'a>(
    classes: &'a BTreeMap<String, ClassConfig>,
    pv: &PersistentVolume,
) -> Option<(&'a ClassConfig, String)> {
    let c = classes.get(volume::class(pv)?)?;
    let file = clean::entry_of(&c.host_dir, volume::local_path(pv)?)?;
    Some((c, file))
}
