//! `metadata.managedFields` entries: decoding and encoding as the server does.

use serde_json::{Map, Value, json};

use crate::fields::error::FieldsError;
use crate::fields::fieldset::FieldSet;

/// The operation of a managedFields entry.
///
/// ```
/// use kubeset_testserver::fields::managed::Operation;
///
/// assert_eq!(Operation::Apply.as_str(), "Apply");
/// assert!(Operation::Apply < Operation::Update); // the server lists appliers first
/// ```
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
                .map(crate::fields::time::normalize),
            subresource: text("subresource").to_owned(),
            fields,
        })
    }

    /// When the entry last took fields, in seconds since the epoch (0 when unknown).
    pub(crate) fn seconds(&self) -> i64 {
        self.time
            .as_deref()
            .and_then(crate::fields::time::unix_seconds)
            .unwrap_or(0)
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
            .then_with(|| a.seconds().cmp(&b.seconds()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_entries_are_errors() {
        for (entry, reason) in [
            (
                json!({"operation": "Update", "fieldsType": "FieldsV1"}),
                "apiVersion must not be empty",
            ),
            (
                json!({"operation": "Update", "apiVersion": "v1"}),
                "missing fieldsType",
            ),
            (
                json!({"operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV2"}),
                "invalid fieldsType",
            ),
            (
                json!({"operation": "Delete", "apiVersion": "v1", "fieldsType": "FieldsV1"}),
                "operation must be `Apply` or `Update`",
            ),
        ] {
            assert_eq!(
                ManagedEntry::from_json(3, &entry),
                Err(FieldsError::BadManagedFieldsEntry { index: 3, reason })
            );
        }
    }

    #[test]
    fn times_are_kept_in_utc_seconds() {
        let raw = json!({"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
            "time": "2026-01-01T02:00:00.75+02:00"});
        let entry = ManagedEntry::from_json(0, &raw).unwrap();
        assert_eq!(entry.to_json()["time"], "2026-01-01T00:00:00Z");
    }
}
