//! The columns of PodDisruptionBudgets (`printPodDisruptionBudget`).

use serde_json::Value;

use crate::registry::print::int;
use crate::registry::table::{self, Column, col};

/// An `IntOrString` as Go's `String()` prints it, `N/A` when unset.
fn int_or_string(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Number(n)) => n.to_string().into(),
        Some(Value::String(s)) => s.clone().into(),
        _ => "N/A".into(),
    }
}

/// Min available, max unavailable, allowed disruptions.
pub(super) fn pod_disruption_budgets() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Min Available",
                "The minimum number of pods that must be available.",
                0,
                |v| int_or_string(v.pointer("/spec/minAvailable")),
            ),
            col(
                "Max Unavailable",
                "The maximum number of pods that may be unavailable.",
                0,
                |v| int_or_string(v.pointer("/spec/maxUnavailable")),
            ),
            col(
                "Allowed Disruptions",
                "Calculated number of pods that may be disrupted at this time.",
                0,
                |v| int(v, "/status/disruptionsAllowed").into(),
            )
            .typed("integer"),
        ],
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unset_bounds_are_not_applicable() {
        let pdb = json!({"spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 2}});
        let cells: Vec<Value> = pod_disruption_budgets()
            .iter()
            .map(|c| c.cell(&pdb))
            .collect();
        assert_eq!(
            cells[1..4].to_vec(),
            vec![json!("50%"), json!("N/A"), json!(2)]
        );
        assert_eq!(int_or_string(Some(&json!(1))), json!("1"));
    }
}
