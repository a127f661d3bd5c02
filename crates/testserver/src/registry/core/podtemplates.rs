//! PodTemplates (`pkg/registry/core/podtemplate/strategy.go`): the pod defaults and canonical
//! quantities of the template, `ValidatePodTemplate` on create and `ValidatePodTemplateUpdate`
//! on update (`validation/pod_template.rs`), table columns.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, pod, quantities};
use crate::registry::ResourceType;
use crate::registry::print;
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::{self, Column, col};
use crate::shared::json::object_at;
use crate::validation::{Invalid, NameRule, pod_template};

fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::Subdomain,
    }
}

/// The PodTemplate strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodTemplates;

impl Strategy for PodTemplates {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        (crate::warnings::workloads::POD_TEMPLATES.create)(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        match subresource {
            "" => (crate::warnings::workloads::POD_TEMPLATES.update)(new, old),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::pod_spec_at(obj, "/template/spec")?;
        if let Some(spec) = object_at(obj, &["template", "spec"]) {
            pod::pod_spec(spec);
        }
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = checks(rt);
        c.create(obj, pod_template::pod_template(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        checks(rt).update(subresource, new, old, || pod_template::pod_template(new))
    }

    /// `printPodTemplate`: containers, images and the template's labels; no age.
    fn columns(&self) -> Vec<Column> {
        const CONTAINERS: &str = "/template/spec/containers";
        vec![
            table::name_column(),
            col(
                "Containers",
                "Names of each container in the template.",
                0,
                |v| print::containers(v, CONTAINERS).0.into(),
            ),
            col(
                "Images",
                "Images referenced by each container in the template.",
                0,
                |v| print::containers(v, CONTAINERS).1.into(),
            ),
            col("Pod Labels", "The labels for the pod template.", 0, |v| {
                print::format_labels(v.pointer("/template/metadata/labels")).into()
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn columns_follow_print_pod_template() {
        let t = json!({"metadata": {"name": "t"}, "template": {"metadata": {"labels": {"b": "2", "a": "1"}},
            "spec": {"containers": [{"name": "c", "image": "i"}]}}});
        let cells: Vec<Value> = PodTemplates.columns().iter().map(|c| c.cell(&t)).collect();
        assert_eq!(
            cells,
            vec![json!("t"), json!("c"), json!("i"), json!("a=1,b=2")]
        );
    }
}
