//! Types whose behaviour of their own is a status subresource: HorizontalPodAutoscalers
//! (`pkg/registry/autoscaling/horizontalpodautoscaler`), Ingresses
//! (`pkg/registry/networking/ingress`), ResourceQuotas (`pkg/registry/core/resourcequota`),
//! FlowSchemas and PriorityLevelConfigurations (`pkg/registry/flowcontrol/*`); and the types
//! whose status strategy only resets metadata ([`ResetsMetaForStatus`]).
//!
//! Their `PrepareForCreate` resets the status (and sets the generation where it is tracked),
//! the main resource keeps the stored status, the status strategy keeps the stored spec (the
//! flow-control ones the stored metadata too) and validates the status with the real rules
//! (`validation::*_status`). Names are checked as far as `ObjectMeta`, and specs by the
//! type's `spec` checks where the test server has them (Ingresses, HorizontalPodAutoscalers).
//! Each type's value, with its table columns, is defined in its group's file from the bases
//! here.

use serde_json::{Value, json};

use crate::registry::ResourceType;
use crate::registry::strategy::{self, Checks, Strategy, keep};
use crate::registry::table::{self, Column};
use crate::validation::{FieldError, Invalid, NameRule, core_status, policy_status};

/// A type with a status strategy and nothing else of its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatusType {
    /// How names are checked.
    pub(crate) name_rule: NameRule,
    /// The status `PrepareForCreate` sets, by the object's `apiVersion` (the empty status
    /// serialises differently in each version).
    pub(crate) created_status: fn(&str) -> Value,
    /// Whether `metadata.generation` follows the spec.
    pub(crate) generation: bool,
    /// Whether a status write keeps the stored metadata (labels, annotations, finalizers,
    /// owner references), as the flow-control status strategies do.
    pub(crate) keeps_metadata: bool,
    /// The status strategy's own checks (`ValidateXStatusUpdate` after the metadata).
    pub(crate) status: fn(&Value, &Value) -> Vec<FieldError>,
    /// The spec checks (`ValidateX`), none for most.
    pub(crate) spec: fn(&Value) -> Vec<FieldError>,
    /// The spec's update checks, when they differ from the create checks.
    pub(crate) spec_update: Option<fn(&Value, &Value) -> Vec<FieldError>>,
    /// The table columns.
    pub(crate) columns: fn() -> Vec<Column>,
}

/// No spec checks.
fn unchecked(_: &Value) -> Vec<FieldError> {
    Vec::new()
}

/// autoscaling HorizontalPodAutoscalers, stored as autoscaling/v2: the empty status shows only
/// `desiredReplicas` (`currentReplicas` is `omitempty` in v2; a v1 read converts it back).
pub(crate) const HORIZONTAL_POD_AUTOSCALERS: StatusType = StatusType {
    name_rule: NameRule::Subdomain,
    created_status: |_| json!({"desiredReplicas": 0}),
    generation: false,
    keeps_metadata: false,
    status: policy_status::horizontal_pod_autoscaler,
    columns: table::default_columns,
    spec: unchecked,
    spec_update: None,
};

/// networking.k8s.io/v1 Ingresses.
pub(crate) const INGRESSES: StatusType = StatusType {
    name_rule: NameRule::Subdomain,
    created_status: |_| json!({"loadBalancer": {}}),
    generation: true,
    keeps_metadata: false,
    status: core_status::ingress,
    columns: table::default_columns,
    spec: unchecked,
    spec_update: None,
};

/// core/v1 ResourceQuotas.
pub(crate) const RESOURCE_QUOTAS: StatusType = StatusType {
    name_rule: NameRule::Subdomain,
    created_status: |_| json!({}),
    generation: false,
    keeps_metadata: false,
    status: core_status::resource_quota,
    columns: table::default_columns,
    spec: unchecked,
    spec_update: None,
};

/// flowcontrol.apiserver.k8s.io/v1 FlowSchemas and PriorityLevelConfigurations.
pub(crate) const FLOW_CONTROL: StatusType = StatusType {
    name_rule: NameRule::PathSegment,
    created_status: |_| json!({}),
    generation: true,
    keeps_metadata: true,
    status: policy_status::flow_control,
    columns: table::default_columns,
    spec: unchecked,
    spec_update: None,
};

impl Strategy for StatusType {
    fn tracks_generation(&self) -> bool {
        self.generation
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        if self.generation {
            strategy::set_generation(obj, 1);
        }
        let api_version = obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        strategy::set_status(obj, (self.created_status)(&api_version));
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        match subresource {
            "" => self.prepare_main_update(new, old),
            "status" => {
                keep(new, old, "spec");
                if self.keeps_metadata {
                    keep_metadata_but_managed_fields(new, old);
                }
            }
            _ => {}
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        c.create(obj, (self.spec)(obj))
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
        if subresource == "status" {
            return c.status_update(new, old, (self.status)(new, old));
        }
        c.update(subresource, new, old, || match self.spec_update {
            Some(update) => c.object(new, update(new, old)),
            None => c.object(new, (self.spec)(new)),
        })
    }

    fn columns(&self) -> Vec<Column> {
        (self.columns)()
    }
}

/// Types whose status strategy keeps the stored spec and the stored labels, annotations,
/// finalizers and owner references (`metav1.ResetObjectMetaForStatus`): VolumeAttachments,
/// ResourceClaims, ServiceCIDRs and ValidatingAdmissionPolicies; APIServices' strategy keeps the
/// same four fields by hand. The status checks are this type's `status`, or, for
/// VolumeAttachments, their `SpecValidated` wrapper's `validate_status`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResetsMetaForStatus {
    /// The status `PrepareForCreate` sets.
    pub(crate) created_status: fn() -> Value,
    /// `ReturnDeletedObject` (VolumeAttachments).
    pub(crate) returns_deleted: bool,
    /// Whether `metadata.generation` follows the spec.
    pub(crate) generation: bool,
    /// The status strategy's own checks, when reproduced.
    pub(crate) status: Option<fn(&Value, &Value) -> Vec<FieldError>>,
    /// The table columns.
    pub(crate) columns: fn() -> Vec<Column>,
}

impl ResetsMetaForStatus {
    /// No generation, no status checks.
    pub(crate) const fn new(created_status: fn() -> Value) -> Self {
        ResetsMetaForStatus {
            created_status,
            returns_deleted: false,
            generation: false,
            status: None,
            columns: table::default_columns,
        }
    }
}

/// networking.k8s.io ServiceCIDRs (`ValidateServiceCIDRStatusUpdate`: the conditions).
pub(crate) const SERVICE_CIDRS: ResetsMetaForStatus = ResetsMetaForStatus {
    status: Some(core_status::conditions_only),
    ..ResetsMetaForStatus::new(|| json!({}))
};

/// apiregistration.k8s.io APIServices (`ValidateAPIServiceStatus`: condition statuses).
pub(crate) const API_SERVICES: ResetsMetaForStatus = ResetsMetaForStatus {
    status: Some(core_status::api_service),
    ..ResetsMetaForStatus::new(|| json!({}))
};

/// admissionregistration.k8s.io ValidatingAdmissionPolicies
/// (`validateValidatingAdmissionPolicyStatus`: type-checking warnings and conditions).
pub(crate) const VALIDATING_ADMISSION_POLICIES: ResetsMetaForStatus = ResetsMetaForStatus {
    generation: true,
    status: Some(core_status::admission_policy),
    ..ResetsMetaForStatus::new(|| json!({}))
};

impl Strategy for ResetsMetaForStatus {
    fn tracks_generation(&self) -> bool {
        self.generation
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        if self.generation {
            strategy::set_generation(obj, 1);
        }
        strategy::set_status(obj, (self.created_status)());
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        match (subresource, self.status) {
            ("status", Some(status)) => Checks {
                rt,
                name_rule: NameRule::PathSegment,
            }
            .status_update(new, old, status(new, old)),
            _ => Ok(()),
        }
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        match subresource {
            "" => self.prepare_main_update(new, old),
            "status" => {
                keep(new, old, "spec");
                reset_object_meta_for_status(new, old);
            }
            _ => {}
        }
    }

    fn returns_deleted_object(&self) -> bool {
        self.returns_deleted
    }

    fn columns(&self) -> Vec<Column> {
        (self.columns)()
    }
}

/// `metav1.ResetObjectMetaForStatus`: labels, annotations, finalizers and owner references
/// are the stored ones (deletion timestamp and generation are kept for every write).
fn reset_object_meta_for_status(new: &mut Value, old: &Value) {
    let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ["labels", "annotations", "finalizers", "ownerReferences"] {
        match old.pointer(&format!("/metadata/{key}")) {
            Some(v) => meta.insert(key.into(), v.clone()),
            None => meta.remove(key),
        };
    }
}

/// `new.ObjectMeta = old.ObjectMeta` except `managedFields`, which track the status write.
fn keep_metadata_but_managed_fields(new: &mut Value, old: &Value) {
    let managed = new.pointer("/metadata/managedFields").cloned();
    keep(new, old, "metadata");
    if let Some(managed) = managed
        && let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.insert("managedFields".into(), managed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PrepareForCreate` of HorizontalPodAutoscalers, in their stored version.
    #[test]
    fn hpa_created_status() {
        let mut hpa = json!({"apiVersion": "autoscaling/v2", "status": {"currentReplicas": 3}});
        HORIZONTAL_POD_AUTOSCALERS.prepare_for_create(&mut hpa, "t");
        assert_eq!(hpa["status"], json!({"desiredReplicas": 0}));
    }

    #[test]
    fn created_status_is_reset_and_status_writes_keep_the_spec() {
        let mut ing = json!({"metadata": {}, "spec": {"rules": []},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}});
        INGRESSES.prepare_for_create(&mut ing, "t");
        assert_eq!(ing["status"], json!({"loadBalancer": {}}));
        assert_eq!(ing["metadata"]["generation"], 1);
        let old = ing.clone();
        let mut new = json!({"metadata": {"labels": {"a": "b"}, "generation": 1},
            "spec": {"rules": [{"host": "x"}]}, "status": {"loadBalancer": {}}});
        INGRESSES.prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(new["spec"], json!({"rules": []}));
        assert_eq!(new["metadata"]["labels"], json!({"a": "b"}));
    }

    /// `volumeAttachmentStatusStrategy.PrepareForUpdate`.
    #[test]
    fn reset_object_meta_for_status() {
        let old = json!({"metadata": {"name": "va", "labels": {"a": "1"}, "finalizers": ["f"]},
            "spec": {"x": 1}});
        let mut new = json!({"metadata": {"name": "va", "annotations": {"b": "2"}},
            "spec": {"x": 2}, "status": {"attached": true}});
        let volume_attachments = ResetsMetaForStatus {
            returns_deleted: true,
            ..ResetsMetaForStatus::new(|| json!({"attached": false}))
        };
        volume_attachments.prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(
            new,
            json!({"metadata": {"name": "va", "labels": {"a": "1"}, "finalizers": ["f"]},
                "spec": {"x": 1}, "status": {"attached": true}})
        );
    }

    /// `flowSchemaStatusStrategy.PrepareForUpdate`: only the status (and managedFields) change.
    #[test]
    fn flow_control_status_writes_keep_metadata() {
        let old = json!({"metadata": {"name": "fs", "labels": {"a": "1"}}, "spec": {"x": 1}});
        let mut new = json!({"metadata": {"name": "fs", "labels": {"a": "2"},
            "managedFields": [{"manager": "m"}]}, "spec": {"x": 2},
            "status": {"conditions": []}});
        FLOW_CONTROL.prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(
            new,
            json!({"metadata": {"name": "fs", "labels": {"a": "1"},
                "managedFields": [{"manager": "m"}]}, "spec": {"x": 1},
                "status": {"conditions": []}})
        );
    }
}
