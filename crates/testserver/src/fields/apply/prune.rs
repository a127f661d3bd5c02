//! Removing what an applier stopped applying (structured-merge-diff's `Updater.prune`): the
//! fields of its last applied set, in the version it applied them in, that no manager owns in
//! its own version.

use serde_json::Value;

use super::fields::{config_field_set, remove_items, with_named_fields};
use crate::fields::fieldset::FieldSet;
use crate::fields::managed::ManagedEntry;
use crate::fields::schema::{Shape, TypeInfo, lookup};
use crate::fields::versions::Versions;

/// Who owns what while an apply prunes.
pub(super) struct Owners<'a> {
    /// The applied type and version.
    pub(super) info: &'a TypeInfo,
    /// The conversions between the object's versions.
    pub(super) versions: &'a dyn Versions,
    /// The applier's new set, in the applied version.
    pub(super) applied: &'a FieldSet,
    /// Every other manager.
    pub(super) others: &'a [ManagedEntry],
}

impl Owners<'_> {
    /// `version` when the object converts there, else the applied version (its paths are then
    /// read as the applier's).
    fn effective(&self, version: &str, merged: &Value) -> String {
        let own = self.info.api_version();
        if version != own
            && lookup(version, self.info.kind).is_some()
            && self.versions.convert(merged, &own, version).is_some()
        {
            version.to_owned()
        } else {
            own
        }
    }

    fn shape(&self, version: &str) -> Shape {
        lookup(version, self.info.kind).unwrap_or(self.info).shape()
    }

    fn convert(&self, object: &Value, from: &str, to: &str) -> Value {
        self.versions
            .convert(object, from, to)
            .unwrap_or_else(|| object.clone())
    }

    /// The owned fields per version, `first` first.
    fn by_version(&self, merged: &Value, first: &str) -> Vec<(String, FieldSet)> {
        let mut out: Vec<(String, FieldSet)> = vec![(first.to_owned(), FieldSet::default())];
        let own = self.info.api_version();
        let sets = std::iter::once((own.as_str(), self.applied)).chain(
            self.others
                .iter()
                .map(|e| (e.api_version.as_str(), &e.fields)),
        );
        for (version, set) in sets {
            let version = self.effective(version, merged);
            match out.iter_mut().find(|(v, _)| *v == version) {
                Some((_, owned)) => *owned = owned.union(set),
                None => out.push((version, set.clone())),
            }
        }
        out
    }
}

/// Fields `last` (the applier's previous entry) holds and no longer applies go away when no
/// manager owns them, named parents included, so emptied structs go too.
pub(super) fn prune(merged: &mut Value, last: &ManagedEntry, owners: &Owners<'_>) {
    let own = owners.info.api_version();
    let last_version = owners.effective(&last.api_version, merged);
    let owned = owners.by_version(merged, &last_version);
    if owned.iter().all(|(v, _)| *v == own) {
        let all = owned
            .iter()
            .fold(FieldSet::default(), |acc, (_, set)| acc.union(set));
        let remove = with_named_fields(&last.fields).difference(&with_named_fields(&all));
        remove_items(merged, &remove, owners.info.shape());
        return;
    }
    *merged = prune_across(merged, last, &last_version, &owned, owners);
}

/// `Updater.prune` over versions: remove the last applied set in its version, add back what
/// each version's managers own (`addBackOwnedItems`, the pruned version first), then keep only
/// removals of the last applied set (`addBackDanglingItems`); the result in the applied version.
fn prune_across(
    merged: &Value,
    last: &ManagedEntry,
    last_version: &str,
    owned: &[(String, FieldSet)],
    owners: &Owners<'_>,
) -> Value {
    let own = owners.info.api_version();
    let members =
        |object: &Value, shape: Shape| with_named_fields(&config_field_set(object, shape));
    let last_shape = owners.shape(last_version);
    let last_set = with_named_fields(&last.fields);
    let merged_last = owners.convert(merged, &own, last_version);
    let mut pruned = merged_last.clone();
    remove_items(&mut pruned, &last_set, last_shape);

    let (mut whole, mut at) = (merged_last.clone(), last_version.to_owned());
    for (version, set) in owned {
        let shape = owners.shape(version);
        let whole_here = owners.convert(&whole, &at, version);
        let pruned_here = owners.convert(&pruned, &at, version);
        let keep = members(&pruned_here, shape).union(&with_named_fields(set));
        let remove = members(&whole_here, shape).difference(&keep);
        pruned = whole_here.clone();
        remove_items(&mut pruned, &remove, shape);
        (whole, at) = (whole_here, version.clone());
    }

    let pruned_last = owners.convert(&pruned, &at, last_version);
    let remove = members(&merged_last, last_shape)
        .difference(&members(&pruned_last, last_shape))
        .intersection(&last_set);
    let mut out = merged_last;
    remove_items(&mut out, &remove, last_shape);
    owners.convert(&out, last_version, &own)
}
