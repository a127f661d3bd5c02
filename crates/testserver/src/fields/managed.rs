//! `metadata.managedFields`: recording Update operations (entries are in [`crate::fields::entry`]).

use serde_json::{Map, Value, json};

use crate::fields::compare::{Comparison, compare};
pub use crate::fields::entry::{ManagedEntry, Operation, decode, encode, set_managed_fields};
use crate::fields::fieldset::FieldSet;
use crate::fields::path::PathElement;
use crate::fields::schema::TypeInfo;
use crate::fields::versions::{OneVersion, Versions, compare_seen_in};

/// Most Update managers an object keeps; older ones merge into `ancient-changes`.
pub const MAX_UPDATE_MANAGERS: usize = 10;

/// Who writes, and when: the context of one recorded operation.
///
/// ```
/// use kubeset_testserver::fields::managed::Write;
/// use kubeset_testserver::fields::schema::lookup;
///
/// // A kubelet-like status update of a node.
/// let write = Write {
///     info: lookup("v1", "Node").unwrap(),
///     manager: "kubelet",
///     subresource: Some("status"),
///     time: "2026-01-01T00:00:00Z",
/// };
/// assert_eq!(write.info.kind, "Node");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    /// The stored type.
    pub info: &'a TypeInfo,
    /// The field manager (see [`crate::fields::manager::manager_name`]).
    pub manager: &'a str,
    /// The subresource written (`None`: the main resource).
    pub subresource: Option<&'a str>,
    /// The time to record, RFC 3339 (stored as the server does: UTC, whole
    /// seconds, `2026-01-01T00:00:00Z`).
    pub time: &'a str,
}

/// The managedFields after an Update operation (create, update, merge/JSON/
/// strategic patch, subresource write) that turned `old` into `new`.
///
/// `old` is `None` for a create. `new` is the object after defaulting and
/// before admission, so that defaulted fields belong to the writer and fields
/// added by admission belong to no one. Its `metadata.managedFields`, when
/// present and valid, is the starting point (clients may edit managedFields;
/// an empty list or a list with one empty entry resets them); otherwise
/// `old`'s is. Changed and added fields move to the writer, removed fields
/// leave their owners, entries left empty are dropped. Never fails: invalid
/// managedFields are ignored, as the server does.
///
/// ```
/// use kubeset_testserver::fields::managed::{Write, record_update};
/// use kubeset_testserver::fields::schema::lookup;
/// use serde_json::json;
///
/// let write = Write {
///     info: lookup("v1", "ConfigMap").unwrap(),
///     manager: "k8s-transcript",
///     subresource: None,
///     time: "2026-01-01T00:00:00Z",
/// };
/// let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
/// let managed = record_update(&write, None, &cm);
/// assert_eq!(managed[0]["fieldsV1"], json!({"f:data": {".": {}, "f:a": {}}}));
/// ```
pub fn record_update(write: &Write<'_>, old: Option<&Value>, new: &Value) -> Vec<Value> {
    record_update_across(write, old, new, &OneVersion)
}

/// [`record_update`] of an object served in several API versions: `old` and `new` are in the
/// writer's version, and a manager of another version loses the fields that changed or went
/// in *its* version, as structured-merge-diff's `Updater` compares the objects converted to
/// each manager's version (`versions`; a version it cannot convert to is read as the
/// writer's). Each entry keeps its own `apiVersion`.
///
/// ```
/// use kubeset_testserver::fields::managed::{Write, record_update_across};
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
/// let write = Write {
///     info: lookup("v1", "Event").unwrap(),
///     manager: "new",
///     subresource: None,
///     time: "2026-01-01T00:00:00Z",
/// };
/// // `old` wrote the note in events.k8s.io/v1
/// let old = json!({"metadata": {"managedFields": [{"manager": "old", "operation": "Update",
///     "apiVersion": "events.k8s.io/v1", "time": "2025-01-01T00:00:00Z", "fieldsType": "FieldsV1",
///     "fieldsV1": {"f:note": {}, "f:reason": {}}}]}, "message": "1", "reason": "R"});
/// let new = json!({"metadata": old["metadata"].clone(), "message": "2", "reason": "R"});
/// let managed = record_update_across(&write, Some(&old), &new, &Renames);
/// assert_eq!(managed[0]["fieldsV1"], json!({"f:reason": {}}));
/// assert_eq!(managed[0]["apiVersion"], "events.k8s.io/v1");
/// assert_eq!(managed[1]["fieldsV1"], json!({"f:message": {}}));
/// ```
pub fn record_update_across(
    write: &Write<'_>,
    old: Option<&Value>,
    new: &Value,
    versions: &dyn Versions,
) -> Vec<Value> {
    let mut entries = starting_entries(write, old, new);
    let mut change = compare_in(write.info, old, new);
    reset(write, &mut change);
    let changed = change.changed();
    let version = write.info.api_version();
    let mut others: Vec<(String, Option<Comparison>)> = Vec::new();
    for entry in &mut entries {
        if entry.api_version != version {
            let found = match others.iter().find(|(v, _)| *v == entry.api_version) {
                Some((_, found)) => found.clone(),
                None => {
                    let found = compare_seen_in(versions, write.info, old, new, &entry.api_version);
                    others.push((entry.api_version.clone(), found.clone()));
                    found
                }
            };
            if let Some(theirs) = found {
                entry.fields = entry
                    .fields
                    .difference(&theirs.changed())
                    .difference(&theirs.removed);
                continue;
            }
        }
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&change.removed);
    }
    let taken = changed.difference(&stripped_meta());
    let writer = ManagedEntry {
        manager: write.manager.to_owned(),
        operation: Operation::Update,
        api_version: write.info.api_version(),
        time: Some(crate::fields::time::normalize(write.time)),
        subresource: write.subresource.unwrap_or("").to_owned(),
        fields: taken,
    };
    if !writer.fields.is_empty() {
        match entries.iter_mut().find(|e| e.same_manager(&writer)) {
            Some(previous) => {
                previous.fields = previous.fields.union(&writer.fields);
                previous.time = writer.time;
            }
            None => entries.push(writer),
        }
    }
    entries.retain(|e| !e.fields.is_empty());
    cap_update_managers(&mut entries);
    encode(&entries)
}

/// The change from `old` (the type's zero object for a create) to `new` under `info`'s
/// shape, `managedFields` left out.
///
/// ```
/// use kubeset_testserver::fields::managed::compare_in;
/// use kubeset_testserver::fields::schema::lookup;
/// use serde_json::json;
///
/// let info = lookup("v1", "ConfigMap").unwrap();
/// let old = json!({"metadata": {"name": "c"}, "data": {"a": "1"}});
/// let new = json!({"metadata": {"name": "c"}, "data": {"a": "2", "b": "3"}});
/// let change = compare_in(info, Some(&old), &new);
/// assert_eq!(change.modified.to_fields_v1(), json!({"f:data": {"f:a": {}}}));
/// assert_eq!(change.added.to_fields_v1(), json!({"f:data": {"f:b": {}}}));
/// ```
pub fn compare_in(info: &TypeInfo, old: Option<&Value>, new: &Value) -> Comparison {
    let zero;
    let old = match old {
        Some(old) => old,
        None => {
            zero = serde_json::from_str(info.zero).unwrap_or_else(|_| json!({}));
            &zero
        }
    };
    compare(
        &without_managed_fields(old),
        &without_managed_fields(new),
        info.shape(),
    )
}

/// The entries an operation starts from (see [`record_update`]).
pub(crate) fn starting_entries(
    write: &Write<'_>,
    old: Option<&Value>,
    new: &Value,
) -> Vec<ManagedEntry> {
    let from_old = || {
        old.map(|old| decode(old).unwrap_or_default())
            .unwrap_or_default()
    };
    if write.subresource.is_some() {
        return from_old();
    }
    match new.pointer("/metadata/managedFields") {
        Some(Value::Array(list)) if list.is_empty() => return Vec::new(),
        Some(Value::Array(list))
            if list.len() == 1 && list[0].as_object().is_some_and(Map::is_empty) =>
        {
            return Vec::new();
        }
        _ => {}
    }
    match decode(new) {
        Ok(entries) if !entries.is_empty() => entries,
        _ => from_old(),
    }
}

pub(crate) fn without_managed_fields(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(metadata) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
    copy
}

/// Drops from `change` what the write's strategy resets or does not keep, which no manager
/// of it takes.
pub(crate) fn reset(write: &Write<'_>, change: &mut Comparison) {
    change.filter(&reset_set(write));
    if let Some(prefixes) = write.info.kept_prefixes(write.subresource) {
        change.keep_prefixes(prefixes);
    }
}

/// `set` without what the write's strategy resets or does not keep.
pub(crate) fn writable(write: &Write<'_>, set: &FieldSet) -> FieldSet {
    let set = set.recursive_difference(&reset_set(write));
    match write.info.kept_prefixes(write.subresource) {
        Some(prefixes) => set.keep_prefixes(prefixes),
        None => set,
    }
}

/// The fields the write's strategy resets, which no manager of it takes.
pub(crate) fn reset_set(write: &Write<'_>) -> FieldSet {
    let mut set = FieldSet::default();
    for path in write.info.reset_paths(write.subresource) {
        let elements: Vec<PathElement> = path.into_iter().map(PathElement::field).collect();
        set.insert(&elements);
    }
    set
}

/// Fields never recorded for the writer: type and server-owned metadata.
pub(crate) fn stripped_meta() -> FieldSet {
    let mut set = FieldSet::default();
    set.insert(&[PathElement::field("apiVersion")]);
    set.insert(&[PathElement::field("kind")]);
    set.insert(&[PathElement::field("metadata")]);
    for name in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        set.insert(&[PathElement::field("metadata"), PathElement::field(name)]);
    }
    set
}

/// Merges the oldest Update entries into `ancient-changes` (one per API
/// version) while there are more than [`MAX_UPDATE_MANAGERS`].
pub(crate) fn cap_update_managers(entries: &mut Vec<ManagedEntry>) {
    let updaters = entries
        .iter()
        .filter(|e| e.operation == Operation::Update)
        .count();
    if updaters <= MAX_UPDATE_MANAGERS {
        return;
    }
    let (mut updates, applies): (Vec<ManagedEntry>, Vec<ManagedEntry>) = entries
        .drain(..)
        .partition(|e| e.operation == Operation::Update);
    updates.sort_by(|a, b| {
        a.seconds()
            .cmp(&b.seconds())
            .then_with(|| a.manager.cmp(&b.manager))
    });
    let mut length = updates.len();
    let mut kept: Vec<ManagedEntry> = Vec::new();
    let mut first_of_version: Vec<(String, usize)> = Vec::new();
    for entry in updates {
        if length <= MAX_UPDATE_MANAGERS {
            kept.push(entry);
            continue;
        }
        match first_of_version
            .iter()
            .find(|(v, _)| *v == entry.api_version)
        {
            Some((_, at)) => {
                let bucket = &mut kept[*at];
                bucket.manager = "ancient-changes".to_owned();
                bucket.subresource = String::new();
                bucket.fields = bucket.fields.union(&entry.fields);
                bucket.time = entry.time;
                length -= 1;
            }
            None => {
                first_of_version.push((entry.api_version.clone(), kept.len()));
                kept.push(entry);
            }
        }
    }
    entries.extend(applies);
    entries.extend(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::schema::lookup;

    fn write<'a>(manager: &'a str, subresource: Option<&'a str>, time: &'a str) -> Write<'a> {
        Write {
            info: lookup("v1", "ConfigMap").unwrap(),
            manager,
            subresource,
            time,
        }
    }

    fn cm(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n", "uid": "u"}, "data": data})
    }

    fn with(mut object: Value, managed: Vec<Value>) -> Value {
        set_managed_fields(&mut object, managed);
        object
    }

    #[track_caller]
    fn check(managed: &[Value], expected: Value) {
        let got: Vec<Value> = managed
            .iter()
            .map(|e| json!([e["manager"], e["time"], e.get("subresource"), e["fieldsV1"]]))
            .collect();
        assert_eq!(Value::Array(got), expected);
    }

    #[test]
    fn writers_take_changed_fields_from_others() {
        let v1 = with(
            cm(json!({"a": "1", "b": "1"})),
            record_update(
                &write("x", None, "t1"),
                None,
                &cm(json!({"a": "1", "b": "1"})),
            ),
        );
        let managed = record_update(
            &write("y", None, "t2"),
            Some(&v1),
            &with(cm(json!({"a": "2", "b": "1"})), decode_raw(&v1)),
        );
        check(
            &managed,
            json!([
                ["x", "t1", null, {"f:data": {".": {}, "f:b": {}}}],
                ["y", "t2", null, {"f:data": {"f:a": {}}}],
            ]),
        );
    }

    #[test]
    fn removed_fields_leave_their_owners_and_empty_entries_go() {
        let v1 = with(
            cm(json!({"a": "1"})),
            record_update(&write("x", None, "t1"), None, &cm(json!({"a": "1"}))),
        );
        let mut v2 = cm(json!({}));
        v2.as_object_mut().unwrap().remove("data");
        let managed = record_update(
            &write("y", None, "t2"),
            Some(&v1),
            &with(v2, decode_raw(&v1)),
        );
        assert!(managed.is_empty());
    }

    #[test]
    fn a_write_that_changes_nothing_keeps_the_time() {
        let v1 = with(
            cm(json!({"a": "1"})),
            record_update(&write("x", None, "t1"), None, &cm(json!({"a": "1"}))),
        );
        let managed = record_update(&write("x", None, "t2"), Some(&v1), &v1);
        check(
            &managed,
            json!([["x", "t1", null, {"f:data": {".": {}, "f:a": {}}}]]),
        );
    }

    #[test]
    fn managers_differ_by_subresource_and_version() {
        let v1 = with(
            cm(json!({"a": "1"})),
            record_update(&write("x", None, "t1"), None, &cm(json!({"a": "1"}))),
        );
        let managed = record_update(
            &write("x", Some("status"), "t2"),
            Some(&v1),
            &cm(json!({"a": "1", "b": "2"})),
        );
        check(
            &managed,
            json!([
                ["x", "t1", null, {"f:data": {".": {}, "f:a": {}}}],
                ["x", "t2", "status", {"f:data": {"f:b": {}}}],
            ]),
        );
    }

    #[test]
    fn clients_may_reset_managed_fields() {
        let v1 = with(
            cm(json!({"a": "1"})),
            record_update(&write("x", None, "t1"), None, &cm(json!({"a": "1"}))),
        );
        for reset in [json!([]), json!([{}])] {
            let mut new = v1.clone();
            new["metadata"]["managedFields"] = reset;
            assert!(record_update(&write("y", None, "t2"), Some(&v1), &new).is_empty());
        }
        // Invalid managedFields in the request fall back to the live ones.
        let mut new = v1.clone();
        new["metadata"]["managedFields"] = json!([{"manager": "z", "operation": "Bogus"}]);
        check(
            &record_update(&write("y", None, "t2"), Some(&v1), &new),
            json!([["x", "t1", null, {"f:data": {".": {}, "f:a": {}}}]]),
        );
    }

    #[test]
    fn server_metadata_is_never_owned() {
        let mut object = cm(json!({"a": "1"}));
        object["metadata"]["generateName"] = json!("c-");
        object["metadata"]["resourceVersion"] = json!("5");
        object["metadata"]["generation"] = json!(1);
        object["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
        let managed = record_update(&write("x", None, "t1"), None, &object);
        check(
            &managed,
            json!([["x", "t1", null, {"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:generateName": {}}}]]),
        );
    }

    #[test]
    fn times_are_stored_in_utc_seconds() {
        let managed = record_update(
            &write("x", None, "2026-01-01T01:00:00.123+01:00"),
            None,
            &cm(json!({"a": "1"})),
        );
        assert_eq!(managed[0]["time"], "2026-01-01T00:00:00Z");
    }

    #[test]
    fn at_most_ten_update_managers() {
        let mut object = cm(json!({}));
        for i in 0..12 {
            let time = format!("t{i:02}");
            let manager = format!("m{i:02}");
            let mut new = object.clone();
            new["data"][format!("k{i}")] = json!("v");
            let managed = record_update(&write(&manager, None, &time), Some(&object), &new);
            set_managed_fields(&mut new, managed);
            object = new;
        }
        let managed = object["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(managed.len(), 10);
        assert_eq!(managed[0]["manager"], "ancient-changes");
        assert_eq!(
            managed[0]["fieldsV1"],
            json!({"f:data": {".": {}, "f:k0": {}, "f:k1": {}, "f:k2": {}}})
        );
    }

    fn decode_raw(object: &Value) -> Vec<Value> {
        object["metadata"]["managedFields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}
