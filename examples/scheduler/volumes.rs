//! kube-scheduler's VolumeBinding plugin for statically provisioned volumes: a pod's bound
//! claims pin it to their volumes' nodes, and a `WaitForFirstConsumer` claim needs an
//! `Available` volume it fits on the node; once a node is chosen, the claim is annotated
//! `volume.kubernetes.io/selected-node` and the pod waits (backing off) until the claim is
//! bound, then binds.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use kubeset::runtime::Store;

use crate::filter::term_matches;
use crate::resources::milli;

/// The annotation that asks for a claim's volume on a node.
pub(crate) const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const CONFLICT: &str = "node(s) had volume node affinity conflict";
const NO_VOLUME: &str = "node(s) didn't find available persistent volumes to bind";

/// The claims, volumes and classes the plugin reads.
#[derive(Clone)]
pub(crate) struct Volumes {
    pub(crate) claims: Store<PersistentVolumeClaim>,
    pub(crate) volumes: Store<PersistentVolume>,
    pub(crate) classes: Store<StorageClass>,
}

/// A pod's claims, sorted out before any node is looked at.
#[derive(Default)]
pub(crate) struct PodClaims {
    /// Bound claims' volumes.
    pub(crate) bound: Vec<Arc<PersistentVolume>>,
    /// Unbound `WaitForFirstConsumer` claims.
    pub(crate) waiting: Vec<Arc<PersistentVolumeClaim>>,
}

impl Volumes {
    /// PreFilter: the pod's claims, or the message that makes it unschedulable on every node
    /// (kube-scheduler's texts).
    pub(crate) fn claims(&self, pod: &Pod) -> Result<PodClaims, String> {
        let namespace = pod.metadata.namespace.as_deref();
        let mut claims = PodClaims::default();
        let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_ref());
        for volume in volumes.into_iter().flatten() {
            let Some(source) = &volume.persistent_volume_claim else {
                continue;
            };
            let name = &source.claim_name;
            let Some(claim) = self.claims.get(namespace, name) else {
                return Err(format!("persistentvolumeclaim \"{name}\" not found"));
            };
            if claim.metadata.deletion_timestamp.is_some() {
                return Err(format!("persistentvolumeclaim \"{name}\" is being deleted"));
            }
            let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone());
            match volume_name.filter(|v| !v.is_empty()) {
                Some(volume) => match self.volumes.get(None, &volume) {
                    Some(volume) => claims.bound.push(volume),
                    None => {
                        return Err("pvc(s) bound to non-existent pv(s)".to_owned());
                    }
                },
                None if self.waits_for_consumer(&claim) => claims.waiting.push(claim),
                None => return Err("pod has unbound immediate PersistentVolumeClaims".into()),
            }
        }
        Ok(claims)
    }

    fn waits_for_consumer(&self, claim: &PersistentVolumeClaim) -> bool {
        let class = claim
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.as_deref());
        class
            .and_then(|c| self.classes.get(None, c))
            .is_some_and(|c| c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
    }

    /// Filter: why `node` cannot hold the pod's volumes (empty when it can).
    pub(crate) fn reasons(&self, claims: &PodClaims, node: &Node) -> Vec<String> {
        let mut reasons = Vec::new();
        if claims.bound.iter().any(|pv| !fits_node(pv, node)) {
            reasons.push(CONFLICT.to_owned());
        }
        let mut taken: Vec<String> = Vec::new();
        for claim in &claims.waiting {
            if self.provisions_dynamically(claim) {
                continue;
            }
            let found = self.volumes.list().into_iter().find(|pv| {
                let name = pv.metadata.name.clone().unwrap_or_default();
                !taken.contains(&name) && available_for(pv, claim) && fits_node(pv, node)
            });
            match found {
                Some(pv) => taken.push(pv.metadata.name.clone().unwrap_or_default()),
                None => {
                    reasons.push(NO_VOLUME.to_owned());
                    break;
                }
            }
        }
        reasons
    }

    /// A class whose provisioner is not `kubernetes.io/no-provisioner` can make a volume
    /// anywhere (allowed topologies are not checked).
    fn provisions_dynamically(&self, claim: &PersistentVolumeClaim) -> bool {
        let class = claim
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.as_deref());
        class
            .and_then(|c| self.classes.get(None, c))
            .is_some_and(|c| c.provisioner != "kubernetes.io/no-provisioner")
    }
}

/// An `Available` volume (no claimRef, or one naming this claim) of the claim's class, big
/// enough, with every access mode it asks for.
fn available_for(pv: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(spec) = &pv.spec else { return false };
    let free = match &spec.claim_ref {
        None => true,
        Some(r) => {
            r.name.as_deref() == claim.metadata.name.as_deref()
                && r.namespace.as_deref() == claim.metadata.namespace.as_deref()
        }
    };
    let Some(wants) = &claim.spec else {
        return false;
    };
    let class_ok = spec.storage_class_name == wants.storage_class_name;
    let modes_ok = wants
        .access_modes
        .iter()
        .flatten()
        .all(|m| spec.access_modes.iter().flatten().any(|have| have == m));
    let quantity = |list: Option<&BTreeMap<String, _>>| -> i64 {
        list.and_then(
            |l: &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
                l.get("storage")
            },
        )
        .and_then(|q| milli(&q.0))
        .unwrap_or(0)
    };
    let requested = quantity(wants.resources.as_ref().and_then(|r| r.requests.as_ref()));
    let capacity = quantity(spec.capacity.as_ref());
    free && class_ok && modes_ok && capacity >= requested
}

/// The volume's required node affinity matches the node (no affinity: any node).
fn fits_node(pv: &PersistentVolume, node: &Node) -> bool {
    let required = pv
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref());
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    let name = node.metadata.name.as_deref().unwrap_or("");
    required.is_none_or(|r| {
        r.node_selector_terms
            .iter()
            .any(|t| term_matches(t, labels, name))
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim};
    use serde_json::{Value, json};

    use super::{available_for, fits_node};

    fn volume(spec: Value) -> PersistentVolume {
        let mut base = json!({
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
            "storageClassName": "local",
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]}},
        });
        base.as_object_mut()
            .unwrap()
            .extend(spec.as_object().unwrap().clone());
        serde_json::from_value(json!({"metadata": {"name": "pv"}, "spec": base})).unwrap()
    }

    fn claim(storage: &str, modes: Value) -> PersistentVolumeClaim {
        serde_json::from_value(json!({
            "metadata": {"name": "data", "namespace": "apps"},
            "spec": {"storageClassName": "local", "accessModes": modes,
                     "resources": {"requests": {"storage": storage}}},
        }))
        .unwrap()
    }

    #[test]
    fn a_volume_is_available_to_a_claim_it_fits() {
        let rwo = || json!(["ReadWriteOnce"]);
        for (volume, claim, expected) in [
            (volume(json!({})), claim("10Gi", rwo()), true),
            (volume(json!({})), claim("11Gi", rwo()), false),
            (
                volume(json!({})),
                claim("1Gi", json!(["ReadWriteMany"])),
                false,
            ),
            (
                volume(json!({"storageClassName": "other"})),
                claim("1Gi", rwo()),
                false,
            ),
            (
                volume(json!({"claimRef": {"namespace": "apps", "name": "other"}})),
                claim("1Gi", rwo()),
                false,
            ),
            (
                volume(json!({"claimRef": {"namespace": "apps", "name": "data"}})),
                claim("1Gi", rwo()),
                true,
            ),
        ] {
            assert_eq!(
                available_for(&volume, &claim),
                expected,
                "{volume:?}\n{claim:?}"
            );
        }
    }

    #[test]
    fn node_affinity_pins_a_volume() {
        let node = |name: &str| -> Node {
            serde_json::from_value(
                json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}),
            )
            .unwrap()
        };
        assert!(fits_node(&volume(json!({})), &node("n1")));
        assert!(!fits_node(&volume(json!({})), &node("n2")));
        assert!(fits_node(
            &volume(json!({"nodeAffinity": null})),
            &node("n2")
        ));
    }
}
