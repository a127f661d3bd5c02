//! Server-side apply (`application/apply-patch+yaml`): merging an applied
//! configuration into the live object, Apply ownership in managedFields,
//! removal of fields a manager stopped applying, conflicts and `force`.

mod error;
mod fields;
mod last_applied;
mod merge;
mod parse;
mod prune;
mod validate;

pub use self::error::{ApplyError, Conflict};
pub use self::last_applied::LAST_APPLIED_ANNOTATION;
pub use self::parse::parse_apply_body;

use serde_json::{Value, json};

use self::fields::config_field_set;
use self::last_applied::{allowed_by_last_applied, sync_last_applied};
use self::merge::{merge, strip_nulls};
use self::prune::Owners;
use crate::fields::compare::{Comparison, compare};
use crate::fields::managed::{
    ManagedEntry, Operation, Write, cap_update_managers, decode, encode, reset, set_managed_fields,
    stripped_meta, without_managed_fields, writable,
};
use crate::fields::schema::lookup;
use crate::fields::versions::{OneVersion, Versions, compare_seen_in};

/// The outcome of an apply.
///
/// ```
/// use kubeset_testserver::fields::apply::apply;
/// use kubeset_testserver::fields::managed::Write;
/// use kubeset_testserver::fields::schema::lookup;
/// use serde_json::json;
///
/// let write = Write { info: lookup("v1", "ConfigMap").unwrap(), manager: "a", subresource: None,
///     time: "2026-01-01T00:00:00Z" };
/// let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
/// let created = apply(&write, None, &config, false).unwrap();
/// let again = apply(&write, Some(&created.object), &config, false).unwrap();
/// assert!(created.changed && !again.changed); // the server then stores nothing
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The object after the apply, with its new `metadata.managedFields`;
    /// still to be defaulted, admitted and validated by the server.
    pub object: Value,
    /// Whether the object (not counting managedFields) differs from the live one.
    pub changed: bool,
}

/// Applies `config` (see [`parse_apply_body`]) as `write.manager` to `live`
/// (`None`: the object does not exist yet and is created).
///
/// The applier owns exactly the fields of its configuration; fields it
/// applied last time and no longer does are removed unless another manager
/// owns them; values changed in fields other managers own are conflicts
/// unless `force` is set, in which case those managers lose the fields.
///
/// ```
/// use kubeset_testserver::fields::apply::apply;
/// use kubeset_testserver::fields::managed::Write;
/// use kubeset_testserver::fields::schema::lookup;
/// use serde_json::json;
///
/// let write = Write { info: lookup("v1", "ConfigMap").unwrap(), manager: "ctl-a", subresource: None,
///     time: "2026-01-01T00:00:00Z" };
/// let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app"}, "data": {"a": "1"}});
/// let applied = apply(&write, None, &config, false).unwrap();
/// assert_eq!(applied.object["data"]["a"], "1");
/// assert_eq!(applied.object["metadata"]["managedFields"][0]["operation"], "Apply");
/// ```
pub fn apply(
    write: &Write<'_>,
    live: Option<&Value>,
    config: &Value,
    force: bool,
) -> Result<Applied, ApplyError> {
    apply_across(write, live, config, force, &OneVersion)
}

/// [`apply`] to an object served in several API versions: `live` and `config` are in the
/// applier's version, and each other manager is judged in its own (`versions` converts the
/// objects there, as kube-apiserver's field manager does): a field the apply changes or
/// removes in that version leaves it, a change to one it owns is a conflict reported with its
/// own path, and fields it owns there keep the applier from pruning them.
///
/// ```
/// use kubeset_testserver::fields::apply::{ApplyError, apply_across};
/// use kubeset_testserver::fields::managed::Write;
/// use kubeset_testserver::fields::schema::lookup;
/// use kubeset_testserver::fields::versions::Versions;
/// use serde_json::{Value, json};
///
/// /// Events: core/v1 `message` is events.k8s.io/v1 `note`.
/// struct Renames;
/// impl Versions for Renames {
///     fn convert(&self, object: &Value, from: &str, to: &str) -> Option<Value> {
///         let (a, b) = if to == "v1" { ("note", "message") } else { ("message", "note") };
///         let mut out = object.clone();
///         if from != to && let Some(v) = out.as_object_mut().and_then(|m| m.remove(a)) {
///             out[b] = v;
///         }
///         Some(out)
///     }
/// }
/// let write = Write { info: lookup("v1", "Event").unwrap(), manager: "core", subresource: None,
///     time: "2026-01-01T00:00:00Z" };
/// let live = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "managedFields": [
///     {"manager": "new", "operation": "Update", "apiVersion": "events.k8s.io/v1",
///      "time": "2025-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:note": {}}}]},
///     "message": "hi"});
/// let config = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "message": "bye"});
/// let Err(ApplyError::Conflicts { conflicts }) = apply_across(&write, Some(&live), &config, false, &Renames)
/// else { panic!() };
/// assert_eq!(conflicts[0].owner(), "\"new\" using events.k8s.io/v1");
/// assert_eq!(conflicts[0].path[0].to_string(), ".note");
/// ```
pub fn apply_across(
    write: &Write<'_>,
    live: Option<&Value>,
    config: &Value,
    force: bool,
    versions: &dyn Versions,
) -> Result<Applied, ApplyError> {
    check_type(write, config)?;
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|v| !v.is_null())
    {
        return Err(ApplyError::ManagedFieldsInConfig);
    }
    let shape = write.info.shape();
    let node = crate::fields::known::root(&write.info.api_version(), write.info.kind)
        .unwrap_or(crate::fields::known::Node::Any);
    let errors = validate::config_errors(config, shape, node);
    if !errors.is_empty() {
        return Err(invalid_config(config, errors));
    }
    let mut entries = live
        .map(|l| decode(l).unwrap_or_default())
        .unwrap_or_default();
    let zero;
    let live = match live {
        Some(live) => without_managed_fields(live),
        None => {
            zero = serde_json::from_str(write.info.zero).unwrap_or_else(|_| json!({}));
            without_managed_fields(&zero)
        }
    };
    let mut merged = merge(Some(&live), Some(config), shape).unwrap_or_else(|| json!({}));
    let applied_set = writable(write, &config_field_set(config, shape));
    let me = ManagedEntry {
        manager: write.manager.to_owned(),
        operation: Operation::Apply,
        api_version: write.info.api_version(),
        time: None,
        subresource: write.subresource.unwrap_or("").to_owned(),
        fields: applied_set.clone(),
    };
    let previous = entries
        .iter()
        .position(|e| e.same_manager(&me))
        .map(|i| entries.remove(i));
    let previous_time = previous.as_ref().and_then(|e| e.time.clone());

    if let Some(last) = previous.as_ref().filter(|e| !e.fields.is_empty()) {
        let owners = Owners {
            info: write.info,
            versions,
            applied: &applied_set,
            others: &entries,
        };
        prune::prune(&mut merged, last, &owners);
    }
    let mut change = compare(&live, &merged, shape);
    reset(write, &mut change);
    let seen = seen_by_each(write, versions, &entries, (&live, &merged), &change);
    let mut conflicts = conflicts_with(&entries, &seen);
    if !conflicts.is_empty() && !force {
        if write.manager == "kubectl"
            && let Some(allowed) = allowed_by_last_applied(&live, shape)
        {
            conflicts.retain(|c| !allowed.has(&c.path));
        }
        if !conflicts.is_empty() {
            conflicts.sort_by_key(Conflict::identifier);
            return Err(ApplyError::Conflicts { conflicts });
        }
    }
    for (entry, theirs) in entries.iter_mut().zip(&seen) {
        entry.fields = entry
            .fields
            .difference(&theirs.changed())
            .difference(&theirs.removed);
    }
    strip_nulls(&mut merged);
    let changed = merged != strip_nulls_of(&live);
    sync_last_applied(write, &live, config, &mut merged);
    entries.push(ManagedEntry {
        fields: applied_set.difference(&stripped_meta()),
        time: if changed {
            Some(crate::fields::time::normalize(write.time))
        } else {
            previous_time
        },
        ..me
    });
    entries.retain(|e| !e.fields.is_empty());
    cap_update_managers(&mut entries);
    set_managed_fields(&mut merged, encode(&entries));
    Ok(Applied {
        object: merged,
        changed,
    })
}

/// The change of the apply as each other manager sees it: in its own version when that is
/// another one the object converts to, else the applier's `change`.
fn seen_by_each(
    write: &Write<'_>,
    versions: &dyn Versions,
    others: &[ManagedEntry],
    (live, merged): (&Value, &Value),
    change: &Comparison,
) -> Vec<Comparison> {
    let version = write.info.api_version();
    let mut by_version: Vec<(&str, Option<Comparison>)> = Vec::new();
    others
        .iter()
        .map(|entry| {
            if entry.api_version == version {
                return change.clone();
            }
            let found = match by_version.iter().find(|(v, _)| *v == entry.api_version) {
                Some((_, found)) => found.clone(),
                None => {
                    let found = seen_in(write, versions, (live, merged), &entry.api_version);
                    by_version.push((&entry.api_version, found.clone()));
                    found
                }
            };
            found.unwrap_or_else(|| change.clone())
        })
        .collect()
}

/// The apply's change in API version `to`, without the fields that version's strategy resets.
fn seen_in(
    write: &Write<'_>,
    versions: &dyn Versions,
    (live, merged): (&Value, &Value),
    to: &str,
) -> Option<Comparison> {
    let mut change = compare_seen_in(versions, write.info, Some(live), merged, to)?;
    if let Some(info) = lookup(to, write.info.kind) {
        reset(&Write { info, ..*write }, &mut change);
    }
    Some(change)
}

/// The fields of other managers that the apply changes, each in its manager's version.
fn conflicts_with(others: &[ManagedEntry], seen: &[Comparison]) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (entry, theirs) in others.iter().zip(seen) {
        let taken = entry.fields.intersection(&theirs.changed());
        conflicts.extend(
            taken
                .iterate()
                .into_iter()
                .map(|path| Conflict::new(entry, path)),
        );
    }
    conflicts
}

/// The 500 for a configuration structured-merge-diff cannot type.
fn invalid_config(config: &Value, errors: Vec<String>) -> ApplyError {
    let text = |pointer: &str| {
        config
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let api_version = text("/apiVersion");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    ApplyError::InvalidConfig {
        object: format!(
            "{}/{}; {group}/{version}, Kind={}",
            text("/metadata/namespace"),
            text("/metadata/name"),
            text("/kind")
        ),
        errors,
    }
}

fn strip_nulls_of(value: &Value) -> Value {
    let mut value = value.clone();
    strip_nulls(&mut value);
    value
}

/// The configuration must be of the resource's group, version and kind.
fn check_type(write: &Write<'_>, config: &Value) -> Result<(), ApplyError> {
    let text = |key: &str| config.get(key).and_then(Value::as_str).unwrap_or("");
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let info = write.info;
    if group == info.group && version == info.version && kind == info.kind {
        return Ok(());
    }
    Err(ApplyError::InvalidObjectType {
        gvk: format!("{group}/{version}, Kind={kind}"),
    })
}

#[cfg(test)]
mod invariants;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod versions_tests;
