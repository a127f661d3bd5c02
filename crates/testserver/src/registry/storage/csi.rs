//! CSIDrivers, CSINodes and CSIStorageCapacities (`pkg/registry/storage/csidriver`,
//! `csinode`, `csistoragecapacity`): the drivers' v1 defaults and generation, the validation
//! of `validation::csi`, their columns (`printCSIDriver`, `printCSINode`,
//! `printCSIStorageCapacity`); DELETE of a driver or node returns it.

use serde_json::Value;

use crate::registry::print::{self, items, text};
use crate::registry::printed::Printed;
use crate::registry::spec_validated::{Generation, SpecValidated, no_defaults, nothing_created};
use crate::registry::table::{self, Column, col};
use crate::validation::csi as checks;

/// The boolean at `pointer`, `default` when unset.
fn flag(v: &Value, pointer: &str, default: bool) -> Value {
    v.pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(default)
        .into()
}

fn drivers() -> Vec<Column> {
    table::columns(
        vec![
            col("AttachRequired", "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the volumeattachment status when the attach operation is complete. If the value is specified to false, the attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable.", 0, |v| {
                flag(v, "/spec/attachRequired", true)
            })
            .typed("boolean"),
            col("PodInfoOnMount", "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.\n\nThe CSI driver specifies podInfoOnMount as part of driver deployment. If true, Kubelet will pass pod information as VolumeContext in the CSI NodePublishVolume() calls. The CSI driver is responsible for parsing and validating the information passed in as VolumeContext.\n\nThe following VolumeContext will be passed if podInfoOnMount is set to true. This list might grow, but the prefix will be used. \"csi.storage.k8s.io/pod.name\": pod.Name \"csi.storage.k8s.io/pod.namespace\": pod.Namespace \"csi.storage.k8s.io/pod.uid\": string(pod.UID) \"csi.storage.k8s.io/ephemeral\": \"true\" if the volume is an ephemeral inline volume\n                                defined by a CSIVolumeSource, otherwise \"false\"\n\n\"csi.storage.k8s.io/ephemeral\" is a new feature in Kubernetes 1.16. It is only required for drivers which support both the \"Persistent\" and \"Ephemeral\" VolumeLifecycleMode. Other drivers can leave pod info disabled and/or ignore this field. As Kubernetes 1.15 doesn't support this field, drivers can only support one mode when deployed on such a cluster and the deployment determines which mode that is, for example via a command line parameter of the driver.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable.", 0, |v| {
                flag(v, "/spec/podInfoOnMount", false)
            })
            .typed("boolean"),
            col("StorageCapacity", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.\n\nThe check can be enabled immediately when deploying a driver. In that case, provisioning new volumes with late binding will pause until the driver deployment has published some suitable CSIStorageCapacity object.\n\nAlternatively, the driver can be deployed with the field unset or false and it can be flipped later when storage capacity information has been published.\n\nThis field was immutable in Kubernetes <= 1.22 and now is mutable.", 0, |v| {
                flag(v, "/spec/storageCapacity", false)
            })
            .typed("boolean"),
            col("TokenRequests", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. The CSI driver should parse and validate the following VolumeContext: \"csi.storage.k8s.io/serviceAccount.tokens\": {\n  \"<audience>\": {\n    \"token\": <token>,\n    \"expirationTimestamp\": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, RequiresRepublish can be used to trigger NodePublishVolume periodically.", 0, |v| {
                match v.pointer("/spec/tokenRequests").and_then(Value::as_array) {
                    Some(list) => list
                        .iter()
                        .map(|t| text(t, "/audience"))
                        .collect::<Vec<_>>()
                        .join(",")
                        .into(),
                    None => "<unset>".into(),
                }
            }),
            col("RequiresRepublish", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. New mount points will not be seen by a running container.", 0, |v| {
                flag(v, "/spec/requiresRepublish", false)
            })
            .typed("boolean"),
            col("Modes", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is \"Persistent\", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is \"Ephemeral\". In this mode, volumes are defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a volume.\n\nFor more information about implementing this mode, see https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable.", 0, |v| {
                let modes: Vec<&str> = items(v, "/spec/volumeLifecycleModes")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                print::or(&modes.join(","), "<none>").into()
            }),
        ],
        Vec::new(),
    )
}

/// storage.k8s.io/v1 CSIDrivers.
pub(crate) const CSI_DRIVERS: SpecValidated<Printed> = SpecValidated {
    base: Printed {
        returns_deleted: true,
        ..Printed::columns(drivers)
    },
    defaults: checks::default_csi_driver,
    created: nothing_created,
    validate: checks::csi_driver,
    validate_update: checks::csi_driver_update,
    validate_status: None,
    generation: Generation::BumpedOn("spec"),
};

fn nodes() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Drivers",
                "Drivers indicates the number of CSI drivers registered on the node",
                0,
                |v| print::len(v, "/spec/drivers").into(),
            )
            .typed("integer"),
        ],
        Vec::new(),
    )
}

/// storage.k8s.io/v1 CSINodes.
pub(crate) const CSI_NODES: SpecValidated<Printed> = SpecValidated {
    base: Printed {
        returns_deleted: true,
        ..Printed::columns(nodes)
    },
    defaults: no_defaults,
    created: nothing_created,
    validate: checks::csi_node,
    validate_update: checks::csi_node_update,
    validate_status: None,
    generation: Generation::Base,
};

fn capacities() -> Vec<Column> {
    vec![
        table::name_column(),
        col(
            "StorageClassName",
            "storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.",
            0,
            |v| text(v, "/storageClassName").into(),
        ),
        col(
            "Capacity",
            "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that information is currently unavailable.",
            0,
            |v| match v.get("capacity") {
                Some(Value::String(_) | Value::Number(_)) => print::quantity(v, "/capacity").into(),
                _ => "<unset>".into(),
            },
        ),
    ]
}

/// storage.k8s.io/v1 CSIStorageCapacities.
pub(crate) const CSI_STORAGE_CAPACITIES: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(capacities),
    defaults: no_defaults,
    created: nothing_created,
    validate: checks::csi_storage_capacity,
    validate_update: checks::csi_storage_capacity_update,
    validate_status: None,
    generation: Generation::Base,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintCSIDriver`: the defaults of unset flags, token audiences, modes.
    #[test]
    fn driver_cells() {
        let d = json!({"metadata": {"name": "d"}, "spec": {"tokenRequests": [{"audience": "a"}, {"audience": "b"}],
            "volumeLifecycleModes": ["Persistent", "Ephemeral"]}});
        let cells: Vec<Value> = drivers().iter().map(|c| c.cell(&d)).collect();
        assert_eq!(
            cells[..7].to_vec(),
            vec![
                json!("d"),
                json!(true),
                json!(false),
                json!(false),
                json!("a,b"),
                json!(false),
                json!("Persistent,Ephemeral")
            ]
        );
        let bare = json!({"spec": {}});
        assert_eq!(drivers()[4].cell(&bare), json!("<unset>"));
        assert_eq!(drivers()[6].cell(&bare), json!("<none>"));
        assert_eq!(capacities()[2].cell(&bare), json!("<unset>"));
        assert_eq!(
            capacities()[2].cell(&json!({"capacity": "1024Mi"})),
            json!("1Gi")
        );
    }
}
