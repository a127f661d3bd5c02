//! rbac.authorization.k8s.io/v1 (`pkg/registry/rbac/*/strategy.go`): Roles and ClusterRoles,
//! RoleBindings and ClusterRoleBindings: defaults, validation, and a PUT of a missing object
//! creates it (`AllowCreateOnUpdate`); the bindings' table columns (roles print the default
//! table, as their storage does). Escalation checks are the RBAC storage's
//! (`api::hooks::confirm_rbac_write`).

use serde_json::Value;

use crate::admission::defaults::{DecodeError, rbac};
use crate::registry::ResourceType;
use crate::registry::print::{items, text};
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::{self, Column, col};
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
        c.create(obj, core_misc::role(obj))
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

    /// `printRoleBinding` and `printClusterRoleBinding`: `Kind/name` of the role, and the
    /// wide users, groups and service accounts (`namespace/name`), each joined by `, `.
    fn columns(&self) -> Vec<Column> {
        let (role, users, groups, sas) = if self.namespaced {
            (
                "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.",
                "Users in the roleBinding",
                "Groups in the roleBinding",
                "ServiceAccounts in the roleBinding",
            )
        } else {
            (
                "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.",
                "Users in the clusterRoleBinding",
                "Groups in the clusterRoleBinding",
                "ServiceAccounts in the clusterRoleBinding",
            )
        };
        table::columns(
            vec![col("Role", role, 0, |v| {
                format!("{}/{}", text(v, "/roleRef/kind"), text(v, "/roleRef/name")).into()
            })],
            vec![
                col("Users", users, 1, |v| subjects(v, "User").into()),
                col("Groups", groups, 1, |v| subjects(v, "Group").into()),
                col("ServiceAccounts", sas, 1, |v| {
                    subjects(v, "ServiceAccount").into()
                }),
            ],
        )
    }
}

/// `rbac.SubjectsStrings` of one kind, joined by `, `: names, `namespace/name` for service
/// accounts.
fn subjects(binding: &Value, kind: &str) -> String {
    items(binding, "/subjects")
        .iter()
        .filter(|s| text(s, "/kind") == kind)
        .map(|s| match kind {
            "ServiceAccount" => format!("{}/{}", text(s, "/namespace"), text(s, "/name")),
            _ => text(s, "/name").to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintRoleBinding` (wide).
    #[test]
    fn binding_cells() {
        let b = json!({"metadata": {"name": "b"}, "roleRef": {"kind": "Role", "name": "r"}, "subjects": [
            {"kind": "User", "name": "u1"}, {"kind": "Group", "name": "g"}, {"kind": "User", "name": "u2"},
            {"kind": "ServiceAccount", "namespace": "ns", "name": "sa"}]});
        let cols = Bindings { namespaced: true }.columns();
        let cells: Vec<Value> = cols.iter().map(|c| c.cell(&b)).collect();
        assert_eq!(cells[1], json!("Role/r"));
        assert_eq!(
            cells[3..].to_vec(),
            vec![json!("u1, u2"), json!("g"), json!("ns/sa")]
        );
        let cluster = Bindings { namespaced: false }.columns();
        assert_eq!(cluster[3].description, "Users in the clusterRoleBinding");
    }
}
