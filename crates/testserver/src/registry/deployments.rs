//! apps/v1 Deployments (`pkg/registry/apps/deployment/strategy.go`): the workload behaviour
//! (template defaults, status, generation) plus validation and table columns.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, workloads};
use crate::registry::ResourceType;
use crate::registry::print::{self, int};
use crate::registry::strategy::{self, Strategy, Validated, keep};
use crate::registry::table::{self, CONTAINERS_DESC, Column, IMAGES_DESC, col};
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
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        (crate::warnings::workloads::REPLICATED.create)(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        match subresource {
            "" => (crate::warnings::workloads::REPLICATED.update)(new, old),
            _ => Vec::new(),
        }
    }

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

    /// `printDeployment`: ready of desired, up-to-date, available; the wide containers,
    /// images and selector.
    fn columns(&self) -> Vec<Column> {
        const CONTAINERS: &str = "/spec/template/spec/containers";
        table::columns(
            vec![
                col("Ready", "Number of the pod with ready state", 0, |v| {
                    let ready = int(v, "/status/readyReplicas");
                    format!("{ready}/{}", int(v, "/spec/replicas")).into()
                }),
                col(
                    "Up-to-date",
                    "Total number of non-terminating pods targeted by this deployment that have the desired template spec.",
                    0,
                    |v| int(v, "/status/updatedReplicas").into(),
                ),
                col(
                    "Available",
                    "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
                    0,
                    |v| int(v, "/status/availableReplicas").into(),
                ),
            ],
            vec![
                col("Containers", CONTAINERS_DESC, 1, |v| {
                    print::containers(v, CONTAINERS).0.into()
                }),
                col("Images", IMAGES_DESC, 1, |v| {
                    print::containers(v, CONTAINERS).1.into()
                }),
                col(
                    "Selector",
                    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
                    1,
                    |v| {
                        print::label_selector_string(v.pointer("/spec/selector"))
                            .unwrap_or_else(|| "<invalid>".into())
                            .into()
                    },
                ),
            ],
        )
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

    /// As `printDeployment`: `READY ready/desired`, counts, and the selector without
    /// `<none>` (it is `selector.String()`).
    #[test]
    fn columns_follow_print_deployment() {
        let d = json!({"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        let cells: Vec<Value> = Deployments.columns().iter().map(|c| c.cell(&d)).collect();
        assert_eq!(cells[1..4].to_vec(), vec![json!("2/3"), json!(3), json!(2)]);
        assert_eq!(
            cells[5..].to_vec(),
            vec![json!("web"), json!("nginx"), json!("app=web")]
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
