//! flowcontrol.apiserver.k8s.io/v1 FlowSchemas and PriorityLevelConfigurations: the v1
//! defaults and validation of their strategies (`validation::flow_control`) over the status
//! strategy of `status_types`, and the table columns (`printFlowSchema`,
//! `printPriorityLevelConfiguration`).

use std::cmp::Ordering;

use serde_json::Value;

use crate::registry::print::{int, items, text};
use crate::registry::spec_validated::{Generation, SpecValidated, nothing_created};
use crate::registry::status_types::{self, StatusType};
use crate::registry::table::{self, Column, col};
use crate::validation::flow_control;

/// `FlowSchemaSequence.Less`, which `printFlowSchemaList` sorts by: the numerically lowest
/// matching precedence first, then by name.
fn precedence_order(a: &Value, b: &Value) -> Ordering {
    let key = |v| {
        (
            int(v, "/spec/matchingPrecedence"),
            text(v, "/metadata/name"),
        )
    };
    key(a).cmp(&key(b))
}

fn flow_schemas() -> Vec<Column> {
    let mut cols = table::columns(
        vec![
            col(
                "PriorityLevel",
                "`name` is the name of the priority level configuration being referenced Required.",
                0,
                |v| text(v, "/spec/priorityLevelConfiguration/name").into(),
            ),
            col(
                "MatchingPrecedence",
                "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.",
                0,
                |v| int(v, "/spec/matchingPrecedence").into(),
            )
            .ordering_lists(precedence_order),
            col(
                "DistinguisherMethod",
                "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.",
                0,
                |v| match v.pointer("/spec/distinguisherMethod") {
                    Some(m) if m.is_object() => text(m, "/type").into(),
                    _ => "<none>".into(),
                },
            ),
        ],
        Vec::new(),
    );
    cols.push(col(
        "MissingPL",
        "references a broken or non-existent PriorityLevelConfiguration",
        0,
        |v| {
            items(v, "/status/conditions")
                .iter()
                .find(|c| text(c, "/type") == "Dangling")
                .map_or("?", |c| text(c, "/status"))
                .into()
        },
    ));
    cols
}

/// FlowSchemas.
pub(crate) const FLOW_SCHEMAS: SpecValidated<StatusType> = SpecValidated {
    base: StatusType {
        columns: flow_schemas,
        ..status_types::FLOW_CONTROL
    },
    defaults: flow_control::flow_schema_defaults,
    created: nothing_created,
    validate: flow_control::flow_schema,
    validate_update: |new, _| flow_control::flow_schema(new),
    validate_status: None,
    generation: Generation::Base,
};

/// The integer at `pointer` of a limited level's queuing, `<none>` otherwise.
fn queuing(v: &Value, key: &str) -> Value {
    match v.pointer("/spec/limited/limitResponse/queuing") {
        Some(q) if q.is_object() && v.pointer("/spec/limited").is_some_and(Value::is_object) => {
            int(q, key).into()
        }
        _ => "<none>".into(),
    }
}

fn priority_levels() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Type",
                "`type` indicates whether this priority level is subject to limitation on request execution.  A value of `\"Exempt\"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `\"Limited\"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server's limited capacity is made available exclusively to this priority level. Required.",
                0,
                |v| text(v, "/spec/type").into(),
            ),
            col(
                "NominalConcurrencyShares",
                "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server's concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a \"jail\" for this priority level that is used to hold some request(s)",
                0,
                |v| match v.pointer("/spec/limited") {
                    Some(l) if l.is_object() => int(l, "/nominalConcurrencyShares").into(),
                    _ => "<none>".into(),
                },
            ),
            col(
                "Queues",
                "`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.",
                0,
                |v| queuing(v, "/queues"),
            ),
            col(
                "HandSize",
                "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.",
                0,
                |v| queuing(v, "/handSize"),
            ),
            col(
                "QueueLengthLimit",
                "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.",
                0,
                |v| queuing(v, "/queueLengthLimit"),
            ),
        ],
        Vec::new(),
    )
}

/// PriorityLevelConfigurations.
pub(crate) const PRIORITY_LEVEL_CONFIGURATIONS: SpecValidated<StatusType> = SpecValidated {
    base: StatusType {
        columns: priority_levels,
        ..status_types::FLOW_CONTROL
    },
    defaults: flow_control::priority_level_defaults,
    created: nothing_created,
    validate: flow_control::priority_level,
    validate_update: |new, _| flow_control::priority_level(new),
    validate_status: None,
    generation: Generation::Base,
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flow_schema_lists_are_printed_by_precedence_then_name() {
        let fs = |name: &str, precedence: i64| json!({"metadata": {"name": name}, "spec": {"matchingPrecedence": precedence}});
        let mut list = [
            fs("b", 500),
            fs("global-default", 9900),
            fs("a", 500),
            fs("exempt", 1),
        ];
        let order = table::list_order(&flow_schemas()).unwrap();
        list.sort_by(order);
        let names: Vec<&str> = list.iter().map(|v| text(v, "/metadata/name")).collect();
        assert_eq!(names, ["exempt", "a", "b", "global-default"]);
        assert!(table::list_order(&priority_levels()).is_none());
    }

    #[test]
    fn flowcontrol_cells() {
        let fs = json!({"spec": {"priorityLevelConfiguration": {"name": "global"}, "matchingPrecedence": 100,
            "distinguisherMethod": {"type": "ByUser"}}, "status": {"conditions": [{"type": "Dangling", "status": "False"}]}});
        let cells: Vec<Value> = flow_schemas().iter().map(|c| c.cell(&fs)).collect();
        assert_eq!(
            cells[1..4].to_vec(),
            vec![json!("global"), json!(100), json!("ByUser")]
        );
        assert_eq!(cells[5], json!("False"));
        let exempt = json!({"spec": {"type": "Exempt"}});
        let cells: Vec<Value> = priority_levels().iter().map(|c| c.cell(&exempt)).collect();
        assert_eq!(
            cells[1..6].to_vec(),
            vec![
                json!("Exempt"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>"),
                json!("<none>")
            ]
        );
        let limited = json!({"spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 30,
            "limitResponse": {"type": "Queue", "queuing": {"queues": 64, "handSize": 6, "queueLengthLimit": 50}}}}});
        let cells: Vec<Value> = priority_levels().iter().map(|c| c.cell(&limited)).collect();
        assert_eq!(
            cells[2..6].to_vec(),
            vec![json!(30), json!(64), json!(6), json!(50)]
        );
    }
}
