//! Namespaces (`pkg/registry/core/namespace/strategy.go`): the `kubernetes` finalizer and
//! `Active` phase of a new namespace, a spec that changes only through `finalize`, the
//! `kubernetes.io/metadata.name` label, validation, field selectors, table columns.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, namespace};
use crate::registry::ResourceType;
use crate::registry::print::text;
use crate::registry::strategy::{self, DeleteRules, Strategy, Validated, keep};
use crate::registry::table::{self, Column, col};
use crate::selector::{Getter, NAME, SelectorError, supported};
use crate::shared::json::object_at;
use crate::validation::{FieldError, Invalid, NameRule, core_misc};

/// The namespace strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Namespaces;

impl Validated for Namespaces {
    const NAME_RULE: NameRule = NameRule::Label;

    fn spec(obj: &Value) -> Vec<FieldError> {
        core_misc::namespace(obj)
    }

    fn status_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core_status::namespace(new, old)
    }
}

impl Strategy for Namespaces {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        namespace::namespace(obj);
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        if let Some(spec) = object_at(obj, &["spec"]) {
            let finalizers = spec.entry("finalizers").or_insert_with(|| json!([]));
            if !finalizers.is_array() {
                *finalizers = json!([]);
            }
            if let Some(list) = finalizers.as_array_mut()
                && !list.iter().any(|f| f.as_str() == Some("kubernetes"))
            {
                list.push(json!("kubernetes"));
            }
        }
        strategy::set_status(obj, json!({"phase": "Active"}));
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        match subresource {
            // Namespace finalizers change only through the finalize subresource.
            "" => keep(new, old, "spec"),
            "status" => keep(new, old, "spec"),
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

    /// A namespace created from `generateName` gets its `kubernetes.io/metadata.name` label
    /// only once its name exists.
    fn canonicalize(&self, obj: &mut Value) {
        let name = crate::shared::json::name(obj).to_owned();
        if !name.is_empty()
            && let Some(labels) = object_at(obj, &["metadata", "labels"])
        {
            labels.insert(namespace::NAME_LABEL.into(), json!(name));
        }
    }

    fn delete_rules(&self) -> DeleteRules {
        DeleteRules::Namespace
    }

    /// A deleted namespace is `Terminating`, without a grace period.
    fn before_delete(&self, marked: &mut Value, _old: &Value, _already: bool, _now: &str) {
        if let Some(o) = marked.as_object_mut() {
            let status = o.entry("status").or_insert_with(|| json!({}));
            if !status.is_object() {
                *status = json!({});
            }
            status["phase"] = "Terminating".into();
        }
        if let Some(m) = marked.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("deletionGracePeriodSeconds");
        }
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        supported(
            &[
                ("metadata.name", NAME),
                ("status.phase", Getter::Str("/status/phase")),
            ],
            label,
        )
    }

    /// `printNamespace`: the phase.
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![col("Status", "The status of the namespace", 0, |v| {
                text(v, "/status/phase").into()
            })],
            Vec::new(),
        )
    }
}
