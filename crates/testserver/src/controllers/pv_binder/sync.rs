//! The controller's decisions (`syncClaim`, `syncVolume`, `reclaimVolume` of `pv_controller.go`)
//! as pure functions from one [`World`] to the [`Step`]s to take, in order.

use std::sync::Arc;

use serde_json::Value;

use super::bind::BOUND_BY_CONTROLLER;
use super::matching::{
    NodeView, annotation, best_match, claim_has_class, class_of, default_class, find_matching,
    has_claim_ref, is_bound_to, s, unsatisfied, volume_mode_mismatch,
};
use super::world::World;
use crate::validation::go_quote;

/// The scheduler's annotation on a claim it picked a node for.
pub(super) const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
const MIGRATED_TO: &str = "pv.kubernetes.io/migrated-to";
const BIND_COMPLETED: &str = super::bind::BIND_COMPLETED;

/// An Event the controller records (`eventRecorder.Event`).
#[derive(Debug, Clone)]
pub(super) struct Note {
    /// The object it is about.
    pub(super) object: Arc<Value>,
    /// `Normal` or `Warning`.
    pub(super) kind: &'static str,
    /// The reason, e.g. `FailedBinding`.
    pub(super) reason: &'static str,
    /// The message.
    pub(super) message: String,
}

/// One thing to do; a failed step ends the sync (the next one retries).
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// `bind`: volume claimRef, volume phase `Bound`, claim volumeName and annotations, claim
    /// status, in this order.
    Bind {
        volume: Arc<Value>,
        claim: Arc<Value>,
    },
    /// The scheduler's volume binder reserving a volume for a claim (`BindPodVolumes`: the
    /// volume's claimRef, written as `kube-scheduler`); the controller completes the bind.
    SchedulerBind {
        volume: Arc<Value>,
        claim: Arc<Value>,
    },
    /// `updateClaimStatus(phase, nil)`; with a note, `updateClaimStatusWithEvent` (the note
    /// only when the phase changes).
    ClaimPhase {
        claim: Arc<Value>,
        phase: &'static str,
        note: Option<Note>,
    },
    /// `updateVolumePhase`; with a note, `updateVolumePhaseWithEvent`.
    VolumePhase {
        volume: Arc<Value>,
        phase: &'static str,
        message: String,
        note: Option<Note>,
    },
    /// An Event.
    Record(Note),
    /// `unbindVolume`, then phase `Available`.
    Unbind { volume: Arc<Value> },
    /// The volume object deleted (a `hostPath` volume under `/tmp/`, whose deleter succeeded).
    DeleteVolume { volume: Arc<Value> },
    /// `assignDefaultStorageClass`.
    AssignClass { claim: Arc<Value>, class: String },
    /// `setClaimProvisioner`.
    SetProvisioner {
        claim: Arc<Value>,
        provisioner: String,
    },
    /// Sync this claim (namespace, name) next.
    EnqueueClaim(String, String),
}

fn note(object: &Arc<Value>, kind: &'static str, reason: &'static str, message: String) -> Note {
    Note {
        object: object.clone(),
        kind,
        reason,
        message,
    }
}

fn name(obj: &Value) -> &str {
    s(obj, "/metadata/name")
}

/// `IsDelayBindingMode`: the claim's class exists and binds `WaitForFirstConsumer`.
fn delay_binding(world: &World, claim: &Value) -> bool {
    let class = class_of(claim);
    !class.is_empty()
        && world
            .class(class)
            .is_some_and(|c| s(c, "/volumeBindingMode") == "WaitForFirstConsumer")
}

/// `syncClaim`. `Err` is what the controller would log.
pub(super) fn sync_claim(world: &World, claim: &Arc<Value>) -> Result<Vec<Step>, String> {
    if annotation(claim, BIND_COMPLETED).is_none() {
        sync_unbound_claim(world, claim)
    } else {
        Ok(sync_bound_claim(world, claim))
    }
}

fn sync_unbound_claim(world: &World, claim: &Arc<Value>) -> Result<Vec<Step>, String> {
    let volume_name = s(claim, "/spec/volumeName");
    if volume_name.is_empty() {
        let delay = delay_binding(world, claim);
        let all = world.volumes();
        let volumes: Vec<&Arc<Value>> = all.iter().collect();
        if let Some(volume) = best_match(claim, &volumes, delay)? {
            return Ok(vec![Step::Bind {
                volume: volume.clone(),
                claim: claim.clone(),
            }]);
        }
        let selected = annotation(claim, SELECTED_NODE);
        if delay && let Some(node) = selected.and_then(|n| world.node(n)) {
            let view = NodeView {
                name: name(node),
                labels: node.pointer("/metadata/labels").and_then(Value::as_object),
            };
            if let Some(volume) = find_matching(claim, &volumes, Some(view), true)? {
                return Ok(vec![Step::SchedulerBind {
                    volume: volume.clone(),
                    claim: claim.clone(),
                }]);
            }
        }
        if !claim_has_class(claim)
            && let Some(class) = default_class(&world.classes())
        {
            return Ok(vec![Step::AssignClass {
                claim: claim.clone(),
                class: name(class).to_owned(),
            }]);
        }
        let mut steps = Vec::new();
        if delay && selected.is_none() {
            steps.push(Step::Record(wait_for_consumer(world, claim)));
        } else if !class_of(claim).is_empty() {
            return Ok(provision(world, claim));
        } else {
            steps.push(Step::Record(note(
                claim,
                "Normal",
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set".into(),
            )));
        }
        steps.push(Step::ClaimPhase {
            claim: claim.clone(),
            phase: "Pending",
            note: None,
        });
        return Ok(steps);
    }
    let pending = Step::ClaimPhase {
        claim: claim.clone(),
        phase: "Pending",
        note: None,
    };
    let Some(volume) = world.volume(volume_name) else {
        return Ok(vec![pending]);
    };
    if !has_claim_ref(volume) {
        if let Some(why) = unsatisfied(volume, claim) {
            let msg = format!(
                "Cannot bind to requested volume {}: {why}",
                go_quote(volume_name)
            );
            return Ok(vec![
                Step::Record(note(claim, "Warning", "VolumeMismatch", msg)),
                pending,
            ]);
        }
        return Ok(vec![Step::Bind {
            volume: volume.clone(),
            claim: claim.clone(),
        }]);
    }
    if is_bound_to(volume, claim) {
        return Ok(vec![Step::Bind {
            volume: volume.clone(),
            claim: claim.clone(),
        }]);
    }
    let msg = format!(
        "volume {} already bound to a different claim.",
        go_quote(volume_name)
    );
    let event = Step::Record(note(claim, "Warning", "FailedBinding", msg));
    if annotation(claim, BOUND_BY_CONTROLLER).is_none() {
        Ok(vec![event, pending])
    } else {
        Ok(vec![event])
    }
}

/// `emitEventForUnboundDelayBindingClaim`: waiting for a consumer, or for the pods that use
/// the claim to be scheduled.
fn wait_for_consumer(world: &World, claim: &Arc<Value>) -> Note {
    let ns = s(claim, "/metadata/namespace");
    let claim_name = name(claim);
    let waiting: Vec<String> = world
        .pods(ns)
        .into_iter()
        .filter(|p| !matches!(s(p, "/status/phase"), "Succeeded" | "Failed"))
        .filter(|p| s(p, "/spec/nodeName").is_empty())
        .filter(|p| uses_claim(p, claim_name))
        .map(|p| name(&p).to_owned())
        .collect();
    match waiting.as_slice() {
        [] => note(
            claim,
            "Normal",
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding".into(),
        ),
        [one] => note(
            claim,
            "Normal",
            "WaitForPodScheduled",
            format!("waiting for pod {one} to be scheduled"),
        ),
        many => note(
            claim,
            "Normal",
            "WaitForPodScheduled",
            format!("waiting for pods {} to be scheduled", many.join(",")),
        ),
    }
}

/// Whether a pod's volumes name the claim (directly or as its generic ephemeral volume).
fn uses_claim(pod: &Value, claim: &str) -> bool {
    let pod_name = name(pod);
    pod.pointer("/spec/volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|v| {
            s(v, "/persistentVolumeClaim/claimName") == claim
                || (v.get("ephemeral").is_some()
                    && format!("{pod_name}-{}", s(v, "/name")) == claim)
        })
}

/// `provisionClaim` with no in-tree provisioners: a missing class or a `kubernetes.io/`
/// provisioner fails; another provisioner is left to its external provisioner.
fn provision(world: &World, claim: &Arc<Value>) -> Vec<Step> {
    let class_name = class_of(claim);
    let Some(class) = world.class(class_name) else {
        let msg = format!(
            "storageclass.storage.k8s.io {} not found",
            go_quote(class_name)
        );
        return vec![Step::Record(note(
            claim,
            "Warning",
            "ProvisioningFailed",
            msg,
        ))];
    };
    let provisioner = s(class, "/provisioner");
    if provisioner.starts_with("kubernetes.io/") {
        let msg = format!("no volume plugin matched name: {provisioner}");
        return vec![Step::Record(note(
            claim,
            "Warning",
            "ProvisioningFailed",
            msg,
        ))];
    }
    let msg = format!(
        "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    );
    vec![
        Step::SetProvisioner {
            claim: claim.clone(),
            provisioner: provisioner.to_owned(),
        },
        Step::Record(note(claim, "Normal", "ExternalProvisioning", msg)),
    ]
}

fn sync_bound_claim(world: &World, claim: &Arc<Value>) -> Vec<Step> {
    let lost = |reason: &'static str, message: &str| {
        vec![Step::ClaimPhase {
            claim: claim.clone(),
            phase: "Lost",
            note: Some(note(claim, "Warning", reason, message.into())),
        }]
    };
    let volume_name = s(claim, "/spec/volumeName");
    if volume_name.is_empty() {
        return lost(
            "ClaimLost",
            "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
        );
    }
    let Some(volume) = world.volume(volume_name) else {
        return lost(
            "ClaimLost",
            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
        );
    };
    if !has_claim_ref(volume) || s(volume, "/spec/claimRef/uid") == s(claim, "/metadata/uid") {
        return vec![Step::Bind {
            volume: volume.clone(),
            claim: claim.clone(),
        }];
    }
    lost(
        "ClaimMisbound",
        "Two claims are bound to the same volume, this one is bound incorrectly",
    )
}

fn phase(volume: &Value) -> &str {
    s(volume, "/status/phase")
}

/// `syncVolume`.
pub(super) fn sync_volume(world: &World, volume: &Arc<Value>) -> Vec<Step> {
    let available = |volume: &Arc<Value>| Step::VolumePhase {
        volume: volume.clone(),
        phase: "Available",
        message: String::new(),
        note: None,
    };
    if !has_claim_ref(volume) || s(volume, "/spec/claimRef/uid").is_empty() {
        return vec![available(volume)];
    }
    let claim = world
        .claim(
            s(volume, "/spec/claimRef/namespace"),
            s(volume, "/spec/claimRef/name"),
        )
        .filter(|c| s(c, "/metadata/uid") == s(volume, "/spec/claimRef/uid"));
    let Some(claim) = claim else {
        return release(volume);
    };
    let bound_to = s(claim, "/spec/volumeName");
    if bound_to.is_empty() {
        if volume_mode_mismatch(claim, volume) {
            let on_volume = format!(
                "Cannot bind PersistentVolume to requested PersistentVolumeClaim {} due to incompatible volumeMode.",
                go_quote(name(claim))
            );
            let on_claim = format!(
                "Cannot bind PersistentVolume {} to requested PersistentVolumeClaim due to incompatible volumeMode.",
                go_quote(name(volume))
            );
            return vec![
                Step::Record(note(volume, "Warning", "VolumeMismatch", on_volume)),
                Step::Record(note(claim, "Warning", "VolumeMismatch", on_claim)),
            ];
        }
        return vec![Step::EnqueueClaim(
            s(claim, "/metadata/namespace").to_owned(),
            name(claim).to_owned(),
        )];
    }
    if bound_to == name(volume) {
        return vec![Step::VolumePhase {
            volume: volume.clone(),
            phase: "Bound",
            message: String::new(),
            note: None,
        }];
    }
    if annotation(volume, PROVISIONED_BY).is_some() && reclaim_policy(volume) == "Delete" {
        return release(volume);
    }
    vec![Step::Unbind {
        volume: volume.clone(),
    }]
}

fn reclaim_policy(volume: &Value) -> &str {
    s(volume, "/spec/persistentVolumeReclaimPolicy")
}

/// `Released` (unless already `Released` or `Failed`), then the reclaim policy.
fn release(volume: &Arc<Value>) -> Vec<Step> {
    let mut steps = Vec::new();
    if !matches!(phase(volume), "Released" | "Failed") {
        steps.push(Step::VolumePhase {
            volume: volume.clone(),
            phase: "Released",
            message: String::new(),
            note: None,
        });
    }
    steps.extend(reclaim(volume));
    steps
}

fn failed(volume: &Arc<Value>, reason: &'static str, message: String) -> Step {
    Step::VolumePhase {
        volume: volume.clone(),
        phase: "Failed",
        message: message.clone(),
        note: Some(note(volume, "Warning", reason, message)),
    }
}

/// `reclaimVolume` with kube-controller-manager's plugins (`hostPath` and `nfs` recycle,
/// `hostPath` deletes under `/tmp/`): `Retain` keeps the volume `Released`; `Delete` of a
/// volume provisioned by an external provisioner waits for it; otherwise a volume no plugin
/// can delete or recycle becomes `Failed`. A recycler pod never runs here (no kubelet), so a
/// recyclable volume stays `Released`, as on a cluster whose recycler pod cannot start.
fn reclaim(volume: &Arc<Value>) -> Vec<Step> {
    if annotation(volume, MIGRATED_TO).is_some_and(|m| !m.is_empty()) {
        return Vec::new();
    }
    let host_path = volume
        .pointer("/spec/hostPath/path")
        .and_then(Value::as_str);
    match reclaim_policy(volume) {
        "Retain" => Vec::new(),
        "Recycle" => {
            if host_path.is_some() || volume.pointer("/spec/nfs").is_some() {
                Vec::new()
            } else {
                vec![failed(
                    volume,
                    "VolumeFailedRecycle",
                    "No recycler plugin found for the volume!".into(),
                )]
            }
        }
        "Delete" => delete(volume, host_path),
        _ => vec![failed(
            volume,
            "VolumeUnknownReclaimPolicy",
            "Volume has unrecognized PersistentVolumeReclaimPolicy".into(),
        )],
    }
}

/// `deleteVolumeOperation` / `findDeletablePlugin`.
fn delete(volume: &Arc<Value>, host_path: Option<&str>) -> Vec<Step> {
    let by = annotation(volume, PROVISIONED_BY).unwrap_or("");
    if !by.is_empty() && !by.starts_with("kubernetes.io/") {
        // an external deleter (e.g. a local static provisioner) deletes it
        return Vec::new();
    }
    if by.is_empty() && volume.pointer("/spec/csi").is_some() {
        return Vec::new();
    }
    let error = match (by, host_path) {
        ("" | "kubernetes.io/host-path", Some(path)) => {
            if under_tmp(path) {
                return vec![Step::DeleteVolume {
                    volume: volume.clone(),
                }];
            }
            format!("host_path deleter only supports /tmp/.+ but received provided {path}")
        }
        ("", None) => {
            let why = if volume.pointer("/spec/nfs").is_some() {
                "no deletable volume plugin matched"
            } else {
                "no volume plugin matched"
            };
            format!(
                "error getting deleter volume plugin for volume {}: {why}",
                go_quote(name(volume))
            )
        }
        ("kubernetes.io/host-path", None) => format!(
            "failed to create deleter for volume {}: spec.PersistentVolumeSource.HostPath is nil",
            go_quote(name(volume))
        ),
        (plugin, _) => format!("no volume plugin matched name: {plugin}"),
    };
    vec![failed(volume, "VolumeFailedDelete", error)]
}

/// The hostPath deleter's unanchored `/tmp/.+`.
fn under_tmp(path: &str) -> bool {
    path.match_indices("/tmp/")
        .any(|(i, _)| path[i + 5..].chars().next().is_some_and(|c| c != '\n'))
}
