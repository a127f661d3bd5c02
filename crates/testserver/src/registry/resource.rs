//! resource.k8s.io/v1 (dynamic resource allocation): DeviceClasses, ResourceClaims,
//! ResourceClaimTemplates and ResourceSlices: the table columns (`printDeviceClass`,
//! `printResourceClaim`, `printResourceClaimTemplate`, `printResourceSlice`), `ObjectMeta`
//! validation (DNS-subdomain names), the immutable specs of claims and templates, and the
//! ResourceClaim status rules the test server reproduces. Their specs are not validated.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::print::{self, text};
use crate::registry::printed::Printed;
use crate::registry::status_types::ResetsMetaForStatus;
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::{self, Column, col};
use crate::validation::resource_claim::immutable_spec;
use crate::validation::{Invalid, NameRule};

fn name_and_age() -> Vec<Column> {
    table::columns(Vec::new(), Vec::new())
}

/// DeviceClasses.
pub(crate) const DEVICE_CLASSES: Printed = Printed::validated(name_and_age);

/// `ValidateX` (the metadata, DNS-subdomain names) and `ValidateXUpdate` (the metadata and the
/// immutable spec) of claims and templates.
fn validate(rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
    let c = Checks {
        rt,
        name_rule: NameRule::Subdomain,
    };
    c.create(obj, Vec::new())
}

fn validate_update(
    rt: &ResourceType,
    subresource: &str,
    new: &Value,
    old: &Value,
) -> Result<(), Invalid> {
    let c = Checks {
        rt,
        name_rule: NameRule::Subdomain,
    };
    c.update(subresource, new, old, || immutable_spec(new, old))
}

/// ResourceClaimTemplates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceClaimTemplates;

impl Strategy for ResourceClaimTemplates {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        validate(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        validate_update(rt, subresource, new, old)
    }

    fn columns(&self) -> Vec<Column> {
        name_and_age()
    }
}

/// ResourceClaimTemplates.
pub(crate) const RESOURCE_CLAIM_TEMPLATES: ResourceClaimTemplates = ResourceClaimTemplates;

/// `resourceClaimState`: `deleted`, `pending` or `allocated`, `reserved`.
fn state(claim: &Value) -> String {
    let mut states = Vec::new();
    let deleting = print::deleting(claim);
    if deleting {
        states.push("deleted");
    }
    if claim
        .pointer("/status/allocation")
        .is_some_and(Value::is_object)
    {
        states.push("allocated");
        if print::len(claim, "/status/reservedFor") > 0 {
            states.push("reserved");
        }
    } else if !deleting {
        states.push("pending");
    }
    states.join(",")
}

fn claims() -> Vec<Column> {
    table::columns(
        vec![col(
            "State",
            "A summary of the current state (allocated, pending, reserved, etc.).",
            0,
            |v| state(v).into(),
        )],
        Vec::new(),
    )
}

/// The status strategy of ResourceClaims (`ValidateResourceClaimStatusUpdate`, as far as
/// `validation::resource_claim_status` reproduces it).
const CLAIM_STATUS: ResetsMetaForStatus = ResetsMetaForStatus {
    columns: claims,
    status: Some(crate::validation::resource_claim_status::update),
    ..ResetsMetaForStatus::new(|| serde_json::json!({}))
};

/// ResourceClaims: their status strategy, with the claim's own `Validate`/`ValidateUpdate`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceClaims;

impl Strategy for ResourceClaims {
    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        CLAIM_STATUS.prepare_for_create(obj, now);
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        CLAIM_STATUS.prepare_for_update(subresource, new, old, now);
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        validate(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        match subresource {
            "status" => CLAIM_STATUS.validate_update(rt, subresource, new, old),
            _ => validate_update(rt, subresource, new, old),
        }
    }

    fn columns(&self) -> Vec<Column> {
        claims()
    }
}

/// ResourceClaims.
pub(crate) const RESOURCE_CLAIMS: ResourceClaims = ResourceClaims;

fn slices() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Node",
                "NodeName identifies the node which provides the resources in this pool. A field selector can be used to list only ResourceSlice objects belonging to a certain node.\n\nThis field can be used to limit access from nodes to ResourceSlices with the same node name. It also indicates to autoscalers that adding new nodes of the same type as some old node might also make new resources available.\n\nExactly one of NodeName, NodeSelector, AllNodes, and PerDeviceNodeSelection must be set. This field is immutable.",
                0,
                |v| text(v, "/spec/nodeName").into(),
            ),
            col(
                "Driver",
                "Driver identifies the DRA driver providing the capacity information. A field selector can be used to list only ResourceSlice objects with a certain driver name.\n\nMust be a DNS subdomain and should end with a DNS domain owned by the vendor of the driver. It should use only lower case characters. This field is immutable.",
                0,
                |v| text(v, "/spec/driver").into(),
            ),
            col(
                "Pool",
                "Name is used to identify the pool. For node-local devices, this is often the node name, but this is not required. A field selector can be used to list only ResourceSlice objects belonging to a certain pool.\n\nIt must not be longer than 253 characters and must consist of one or more DNS sub-domains separated by slashes. This field is immutable.",
                0,
                |v| text(v, "/spec/pool/name").into(),
            ),
        ],
        Vec::new(),
    )
}

/// ResourceSlices.
pub(crate) const RESOURCE_SLICES: Printed = Printed::validated(slices);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn claim_states() {
        assert_eq!(state(&json!({"status": {}})), "pending");
        assert_eq!(
            state(&json!({"status": {"allocation": {}, "reservedFor": [{}]}})),
            "allocated,reserved"
        );
        assert_eq!(
            state(
                &json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "status": {}})
            ),
            "deleted"
        );
        let names: Vec<String> = name_and_age().iter().map(|c| c.name.to_string()).collect();
        assert_eq!(names, ["Name", "Age"]);
    }
}
