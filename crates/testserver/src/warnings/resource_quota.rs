//! ResourceQuotas (`pkg/registry/core/resourcequota/strategy.go` `WarningsOnCreate`): a
//! request quota above its limit quota, for the known resources.

use serde_json::Value;

use crate::shared::quantity::Quantity;

/// The resources whose request and limit quotas are compared (`knownResourceNames`).
const KNOWN: &[&str] = &["cpu", "memory", "storage", "ephemeral-storage"];

/// The create warnings (updates warn nothing).
pub(crate) fn resource_quota(quota: &Value) -> Vec<String> {
    let hard = quota.pointer("/spec/hard");
    let get = |name: &str| {
        let text = hard?.get(name)?.as_str()?;
        Some((Quantity::parse(text)?, Quantity::canonical(text)?))
    };
    let mut warnings = Vec::new();
    for &resource in KNOWN {
        let mut request_name = format!("requests.{resource}");
        let mut request = get(&request_name);
        if request.is_none() && matches!(resource, "cpu" | "memory") {
            // the bare name stands for the request of cpu and memory
            request = get(resource);
            if request.is_some() {
                resource.clone_into(&mut request_name);
            }
        }
        let limit_name = format!("limits.{resource}");
        if let (Some((request, shown_request)), Some((limit, shown_limit))) =
            (request, get(&limit_name))
            && request > limit
        {
            warnings.push(format!(
                "ResourceQuota {request_name} ({shown_request}) should be less than {limit_name} ({shown_limit})"
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Requests above limits, the bare `cpu`/`memory` names standing for requests.
    #[test]
    fn requests_above_limits() {
        let quota = json!({"spec": {"hard": {"cpu": "2", "limits.cpu": "1",
            "requests.memory": "1Gi", "limits.memory": "2Gi",
            "requests.storage": "2000Mi", "limits.storage": "1Gi"}}});
        assert_eq!(
            resource_quota(&quota),
            [
                "ResourceQuota cpu (2) should be less than limits.cpu (1)",
                "ResourceQuota requests.storage (2000Mi) should be less than limits.storage (1Gi)",
            ]
        );
        assert!(resource_quota(&json!({"spec": {"hard": {"pods": "1"}}})).is_empty());
    }
}
