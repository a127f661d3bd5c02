//! The [`Strategy`] of a resource: everything that differs between types, in one value per
//! resource, as kube-apiserver keeps it in `pkg/registry/<group>/<resource>/strategy.go`.
//!
//! The generic store (`api::write`, `api::hooks`, get, list, watch, delete) holds no per-type
//! knowledge: it asks the [`Strategy`] of the routed [`ResourceType`](super::ResourceType).
//! Every method has the behaviour of a type with nothing special as its default, so a type's
//! file overrides only what the real strategy changes.

use std::ops::Deref;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::ResourceType;
use super::table::{self, Column};
use crate::admission::UserInfo;
use crate::admission::defaults::DecodeError;
use crate::selector::{Getter, SelectorError, metadata_label};
use crate::validation::{FieldError, Invalid, NameRule, object_meta, object_meta_update};

/// A type's default garbage-collection policy (`DefaultGarbageCollectionPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GcDefault {
    /// Dependents are deleted (in the background unless asked otherwise).
    DeleteDependents,
    /// Dependents are orphaned unless asked otherwise.
    OrphanDependents,
    /// The type takes part in no garbage collection: its finalizers are never set.
    Unsupported,
}

/// Which registry's DELETE rules a type follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteRules {
    /// The generic registry's: preconditions, GC finalizers, graceful deletion.
    Generic,
    /// The namespace registry's own `Delete`: its precondition wording, its finalizer rules,
    /// and the object stays (`Terminating`) until the namespace controller finalizes it.
    Namespace,
}

/// Where a resource served in another version is stored, and how its objects convert: the
/// stored form is the hub every version converts to and from, as kube-apiserver's internal
/// version is. Every other step of the generic store (defaults, strategy, admission, storage)
/// sees the stored form; only the request's body, the answer and the `managedFields` of the
/// write are in the version addressed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredAs {
    /// The stored resource's group (`""` for core).
    pub(crate) group: &'static str,
    /// The stored resource's version.
    pub(crate) version: &'static str,
    /// The stored resource's plural.
    pub(crate) plural: &'static str,
    /// An object of the served version in the stored form.
    pub(crate) to_stored: fn(&Value) -> Value,
    /// A stored object in the served version.
    pub(crate) from_stored: fn(&Value) -> Value,
}

/// What the generic store asks a resource. One value per resource; see `registry/builtin.rs`
/// for where each is registered.
///
/// The write path calls, in kube-apiserver's order: [`Strategy::default`] (decoding),
/// mutating admission, [`Strategy::prepare_for_create`] (and
/// [`Strategy::prepare_for_create_by`]) or [`Strategy::prepare_for_update`],
/// `generateName`, [`Strategy::validate`] or [`Strategy::validate_update`],
/// [`Strategy::canonicalize`], validating admission, storage; a write that is answered then
/// carries [`Strategy::warnings_on_create`] or [`Strategy::warnings_on_update`] after the
/// decoder's `fieldValidation` warnings.
pub(crate) trait Strategy: std::fmt::Debug + Send + Sync {
    /// The defaults the typed decoding applies (`SetDefaults_*`, canonical quantities).
    ///
    /// # Errors
    /// [`DecodeError`] when the body would not decode into the typed object.
    fn default(&self, _obj: &mut Value) -> Result<(), DecodeError> {
        Ok(())
    }

    /// Whether `metadata.generation` is 1 on create and bumps when the spec changes.
    fn tracks_generation(&self) -> bool {
        false
    }

    /// `PrepareForCreate`; `now` is the server time in RFC 3339.
    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        if self.tracks_generation() {
            set_generation(obj, 1);
        }
    }

    /// The part of `PrepareForCreate` that reads who asks (`genericapirequest.UserFrom(ctx)`),
    /// called right after [`Strategy::prepare_for_create`]; `user` is `None` for the server's
    /// own writes (its controllers and bootstrap).
    fn prepare_for_create_by(&self, _obj: &mut Value, _user: Option<&UserInfo<'_>>) {}

    /// `PrepareForUpdate` of the main resource (`subresource` `""`), or of the status strategy
    /// (`status`); other subresources change nothing here. A main-resource update of a type
    /// with a `/status` subresource keeps the stored status before this is called
    /// (`pipeline`), as every such strategy does.
    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        match subresource {
            "" => self.prepare_main_update(new, old),
            "status" => keep(new, old, "spec"),
            _ => {}
        }
    }

    /// The generic part of a main-resource `PrepareForUpdate`: the generation bumps on a spec
    /// change.
    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        if self.tracks_generation() {
            bump_generation_on_change(new, old, "spec");
        }
    }

    /// `Validate` of a new object (`generateName` resolved). The default validates nothing:
    /// the types the test server does not check yet.
    ///
    /// # Errors
    /// [`Invalid`] with every field error (a 422).
    fn validate(&self, _rt: &ResourceType, _obj: &Value) -> Result<(), Invalid> {
        Ok(())
    }

    /// `ValidateUpdate` of the main resource or of a subresource (`status`).
    ///
    /// # Errors
    /// [`Invalid`] with every field error (a 422).
    fn validate_update(
        &self,
        _rt: &ResourceType,
        _subresource: &str,
        _new: &Value,
        _old: &Value,
    ) -> Result<(), Invalid> {
        Ok(())
    }

    /// `WarningsOnCreate`: the `Warning` texts of a create that passed validation (`obj` as it
    /// is stored); the default warns nothing.
    fn warnings_on_create(&self, _obj: &Value) -> Vec<String> {
        Vec::new()
    }

    /// `WarningsOnUpdate` of the main resource (`subresource` `""`) or of the status
    /// strategy (`status`), for an update that passed validation (`new` as it is stored); the
    /// default warns nothing.
    fn warnings_on_update(&self, _subresource: &str, _new: &Value, _old: &Value) -> Vec<String> {
        Vec::new()
    }

    /// The `Warning` every request to this resource's version gets when the version is
    /// deprecated (the installer's `AddWarningsHandler`, from the type's
    /// `k8s:prerelease-lifecycle-gen` tags), whatever the verb and outcome; `None` for a
    /// version that is not.
    fn deprecation(&self) -> Option<&str> {
        None
    }

    /// `Canonicalize`: the last step before storage, after validation.
    fn canonicalize(&self, _obj: &mut Value) {}

    /// `AllowCreateOnUpdate`: whether a PUT of a missing object creates it.
    fn allow_create_on_update(&self) -> bool {
        false
    }

    /// `ReturnDeletedObject`: whether DELETE answers with the object instead of a Status.
    fn returns_deleted_object(&self) -> bool {
        false
    }

    /// `DefaultGarbageCollectionPolicy`.
    fn gc_default(&self) -> GcDefault {
        GcDefault::DeleteDependents
    }

    /// `CheckGracefulDelete`: the grace period of a DELETE of `old` that asked for
    /// `requested` seconds, or `None` for types deleted at once (no graceful strategy).
    fn graceful_delete(&self, _old: &Value, _requested: Option<i64>) -> Option<i64> {
        None
    }

    /// Which registry's DELETE rules the type follows.
    fn delete_rules(&self) -> DeleteRules {
        DeleteRules::Generic
    }

    /// What the type's DELETE does to the object it marks as deleting (`already`: it was
    /// marked before); `now` is the server time in RFC 3339.
    fn before_delete(&self, _marked: &mut Value, _old: &Value, _already: bool, _now: &str) {}

    /// The resource whose objects this one serves in its own version (events.k8s.io Events are
    /// stored as core Events), with the conversions both ways; `None` for a resource stored in
    /// its own version.
    fn stored_as(&self) -> Option<StoredAs> {
        None
    }

    /// Whether writes are checked for privilege escalation (the RBAC storage's wrapper).
    fn checks_escalation(&self) -> bool {
        false
    }

    /// Resolves a field-selector label to its canonical name and getter (`GetAttrs` and the
    /// field label conversion); the default knows `metadata.name` and `metadata.namespace`.
    ///
    /// # Errors
    /// [`SelectorError`] with the real text for an unsupported label.
    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        metadata_label(label)
    }

    /// The columns of `as=Table` answers (the table convertor); the default is `Name` and
    /// `Created At`, as the generic convertor prints.
    fn columns(&self) -> Vec<Column> {
        table::default_columns()
    }
}

/// A resource's strategy as its [`ResourceType`] holds it: a built-in one, or one made at run
/// time (a custom resource's).
#[derive(Debug, Clone)]
pub(crate) enum StrategyRef {
    /// A built-in type's.
    Static(&'static dyn Strategy),
    /// One made at run time.
    Shared(Arc<dyn Strategy>),
}

impl Deref for StrategyRef {
    type Target = dyn Strategy;

    fn deref(&self) -> &(dyn Strategy + 'static) {
        match self {
            StrategyRef::Static(s) => *s,
            StrategyRef::Shared(s) => &**s,
        }
    }
}

/// The strategy of a type with nothing special.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Plain;

impl Strategy for Plain {}

/// `metadata.generation = n`.
pub(crate) fn set_generation(obj: &mut Value, n: i64) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("generation".into(), json!(n));
    }
}

/// Bumps the stored generation when `key` (usually `spec`) changed.
pub(crate) fn bump_generation_on_change(new: &mut Value, old: &Value, key: &str) {
    if new.get(key) == old.get(key) {
        return;
    }
    let bumped = old
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        + 1;
    set_generation(new, bumped);
}

/// `new[key] = old[key]` (removed when the stored object lacks it).
pub(crate) fn keep(new: &mut Value, old: &Value, key: &str) {
    if let Some(new) = new.as_object_mut() {
        copy_from(new, old, key);
    }
}

/// Sets `status` on a new object (the `PrepareForCreate` status reset).
pub(crate) fn set_status(obj: &mut Value, status: Value) {
    if let Some(map) = obj.as_object_mut() {
        map.insert("status".into(), status);
    }
}

fn copy_from(new: &mut Map<String, Value>, old: &Value, key: &str) {
    match old.get(key) {
        Some(v) => new.insert(key.into(), v.clone()),
        None => new.remove(key),
    };
}

/// The validation of a built-in type: the generic `ObjectMeta` checks with the type's name
/// rule around the type's own checks, in the order kube-apiserver runs them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checks<'a> {
    /// The validated type (group, kind and scope come from the catalog).
    pub(crate) rt: &'a ResourceType,
    /// How names are checked.
    pub(crate) name_rule: NameRule,
}

impl Checks<'_> {
    /// `ObjectMeta` checks then `spec` (the type's own checks of a new object).
    pub(crate) fn object(&self, obj: &Value, spec: Vec<FieldError>) -> Vec<FieldError> {
        let mut errs = object_meta(obj, self.rt.namespaced, self.name_rule);
        errs.extend(spec);
        errs
    }

    /// `Validate` of a new object: `ObjectMeta`, then `spec` (the type's own checks), as
    /// the 422 of this type.
    ///
    /// # Errors
    /// [`Invalid`] with every field error.
    pub(crate) fn create(&self, obj: &Value, spec: Vec<FieldError>) -> Result<(), Invalid> {
        self.result(obj, self.object(obj, spec))
    }

    /// The errors as the 422 of this type.
    ///
    /// # Errors
    /// [`Invalid`] when `errors` is not empty.
    pub(crate) fn result(&self, obj: &Value, errors: Vec<FieldError>) -> Result<(), Invalid> {
        if errors.is_empty() {
            return Ok(());
        }
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        Err(Invalid::new(&self.rt.group, &self.rt.kind, name, errors))
    }

    /// An update: `validateCommonFields` (the new metadata, the metadata update rules), then
    /// the strategy's `ValidateUpdate`, which starts with the metadata update rules again, and
    /// for the main resource `main()` (the type's update checks).
    ///
    /// # Errors
    /// [`Invalid`] with every field error.
    pub(crate) fn update(
        &self,
        subresource: &str,
        new: &Value,
        old: &Value,
        main: impl FnOnce() -> Vec<FieldError>,
    ) -> Result<(), Invalid> {
        let mut errs = self.common(new, old);
        if subresource.is_empty() {
            errs.extend(main());
        }
        self.result(new, errs)
    }

    /// A `status` update: the checks every update starts with, then `status`, the status
    /// strategy's own checks (`ValidateXStatusUpdate` after its metadata rules).
    ///
    /// # Errors
    /// [`Invalid`] with every field error.
    pub(crate) fn status_update(
        &self,
        new: &Value,
        old: &Value,
        status: Vec<FieldError>,
    ) -> Result<(), Invalid> {
        let mut errs = self.common(new, old);
        errs.extend(status);
        self.result(new, errs)
    }

    /// The checks every update starts with: `validateCommonFields` and the metadata update
    /// rules the strategy's `ValidateUpdate` repeats.
    pub(crate) fn common(&self, new: &Value, old: &Value) -> Vec<FieldError> {
        let mut errs = object_meta(new, self.rt.namespaced, self.name_rule);
        errs.extend(object_meta_update(new, old));
        errs.extend(object_meta_update(new, old));
        errs
    }
}

/// A validated built-in type whose update checks are its create checks (plus an optional
/// update-only part): the common shape of `Validate`/`ValidateUpdate`.
pub(crate) trait Validated {
    /// How names are checked.
    const NAME_RULE: NameRule;
    /// The type's own checks of a new object, without `ObjectMeta`.
    fn spec(obj: &Value) -> Vec<FieldError>;
    /// The type's update-only checks, run after the object checks.
    fn spec_update(_new: &Value, _old: &Value) -> Vec<FieldError> {
        Vec::new()
    }
    /// The status strategy's own checks of a `status` update (`ValidateXStatusUpdate` after
    /// its metadata rules); none by default.
    fn status_update(_new: &Value, _old: &Value) -> Vec<FieldError> {
        Vec::new()
    }
}

/// `Validate` of a [`Validated`] type.
///
/// # Errors
/// [`Invalid`] with every field error.
pub(crate) fn validate<V: Validated>(rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
    let checks = Checks {
        rt,
        name_rule: V::NAME_RULE,
    };
    checks.result(obj, checks.object(obj, V::spec(obj)))
}

/// `ValidateUpdate` of a [`Validated`] type.
///
/// # Errors
/// [`Invalid`] with every field error.
pub(crate) fn validate_update<V: Validated>(
    rt: &ResourceType,
    subresource: &str,
    new: &Value,
    old: &Value,
) -> Result<(), Invalid> {
    let checks = Checks {
        rt,
        name_rule: V::NAME_RULE,
    };
    if subresource == "status" {
        return checks.status_update(new, old, V::status_update(new, old));
    }
    checks.update(subresource, new, old, || {
        let mut errs = checks.object(new, V::spec(new));
        errs.extend(V::spec_update(new, old));
        errs
    })
}
