//! The table of stored types: add a type here and every field-management
//! function (managedFields, strategic merge patch, apply) knows it.

mod meta;
mod pod;

use self::meta::{BY_TYPE, CONDITIONS_STATUS, DATA, METADATA, PLAIN, SELECTOR_SPEC, keyed};
use crate::fields::schema::{List, ListKind, Object, Shape, Smp, TypeInfo};

const NODE_SPEC: Object = Object {
    fields: &[(
        "podCIDRs",
        Shape::List(&List {
            kind: ListKind::Set,
            elem: Shape::Atomic,
            smp: Smp::MERGE_SCALARS,
        }),
    )],
};
const NODE_STATUS: Object = Object {
    fields: &[
        ("capacity", Shape::Map),
        ("allocatable", Shape::Map),
        ("addresses", Shape::List(&BY_TYPE)),
        ("conditions", Shape::List(&BY_TYPE)),
    ],
};
const NODE: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&NODE_SPEC)),
        ("status", Shape::Object(&NODE_STATUS)),
    ],
};

const NODE_AFFINITY_REQUIRED: Object = Object {
    fields: &[("required", Shape::Atomic)],
};
const PV_SPEC: Object = Object {
    fields: &[
        ("capacity", Shape::Map),
        ("claimRef", Shape::Atomic),
        ("nodeAffinity", Shape::Object(&NODE_AFFINITY_REQUIRED)),
    ],
};
const PV: Object = Object {
    fields: &[METADATA, ("spec", Shape::Object(&PV_SPEC))],
};

const RESOURCE_MAPS: Object = Object {
    fields: &[("requests", Shape::Map), ("limits", Shape::Map)],
};
const PVC_SPEC: Object = Object {
    fields: &[
        ("selector", Shape::Atomic),
        ("dataSource", Shape::Atomic),
        ("resources", Shape::Object(&RESOURCE_MAPS)),
    ],
};
const PVC_STATUS: Object = Object {
    fields: &[
        ("conditions", Shape::List(&BY_TYPE)),
        ("capacity", Shape::Map),
        ("allocatedResources", Shape::Map),
    ],
};
const WITH_CONDITIONS_STATUS: (&str, Shape) = ("status", Shape::Object(&CONDITIONS_STATUS));
const PVC: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&PVC_SPEC)),
        ("status", Shape::Object(&PVC_STATUS)),
    ],
};
const NAMESPACE: Object = Object {
    fields: &[METADATA, WITH_CONDITIONS_STATUS],
};

const SA_SECRETS: List = keyed(&["name"], Shape::Atomic, "name");
const SERVICE_ACCOUNT: Object = Object {
    fields: &[METADATA, ("secrets", Shape::List(&SA_SECRETS))],
};

const SERVICE_PORTS: List = List {
    kind: ListKind::Map {
        keys: &["port", "protocol"],
        defaults: &[("protocol", "TCP")],
    },
    elem: Shape::Deduced,
    smp: Smp::merge_by("port"),
};
const SERVICE_SPEC: Object = Object {
    fields: &[
        ("ports", Shape::List(&SERVICE_PORTS)),
        ("selector", Shape::Atomic),
    ],
};
const SERVICE: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&SERVICE_SPEC)),
        WITH_CONDITIONS_STATUS,
    ],
};

const CORE_EVENT: Object = Object {
    fields: &[
        METADATA,
        ("involvedObject", Shape::Atomic),
        ("related", Shape::Atomic),
    ],
};
const EVENTS_EVENT: Object = Object {
    fields: &[
        METADATA,
        ("regarding", Shape::Atomic),
        ("related", Shape::Atomic),
    ],
};

const STORAGE_CLASS: Object = Object {
    fields: &[METADATA, ("parameters", Shape::Map)],
};
const BINDING_TARGET: Object = Object {
    fields: &[METADATA, ("target", Shape::Atomic)],
};
const BINDING: Object = Object {
    fields: &[METADATA, ("roleRef", Shape::Atomic)],
};

const DEPLOYMENT_SPEC: Object = Object {
    fields: &[
        ("selector", Shape::Atomic),
        ("template", Shape::Object(&pod::POD_TEMPLATE)),
    ],
};
const DEPLOYMENT: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&DEPLOYMENT_SPEC)),
        WITH_CONDITIONS_STATUS,
    ],
};
const PDB: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&SELECTOR_SPEC)),
        WITH_CONDITIONS_STATUS,
    ],
};

/// A custom resource: only metadata is described; the rest is schema-less (objects granular,
/// lists atomic), as structured-merge-diff treats a CRD's objects.
pub(crate) static CUSTOM_RESOURCE: Object = Object {
    fields: &[METADATA],
};

/// `metadata` of any object, for shapes built at run time.
pub(crate) const METADATA_FIELD: (&str, Shape) = METADATA;

const CRD_NAMES: Object = Object { fields: &[] };
const CRD_SPEC: Object = Object {
    fields: &[
        ("names", Shape::Object(&CRD_NAMES)),
        ("versions", Shape::Atomic),
    ],
};
const CRD_STATUS: Object = Object {
    fields: &[
        ("conditions", Shape::List(&BY_TYPE)),
        ("acceptedNames", Shape::Object(&CRD_NAMES)),
    ],
};
/// CustomResourceDefinition: `versions` is atomic, `conditions` keyed by type.
const CRD: Object = Object {
    fields: &[
        METADATA,
        ("spec", Shape::Object(&CRD_SPEC)),
        ("status", Shape::Object(&CRD_STATUS)),
    ],
};

const fn info(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    root: &'static Object,
    zero: &'static str,
    status_subresource: bool,
) -> TypeInfo {
    TypeInfo {
        group,
        version,
        kind,
        root,
        zero,
        status_subresource,
        status_reset_extra: &[],
    }
}

/// Every type the test server stores, with its shape and Go zero value.
pub(crate) static TYPES: &[TypeInfo] = &[
    TypeInfo {
        status_reset_extra: &["metadata.deletionTimestamp", "metadata.ownerReferences"],
        ..info(
            "",
            "v1",
            "Pod",
            &pod::POD,
            r#"{"spec":{"containers":null},"status":{}}"#,
            true,
        )
    },
    info(
        "",
        "v1",
        "Node",
        &NODE,
        r#"{"spec":{},"status":{"daemonEndpoints":{"kubeletEndpoint":{"Port":0}},"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"","osImage":"","containerRuntimeVersion":"","kubeletVersion":"","kubeProxyVersion":"","operatingSystem":"","architecture":""}}}"#,
        true,
    ),
    info(
        "",
        "v1",
        "PersistentVolume",
        &PV,
        r#"{"spec":{},"status":{}}"#,
        true,
    ),
    info(
        "",
        "v1",
        "PersistentVolumeClaim",
        &PVC,
        r#"{"spec":{"resources":{}},"status":{}}"#,
        true,
    ),
    info(
        "",
        "v1",
        "Namespace",
        &NAMESPACE,
        r#"{"spec":{},"status":{}}"#,
        true,
    ),
    info("", "v1", "ConfigMap", &DATA, "{}", false),
    info("", "v1", "Secret", &DATA, "{}", false),
    info("", "v1", "ServiceAccount", &SERVICE_ACCOUNT, "{}", false),
    info(
        "",
        "v1",
        "Service",
        &SERVICE,
        r#"{"spec":{},"status":{"loadBalancer":{}}}"#,
        true,
    ),
    info("", "v1", "Endpoints", &PLAIN, "{}", false),
    info(
        "",
        "v1",
        "Event",
        &CORE_EVENT,
        r#"{"involvedObject":{},"source":{},"firstTimestamp":null,"lastTimestamp":null,"eventTime":null,"reportingComponent":"","reportingInstance":""}"#,
        false,
    ),
    info(
        "events.k8s.io",
        "v1",
        "Event",
        &EVENTS_EVENT,
        r#"{"eventTime":null,"regarding":{},"deprecatedSource":{},"deprecatedFirstTimestamp":null,"deprecatedLastTimestamp":null}"#,
        false,
    ),
    info(
        "storage.k8s.io",
        "v1",
        "StorageClass",
        &STORAGE_CLASS,
        r#"{"provisioner":""}"#,
        false,
    ),
    info(
        "coordination.k8s.io",
        "v1",
        "Lease",
        &PLAIN,
        r#"{"spec":{}}"#,
        false,
    ),
    info(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        &PLAIN,
        r#"{"value":0}"#,
        false,
    ),
    info(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        &PLAIN,
        r#"{"rules":null}"#,
        false,
    ),
    info(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        &PLAIN,
        r#"{"rules":null}"#,
        false,
    ),
    info(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        &BINDING,
        r#"{"roleRef":{"apiGroup":"","kind":"","name":""}}"#,
        false,
    ),
    info(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        &BINDING,
        r#"{"roleRef":{"apiGroup":"","kind":"","name":""}}"#,
        false,
    ),
    TypeInfo {
        // deploymentStatusStrategy.GetResetFields
        status_reset_extra: &["metadata.labels"],
        ..info(
            "apps",
            "v1",
            "Deployment",
            &DEPLOYMENT,
            r#"{"spec":{"selector":null,"template":{"metadata":{},"spec":{"containers":null}},"strategy":{}},"status":{}}"#,
            true,
        )
    },
    info(
        "policy",
        "v1",
        "PodDisruptionBudget",
        &PDB,
        r#"{"spec":{},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}"#,
        true,
    ),
    info("policy", "v1", "Eviction", &PLAIN, "{}", false),
    info(
        "authentication.k8s.io",
        "v1",
        "TokenRequest",
        &PLAIN,
        r#"{"spec":{"audiences":null,"boundObjectRef":null},"status":{"token":"","expirationTimestamp":null}}"#,
        false,
    ),
    info(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        &PLAIN,
        r#"{"spec":{},"status":{"allowed":false}}"#,
        false,
    ),
    info(
        "authorization.k8s.io",
        "v1",
        "SubjectAccessReview",
        &PLAIN,
        r#"{"spec":{},"status":{"allowed":false}}"#,
        false,
    ),
    info(
        "authorization.k8s.io",
        "v1",
        "LocalSubjectAccessReview",
        &PLAIN,
        r#"{"spec":{},"status":{"allowed":false}}"#,
        false,
    ),
    info(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectRulesReview",
        &PLAIN,
        r#"{"spec":{},"status":{"resourceRules":null,"nonResourceRules":null,"incomplete":false}}"#,
        false,
    ),
    info(
        "authentication.k8s.io",
        "v1",
        "SelfSubjectReview",
        &PLAIN,
        r#"{"status":{"userInfo":{}}}"#,
        false,
    ),
    info(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        &CRD,
        r#"{"spec":{"names":{}},"status":{"acceptedNames":{}}}"#,
        true,
    ),
    info(
        "",
        "v1",
        "Binding",
        &BINDING_TARGET,
        r#"{"target":{}}"#,
        false,
    ),
];
