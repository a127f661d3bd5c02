//! Which garbage-collection finalizers a DELETE puts on an object (`orphan`,
//! `foregroundDeletion`), as kube-apiserver's generic registry and namespace registry decide.

use std::collections::BTreeSet;

use super::options::{DeleteOptions, Propagation};
use crate::registry::{GcDefault, ResourceType};

/// The finalizer that makes the garbage collector orphan the dependents.
pub(crate) const ORPHAN: &str = "orphan";
/// The finalizer that keeps an owner until its blocking dependents are gone.
pub(crate) const FOREGROUND: &str = "foregroundDeletion";

/// The default policy of a served type, as its strategy says
/// (`DefaultGarbageCollectionPolicy`).
pub(crate) fn default_policy(rt: &ResourceType) -> GcDefault {
    rt.strategy.gc_default()
}

/// The text of the warning a Job delete without a policy gets.
pub(crate) const JOB_WARNING: &str = "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning";

/// Whether a delete of this type with these options earns the Job warning.
pub(crate) fn warns(rt: &ResourceType, opts: &DeleteOptions) -> bool {
    opts.propagation.is_none()
        && opts.orphan_dependents.is_none()
        && default_policy(rt) == GcDefault::OrphanDependents
}

/// The first of `orphan` / `foregroundDeletion` among the finalizers.
fn first_gc_finalizer(existing: &[String]) -> Option<&str> {
    existing
        .iter()
        .map(String::as_str)
        .find(|f| *f == ORPHAN || *f == FOREGROUND)
}

fn should_orphan(default: GcDefault, opts: &DeleteOptions, existing: &[String]) -> bool {
    if default == GcDefault::Unsupported {
        return false;
    }
    if let Some(o) = opts.orphan_dependents {
        return o;
    }
    match opts.propagation {
        Some(Propagation::Orphan) => return true,
        Some(Propagation::Background | Propagation::Foreground) => return false,
        None => {}
    }
    match first_gc_finalizer(existing) {
        Some(ORPHAN) => true,
        Some(_) => false,
        None => default == GcDefault::OrphanDependents,
    }
}

fn should_delete_dependents(default: GcDefault, opts: &DeleteOptions, existing: &[String]) -> bool {
    if default == GcDefault::Unsupported || opts.orphan_dependents.is_some() {
        return false;
    }
    match opts.propagation {
        Some(Propagation::Foreground) => return true,
        Some(Propagation::Background | Propagation::Orphan) => return false,
        None => {}
    }
    first_gc_finalizer(existing) == Some(FOREGROUND)
}

/// The finalizers after a delete of an object of a type with `default` policy, or `None` when
/// they stay as they are (`deletionFinalizersForGarbageCollection`).
pub(crate) fn finalizers_after_delete(
    default: GcDefault,
    opts: &DeleteOptions,
    existing: &[String],
) -> Option<Vec<String>> {
    if default == GcDefault::Unsupported {
        return None;
    }
    let orphan = should_orphan(default, opts, existing);
    let foreground = should_delete_dependents(default, opts, existing);
    let mut new: Vec<String> = existing
        .iter()
        .filter(|f| *f != ORPHAN && *f != FOREGROUND)
        .cloned()
        .collect();
    if orphan {
        new.push(ORPHAN.to_owned());
    }
    if foreground {
        new.push(FOREGROUND.to_owned());
    }
    let before: BTreeSet<&String> = existing.iter().collect();
    let after: BTreeSet<&String> = new.iter().collect();
    (before != after).then_some(new)
}

/// The finalizers of a namespace after its first delete: the namespace registry's own rules
/// (`orphanDependents: false` asks for foreground deletion), the set sorted.
pub(crate) fn namespace_finalizers_after_delete(
    opts: &DeleteOptions,
    existing: &[String],
) -> Option<Vec<String>> {
    let has = |f: &str| existing.iter().any(|e| e == f);
    let orphan = match (opts.orphan_dependents, opts.propagation) {
        (Some(o), _) => o,
        (None, Some(p)) => p == Propagation::Orphan,
        (None, None) => has(ORPHAN),
    };
    let foreground = match (opts.orphan_dependents, opts.propagation) {
        (Some(o), _) => !o,
        (None, Some(p)) => p == Propagation::Foreground,
        (None, None) => has(FOREGROUND),
    };
    if orphan == has(ORPHAN) && foreground == has(FOREGROUND) {
        return None;
    }
    let mut set: BTreeSet<String> = existing
        .iter()
        .filter(|f| *f != ORPHAN && *f != FOREGROUND)
        .cloned()
        .collect();
    if orphan {
        set.insert(ORPHAN.to_owned());
    }
    if foreground {
        set.insert(FOREGROUND.to_owned());
    }
    Some(set.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(propagation: Option<Propagation>, orphan_dependents: Option<bool>) -> DeleteOptions {
        DeleteOptions {
            propagation,
            orphan_dependents,
            ..DeleteOptions::default()
        }
    }

    #[track_caller]
    fn check(default: GcDefault, o: DeleteOptions, existing: &[&str], expected: Option<&[&str]>) {
        let existing: Vec<String> = existing.iter().map(|s| (*s).to_owned()).collect();
        let got = finalizers_after_delete(default, &o, &existing);
        let expected = expected.map(|e| e.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(got, expected);
    }

    use GcDefault::{DeleteDependents as Delete, OrphanDependents as Orphans, Unsupported};
    use Propagation::{Background, Foreground, Orphan};

    #[test]
    fn generic_registry_rules() {
        // no options: nothing for most types, orphan for batch/v1 Jobs
        check(Delete, opts(None, None), &[], None);
        check(Orphans, opts(None, None), &[], Some(&["orphan"]));
        check(Orphans, opts(Some(Background), None), &[], None);
        // explicit policies
        check(
            Delete,
            opts(Some(Foreground), None),
            &[],
            Some(&["foregroundDeletion"]),
        );
        check(Delete, opts(Some(Orphan), None), &[], Some(&["orphan"]));
        check(
            Delete,
            opts(Some(Foreground), None),
            &["example.com/a"],
            Some(&["example.com/a", "foregroundDeletion"]),
        );
        // a policy replaces the other GC finalizer
        check(
            Delete,
            opts(Some(Orphan), None),
            &["foregroundDeletion", "x/y"],
            Some(&["x/y", "orphan"]),
        );
        check(Delete, opts(Some(Background), None), &["orphan"], Some(&[]));
        // the legacy flag
        check(Delete, opts(None, Some(true)), &[], Some(&["orphan"]));
        check(Orphans, opts(None, Some(false)), &[], None);
        check(
            Delete,
            opts(None, Some(false)),
            &["foregroundDeletion"],
            Some(&[]),
        );
        // without options an existing GC finalizer wins over the default
        check(Orphans, opts(None, None), &["foregroundDeletion"], None);
        check(Delete, opts(None, None), &["orphan"], None);
        // events never get GC finalizers
        check(Unsupported, opts(Some(Foreground), None), &[], None);
    }

    #[track_caller]
    fn check_ns(o: DeleteOptions, existing: &[&str], expected: Option<&[&str]>) {
        let existing: Vec<String> = existing.iter().map(|s| (*s).to_owned()).collect();
        let got = namespace_finalizers_after_delete(&o, &existing);
        let expected = expected.map(|e| e.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(got, expected);
    }

    #[test]
    fn namespace_registry_rules() {
        check_ns(opts(None, None), &[], None);
        check_ns(
            opts(Some(Foreground), None),
            &["z/z"],
            Some(&["foregroundDeletion", "z/z"]),
        );
        check_ns(opts(None, Some(false)), &[], Some(&["foregroundDeletion"]));
        check_ns(opts(None, Some(true)), &[], Some(&["orphan"]));
        check_ns(opts(Some(Background), None), &["orphan"], Some(&[]));
    }
}
