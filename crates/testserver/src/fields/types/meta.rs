//! `metav1.ObjectMeta` written out as a constant, for the shapes of custom resources, which
//! are built at run time around it (`crd/shape.rs`). The generated table has the same
//! shape for it (checked in `tests.rs`).

use crate::fields::schema::{List, ListKind, Object, Shape, Smp};

const FINALIZERS: List = List {
    kind: ListKind::Set,
    elem: Shape::Atomic,
    smp: Smp::MERGE_SCALARS,
};
const OWNER_REFERENCES: List = List {
    kind: ListKind::Map {
        keys: &["uid"],
        defaults: &[],
    },
    elem: Shape::Atomic,
    smp: Smp::merge_by("uid"),
};

/// `metav1.ObjectMeta`: its maps, finalizers as a set, owner references keyed by `uid`.
pub(crate) const OBJECT_META: Object = Object {
    fields: &[
        ("labels", Shape::Map),
        ("annotations", Shape::Map),
        ("finalizers", Shape::List(&FINALIZERS)),
        ("ownerReferences", Shape::List(&OWNER_REFERENCES)),
    ],
};

/// `metadata` of any object.
pub(crate) const METADATA: (&str, Shape) = ("metadata", Shape::Object(&OBJECT_META));
