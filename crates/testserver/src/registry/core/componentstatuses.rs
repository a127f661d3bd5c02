//! ComponentStatuses (`pkg/registry/core/componentstatus`): the table columns
//! (`printComponentStatus`); the type has no age column.

use serde_json::Value;

use crate::registry::print::{items, text};
use crate::registry::strategy::Strategy;
use crate::registry::table::{self, Column, col};

/// The ComponentStatus strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ComponentStatuses;

/// The `Healthy` condition.
fn healthy(v: &Value) -> Option<&Value> {
    items(v, "/conditions")
        .iter()
        .find(|c| text(c, "/type") == "Healthy")
}

impl Strategy for ComponentStatuses {
    fn deprecation(&self) -> Option<&str> {
        Some("v1 ComponentStatus is deprecated in v1.19+")
    }

    /// Status (`Healthy`, `Unhealthy`, `Unknown`), message and error of the `Healthy`
    /// condition.
    fn columns(&self) -> Vec<Column> {
        vec![
            table::name_column(),
            col("Status", "Status of the component conditions", 0, |v| {
                match healthy(v).map(|c| text(c, "/status")) {
                    Some("True") => "Healthy",
                    Some(_) => "Unhealthy",
                    None => "Unknown",
                }
                .into()
            }),
            col("Message", "Message of the component conditions", 0, |v| {
                healthy(v).map_or("", |c| text(c, "/message")).into()
            }),
            col("Error", "Error of the component conditions", 0, |v| {
                healthy(v).map_or("", |c| text(c, "/error")).into()
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn healthy_condition() {
        let cs = json!({"metadata": {"name": "etcd-0"}, "conditions": [
            {"type": "Healthy", "status": "True", "message": "ok"}]});
        let cells: Vec<Value> = ComponentStatuses
            .columns()
            .iter()
            .map(|c| c.cell(&cs))
            .collect();
        assert_eq!(
            cells,
            vec![json!("etcd-0"), json!("Healthy"), json!("ok"), json!("")]
        );
        let none = json!({"metadata": {"name": "x"}});
        assert_eq!(ComponentStatuses.columns()[1].cell(&none), json!("Unknown"));
    }
}
