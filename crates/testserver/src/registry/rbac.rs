//! rbac.authorization.k8s.io/v1 (`pkg/registry/rbac/*/strategy.go`): Roles and ClusterRoles,
//! RoleBindings and ClusterRoleBindings: defaults, validation, and a PUT of a missing object
//! creates it (`AllowCreateOnUpdate`). Escalation checks are the RBAC storage's
//! (`api::hooks::confirm_rbac_write`).

use serde_json::Value;

use crate::admission::defaults::{DecodeError, rbac};
use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy};
use crate::validation::{Invalid, NameRule, core_misc};

/// The strategy of Roles and ClusterRoles.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Roles;

/// The strategy of RoleBindings (`namespaced`) and ClusterRoleBindings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bindings {
    /// Whether these are RoleBindings.
    pub(crate) namespaced: bool,
}

fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::PathSegment,
    }
}

impl Strategy for Roles {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        rbac::role(obj);
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = checks(rt);
        c.result(obj, c.object(obj, core_misc::role(obj)))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = checks(rt);
        c.update(subresource, new, old, || {
            c.object(new, core_misc::role(new))
        })
    }

    fn allow_create_on_update(&self) -> bool {
        true
    }

    fn checks_escalation(&self) -> bool {
        true
    }
}

impl Strategy for Bindings {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        rbac::binding(obj);
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = checks(rt);
        c.result(
            obj,
            c.object(obj, core_misc::role_binding(obj, self.namespaced)),
        )
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = checks(rt);
        c.update(subresource, new, old, || {
            let mut errs = c.object(new, core_misc::role_binding(new, self.namespaced));
            errs.extend(core_misc::role_binding_update(new, old));
            errs
        })
    }

    fn allow_create_on_update(&self) -> bool {
        true
    }

    fn checks_escalation(&self) -> bool {
        true
    }
}
