//! The strategy of built-in types whose validation functions return the whole list the Go
//! function does, `ObjectMeta` rules included (the node, storage and networking types whose
//! `ValidateX`/`ValidateXUpdate` repeat or skip metadata checks in their own order): the
//! generic store's `validateCommonFields` (the new metadata with the path-segment name rule,
//! the metadata update) comes first on every update, then the type's list. Everything but
//! defaulting and validation is the wrapped `base` strategy's.

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Checks, DeleteRules, GcDefault, StoredAs, Strategy};
use crate::registry::table::Column;
use crate::selector::{Getter, SelectorError};
use crate::validation::{FieldError, Invalid, NameRule, object_meta, object_meta_update};

/// Validation from whole Go error lists around a `base` strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WholeChecked<B: 'static> {
    /// Everything but validation (and the defaults below).
    pub(crate) base: B,
    /// The defaults the typed decoding applies, before the base's.
    pub(crate) defaults: fn(&mut Value),
    /// The strategy's `Validate`.
    pub(crate) create: fn(&Value) -> Vec<FieldError>,
    /// The strategy's `ValidateUpdate` of the main resource.
    pub(crate) update: fn(&Value, &Value) -> Vec<FieldError>,
    /// The status strategy's `ValidateUpdate`; `None` leaves status writes to the base.
    pub(crate) status: Option<fn(&Value, &Value) -> Vec<FieldError>>,
    /// Whether a main-resource update that changes the spec bumps the generation (from 0 when
    /// the type sets none on create), as CSIDrivers' `PrepareForUpdate` does.
    pub(crate) spec_generation: bool,
}

/// No defaults.
pub(crate) fn no_defaults(_: &mut Value) {}

impl<B> WholeChecked<B> {
    /// `validateCommonFields` then `errs`, as the 422 of this type.
    fn after_common(
        rt: &ResourceType,
        new: &Value,
        old: &Value,
        errs: Vec<FieldError>,
    ) -> Result<(), Invalid> {
        let mut all = object_meta(new, rt.namespaced, NameRule::PathSegment);
        all.extend(object_meta_update(new, old));
        all.extend(errs);
        checks(rt).result(new, all)
    }
}

fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::PathSegment,
    }
}

impl<B: Strategy> Strategy for WholeChecked<B> {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        (self.defaults)(obj);
        self.base.default(obj)
    }

    fn tracks_generation(&self) -> bool {
        self.base.tracks_generation()
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        self.base.prepare_for_create(obj, now);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        self.base.prepare_for_update(subresource, new, old, now);
        if subresource.is_empty() && self.spec_generation {
            strategy::bump_generation_on_change(new, old, "spec");
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        checks(rt).result(obj, (self.create)(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        match (subresource, self.status) {
            ("", _) => Self::after_common(rt, new, old, (self.update)(new, old)),
            ("status", Some(status)) => Self::after_common(rt, new, old, status(new, old)),
            _ => self.base.validate_update(rt, subresource, new, old),
        }
    }

    fn canonicalize(&self, obj: &mut Value) {
        self.base.canonicalize(obj);
    }

    fn allow_create_on_update(&self) -> bool {
        self.base.allow_create_on_update()
    }

    fn returns_deleted_object(&self) -> bool {
        self.base.returns_deleted_object()
    }

    fn gc_default(&self) -> GcDefault {
        self.base.gc_default()
    }

    fn graceful_delete(&self, old: &Value, requested: Option<i64>) -> Option<i64> {
        self.base.graceful_delete(old, requested)
    }

    fn delete_rules(&self) -> DeleteRules {
        self.base.delete_rules()
    }

    fn before_delete(&self, marked: &mut Value, old: &Value, already: bool, now: &str) {
        self.base.before_delete(marked, old, already, now);
    }

    fn stored_as(&self) -> Option<StoredAs> {
        self.base.stored_as()
    }

    fn checks_escalation(&self) -> bool {
        self.base.checks_escalation()
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        self.base.field_label(label)
    }

    fn columns(&self) -> Vec<Column> {
        self.base.columns()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::registry::Registry;

    fn messages(result: Result<(), crate::validation::Invalid>) -> Vec<String> {
        match result {
            Ok(()) => Vec::new(),
            Err(invalid) => invalid.errors.iter().map(ToString::to_string).collect(),
        }
    }

    /// `BeforeUpdate`: `validateCommonFields`, then the strategy's list; the status strategy
    /// of VolumeAttachments validates as the main one does.
    #[test]
    fn common_fields_first_and_status_as_updates() {
        let registry = Registry::builtin();
        let rt = registry
            .find("storage.k8s.io", "v1", "volumeattachments")
            .expect("volumeattachments");
        let old = json!({"metadata": {"name": "va", "resourceVersion": "1"},
            "spec": {"attacher": "a", "nodeName": "n", "source": {"persistentVolumeName": "pv"}}});
        let mut moved = old.clone();
        moved["metadata"]["resourceVersion"] = json!("");
        moved["spec"]["nodeName"] = json!("m");
        assert_eq!(
            messages(rt.strategy.validate_update(&rt, "", &moved, &old)),
            [
                "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
                "spec: Invalid value: {\"Attacher\":\"a\",\"Source\":{\"PersistentVolumeName\":\"pv\",\"InlineVolumeSpec\":null},\"NodeName\":\"m\"}: field is immutable",
            ]
        );
        let mut failed = old.clone();
        failed["status"] = json!({"detachError": {"errorCode": -1}});
        let code = "status.detachError.errorCode: Invalid value: -1: must be between 0 and 2147483647, inclusive";
        assert_eq!(
            messages(rt.strategy.validate_update(&rt, "status", &failed, &old)),
            [code, code]
        );
    }

    /// CSIDrivers: the v1 defaults before the base's, and the generation bumped by a spec
    /// change only.
    #[test]
    fn driver_defaults_and_generation() {
        let registry = Registry::builtin();
        let rt = registry
            .find("storage.k8s.io", "v1", "csidrivers")
            .expect("csidrivers");
        let mut driver = json!({"metadata": {"name": "d"}, "spec": {}});
        rt.strategy.default(&mut driver).expect("defaults");
        assert_eq!(driver["spec"]["attachRequired"], true);
        let old = driver.clone();
        let mut labelled = driver.clone();
        labelled["metadata"]["labels"] = json!({"a": "b"});
        rt.strategy.prepare_for_update("", &mut labelled, &old, "t");
        assert_eq!(labelled["metadata"].get("generation"), None);
        let mut changed = driver;
        changed["spec"]["podInfoOnMount"] = json!(true);
        rt.strategy.prepare_for_update("", &mut changed, &old, "t");
        assert_eq!(changed["metadata"]["generation"], 1);
    }
}
