//! PodSpec, Container and PodStatus (shared by Pods and Deployment templates).

use super::meta::{BY_TYPE, METADATA, keyed};
use crate::fields::schema::{List, ListKind, Object, Shape, Smp};

const CONTAINER_PORTS: List = List {
    kind: ListKind::Map {
        keys: &["containerPort", "protocol"],
        defaults: &[("protocol", "TCP")],
    },
    elem: Shape::Deduced,
    smp: Smp::merge_by("containerPort"),
};
const ENV_VALUE_FROM: Object = Object {
    fields: &[
        ("configMapKeyRef", Shape::Atomic),
        ("secretKeyRef", Shape::Atomic),
        ("fieldRef", Shape::Atomic),
        ("resourceFieldRef", Shape::Atomic),
    ],
};
const ENV_VAR: Object = Object {
    fields: &[("valueFrom", Shape::Object(&ENV_VALUE_FROM))],
};
const ENV: List = keyed(&["name"], Shape::Object(&ENV_VAR), "name");
const VOLUME_MOUNTS: List = keyed(&["mountPath"], Shape::Deduced, "mountPath");
const VOLUME_DEVICES: List = keyed(&["devicePath"], Shape::Deduced, "devicePath");
const RESOURCE_CLAIMS: List = keyed(&["name"], Shape::Deduced, "name");
const RESOURCES: Object = Object {
    fields: &[
        ("claims", Shape::List(&RESOURCE_CLAIMS)),
        ("requests", Shape::Map),
        ("limits", Shape::Map),
    ],
};

/// `core/v1.Container` (also init and ephemeral containers).
const CONTAINER: Object = Object {
    fields: &[
        ("ports", Shape::List(&CONTAINER_PORTS)),
        ("env", Shape::List(&ENV)),
        ("volumeMounts", Shape::List(&VOLUME_MOUNTS)),
        ("volumeDevices", Shape::List(&VOLUME_DEVICES)),
        ("resources", Shape::Object(&RESOURCES)),
    ],
};
const CONTAINERS: List = keyed(&["name"], Shape::Object(&CONTAINER), "name");

const SECRET_REF_SOURCE: Object = Object {
    fields: &[("secretRef", Shape::Atomic)],
};
const VOLUME: Object = Object {
    fields: &[
        ("cephfs", Shape::Object(&SECRET_REF_SOURCE)),
        ("cinder", Shape::Object(&SECRET_REF_SOURCE)),
        ("csi", Shape::Object(&CSI_VOLUME)),
        ("flexVolume", Shape::Object(&SECRET_REF_SOURCE)),
        ("iscsi", Shape::Object(&SECRET_REF_SOURCE)),
        ("rbd", Shape::Object(&SECRET_REF_SOURCE)),
        ("scaleIO", Shape::Object(&SECRET_REF_SOURCE)),
        ("storageos", Shape::Object(&SECRET_REF_SOURCE)),
    ],
};
const CSI_VOLUME: Object = Object {
    fields: &[("nodePublishSecretRef", Shape::Atomic)],
};
const VOLUMES: List = keyed(&["name"], Shape::Object(&VOLUME), "name");
const BY_NAME_ATOMIC: List = keyed(&["name"], Shape::Atomic, "name");
const BY_NAME: List = keyed(&["name"], Shape::Deduced, "name");
const BY_IP: List = keyed(&["ip"], Shape::Deduced, "ip");
const TOPOLOGY_SPREAD: List = List {
    kind: ListKind::Map {
        keys: &["topologyKey", "whenUnsatisfiable"],
        defaults: &[],
    },
    elem: Shape::Object(&TOPOLOGY_SPREAD_CONSTRAINT),
    smp: Smp::merge_by("topologyKey"),
};
const TOPOLOGY_SPREAD_CONSTRAINT: Object = Object {
    fields: &[("labelSelector", Shape::Atomic)],
};
const NODE_AFFINITY: Object = Object {
    fields: &[(
        "requiredDuringSchedulingIgnoredDuringExecution",
        Shape::Atomic,
    )],
};
const AFFINITY: Object = Object {
    fields: &[("nodeAffinity", Shape::Object(&NODE_AFFINITY))],
};

/// `core/v1.PodSpec`.
pub(crate) const POD_SPEC: Object = Object {
    fields: &[
        ("containers", Shape::List(&CONTAINERS)),
        ("initContainers", Shape::List(&CONTAINERS)),
        ("ephemeralContainers", Shape::List(&CONTAINERS)),
        ("volumes", Shape::List(&VOLUMES)),
        ("imagePullSecrets", Shape::List(&BY_NAME_ATOMIC)),
        ("hostAliases", Shape::List(&BY_IP)),
        ("topologySpreadConstraints", Shape::List(&TOPOLOGY_SPREAD)),
        ("resourceClaims", Shape::List(&BY_NAME)),
        ("schedulingGates", Shape::List(&BY_NAME)),
        ("nodeSelector", Shape::Atomic),
        ("affinity", Shape::Object(&AFFINITY)),
    ],
};

const POD_STATUS: Object = Object {
    fields: &[
        ("conditions", Shape::List(&BY_TYPE)),
        ("podIPs", Shape::List(&BY_IP)),
        ("hostIPs", Shape::List(&BY_IP)),
        ("resourceClaimStatuses", Shape::List(&BY_NAME)),
    ],
};

/// `core/v1.Pod`.
pub(crate) const POD: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&POD_SPEC)),
        ("status", Shape::Object(&POD_STATUS)),
    ],
};

/// `core/v1.PodTemplateSpec`.
pub(crate) const POD_TEMPLATE: Object = Object {
    fields: &[METADATA, ("spec", Shape::Object(&POD_SPEC))],
};
