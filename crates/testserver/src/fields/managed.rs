//! `metadata.managedFields`: decoding, encoding, and recording Update operations.

use serde_json::{Map, Value, json};

use crate::fields::compare::compare;
use crate::fields::error::FieldsError;
use crate::fields::fieldset::FieldSet;
use crate::fields::path::PathElement;
use crate::fields::schema::TypeInfo;

/// Most Update managers an object keeps; older ones merge into `ancient-changes`.
pub const MAX_UPDATE_MANAGERS: usize = 10;

/// The operation of a managedFields entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    /// Server-side apply.
    Apply,
    /// Any other write (create, update, non-apply patch, subresource writes).
    Update,
}

impl Operation {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One `metadata.managedFields` entry with its field set decoded.
///
/// ```
/// use kubeset_testserver::fields::managed::ManagedEntry;
/// use serde_json::json;
///
/// let raw = json!({"manager": "ctl", "operation": "Apply", "apiVersion": "v1",
///     "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}});
/// let entry = ManagedEntry::from_json(0, &raw).unwrap();
/// assert_eq!(entry.manager, "ctl");
/// assert_eq!(entry.to_json(), raw);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedEntry {
    /// The field manager.
    pub manager: String,
    /// Apply or Update.
    pub operation: Operation,
    /// The API version the fields were written in.
    pub api_version: String,
    /// When the entry last took fields (RFC 3339, seconds, UTC).
    pub time: Option<String>,
    /// The subresource written (`""` for the main resource).
    pub subresource: String,
    /// The fields owned.
    pub fields: FieldSet,
}

impl ManagedEntry {
    /// Whether `self` and `other` are the same manager: same name, operation and
    /// subresource, and for Update also the same API version.
    pub fn same_manager(&self, other: &ManagedEntry) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == Operation::Apply || self.api_version == other.api_version)
    }

    /// Decodes entry number `index` of a managedFields list.
    pub fn from_json(index: usize, value: &Value) -> Result<ManagedEntry, FieldsError> {
        let bad = |reason| FieldsError::BadManagedFieldsEntry { index, reason };
        let object = value.as_object().ok_or_else(|| bad("not an object"))?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or("");
        let operation = match text("operation") {
            "Apply" => Operation::Apply,
            "Update" => Operation::Update,
            _ => return Err(bad("operation must be `Apply` or `Update`")),
        };
        if text("apiVersion").is_empty() {
            return Err(bad("apiVersion must not be empty"));
        }
        match text("fieldsType") {
            "FieldsV1" => {}
            "" => return Err(bad("missing fieldsType")),
            _ => return Err(bad("invalid fieldsType")),
        }
        let fields = match object.get("fieldsV1") {
            None | Some(Value::Null) => FieldSet::default(),
            Some(fields) => FieldSet::from_fields_v1(fields)?,
        };
        Ok(ManagedEntry {
            manager: text("manager").to_owned(),
            operation,
            api_version: text("apiVersion").to_owned(),
            time: object
                .get("time")
                .and_then(Value::as_str)
                .map(str::to_owned),
            subresource: text("subresource").to_owned(),
            fields,
        })
    }

    /// The entry as the server writes it.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if !self.manager.is_empty() {
            out.insert("manager".into(), json!(self.manager));
        }
        out.insert("operation".into(), json!(self.operation.as_str()));
        out.insert("apiVersion".into(), json!(self.api_version));
        if let Some(time) = &self.time {
            out.insert("time".into(), json!(time));
        }
        out.insert("fieldsType".into(), json!("FieldsV1"));
        out.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if !self.subresource.is_empty() {
            out.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(out)
    }
}

/// Decodes an object's `metadata.managedFields` (absent or null: no entries).
/// Entries of the same manager: the later one wins, as in the server.
pub fn decode(object: &Value) -> Result<Vec<ManagedEntry>, FieldsError> {
    let list = match object.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(FieldsError::ManagedFieldsNotAList),
    };
    let mut entries: Vec<ManagedEntry> = Vec::with_capacity(list.len());
    for (index, raw) in list.iter().enumerate() {
        let entry = ManagedEntry::from_json(index, raw)?;
        entries.retain(|e| !e.same_manager(&entry));
        entries.push(entry);
    }
    Ok(entries)
}

/// Encodes entries in the server's order: Apply before Update, then by time,
/// manager, API version and subresource. Entries with no fields are dropped.
pub fn encode(entries: &[ManagedEntry]) -> Vec<Value> {
    let mut sorted: Vec<&ManagedEntry> = entries.iter().filter(|e| !e.fields.is_empty()).collect();
    sorted.sort_by(|a, b| {
        a.operation
            .cmp(&b.operation)
            .then_with(|| a.time.cmp(&b.time))
            .then_with(|| a.manager.cmp(&b.manager))
            .then_with(|| a.api_version.cmp(&b.api_version))
            .then_with(|| a.subresource.cmp(&b.subresource))
    });
    sorted.into_iter().map(ManagedEntry::to_json).collect()
}

/// Sets `metadata.managedFields` of `object` to `entries` (removes it when empty).
pub fn set_managed_fields(object: &mut Value, entries: Vec<Value>) {
    let Some(object) = object.as_object_mut() else {
        return;
    };
    let metadata = object
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(metadata) = metadata.as_object_mut() {
        if entries.is_empty() {
            metadata.remove("managedFields");
        } else {
            metadata.insert("managedFields".into(), Value::Array(entries));
        }
    }
}

/// Who writes, and when: the context of one recorded operation.
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    /// The stored type.
    pub info: &'a TypeInfo,
    /// The field manager (see [`crate::fields::manager::manager_name`]).
    pub manager: &'a str,
    /// The subresource written (`None`: the main resource).
    pub subresource: Option<&'a str>,
    /// The time to record (RFC 3339 with seconds, UTC: `2026-01-01T00:00:00Z`).
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
    let mut entries = starting_entries(write, old, new);
    let zero;
    let old = match old {
        Some(old) => old,
        None => {
            zero = serde_json::from_str(write.info.zero).unwrap_or_else(|_| json!({}));
            &zero
        }
    };
    let mut change = compare(
        &without_managed_fields(old),
        &without_managed_fields(new),
        write.info.shape(),
    );
    change.filter(&reset_set(write));
    let changed = change.changed();
    for entry in &mut entries {
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
        time: Some(write.time.to_owned()),
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
fn cap_update_managers(entries: &mut Vec<ManagedEntry>) {
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
        seconds(a)
            .cmp(seconds(b))
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

fn seconds(entry: &ManagedEntry) -> &str {
    entry.time.as_deref().unwrap_or("")
}
