//! ResourceQuotas (`pkg/registry/core/resourcequota/strategy.go`): canonical amounts on
//! decoding, the status strategy of `status_types`, `ValidateResourceQuota` on create and
//! `ValidateResourceQuotaUpdate` on update (`validation/resource_quota.rs`), and table columns.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, limits};
use crate::registry::ResourceType;
use crate::registry::print;
use crate::registry::status_types::{self, StatusType};
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::{self, Column, col};
use crate::validation::{Invalid, NameRule, resource_quota};

/// `printResourceQuota`: `resource: used/hard` of the status, sorted by resource, the
/// `limits.*` resources in `Limit` and the others in `Request`.
fn columns() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Request",
                "Request represents a minimum amount of cpu/memory that a container may consume.",
                0,
                |v| usage(v, false).into(),
            ),
            col(
                "Limit",
                "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
                0,
                |v| usage(v, true).into(),
            ),
        ],
        Vec::new(),
    )
}

/// The status strategy (`status_types`) with these columns: how status writes, creates and
/// updates treat the status.
const STATUS: StatusType = StatusType {
    columns,
    ..status_types::RESOURCE_QUOTAS
};

/// The ResourceQuota strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceQuotas;

impl ResourceQuotas {
    fn checks(rt: &ResourceType) -> Checks<'_> {
        Checks {
            rt,
            name_rule: NameRule::Subdomain,
        }
    }
}

impl Strategy for ResourceQuotas {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::resource_quota::resource_quota(obj)
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        limits::resource_quota(obj)
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        STATUS.prepare_for_create(obj, now);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        STATUS.prepare_for_update(subresource, new, old, now);
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Self::checks(rt);
        c.create(obj, resource_quota::resource_quota(obj))
    }

    /// The main resource: the checks every update starts with, then
    /// `ValidateResourceQuotaUpdate`; `status`: the status strategy's.
    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        if subresource == "status" {
            return STATUS.validate_update(rt, subresource, new, old);
        }
        let c = Self::checks(rt);
        c.update(subresource, new, old, || {
            resource_quota::resource_quota_update(new, old)
        })
    }

    fn columns(&self) -> Vec<Column> {
        columns()
    }
}

/// The `resource: used/hard` pairs of the limits (`limits`) or of the other resources.
fn usage(quota: &Value, limits: bool) -> String {
    let mut names: Vec<&String> = quota
        .pointer("/status/hard")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter(|name| {
            let pieces: Vec<&str> = name.split('.').collect();
            (pieces.len() > 1 && pieces[0] == "limits") == limits
        })
        .map(|name| {
            // a resource name may hold `/`, which a JSON pointer escapes as `~1`
            let key = name.replace('~', "~0").replace('/', "~1");
            let used = print::quantity(quota, &format!("/status/used/{key}"));
            let hard = print::quantity(quota, &format!("/status/hard/{key}"));
            format!("{name}: {used}/{hard}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintResourceQuota`: sorted, limits apart, quantities canonical.
    #[test]
    fn requests_and_limits() {
        let q = json!({"status": {
            "hard": {"pods": "10", "limits.cpu": "2", "cpu": "1000m", "limits.memory": "1Gi",
                "requests.storage": "5Gi", "count/deployments.apps": "3"},
            "used": {"pods": "1", "cpu": "500m", "limits.cpu": "1"}}});
        assert_eq!(
            usage(&q, false),
            "count/deployments.apps: 0/3, cpu: 500m/1, pods: 1/10, requests.storage: 0/5Gi"
        );
        assert_eq!(usage(&q, true), "limits.cpu: 1/2, limits.memory: 0/1Gi");
        assert_eq!(usage(&json!({}), true), "");
    }
}
