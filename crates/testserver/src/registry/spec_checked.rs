//! The strategy of built-in types whose only behaviour in the test server is their validation:
//! `ObjectMeta` with the type's name rule, then the type's spec checks from `validation`
//! (NetworkPolicies, Ingresses, IngressClasses). Status subresources validate the metadata
//! only.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy};
use crate::validation::{FieldError, Invalid, NameRule, networking};

/// `Validate`/`ValidateUpdate` from a type's spec checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpecChecked {
    name_rule: NameRule,
    spec: fn(&Value) -> Vec<FieldError>,
    /// The update-only checks (run after the metadata); the create checks when `None`.
    spec_update: Option<fn(&Value, &Value) -> Vec<FieldError>>,
    /// Update-only checks run after the spec checks.
    extra_update: fn(&Value, &Value) -> Vec<FieldError>,
}

fn nothing(_: &Value, _: &Value) -> Vec<FieldError> {
    Vec::new()
}

/// networking.k8s.io/v1 NetworkPolicies.
pub(crate) const NETWORK_POLICIES: SpecChecked = SpecChecked {
    name_rule: NameRule::Subdomain,
    spec: networking::network_policy,
    spec_update: None,
    extra_update: nothing,
};

/// networking.k8s.io/v1 Ingresses (their update rules differ from the create rules).
pub(crate) const INGRESSES: SpecChecked = SpecChecked {
    name_rule: NameRule::Subdomain,
    spec: networking::ingress,
    spec_update: Some(networking::ingress_update),
    extra_update: nothing,
};

/// networking.k8s.io/v1 IngressClasses: the controller may not change.
pub(crate) const INGRESS_CLASSES: SpecChecked = SpecChecked {
    name_rule: NameRule::Subdomain,
    spec: networking::ingress_class,
    spec_update: None,
    extra_update: networking::ingress_class_update,
};

impl Strategy for SpecChecked {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        c.result(obj, c.object(obj, (self.spec)(obj)))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        c.update(subresource, new, old, || {
            let mut errs = (self.extra_update)(new, old);
            errs.extend(match self.spec_update {
                Some(update) => c.object(new, update(new, old)),
                None => c.object(new, (self.spec)(new)),
            });
            errs
        })
    }
}
