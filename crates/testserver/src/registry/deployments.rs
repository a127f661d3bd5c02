//! apps/v1 Deployments (`pkg/registry/apps/deployment/strategy.go`): the workload behaviour
//! (template defaults, status, generation) plus validation.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, workloads};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated, keep};
use crate::validation::{FieldError, Invalid, NameRule};

/// The Deployment strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deployments;

impl Validated for Deployments {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::workloads::deployment(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::workloads::deployment_update(new, old)
    }

    fn status_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::apps_status::deployment(new, old)
    }
}

impl Strategy for Deployments {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::pod_spec_at(obj, "/spec/template/spec")?;
        workloads::deployment(obj);
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_generation(obj, 1);
        strategy::set_status(obj, json!({}));
    }

    /// A main-resource update bumps the generation when the spec or the annotations change
    /// (annotations are copied to the ReplicaSets); the status strategy also keeps the stored
    /// labels (`deploymentStatusStrategy`).
    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        match subresource {
            "" => {
                let annotations = |v: &Value| {
                    v.pointer("/metadata/annotations")
                        .and_then(Value::as_object)
                        .filter(|m| !m.is_empty())
                        .cloned()
                };
                if annotations(new) != annotations(old) && new.get("spec") == old.get("spec") {
                    let generation = old
                        .pointer("/metadata/generation")
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    strategy::set_generation(new, generation + 1);
                } else {
                    self.prepare_main_update(new, old);
                }
            }
            "status" => {
                keep(new, old, "spec");
                if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    match old.pointer("/metadata/labels") {
                        Some(v) => meta.insert("labels".into(), v.clone()),
                        None => meta.remove("labels"),
                    };
                }
            }
            _ => {}
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        strategy::validate::<Self>(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `deploymentStrategy.PrepareForUpdate`: spec or annotation changes bump the generation.
    #[test]
    fn annotations_bump_the_generation() {
        let old = json!({"metadata": {"generation": 4, "annotations": {"a": "1"}},
            "spec": {"replicas": 1}});
        let bumped = |new: Value| {
            let mut new = new;
            Deployments.prepare_for_update("", &mut new, &old, "t");
            new["metadata"]["generation"].clone()
        };
        assert_eq!(
            bumped(
                json!({"metadata": {"generation": 4, "annotations": {"a": "2"}},
                "spec": {"replicas": 1}})
            ),
            5
        );
        assert_eq!(
            bumped(
                json!({"metadata": {"generation": 4, "annotations": {"a": "1"}, "labels": {"l": "1"}},
                "spec": {"replicas": 1}})
            ),
            4
        );
        assert_eq!(
            bumped(
                json!({"metadata": {"generation": 4, "annotations": {"a": "2"}},
                "spec": {"replicas": 2}})
            ),
            5
        );
    }

    #[test]
    fn status_update_keeps_spec_and_labels_but_not_annotations() {
        let old = json!({"metadata": {"labels": {"a": "1"}, "annotations": {"x": "1"}},
            "spec": {"replicas": 1}, "status": {}});
        let mut new = json!({"metadata": {"labels": {"a": "2"}, "annotations": {"x": "2"}},
            "spec": {"replicas": 5}, "status": {"replicas": 1}});
        Deployments.prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(
            new,
            json!({"metadata": {"labels": {"a": "1"}, "annotations": {"x": "2"}},
                "spec": {"replicas": 1}, "status": {"replicas": 1}})
        );
    }
}
