//! A strategy with the type's own defaults and `Validate`/`ValidateUpdate` (and, for some, its
//! status strategy's `ValidateUpdate`) in front of a base strategy that holds the rest (status
//! handling, columns, delete rules): the webhook configurations, ValidatingAdmissionPolicies,
//! APIServices, FlowSchemas, PriorityLevelConfigurations, and the node, storage and networking
//! types whose `ValidateX` return Go's whole error list, `ObjectMeta` rules included. The
//! bases (`Printed`, `ResetsMetaForStatus`, `StatusType`) validate no spec.
//!
//! Guarantees: every method but `default`, `validate`, `validate_update` and the generation
//! handling ([`Generation`]) is the base's (the warnings too); `validate` and
//! `validate_update` produce the type's errors, `ObjectMeta` included, behind
//! `validateCommonFields` (the metadata with path-segment names, and its update rules) on
//! updates; a `status` update is validated the same way by `validate_status` when the type
//! has one, and by the base otherwise; other subresources are the base's.

use serde_json::Value;

use crate::admission::defaults::DecodeError;
use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy, bump_generation_on_change, set_generation};
use crate::registry::wrapper;
use crate::validation::{FieldError, Invalid, NameRule, object_meta, object_meta_update};

/// The type's validation and defaults over `base`.
/// A type's own defaults and validation in front of `base`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpecValidated<S: 'static> {
    /// Everything the type does not do itself.
    pub(crate) base: S,
    /// The type's defaults (`SetDefaults_X`), after the base's.
    pub(crate) defaults: fn(&mut Value),
    /// What `PrepareForCreate` sets beyond the base's (`now` is the server time).
    pub(crate) created: fn(&mut Value, &str),
    /// `ValidateX` of a new object, `ObjectMeta` included.
    pub(crate) validate: fn(&Value) -> Vec<FieldError>,
    /// `ValidateXUpdate`, after `validateCommonFields`.
    pub(crate) validate_update: fn(&Value, &Value) -> Vec<FieldError>,
    /// The status strategy's `ValidateUpdate`, after `validateCommonFields`; `None` leaves
    /// status writes to the base.
    pub(crate) validate_status: Option<fn(&Value, &Value) -> Vec<FieldError>>,
    /// How `metadata.generation` moves.
    pub(crate) generation: Generation,
}

/// How a [`SpecValidated`] type's `metadata.generation` moves.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Generation {
    /// As the base moves it.
    Base,
    /// 1 on create, bumped by a main-resource update that changes this top-level field.
    From(&'static str),
    /// Not set on create; bumped by a main-resource update that changes this top-level field
    /// (`csiDriverStrategy.PrepareForUpdate`).
    BumpedOn(&'static str),
}

/// No defaults of the type's own.
pub(crate) fn no_defaults(_: &mut Value) {}

/// Nothing set on create beyond the base's.
pub(crate) fn nothing_created(_: &mut Value, _: &str) {}

fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::PathSegment,
    }
}

impl<S: Strategy> wrapper::Wrapper for SpecValidated<S> {
    fn base(&self) -> &dyn Strategy {
        &self.base
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        self.base.default(obj)?;
        (self.defaults)(obj);
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        matches!(self.generation, Generation::From(_)) || self.base.tracks_generation()
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        self.base.prepare_for_create(obj, now);
        if let Generation::From(_) = self.generation {
            set_generation(obj, 1);
        }
        (self.created)(obj, now);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        match (subresource, self.generation) {
            ("", Generation::From(key) | Generation::BumpedOn(key)) => {
                bump_generation_on_change(new, old, key);
            }
            _ => self.base.prepare_for_update(subresource, new, old, now),
        }
    }

    fn prepare_main_update(&self, new: &mut Value, old: &Value) {
        match self.generation {
            Generation::From(key) | Generation::BumpedOn(key) => {
                bump_generation_on_change(new, old, key);
            }
            Generation::Base => self.base.prepare_main_update(new, old),
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        checks(rt).result(obj, (self.validate)(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let own = match (subresource, self.validate_status) {
            ("", _) => self.validate_update,
            ("status", Some(status)) => status,
            _ => return self.base.validate_update(rt, subresource, new, old),
        };
        let mut errs = object_meta(new, rt.namespaced, NameRule::PathSegment);
        errs.extend(object_meta_update(new, old));
        errs.extend(own(new, old));
        checks(rt).result(new, errs)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::registry::Registry;

    fn rt(group: &str, plural: &str) -> Arc<ResourceType> {
        Registry::builtin()
            .find(group, "v1", plural)
            .expect("a catalog type")
    }

    /// Every type built on `SpecValidated` refuses a nameless object with its own kind.
    #[test]
    fn each_type_validates_through_the_registry() {
        for (group, plural, kind) in [
            (
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
                "ValidatingWebhookConfiguration",
            ),
            (
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                "MutatingWebhookConfiguration",
            ),
            (
                "admissionregistration.k8s.io",
                "validatingadmissionpolicies",
                "ValidatingAdmissionPolicy",
            ),
            (
                "admissionregistration.k8s.io",
                "validatingadmissionpolicybindings",
                "ValidatingAdmissionPolicyBinding",
            ),
            ("apiregistration.k8s.io", "apiservices", "APIService"),
            ("flowcontrol.apiserver.k8s.io", "flowschemas", "FlowSchema"),
            (
                "flowcontrol.apiserver.k8s.io",
                "prioritylevelconfigurations",
                "PriorityLevelConfiguration",
            ),
        ] {
            let rt = rt(group, plural);
            let err = rt
                .strategy
                .validate(&rt, &json!({"metadata": {}}))
                .unwrap_err();
            assert_eq!((err.group.as_str(), err.kind.as_str()), (group, kind));
            assert_eq!(err.errors[0].field, "metadata.name", "{plural}");
        }
    }

    /// Webhook configurations start at generation 1 and bump it when `webhooks` change only.
    #[test]
    fn webhook_generation_follows_the_webhooks() {
        let rt = rt(
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
        );
        let mut old = json!({"metadata": {"name": "w"}, "webhooks": []});
        rt.strategy.prepare_for_create(&mut old, "t");
        assert_eq!(old["metadata"]["generation"], 1);
        let mut relabelled = json!({"metadata": {"name": "w", "generation": 1, "labels": {"a": "b"}},
            "webhooks": []});
        rt.strategy
            .prepare_for_update("", &mut relabelled, &old, "t");
        assert_eq!(relabelled["metadata"]["generation"], 1);
        let mut changed = json!({"metadata": {"name": "w", "generation": 1},
            "webhooks": [{"name": "a.b.c"}]});
        rt.strategy.prepare_for_update("", &mut changed, &old, "t");
        assert_eq!(changed["metadata"]["generation"], 2);
    }

    /// A status write is the base's business: spec errors are not reported there, the
    /// status rules are.
    #[test]
    fn status_updates_are_the_bases() {
        let rt = rt("apiregistration.k8s.io", "apiservices");
        let old = json!({"metadata": {"name": "v1.a.io", "resourceVersion": "1"},
            "spec": {"group": "a.io", "version": "v1"}});
        let mut new = old.clone();
        new["status"] = json!({"conditions": [{"type": "Available", "status": "Maybe"}]});
        let err = rt
            .strategy
            .validate_update(&rt, "status", &new, &old)
            .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status.conditions[0].status"]);
        let err = rt
            .strategy
            .validate_update(&rt, "", &new, &old)
            .unwrap_err();
        assert!(
            err.errors
                .iter()
                .any(|e| e.field == "spec.groupPriorityMinimum"),
            "{err:?}"
        );
    }

    /// The metadata update rules run once in `validateCommonFields`, and again only where the
    /// type's own `ValidateUpdate` repeats them (APIServices, not webhook configurations).
    #[test]
    fn metadata_update_rules_run_as_often_as_on_the_real_server() {
        for (group, plural, obj, times) in [
            (
                "apiregistration.k8s.io",
                "apiservices",
                json!({"spec": {"group": "a.io", "version": "v1", "groupPriorityMinimum": 1,
                    "versionPriority": 1}}),
                2,
            ),
            (
                "admissionregistration.k8s.io",
                "validatingwebhookconfigurations",
                json!({"webhooks": []}),
                1,
            ),
        ] {
            let rt = rt(group, plural);
            let mut old = obj.clone();
            old["metadata"] = json!({"name": "v1.a.io", "uid": "1", "resourceVersion": "1"});
            let mut new = old.clone();
            new["metadata"]["uid"] = json!("2");
            let err = rt
                .strategy
                .validate_update(&rt, "", &new, &old)
                .unwrap_err();
            let uid_errors = err
                .errors
                .iter()
                .filter(|e| e.field == "metadata.uid")
                .count();
            assert_eq!(uid_errors, times, "{plural}: {err:?}");
        }
    }

    /// The v1 defaults run with the base's.
    #[test]
    fn defaults_are_applied() {
        let rt = rt("flowcontrol.apiserver.k8s.io", "flowschemas");
        let mut fs = json!({"metadata": {"name": "f"}, "spec": {}});
        rt.strategy.default(&mut fs).unwrap();
        assert_eq!(fs["spec"]["matchingPrecedence"], 1000);
    }

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
