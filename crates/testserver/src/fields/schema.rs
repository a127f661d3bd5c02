//! The structure the field-management code needs to know about each stored type.
//!
//! This is a sparse schema: it describes only what differs from the default
//! ("deduced") treatment, which is what structured-merge-diff does for types it
//! knows nothing about: JSON objects are granular (each key owned separately),
//! JSON arrays are atomic (replaced and owned as a whole), scalars are leaves.
//! For the built-in Kubernetes types that default is right for almost every
//! field; the exceptions are lists with `x-kubernetes-list-type: map|set`,
//! structs and maps marked atomic, and the strategic-merge-patch metadata
//! (`patchMergeKey`, `patchStrategy`), all recorded in [`crate::fields::types`].

/// How a JSON value at some path of an object is treated.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Not described: objects are granular, arrays atomic, scalars leaves.
    Deduced,
    /// Replaced and owned as a whole (scalar, atomic struct, atomic map).
    Atomic,
    /// A granular struct or map whose listed fields have a known shape.
    Object(&'static Object),
    /// A list with a known list type.
    List(&'static List),
}

/// A granular struct or map. Fields not listed are [`Shape::Deduced`].
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
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    crate::fields::types::TYPES
        .iter()
        .find(|info| info.group == group && info.version == version && info.kind == kind)
}
