//! Shared pieces: ObjectMeta, selectors, references, and list constructors.

use crate::fields::schema::{List, ListKind, Object, Shape, Smp};

/// A list keyed by `keys` whose strategic merge key is `merge_key`.
pub(crate) const fn keyed(
    keys: &'static [&'static str],
    elem: Shape,
    merge_key: &'static str,
) -> List {
    List {
        kind: ListKind::Map {
            keys,
            defaults: &[],
        },
        elem,
        smp: Smp::merge_by(merge_key),
    }
}

/// A list of objects keyed by `type` (status conditions, node addresses).
pub(crate) const BY_TYPE: List = keyed(&["type"], Shape::Deduced, "type");

const FINALIZERS: List = List {
    kind: ListKind::Set,
    elem: Shape::Atomic,
    smp: Smp::MERGE_SCALARS,
};
const OWNER_REFERENCES: List = keyed(&["uid"], Shape::Atomic, "uid");
const MANAGED_FIELDS: List = List {
    kind: ListKind::Atomic,
    elem: Shape::Deduced,
    smp: Smp::REPLACE,
};

/// `metav1.ObjectMeta`.
pub(crate) const OBJECT_META: Object = Object {
    fields: &[
        ("labels", Shape::Map),
        ("annotations", Shape::Map),
        ("finalizers", Shape::List(&FINALIZERS)),
        ("ownerReferences", Shape::List(&OWNER_REFERENCES)),
        ("managedFields", Shape::List(&MANAGED_FIELDS)),
    ],
};

/// `metadata` of any object.
pub(crate) const METADATA: (&str, Shape) = ("metadata", Shape::Object(&OBJECT_META));

/// A status with conditions keyed by type (and nothing else special).
pub(crate) const CONDITIONS_STATUS: Object = Object {
    fields: &[("conditions", Shape::List(&BY_TYPE))],
};

/// ConfigMap and Secret: metadata and their data maps.
pub(crate) const DATA: Object = Object {
    fields: &[
        METADATA,
        ("data", Shape::Map),
        ("binaryData", Shape::Map),
        ("stringData", Shape::Map),
    ],
};

/// An object with only metadata described (Lease, PriorityClass, ...).
pub(crate) const PLAIN: Object = Object {
    fields: &[METADATA],
};

/// A spec whose `selector` is an atomic LabelSelector.
pub(crate) const SELECTOR_SPEC: Object = Object {
    fields: &[("selector", Shape::Atomic)],
};
