//! The strategy of a custom resource type (one per served CRD version): what
//! apiextensions-apiserver's `customResourceStrategy` and `statusStrategy` do, plus the schema's
//! pruning and defaulting that its codec applies.
//!
//! Guarantees: a main-resource write never changes `status` when the status subresource is
//! enabled, a status write changes nothing but `status` (and `managedFields`); `generation`
//! starts at 1 and grows when anything but `metadata` and `status` changes; objects are
//! defaulted on every write and again on every read (so defaults added to a CRD later show on
//! objects stored before).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::crd::schema::{self, At};
use crate::crd::{Definition, cel};
use crate::fields::schema::TypeInfo;
use crate::strict::StrictError;
use crate::validation::{FieldError, Invalid};

/// The per-type behaviour of one served version of a CRD.
#[derive(Debug)]
pub(crate) struct CustomStrategy {
    def: Definition,
    version: String,
    schema: Value,
    status: bool,
}

/// Why a custom resource body is refused before it is written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Refusal {
    /// The kind is not the CRD's: the 422 of the real decoder.
    #[error("kind {kind} is not {expected}")]
    WrongKind {
        /// The kind in the body.
        kind: String,
        /// The 422 answer.
        invalid: Box<Invalid>,
        /// The CRD's kind.
        expected: String,
    },
    /// Unknown fields with `fieldValidation=Strict`: the 400 of the strict decoder.
    #[error("{message}")]
    Strict {
        /// The whole message (`Widget in version "v1" cannot be handled as a Widget: ...`).
        message: String,
    },
}

pub(crate) use crate::strict::FieldValidation;

fn without(obj: &Value, keys: &[&str]) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.as_object_mut() {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

impl CustomStrategy {
    /// The strategy of `version` of `def`.
    pub(crate) fn new(def: Definition, version: &str) -> CustomStrategy {
        let (schema, status) = def
            .version(version)
            .map(|v| (v.schema.clone(), v.status))
            .unwrap_or((Value::Null, false));
        CustomStrategy {
            version: version.to_owned(),
            def,
            schema,
            status,
        }
    }

    /// `group/version` of this type.
    pub(crate) fn api_version(&self) -> String {
        format!("{}/{}", self.def.group, self.version)
    }

    /// `spec.names.listKind` (the kind of lists).
    pub(crate) fn list_kind(&self) -> &str {
        &self.def.list_kind
    }

    /// Whether the CRD is being deleted: creates are refused then.
    pub(crate) fn terminating(&self) -> bool {
        self.def.terminating
    }

    /// The version's printer columns.
    pub(crate) fn columns(&self) -> &[Value] {
        self.def
            .version(&self.version)
            .map(|v| v.columns.as_slice())
            .unwrap_or_default()
    }

    /// The version's scale subresource (`specReplicasPath`, ...), if enabled.
    pub(crate) fn scale(&self) -> Option<&Value> {
        self.def
            .version(&self.version)
            .and_then(|v| v.scale.as_ref())
    }

    /// The deprecation warning of the version, when it is deprecated.
    pub(crate) fn deprecation(&self) -> Option<&str> {
        self.def
            .version(&self.version)
            .and_then(|v| v.deprecation.as_deref())
    }

    /// The version's `selectableFields` paths (`.spec.color`).
    pub(crate) fn selectable_fields(&self) -> &[String] {
        self.def
            .version(&self.version)
            .map(|v| v.selectable.as_slice())
            .unwrap_or_default()
    }

    /// The request body as the decoder sees it: the kind must be the CRD's (422 otherwise),
    /// unknown fields are pruned and reported as `fieldValidation` asks. Returns the `Warning`
    /// texts.
    pub(crate) fn decode(
        &self,
        obj: &mut Value,
        validation: FieldValidation,
    ) -> Result<Vec<String>, Refusal> {
        self.decode_after(obj, validation, Vec::new())
    }

    /// [`CustomStrategy::decode`] after the `earlier` strict errors of the body (its duplicate
    /// fields), which come first in the warnings and the message.
    pub(crate) fn decode_after(
        &self,
        obj: &mut Value,
        validation: FieldValidation,
        earlier: Vec<StrictError>,
    ) -> Result<Vec<String>, Refusal> {
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
        if !kind.is_empty() && kind != self.def.kind {
            let name = crate::crd::meta_str(obj, "name");
            let invalid = Invalid::new(
                &self.def.group,
                kind,
                name,
                vec![FieldError::invalid(
                    "kind",
                    kind,
                    format!("must be {}", self.def.kind),
                )],
            );
            return Err(Refusal::WrongKind {
                kind: kind.to_owned(),
                invalid: Box::new(invalid),
                expected: self.def.kind.clone(),
            });
        }
        let mut errs = earlier;
        errs.extend(
            schema::prune(&self.schema, obj)
                .into_iter()
                .map(|path| StrictError::UnknownField { path }),
        );
        crate::strict::resolve(validation, errs).map_err(|errs| Refusal::Strict {
            message: crate::strict::cannot_handle(&self.def.kind, &self.version, &errs),
        })
    }

    /// Pruning and defaulting of an object about to be written.
    pub(crate) fn apply_defaults(&self, obj: &mut Value) {
        schema::prune(&self.schema, obj);
        schema::default(&self.schema, obj);
    }

    /// `PrepareForCreate`: status dropped when it is a subresource, generation 1.
    pub(crate) fn prepare_for_create(&self, obj: &mut Value) {
        if self.status
            && let Some(m) = obj.as_object_mut()
        {
            m.remove("status");
        }
        if let Some(m) = crate::crd::meta_mut(obj) {
            m.insert("generation".into(), 1.into());
        }
    }

    /// `PrepareForUpdate` of the main resource (`subresource` `""`) or of `status`.
    pub(crate) fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value) {
        if subresource == "status" {
            let status = new.get("status").cloned();
            let managed = new.pointer("/metadata/managedFields").cloned();
            let rv = new.pointer("/metadata/resourceVersion").cloned();
            *new = old.clone();
            if let Some(m) = new.as_object_mut() {
                match status {
                    Some(s) => m.insert("status".into(), s),
                    None => m.remove("status"),
                };
            }
            if let Some(m) = crate::crd::meta_mut(new) {
                match managed {
                    Some(v) => m.insert("managedFields".into(), v),
                    None => m.remove("managedFields"),
                };
                if let Some(rv) = rv {
                    m.insert("resourceVersion".into(), rv);
                }
            }
            return;
        }
        if self.status
            && let Some(m) = new.as_object_mut()
        {
            match old.get("status") {
                Some(s) => m.insert("status".into(), s.clone()),
                None => m.remove("status"),
            };
        }
        let generation = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let skip: &[&str] = if self.status {
            &["metadata", "status", "apiVersion", "kind"]
        } else {
            &["metadata", "apiVersion", "kind"]
        };
        let bumped = if without(new, skip) == without(old, skip) {
            generation
        } else {
            generation + 1
        };
        if let Some(m) = crate::crd::meta_mut(new) {
            m.insert("generation".into(), bumped.into());
        }
    }

    /// `Validate` / `ValidateUpdate` / the status strategy's `ValidateUpdate`.
    pub(crate) fn validate(
        &self,
        obj: &Value,
        old: Option<&Value>,
        subresource: &str,
    ) -> Result<(), Invalid> {
        let mut errs = crate::validation::custom_object_meta(obj, self.def.namespaced, old);
        if !self.schema.is_null() {
            if subresource == "status" {
                if let (Some(status_schema), Some(status)) =
                    (self.schema.pointer("/properties/status"), obj.get("status"))
                {
                    let at = At {
                        field: "status".into(),
                        name: String::new(),
                    };
                    schema::validate(status_schema, status, &at, &mut errs);
                    let old_status = old.and_then(|o| o.get("status"));
                    cel::validate(status_schema, status, old_status, "status", &mut errs);
                }
            } else {
                schema::validate(&self.schema, obj, &At::root(), &mut errs);
                cel::validate(&self.schema, obj, old, "", &mut errs);
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(Invalid::new(
                &self.def.group,
                &self.def.kind,
                crate::crd::meta_str(obj, "name"),
                errs,
            ))
        }
    }

    /// A stored object as this version presents it: defaulted by the current schema, with
    /// this version's `apiVersion` (conversion `None`).
    pub(crate) fn to_external(&self, stored: &Value) -> Value {
        if stored.get("kind").and_then(Value::as_str) != Some(self.def.kind.as_str()) {
            // a Status (the answer of a delete) is not an object of this type
            return stored.clone();
        }
        let mut v = stored.clone();
        schema::default(&self.schema, &mut v);
        if let Some(m) = v.as_object_mut() {
            m.insert("apiVersion".into(), self.api_version().into());
        }
        v
    }

    /// The field-management description of this type: the schema's list and map types
    /// ([`crate::crd::shape`]), schema-less elsewhere, with the status subresource's reset
    /// fields.
    pub(crate) fn type_info(&self) -> &'static TypeInfo {
        type_info(
            &self.def.group,
            &self.version,
            &self.def.kind,
            self.status,
            &self.schema,
        )
    }
}

/// Interned field-management descriptions of custom types. Each distinct (group, version,
/// kind, status, schema) is leaked once: the set is bounded by the CRDs a process sees.
fn type_info(
    group: &str,
    version: &str,
    kind: &str,
    status: bool,
    schema: &Value,
) -> &'static TypeInfo {
    type Interned = Mutex<HashMap<(String, String, String, bool, String), &'static TypeInfo>>;
    static INFOS: OnceLock<Interned> = OnceLock::new();
    let mut infos = INFOS
        .get_or_init(Interned::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = (
        group.to_owned(),
        version.to_owned(),
        kind.to_owned(),
        status,
        schema.to_string(),
    );
    infos.entry(key).or_insert_with(|| {
        let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
        Box::leak(Box::new(TypeInfo {
            group: leak(group),
            version: leak(version),
            kind: leak(kind),
            root: crate::crd::shape::root(schema),
            zero: "{}",
            status_subresource: status,
            status_reset_extra: &["metadata"],
        }))
    })
}
