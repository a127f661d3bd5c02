//! Field layouts of the internal (`k8s.io/kubernetes/pkg/apis/core`) structs that appear in
//! immutability diffs, in Go declaration order.
//!
//! Sub-structs nobody edits in practice (probes, affinity, most volume plugins) are printed as
//! their external JSON ([`Ty::Json`]); the diff is then still readable but may differ from the
//! real server's text when such a field changes.

use super::{Field, Struct, Ty};

const fn f(go: &'static str, json: &'static str, ty: Ty) -> Field {
    Field::new(go, json, ty)
}

const STR: Ty = Ty::Str;
const INT: Ty = Ty::Int;
const BOOL: Ty = Ty::Bool;
const P_STR: Ty = Ty::Ptr(&Ty::Str);
const P_INT: Ty = Ty::Ptr(&Ty::Int);
const P_BOOL: Ty = Ty::Ptr(&Ty::Bool);
const JSON: Ty = Ty::Json;
const MAP: Ty = Ty::Map;
const STRINGS: Ty = Ty::Slice(&Ty::Str);

macro_rules! ptr {
    ($s:ident) => {
        Ty::Ptr(&Ty::Struct(&$s))
    };
}

static LOCAL_OBJECT_REFERENCE: Struct = Struct {
    fields: &[f("Name", "name", STR)],
};
static KEY_TO_PATH: Struct = Struct {
    fields: &[
        f("Key", "key", STR),
        f("Path", "path", STR),
        f("Mode", "mode", P_INT),
    ],
};
static OBJECT_FIELD_SELECTOR: Struct = Struct {
    fields: &[
        f("APIVersion", "apiVersion", STR),
        f("FieldPath", "fieldPath", STR),
    ],
};
static RESOURCE_FIELD_SELECTOR: Struct = Struct {
    fields: &[
        f("ContainerName", "containerName", STR),
        f("Resource", "resource", STR),
        f("Divisor", "divisor", JSON),
    ],
};
static DOWNWARD_API_FILE: Struct = Struct {
    fields: &[
        f("Path", "path", STR),
        f(
            "FieldRef",
            "fieldRef",
            Ty::Ptr(&Ty::Struct(&OBJECT_FIELD_SELECTOR)),
        ),
        f(
            "ResourceFieldRef",
            "resourceFieldRef",
            Ty::Ptr(&Ty::Struct(&RESOURCE_FIELD_SELECTOR)),
        ),
        f("Mode", "mode", P_INT),
    ],
};
const KEY_TO_PATHS: Ty = Ty::Slice(&Ty::Struct(&KEY_TO_PATH));

static SECRET_PROJECTION: Struct = Struct {
    fields: &[
        Field::embed("LocalObjectReference", Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        f("Items", "items", KEY_TO_PATHS),
        f("Optional", "optional", P_BOOL),
    ],
};
static DOWNWARD_API_PROJECTION: Struct = Struct {
    fields: &[f(
        "Items",
        "items",
        Ty::Slice(&Ty::Struct(&DOWNWARD_API_FILE)),
    )],
};
static SERVICE_ACCOUNT_TOKEN_PROJECTION: Struct = Struct {
    fields: &[
        f("Audience", "audience", STR),
        f("ExpirationSeconds", "expirationSeconds", INT),
        f("Path", "path", STR),
    ],
};
static CLUSTER_TRUST_BUNDLE_PROJECTION: Struct = Struct {
    fields: &[
        f("Name", "name", P_STR),
        f("SignerName", "signerName", P_STR),
        f("LabelSelector", "labelSelector", JSON),
        f("Optional", "optional", P_BOOL),
        f("Path", "path", STR),
    ],
};
static VOLUME_PROJECTION: Struct = Struct {
    fields: &[
        f("Secret", "secret", Ty::Ptr(&Ty::Struct(&SECRET_PROJECTION))),
        f(
            "DownwardAPI",
            "downwardAPI",
            Ty::Ptr(&Ty::Struct(&DOWNWARD_API_PROJECTION)),
        ),
        f(
            "ConfigMap",
            "configMap",
            Ty::Ptr(&Ty::Struct(&SECRET_PROJECTION)),
        ),
        f(
            "ServiceAccountToken",
            "serviceAccountToken",
            Ty::Ptr(&Ty::Struct(&SERVICE_ACCOUNT_TOKEN_PROJECTION)),
        ),
        // Printed as a struct even when unset: the transcripts' line numbers show its five
        // fields in every projection.
        f(
            "ClusterTrustBundle",
            "clusterTrustBundle",
            Ty::Struct(&CLUSTER_TRUST_BUNDLE_PROJECTION),
        ),
        f("PodCertificate", "podCertificate", JSON),
    ],
};
static PROJECTED: Struct = Struct {
    fields: &[
        f(
            "Sources",
            "sources",
            Ty::Slice(&Ty::Struct(&VOLUME_PROJECTION)),
        ),
        f("DefaultMode", "defaultMode", P_INT),
    ],
};
static HOST_PATH: Struct = Struct {
    fields: &[f("Path", "path", STR), f("Type", "type", P_STR)],
};
static EMPTY_DIR: Struct = Struct {
    fields: &[
        f("Medium", "medium", STR),
        f("SizeLimit", "sizeLimit", JSON),
    ],
};
static SECRET_VOLUME: Struct = Struct {
    fields: &[
        f("SecretName", "secretName", STR),
        f("Items", "items", KEY_TO_PATHS),
        f("DefaultMode", "defaultMode", P_INT),
        f("Optional", "optional", P_BOOL),
    ],
};
static CONFIG_MAP_VOLUME: Struct = Struct {
    fields: &[
        Field::embed("LocalObjectReference", Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        f("Items", "items", KEY_TO_PATHS),
        f("DefaultMode", "defaultMode", P_INT),
        f("Optional", "optional", P_BOOL),
    ],
};
static DOWNWARD_API_VOLUME: Struct = Struct {
    fields: &[
        f("Items", "items", Ty::Slice(&Ty::Struct(&DOWNWARD_API_FILE))),
        f("DefaultMode", "defaultMode", P_INT),
    ],
};
static PVC_VOLUME: Struct = Struct {
    fields: &[
        f("ClaimName", "claimName", STR),
        f("ReadOnly", "readOnly", BOOL),
    ],
};
static NFS: Struct = Struct {
    fields: &[
        f("Server", "server", STR),
        f("Path", "path", STR),
        f("ReadOnly", "readOnly", BOOL),
    ],
};
static CSI_VOLUME: Struct = Struct {
    fields: &[
        f("Driver", "driver", STR),
        f("ReadOnly", "readOnly", P_BOOL),
        f("FSType", "fsType", P_STR),
        f("VolumeAttributes", "volumeAttributes", MAP),
        f(
            "NodePublishSecretRef",
            "nodePublishSecretRef",
            Ty::Ptr(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
    ],
};
static IMAGE_VOLUME: Struct = Struct {
    fields: &[
        f("Reference", "reference", STR),
        f("PullPolicy", "pullPolicy", STR),
    ],
};

static VOLUME_SOURCE: Struct = Struct {
    fields: &[
        f("HostPath", "hostPath", ptr!(HOST_PATH)),
        f("EmptyDir", "emptyDir", ptr!(EMPTY_DIR)),
        f("GCEPersistentDisk", "gcePersistentDisk", JSON),
        f("AWSElasticBlockStore", "awsElasticBlockStore", JSON),
        f("GitRepo", "gitRepo", JSON),
        f("Secret", "secret", ptr!(SECRET_VOLUME)),
        f("NFS", "nfs", ptr!(NFS)),
        f("ISCSI", "iscsi", JSON),
        f("Glusterfs", "glusterfs", JSON),
        f(
            "PersistentVolumeClaim",
            "persistentVolumeClaim",
            ptr!(PVC_VOLUME),
        ),
        f("RBD", "rbd", JSON),
        f("Quobyte", "quobyte", JSON),
        f("FlexVolume", "flexVolume", JSON),
        f("Cinder", "cinder", JSON),
        f("CephFS", "cephfs", JSON),
        f("Flocker", "flocker", JSON),
        f("DownwardAPI", "downwardAPI", ptr!(DOWNWARD_API_VOLUME)),
        f("FC", "fc", JSON),
        f("AzureFile", "azureFile", JSON),
        f("ConfigMap", "configMap", ptr!(CONFIG_MAP_VOLUME)),
        f("VsphereVolume", "vsphereVolume", JSON),
        f("AzureDisk", "azureDisk", JSON),
        f("PhotonPersistentDisk", "photonPersistentDisk", JSON),
        f("Projected", "projected", ptr!(PROJECTED)),
        f("PortworxVolume", "portworxVolume", JSON),
        f("ScaleIO", "scaleIO", JSON),
        f("StorageOS", "storageos", JSON),
        f("CSI", "csi", ptr!(CSI_VOLUME)),
        f("Ephemeral", "ephemeral", JSON),
        f("Image", "image", ptr!(IMAGE_VOLUME)),
    ],
};
static VOLUME: Struct = Struct {
    fields: &[
        f("Name", "name", STR),
        Field::embed("VolumeSource", Ty::Struct(&VOLUME_SOURCE)),
    ],
};

static CONTAINER_PORT: Struct = Struct {
    fields: &[
        f("Name", "name", STR),
        f("HostPort", "hostPort", INT),
        f("ContainerPort", "containerPort", INT),
        f("Protocol", "protocol", STR),
        f("HostIP", "hostIP", STR),
    ],
};
static ENV_VAR: Struct = Struct {
    fields: &[
        f("Name", "name", STR),
        f("Value", "value", STR),
        f("ValueFrom", "valueFrom", JSON),
    ],
};
static ENV_FROM: Struct = Struct {
    fields: &[
        f("Prefix", "prefix", STR),
        f("ConfigMapRef", "configMapRef", JSON),
        f("SecretRef", "secretRef", JSON),
    ],
};
static RESOURCE_REQUIREMENTS: Struct = Struct {
    fields: &[
        f("Limits", "limits", MAP),
        f("Requests", "requests", MAP),
        f("Claims", "claims", JSON),
    ],
};
static VOLUME_MOUNT: Struct = Struct {
    fields: &[
        f("Name", "name", STR),
        f("ReadOnly", "readOnly", BOOL),
        f("RecursiveReadOnly", "recursiveReadOnly", P_STR),
        f("MountPath", "mountPath", STR),
        f("SubPath", "subPath", STR),
        f("MountPropagation", "mountPropagation", P_STR),
        f("SubPathExpr", "subPathExpr", STR),
    ],
};
/// The internal `Container` (also the layout of `EphemeralContainerCommon`).
pub(crate) static CONTAINER: Struct = Struct {
    fields: &[
        f("Name", "name", STR),
        f("Image", "image", STR),
        f("Command", "command", STRINGS),
        f("Args", "args", STRINGS),
        f("WorkingDir", "workingDir", STR),
        f("Ports", "ports", Ty::Slice(&Ty::Struct(&CONTAINER_PORT))),
        f("EnvFrom", "envFrom", Ty::Slice(&Ty::Struct(&ENV_FROM))),
        f("Env", "env", Ty::Slice(&Ty::Struct(&ENV_VAR))),
        f("Resources", "resources", Ty::Struct(&RESOURCE_REQUIREMENTS)),
        f("ResizePolicy", "resizePolicy", JSON),
        f("RestartPolicy", "restartPolicy", P_STR),
        f("RestartPolicyRules", "restartPolicyRules", JSON),
        f(
            "VolumeMounts",
            "volumeMounts",
            Ty::Slice(&Ty::Struct(&VOLUME_MOUNT)),
        ),
        f("VolumeDevices", "volumeDevices", JSON),
        f("LivenessProbe", "livenessProbe", JSON),
        f("ReadinessProbe", "readinessProbe", JSON),
        f("StartupProbe", "startupProbe", JSON),
        f("Lifecycle", "lifecycle", JSON),
        f("TerminationMessagePath", "terminationMessagePath", STR),
        f("TerminationMessagePolicy", "terminationMessagePolicy", STR),
        f("ImagePullPolicy", "imagePullPolicy", STR),
        f("SecurityContext", "securityContext", JSON),
        f("Stdin", "stdin", BOOL),
        f("StdinOnce", "stdinOnce", BOOL),
        f("TTY", "tty", BOOL),
    ],
};
static TOLERATION: Struct = Struct {
    fields: &[
        f("Key", "key", STR),
        f("Operator", "operator", STR),
        f("Value", "value", STR),
        f("Effect", "effect", STR),
        f("TolerationSeconds", "tolerationSeconds", P_INT),
    ],
};
/// The internal `PodSecurityContext`; the v1 spec-level host namespace flags live here.
static POD_SECURITY_CONTEXT: Struct = Struct {
    fields: &[
        f("HostNetwork", "hostNetwork", BOOL),
        f("HostPID", "hostPID", BOOL),
        f("HostIPC", "hostIPC", BOOL),
        f("ShareProcessNamespace", "shareProcessNamespace", P_BOOL),
        f("HostUsers", "hostUsers", P_BOOL),
        f("SELinuxOptions", "seLinuxOptions", JSON),
        f("WindowsOptions", "windowsOptions", JSON),
        f("RunAsUser", "runAsUser", P_INT),
        f("RunAsGroup", "runAsGroup", P_INT),
        f("RunAsNonRoot", "runAsNonRoot", P_BOOL),
        f("SupplementalGroups", "supplementalGroups", JSON),
        f(
            "SupplementalGroupsPolicy",
            "supplementalGroupsPolicy",
            P_STR,
        ),
        f("FSGroup", "fsGroup", P_INT),
        f("FSGroupChangePolicy", "fsGroupChangePolicy", P_STR),
        f("Sysctls", "sysctls", JSON),
        f("SeccompProfile", "seccompProfile", JSON),
        f("AppArmorProfile", "appArmorProfile", JSON),
        f("SELinuxChangePolicy", "seLinuxChangePolicy", P_STR),
    ],
};

/// The internal `PodSpec`. Dump a v1 spec through [`pod_spec_value`] first, so that the
/// security-context flags sit where the internal struct holds them.
pub(crate) static POD_SPEC: Struct = Struct {
    fields: &[
        f("Volumes", "volumes", Ty::Slice(&Ty::Struct(&VOLUME))),
        f(
            "InitContainers",
            "initContainers",
            Ty::Slice(&Ty::Struct(&CONTAINER)),
        ),
        f(
            "Containers",
            "containers",
            Ty::Slice(&Ty::Struct(&CONTAINER)),
        ),
        f("EphemeralContainers", "ephemeralContainers", JSON),
        f("RestartPolicy", "restartPolicy", STR),
        f(
            "TerminationGracePeriodSeconds",
            "terminationGracePeriodSeconds",
            P_INT,
        ),
        f("ActiveDeadlineSeconds", "activeDeadlineSeconds", P_INT),
        f("DNSPolicy", "dnsPolicy", STR),
        f("NodeSelector", "nodeSelector", MAP),
        f("ServiceAccountName", "serviceAccountName", STR),
        f(
            "AutomountServiceAccountToken",
            "automountServiceAccountToken",
            P_BOOL,
        ),
        f("NodeName", "nodeName", STR),
        f(
            "SecurityContext",
            "securityContext",
            ptr!(POD_SECURITY_CONTEXT),
        ),
        f(
            "ImagePullSecrets",
            "imagePullSecrets",
            Ty::Slice(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
        f("Hostname", "hostname", STR),
        f("Subdomain", "subdomain", STR),
        f("SetHostnameAsFQDN", "setHostnameAsFQDN", P_BOOL),
        f("Affinity", "affinity", JSON),
        f("SchedulerName", "schedulerName", STR),
        f(
            "Tolerations",
            "tolerations",
            Ty::Slice(&Ty::Struct(&TOLERATION)),
        ),
        f("HostAliases", "hostAliases", JSON),
        f("PriorityClassName", "priorityClassName", STR),
        f("Priority", "priority", P_INT),
        f("PreemptionPolicy", "preemptionPolicy", P_STR),
        f("DNSConfig", "dnsConfig", JSON),
        f("ReadinessGates", "readinessGates", JSON),
        f("RuntimeClassName", "runtimeClassName", P_STR),
        f("Overhead", "overhead", MAP),
        f("EnableServiceLinks", "enableServiceLinks", P_BOOL),
        f(
            "TopologySpreadConstraints",
            "topologySpreadConstraints",
            JSON,
        ),
        f("OS", "os", JSON),
        f("SchedulingGates", "schedulingGates", JSON),
        f("ResourceClaims", "resourceClaims", JSON),
        f("Resources", "resources", JSON),
        f("HostnameOverride", "hostnameOverride", P_STR),
        f("SchedulingGroup", "schedulingGroup", JSON),
    ],
};

/// A v1 pod spec rearranged for [`POD_SPEC`]: the spec-level `hostNetwork`, `hostPID`,
/// `hostIPC`, `shareProcessNamespace` and `hostUsers` move into `securityContext`.
pub(crate) fn pod_spec_value(spec: &serde_json::Value) -> serde_json::Value {
    let mut spec = spec.clone();
    let Some(map) = spec.as_object_mut() else {
        return spec;
    };
    let moved: Vec<(String, serde_json::Value)> = [
        "hostNetwork",
        "hostPID",
        "hostIPC",
        "shareProcessNamespace",
        "hostUsers",
    ]
    .iter()
    .filter_map(|k| map.remove(*k).map(|v| ((*k).to_owned(), v)))
    .collect();
    if let Some(sc) = map
        .get_mut("securityContext")
        .and_then(serde_json::Value::as_object_mut)
    {
        sc.extend(moved);
    } else if !moved.is_empty() {
        map.insert(
            "securityContext".into(),
            serde_json::Value::Object(moved.into_iter().collect()),
        );
    }
    spec
}

static VOLUME_RESOURCE_REQUIREMENTS: Struct = Struct {
    fields: &[f("Limits", "limits", MAP), f("Requests", "requests", MAP)],
};
static TYPED_LOCAL_OBJECT_REFERENCE: Struct = Struct {
    fields: &[
        f("APIGroup", "apiGroup", P_STR),
        f("Kind", "kind", STR),
        f("Name", "name", STR),
    ],
};
static TYPED_OBJECT_REFERENCE: Struct = Struct {
    fields: &[
        f("APIGroup", "apiGroup", P_STR),
        f("Kind", "kind", STR),
        f("Name", "name", STR),
        f("Namespace", "namespace", P_STR),
    ],
};

/// The internal `PersistentVolumeClaimSpec`.
pub(crate) static PVC_SPEC: Struct = Struct {
    fields: &[
        f("AccessModes", "accessModes", STRINGS),
        f("Selector", "selector", JSON),
        f(
            "Resources",
            "resources",
            Ty::Struct(&VOLUME_RESOURCE_REQUIREMENTS),
        ),
        f("VolumeName", "volumeName", STR),
        f("StorageClassName", "storageClassName", P_STR),
        f("VolumeMode", "volumeMode", P_STR),
        f(
            "DataSource",
            "dataSource",
            ptr!(TYPED_LOCAL_OBJECT_REFERENCE),
        ),
        f(
            "DataSourceRef",
            "dataSourceRef",
            ptr!(TYPED_OBJECT_REFERENCE),
        ),
        f(
            "VolumeAttributesClassName",
            "volumeAttributesClassName",
            P_STR,
        ),
    ],
};

static LOCAL_VOLUME: Struct = Struct {
    fields: &[f("Path", "path", STR), f("FSType", "fsType", P_STR)],
};
static CSI_PERSISTENT: Struct = Struct {
    fields: &[
        f("Driver", "driver", STR),
        f("VolumeHandle", "volumeHandle", STR),
        f("ReadOnly", "readOnly", BOOL),
        f("FSType", "fsType", STR),
        f("VolumeAttributes", "volumeAttributes", MAP),
        f(
            "ControllerPublishSecretRef",
            "controllerPublishSecretRef",
            JSON,
        ),
        f("NodeStageSecretRef", "nodeStageSecretRef", JSON),
        f("NodePublishSecretRef", "nodePublishSecretRef", JSON),
        f(
            "ControllerExpandSecretRef",
            "controllerExpandSecretRef",
            JSON,
        ),
        f("NodeExpandSecretRef", "nodeExpandSecretRef", JSON),
    ],
};

/// The JSON keys of the persistent volume sources, in the internal struct's order.
pub(crate) const PV_SOURCE_KEYS: [&str; 22] = [
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "hostPath",
    "glusterfs",
    "nfs",
    "rbd",
    "quobyte",
    "iscsi",
    "flexVolume",
    "cinder",
    "cephfs",
    "fc",
    "flocker",
    "azureFile",
    "vsphereVolume",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "local",
    "storageos",
    "csi",
];

/// The internal `PersistentVolumeSource` (read from a v1 PV `spec`).
pub(crate) static PV_SOURCE: Struct = Struct {
    fields: &[
        f("GCEPersistentDisk", "gcePersistentDisk", JSON),
        f("AWSElasticBlockStore", "awsElasticBlockStore", JSON),
        f("HostPath", "hostPath", ptr!(HOST_PATH)),
        f("Glusterfs", "glusterfs", JSON),
        f("NFS", "nfs", ptr!(NFS)),
        f("RBD", "rbd", JSON),
        f("Quobyte", "quobyte", JSON),
        f("ISCSI", "iscsi", JSON),
        f("FlexVolume", "flexVolume", JSON),
        f("Cinder", "cinder", JSON),
        f("CephFS", "cephfs", JSON),
        f("FC", "fc", JSON),
        f("Flocker", "flocker", JSON),
        f("AzureFile", "azureFile", JSON),
        f("VsphereVolume", "vsphereVolume", JSON),
        f("AzureDisk", "azureDisk", JSON),
        f("PhotonPersistentDisk", "photonPersistentDisk", JSON),
        f("PortworxVolume", "portworxVolume", JSON),
        f("ScaleIO", "scaleIO", JSON),
        f("Local", "local", ptr!(LOCAL_VOLUME)),
        f("StorageOS", "storageos", JSON),
        f("CSI", "csi", ptr!(CSI_PERSISTENT)),
    ],
};
