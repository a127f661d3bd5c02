//! resource.k8s.io/v1 (dynamic resource allocation): DeviceClasses, ResourceClaims,
//! ResourceClaimTemplates and ResourceSlices (`pkg/registry/resource/*/strategy.go`): the v1
//! defaults and the validation of `validation::resource` behind [`SpecValidated`], the
//! generation of classes and slices (1 on create, bumped by a spec change), the status
//! strategy of claims (`validation::resource_claim_status`, with the stale `status.devices`
//! entries dropped), the field labels of slices (`spec.nodeName`, `spec.driver`) and the
//! table columns (`printDeviceClass`, `printResourceClaim`, `printResourceClaimTemplate`,
//! `printResourceSlice`).

use serde_json::Value;

use crate::registry::print::{self, text};
use crate::registry::printed::Printed;
use crate::registry::spec_validated::{Generation, SpecValidated, no_defaults, nothing_created};
use crate::registry::status_types::ResetsMetaForStatus;
use crate::registry::strategy::Strategy;
use crate::registry::table::{self, Column, col};
use crate::registry::wrapper;
use crate::selector::{Getter, NAME, SelectorError};
use crate::validation::resource::{claim, defaults, device_class, slice};

fn name_and_age() -> Vec<Column> {
    table::columns(Vec::new(), Vec::new())
}

/// DeviceClasses (`deviceClassStrategy`).
pub(crate) const DEVICE_CLASSES: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(name_and_age),
    defaults: no_defaults,
    created: nothing_created,
    validate: device_class::create,
    validate_update: device_class::update,
    validate_status: None,
    generation: Generation::From("spec"),
};

/// ResourceClaimTemplates (`resourceClaimTemplateStrategy`).
pub(crate) const RESOURCE_CLAIM_TEMPLATES: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(name_and_age),
    defaults: defaults::template,
    created: nothing_created,
    validate: claim::template_create,
    validate_update: claim::template_update,
    validate_status: None,
    generation: Generation::Base,
};

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

/// The status strategy of ResourceClaims (`resourceclaimStatusStrategy`:
/// `ValidateResourceClaimStatusUpdate`).
const CLAIM_STATUS: ResetsMetaForStatus = ResetsMetaForStatus {
    columns: claims,
    status: Some(crate::validation::resource_claim_status::update),
    ..ResetsMetaForStatus::new(|| serde_json::json!({}))
};

/// The claim's own defaults and `Validate`/`ValidateUpdate` over its status strategy.
const CLAIMS: SpecValidated<ResetsMetaForStatus> = SpecValidated {
    base: CLAIM_STATUS,
    defaults: defaults::claim,
    created: nothing_created,
    validate: claim::claim_create,
    validate_update: claim::claim_update,
    validate_status: None,
    generation: Generation::Base,
};

/// ResourceClaims (`resourceclaimStrategy`): [`CLAIMS`], and a status write drops the
/// `status.devices` entries of devices no longer allocated (`dropDeallocatedStatusDevices`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceClaims;

impl wrapper::Wrapper for ResourceClaims {
    fn base(&self) -> &dyn Strategy {
        &CLAIMS
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        Strategy::prepare_for_update(&CLAIMS, subresource, new, old, now);
        if subresource == "status" {
            defaults::drop_deallocated_status_devices(new, old);
        }
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

/// `SetObjectDefaults_ResourceSlice`, and the fields of gates off in v1.36 dropped: a stored
/// slice never holds them, so dropping them at decoding is `dropDisabledFields`.
fn slice_defaults(obj: &mut Value) {
    defaults::slice(obj, &crate::clock::now());
    defaults::drop_disabled_slice_fields(obj, None);
}

/// The defaults and validation of ResourceSlices (`resourceSliceStrategy`).
const SLICES: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(slices),
    defaults: slice_defaults,
    created: nothing_created,
    validate: slice::create,
    validate_update: slice::update,
    validate_status: None,
    generation: Generation::From("spec"),
};

/// The field labels of ResourceSlices (`addConversionFuncs` of `pkg/apis/resource/v1`, and
/// `toSelectableFields`: an unset node name selects as `""`).
const SLICE_FIELD_LABELS: &[(&str, Getter)] = &[
    ("metadata.name", NAME),
    ("spec.nodeName", Getter::Str("/spec/nodeName")),
    ("spec.driver", Getter::Str("/spec/driver")),
];

/// ResourceSlices: [`SLICES`], selectable by node name and driver.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceSlices;

impl wrapper::Wrapper for ResourceSlices {
    fn base(&self) -> &dyn Strategy {
        &SLICES
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        match SLICE_FIELD_LABELS.iter().find(|(l, _)| *l == label) {
            Some((l, getter)) => Ok(((*l).to_owned(), *getter)),
            None => Err(SelectorError::new(format!(
                "field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: {label}"
            ))),
        }
    }
}

/// ResourceSlices.
pub(crate) const RESOURCE_SLICES: ResourceSlices = ResourceSlices;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::registry::Registry;
    use crate::registry::ResourceType;
    use crate::validation::Invalid;

    fn rt(plural: &str) -> Arc<ResourceType> {
        Registry::builtin()
            .find("resource.k8s.io", "v1", plural)
            .expect("a resource.k8s.io type")
    }

    fn fields(result: Result<(), Invalid>) -> Vec<String> {
        result
            .err()
            .map(|e| e.errors.iter().map(|e| e.field.clone()).collect())
            .unwrap_or_default()
    }

    /// Each type's strategy defaults and validates its spec through the registry.
    #[test]
    fn each_type_defaults_and_validates_its_spec() {
        let claims = rt("resourceclaims");
        let mut claim = json!({"metadata": {"name": "c", "namespace": "n"},
            "spec": {"devices": {"requests": [{"name": "a", "exactly": {"deviceClassName": "c"}}]}}});
        claims.strategy.default(&mut claim).expect("defaults");
        assert_eq!(
            claim["spec"]["devices"]["requests"][0]["exactly"]["count"],
            1
        );
        assert!(claims.strategy.validate(&claims, &claim).is_ok());
        for (plural, obj, field) in [
            (
                "resourceclaims",
                json!({"metadata": {"name": "c", "namespace": "n"},
                "spec": {"devices": {"requests": [{"name": "a"}]}}}),
                "spec.devices.requests[0]",
            ),
            (
                "resourceclaimtemplates",
                json!({"metadata": {"name": "t", "namespace": "n"},
                "spec": {"spec": {"devices": {"requests": [{"name": "a"}]}}}}),
                "spec.spec.devices.requests[0]",
            ),
            (
                "deviceclasses",
                json!({"metadata": {"name": "d"},
                "spec": {"selectors": [{}]}}),
                "spec.selectors[0].cel",
            ),
            (
                "resourceslices",
                json!({"metadata": {"name": "s"},
                "spec": {"driver": "d.example.com", "allNodes": true,
                    "pool": {"name": "p", "generation": 0, "resourceSliceCount": 0}}}),
                "spec.pool.resourceSliceCount",
            ),
        ] {
            let rt = rt(plural);
            assert_eq!(fields(rt.strategy.validate(&rt, &obj)), [field], "{plural}");
        }
    }

    /// DeviceClasses and ResourceSlices start at generation 1, bumped by a spec change.
    #[test]
    fn classes_and_slices_track_their_generation() {
        for plural in ["deviceclasses", "resourceslices"] {
            let rt = rt(plural);
            let mut old = json!({"metadata": {"name": "x"}, "spec": {"a": 1}});
            rt.strategy.prepare_for_create(&mut old, "t");
            assert_eq!(old["metadata"]["generation"], 1, "{plural}");
            let mut new = old.clone();
            new["spec"]["a"] = json!(2);
            rt.strategy.prepare_for_update("", &mut new, &old, "t");
            assert_eq!(new["metadata"]["generation"], 2, "{plural}");
        }
    }

    /// ResourceSlices select by node name and driver, and nothing else but their name.
    #[test]
    fn slice_field_labels() {
        let rt = rt("resourceslices");
        let slice = json!({"metadata": {"name": "s"}, "spec": {"driver": "d.example.com"}});
        let (_, node) = rt
            .strategy
            .field_label("spec.nodeName")
            .expect("spec.nodeName");
        assert_eq!(node.get(&slice), "");
        let (_, driver) = rt.strategy.field_label("spec.driver").expect("spec.driver");
        assert_eq!(driver.get(&slice), "d.example.com");
        let err = rt.strategy.field_label("metadata.namespace").unwrap_err();
        assert_eq!(
            err.to_string(),
            "field label not supported for resource.k8s.io/v1, Kind=ResourceSlice: metadata.namespace"
        );
    }

    /// A claim's status write keeps its spec and drops the status of deallocated devices.
    #[test]
    fn claim_status_writes_drop_deallocated_devices() {
        let rt = rt("resourceclaims");
        let result = json!({"request": "a", "driver": "d.example.com", "pool": "p", "device": "x"});
        let old = json!({"metadata": {"name": "c"}, "spec": {"devices": {}},
            "status": {"allocation": {"devices": {"results": [result]}}}});
        let mut new = json!({"metadata": {"name": "c"}, "spec": {"devices": {"requests": []}},
            "status": {"devices": [{"driver": "d.example.com", "pool": "p", "device": "x"}]}});
        rt.strategy
            .prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(new["spec"], old["spec"]);
        assert_eq!(new["status"], json!({}));
    }

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
