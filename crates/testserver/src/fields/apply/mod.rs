//! Server-side apply (`application/apply-patch+yaml`): merging an applied
//! configuration into the live object, Apply ownership in managedFields,
//! removal of fields a manager stopped applying, conflicts and `force`.

mod error;
mod fields;
mod merge;
mod parse;
mod validate;

pub use self::error::{ApplyError, Conflict};
pub use self::parse::parse_apply_body;

use serde_json::{Value, json};

use self::fields::{config_field_set, remove_items, with_named_fields};
use self::merge::{merge, strip_nulls};
use crate::fields::compare::compare;
use crate::fields::managed::{
    ManagedEntry, Operation, Write, cap_update_managers, decode, encode, reset_set,
    set_managed_fields, stripped_meta, without_managed_fields,
};

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
    check_type(write, config)?;
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|v| !v.is_null())
    {
        return Err(ApplyError::ManagedFieldsInConfig);
    }
    let shape = write.info.shape();
    let errors = validate::config_errors(config, shape);
    if !errors.is_empty() {
        let text = |key: &str| config.get(key).and_then(Value::as_str).unwrap_or("");
        let namespace = config
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let name = config
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = text("apiVersion")
            .split_once('/')
            .unwrap_or(("", text("apiVersion")));
        return Err(ApplyError::InvalidConfig {
            object: format!(
                "{namespace}/{name}; {group}/{version}, Kind={}",
                text("kind")
            ),
            errors,
        });
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
    let ignored = reset_set(write);
    let mut merged = merge(Some(&live), Some(config), shape).unwrap_or_else(|| json!({}));
    let applied_set = config_field_set(config, shape).recursive_difference(&ignored);
    let me = ManagedEntry {
        manager: write.manager.to_owned(),
        operation: Operation::Apply,
        api_version: write.info.api_version(),
        time: None,
        subresource: write.subresource.unwrap_or("").to_owned(),
        fields: applied_set.clone(),
    };
    let previous = entries.iter().position(|e| e.same_manager(&me));
    let last_set = previous
        .map(|i| entries[i].fields.clone())
        .unwrap_or_default();
    let previous_time = previous.and_then(|i| entries[i].time.clone());
    if let Some(i) = previous {
        entries.remove(i);
    }

    // Fields this manager stopped applying go away when no one else owns them.
    if !last_set.is_empty() {
        let mut owned = applied_set.clone();
        for entry in &entries {
            owned = owned.union(&entry.fields);
        }
        let remove = with_named_fields(&last_set).difference(&with_named_fields(&owned));
        remove_items(&mut merged, &remove, shape);
    }

    let mut change = compare(&live, &merged, shape);
    change.filter(&ignored);
    let changed_fields = change.changed();
    let mut conflicts = Vec::new();
    for entry in &entries {
        let taken = entry.fields.intersection(&changed_fields);
        conflicts.extend(
            taken
                .iterate()
                .into_iter()
                .map(|path| Conflict::new(entry, path)),
        );
    }
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
    for entry in &mut entries {
        entry.fields = entry
            .fields
            .difference(&changed_fields)
            .difference(&change.removed);
    }
    strip_nulls(&mut merged);
    sync_last_applied(write, &live, config, &mut merged);
    let changed = merged != strip_nulls_of(&live);
    entries.push(ManagedEntry {
        fields: applied_set.difference(&stripped_meta()),
        time: if changed {
            Some(write.time.to_owned())
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

/// The client-side apply annotation kubectl keeps.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `kubectl apply --server-side` (manager `kubectl`) keeps an existing
/// client-side apply annotation up to date with the applied configuration, so
/// that a later client-side apply still works; other managers leave it alone.
fn sync_last_applied(write: &Write<'_>, live: &Value, config: &Value, merged: &mut Value) {
    let annotation = format!(
        "/metadata/annotations/{}",
        LAST_APPLIED_ANNOTATION.replace('/', "~1")
    );
    if write.manager != "kubectl" || live.pointer(&annotation).is_none() {
        return;
    }
    let mut applied = config.clone();
    if let Some(annotations) = applied
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED_ANNOTATION);
    }
    let text = format!("{}\n", crate::fields::gofmt::go_json(&applied));
    if let Some(slot) = merged.pointer_mut(&annotation) {
        *slot = Value::String(text);
    }
}

/// Moving from client-side to server-side apply: kubectl may take the fields
/// its last client-side apply set and nobody changed since, without force.
fn allowed_by_last_applied(
    live: &Value,
    shape: crate::fields::schema::Shape,
) -> Option<crate::fields::fieldset::FieldSet> {
    let annotation = format!(
        "/metadata/annotations/{}",
        LAST_APPLIED_ANNOTATION.replace('/', "~1")
    );
    let text = live
        .pointer(&annotation)?
        .as_str()
        .filter(|t| !t.is_empty())?;
    let last: Value = serde_json::from_str(text).ok()?;
    let modified = compare(&last, live, shape).modified;
    Some(config_field_set(&last, shape).difference(&modified))
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
