//! The structure the field-management code needs to know about each stored type.
//!
//! This is a sparse schema: it describes only what differs from the default
//! ("deduced") treatment, which is what structured-merge-diff does for types it
//! knows nothing about: JSON objects are granular (each key owned separately),
//! JSON arrays are atomic (replaced and owned as a whole), scalars are leaves.
//! For the built-in Kubernetes types that default is right for almost every
//! field; the exceptions are lists with `x-kubernetes-list-type: map|set`,
//! structs and maps marked atomic, Go maps (an empty one is no field), and the
//! strategic-merge-patch metadata (`patchMergeKey`, `patchStrategy`).
//!
//! Guarantees: [`lookup`] answers for every built-in kind the server serves, from
//! one table generated from the Go types of kube-apiserver v1.36 (`fields/types/`,
//! `fields/known/shapes.py`); maps' values are [`Shape::Deduced`].

/// How a JSON value at some path of an object is treated.
///
/// ```
/// use kubeset_testserver::fields::schema::{Shape, lookup};
///
/// let pod = lookup("v1", "Pod").unwrap().shape();
/// assert!(matches!(pod.field("spec").field("tolerations"), Shape::Deduced)); // atomic list
/// assert!(pod.field("spec").field("containers").list().is_some());
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Not described: objects are granular, arrays atomic, scalars leaves.
    Deduced,
    /// Replaced and owned as a whole (scalar, atomic struct, atomic map).
    Atomic,
    /// A granular struct or map whose listed fields have a known shape.
    Object(&'static Object),
    /// A granular Go map (`labels`, `data`, `requests`): like [`Shape::Deduced`],
    /// and an empty one is no field at all (Go omits empty maps).
    Map,
    /// A list with a known list type.
    List(&'static List),
}

/// A granular struct or map. Fields not listed are [`Shape::Deduced`].
///
/// ```
/// use kubeset_testserver::fields::schema::{Object, Shape};
///
/// static SPEC: Object = Object { fields: &[("selector", Shape::Atomic)] };
/// assert!(matches!(SPEC.field("selector"), Shape::Atomic));
/// assert!(matches!(SPEC.field("replicas"), Shape::Deduced));
/// ```
#[derive(Debug)]
pub struct Object {
    /// The fields with a non-default shape.
    pub fields: &'static [(&'static str, Shape)],
}

impl Object {
    /// The shape of field `name` (deduced when not listed).
    pub fn field(&self, name: &str) -> Shape {
        self.fields
            .iter()
            .find(|(field, _)| *field == name)
            .map_or(Shape::Deduced, |(_, shape)| *shape)
    }
}

/// A list field: its server-side-apply list type and its strategic merge metadata.
///
/// ```
/// use kubeset_testserver::fields::schema::{List, ListKind, Shape, Smp};
///
/// // Pod spec.containers[].ports: keyed by containerPort and protocol (TCP by
/// // default) for apply, merged by containerPort in strategic merge patches.
/// static PORTS: List = List {
///     kind: ListKind::Map { keys: &["containerPort", "protocol"], defaults: &[("protocol", "TCP")] },
///     elem: Shape::Deduced,
///     smp: Smp::merge_by("containerPort"),
/// };
/// assert_eq!(PORTS.smp.merge_key, Some("containerPort"));
/// ```
#[derive(Debug)]
pub struct List {
    /// The list type as server-side apply sees it (`x-kubernetes-list-type`).
    pub kind: ListKind,
    /// The shape of each element.
    pub elem: Shape,
    /// How a strategic merge patch treats the list (may differ from `kind`).
    pub smp: Smp,
}

/// The `x-kubernetes-list-type` of a list.
///
/// ```
/// use kubeset_testserver::fields::schema::{ListKind, lookup};
///
/// let meta = lookup("v1", "ConfigMap").unwrap().shape().field("metadata");
/// assert!(matches!(meta.field("finalizers").list().unwrap().kind, ListKind::Set));
/// ```
#[derive(Debug, Clone, Copy)]
pub enum ListKind {
    /// Replaced and owned as a whole.
    Atomic,
    /// A set of scalars; each element is owned separately (`v:` in FieldsV1).
    Set,
    /// A list of objects identified by the values of `keys` (`k:` in FieldsV1).
    Map {
        /// The `x-kubernetes-list-map-keys`, in schema order.
        keys: &'static [&'static str],
        /// Key fields with a default value used when an element omits them.
        defaults: &'static [(&'static str, &'static str)],
    },
}

/// Strategic merge patch metadata of a list (`patchStrategy`, `patchMergeKey`).
///
/// ```
/// use kubeset_testserver::fields::schema::Smp;
///
/// assert!(!Smp::REPLACE.merge);
/// assert_eq!(Smp::merge_by("name").merge_key, Some("name"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Smp {
    /// `patchStrategy: merge`: the patch list is merged into the live list;
    /// otherwise it replaces it.
    pub merge: bool,
    /// `patchMergeKey`: the field that identifies elements of a merged list of objects.
    pub merge_key: Option<&'static str>,
}

impl Smp {
    /// No patch strategy: a patch replaces the list.
    pub const REPLACE: Smp = Smp {
        merge: false,
        merge_key: None,
    };
    /// `patchStrategy: merge` on a list of scalars.
    pub const MERGE_SCALARS: Smp = Smp {
        merge: true,
        merge_key: None,
    };
    /// `patchStrategy: merge` with `patchMergeKey: key`.
    pub const fn merge_by(key: &'static str) -> Smp {
        Smp {
            merge: true,
            merge_key: Some(key),
        }
    }
}

impl Shape {
    /// The shape of the child `name` when `self` is an object (deduced otherwise).
    pub fn field(self, name: &str) -> Shape {
        match self {
            Shape::Object(object) => object.field(name),
            _ => Shape::Deduced,
        }
    }

    /// The list description when `self` is a described list.
    pub fn list(self) -> Option<&'static List> {
        match self {
            Shape::List(list) => Some(list),
            _ => None,
        }
    }
}

/// What the server knows about one stored type (group/version/kind).
///
/// ```
/// use kubeset_testserver::fields::schema::lookup;
///
/// let deployment = lookup("apps/v1", "Deployment").unwrap();
/// assert_eq!(deployment.api_version(), "apps/v1");
/// assert_eq!(
///     deployment.reset_paths(Some("status")),
///     vec![vec!["spec"], vec!["metadata", "labels"]]
/// );
/// ```
#[derive(Debug)]
pub struct TypeInfo {
    /// API group (`""` for core).
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// The shape of the whole object.
    pub root: &'static Object,
    /// The object as the Go zero value of the type serializes (fields without
    /// `omitempty`); used as the "old" object of a create.
    pub zero: &'static str,
    /// Whether the type has a `status` subresource: writes to the main resource
    /// then never own `status`, writes to `status` never own `spec`.
    pub status_subresource: bool,
    /// Further paths (dot-separated field names) that `status` subresource writes never own.
    pub status_reset_extra: &'static [&'static str],
}

impl TypeInfo {
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The root shape of the type.
    pub fn shape(&self) -> Shape {
        Shape::Object(self.root)
    }

    /// The field paths a write to `subresource` (`None`: the main resource)
    /// never takes ownership of (the strategy's "reset fields").
    pub fn reset_paths(&self, subresource: Option<&str>) -> Vec<Vec<&'static str>> {
        if !self.status_subresource {
            return Vec::new();
        }
        match subresource {
            None => vec![vec!["status"]],
            Some("status") => {
                let mut paths = vec![vec!["spec"]];
                paths.extend(
                    self.status_reset_extra
                        .iter()
                        .map(|path| path.split('.').collect()),
                );
                paths
            }
            Some(_) => Vec::new(),
        }
    }

    /// The only paths a write to `subresource` may own, for the subresources whose strategy
    /// filters what it keeps (`pods/ephemeralcontainers`: `spec.ephemeralContainers`).
    ///
    /// ```
    /// use kubeset_testserver::fields::fieldset::Step;
    /// use kubeset_testserver::fields::schema::lookup;
    ///
    /// let pod = lookup("v1", "Pod").unwrap();
    /// let kept = pod.kept_prefixes(Some("ephemeralcontainers")).unwrap();
    /// assert_eq!(kept[0], &[Step::Field("spec"), Step::Field("ephemeralContainers")][..]);
    /// assert!(pod.kept_prefixes(Some("status")).is_none());
    /// ```
    pub fn kept_prefixes(
        &self,
        subresource: Option<&str>,
    ) -> Option<&'static [&'static [crate::fields::fieldset::Step]]> {
        crate::fields::types::kept_prefixes(self.group, self.kind, subresource?)
    }
}

/// The type registered for `apiVersion` (`v1`, `apps/v1`, ...) and `kind`.
///
/// ```
/// use kubeset_testserver::fields::schema::lookup;
///
/// let pod = lookup("v1", "Pod").expect("pods are known");
/// assert!(pod.status_subresource);
/// assert!(lookup("v1", "Unicorn").is_none());
/// ```
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static TypeInfo> {
    crate::fields::types::find(api_version, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_type_is_found_once_and_has_a_zero_object() {
        for info in crate::fields::types::all() {
            let found = lookup(&info.api_version(), info.kind).unwrap();
            assert!(
                std::ptr::eq(found, info),
                "{} {} registered twice",
                info.api_version(),
                info.kind
            );
            let zero: serde_json::Value = serde_json::from_str(info.zero).unwrap();
            assert!(zero.is_object(), "{}", info.kind);
        }
        for (api_version, kind) in [
            ("v1", "Pod"),
            ("v1", "Node"),
            ("v1", "PersistentVolume"),
            ("v1", "PersistentVolumeClaim"),
            ("v1", "Namespace"),
            ("v1", "ConfigMap"),
            ("v1", "Secret"),
            ("v1", "ServiceAccount"),
            ("v1", "Service"),
            ("v1", "Endpoints"),
            ("v1", "Event"),
            ("storage.k8s.io/v1", "StorageClass"),
            ("coordination.k8s.io/v1", "Lease"),
            ("events.k8s.io/v1", "Event"),
            ("scheduling.k8s.io/v1", "PriorityClass"),
            ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
            ("apps/v1", "Deployment"),
            ("policy/v1", "PodDisruptionBudget"),
            ("policy/v1", "Eviction"),
        ] {
            assert!(lookup(api_version, kind).is_some(), "{api_version} {kind}");
        }
    }

    #[test]
    fn reset_fields_follow_the_status_subresource() {
        let pod = lookup("v1", "Pod").unwrap();
        assert_eq!(pod.reset_paths(None), vec![vec!["status"]]);
        assert_eq!(
            pod.reset_paths(Some("status")),
            vec![
                vec!["spec"],
                vec!["metadata", "deletionTimestamp"],
                vec!["metadata", "ownerReferences"]
            ]
        );
        assert!(
            lookup("v1", "ConfigMap")
                .unwrap()
                .reset_paths(None)
                .is_empty()
        );
    }

    #[test]
    fn shapes_are_found_by_path() {
        let pod = lookup("v1", "Pod").unwrap().shape();
        let containers = pod.field("spec").field("containers").list().unwrap();
        assert!(matches!(
            containers.kind,
            ListKind::Map { keys: ["name"], .. }
        ));
        let ports = containers.elem.field("ports").list().unwrap();
        assert!(matches!(
            ports.kind,
            ListKind::Map {
                keys: ["containerPort", "protocol"],
                ..
            }
        ));
        assert_eq!(ports.smp.merge_key, Some("containerPort"));
        let tolerations = pod.field("spec").field("tolerations");
        assert!(matches!(tolerations, Shape::Deduced));
        let taints = lookup("v1", "Node")
            .unwrap()
            .shape()
            .field("spec")
            .field("taints");
        assert!(matches!(taints, Shape::Deduced));
    }
}
