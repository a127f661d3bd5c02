//! The event table (`printEvent` in `pkg/printers/internalversion/printers.go`), shared by
//! both versions: kube-apiserver prints the stored (core) event, whatever version was asked.
//! The name comes last, on `-o wide`.

use serde_json::Value;

use crate::registry::print::{self, int, text};
use crate::registry::table::{Column, col, name_column};

/// The event columns.
pub(super) fn columns() -> Vec<Column> {
    vec![
        col(
            "Last Seen",
            "The time at which the most recent occurrence of this event was recorded.",
            0,
            |v| last_seen(v).into(),
        ),
        col(
            "Type",
            "Type of this event (Normal, Warning), new types could be added in the future",
            0,
            |v| text(v, "/type").into(),
        ),
        col(
            "Reason",
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
            0,
            |v| text(v, "/reason").into(),
        ),
        col("Object", "The object that this event is about.", 0, |v| {
            object(v).into()
        }),
        col(
            "Subobject",
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.",
            1,
            |v| text(v, "/involvedObject/fieldPath").into(),
        ),
        col(
            "Source",
            "The component reporting this event. Should be a short machine understandable string.",
            1,
            |v| source(v).into(),
        ),
        col(
            "Message",
            "A human-readable description of the status of this operation.",
            0,
            |v| text(v, "/message").trim().into(),
        ),
        col(
            "First Seen",
            "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
            1,
            |v| first_seen(v).into(),
        ),
        col(
            "Count",
            "The number of times this event has occurred.",
            1,
            |v| count(v).into(),
        ),
        name_column().wide(),
    ]
}

/// The age of `firstTimestamp`, else of `eventTime`.
fn first_seen(v: &Value) -> String {
    if print::timestamp(v, "/firstTimestamp").is_some() {
        print::since(v, "/firstTimestamp")
    } else {
        print::since(v, "/eventTime")
    }
}

/// The age of the series' last observation, else of `lastTimestamp`, else the first seen.
fn last_seen(v: &Value) -> String {
    if has_series(v) {
        print::since(v, "/series/lastObservedTime")
    } else if print::timestamp(v, "/lastTimestamp").is_some() {
        print::since(v, "/lastTimestamp")
    } else {
        first_seen(v)
    }
}

fn has_series(v: &Value) -> bool {
    v.get("series").is_some_and(Value::is_object)
}

/// The series' count, else `count`, 1 for a singleton event without one.
fn count(v: &Value) -> i64 {
    if has_series(v) {
        return int(v, "/series/count");
    }
    match int(v, "/count") {
        0 => 1,
        n => n,
    }
}

/// `kind/name` of the involved object, the kind in lower case.
fn object(v: &Value) -> String {
    let kind = text(v, "/involvedObject/kind").to_lowercase();
    match text(v, "/involvedObject/name") {
        "" => kind,
        name => format!("{kind}/{name}"),
    }
}

/// `formatEventSource`: component (or reporting controller), then `, host` (or reporting
/// instance) when there is one.
fn source(v: &Value) -> String {
    let first = |a: &str, b: &str| print::or(text(v, a), text(v, b));
    let component = first("/source/component", "/reportingComponent");
    let instance = first("/source/host", "/reportingInstance");
    if instance.is_empty() {
        component
    } else {
        format!("{component}, {instance}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clock;

    /// As `TestPrintEvent` (wide): the columns' order, the object as `kind/name`, the
    /// source with its host, and a series' count.
    #[test]
    fn print_event() {
        let ago = |secs: i64| clock::rfc3339(clock::unix_now() - secs);
        let ev = json!({"metadata": {"name": "e1"}, "type": "Normal", "reason": "Scheduled",
            "involvedObject": {"kind": "Pod", "name": "p", "fieldPath": "spec.containers{c}"},
            "source": {"component": "kubelet", "host": "node1"}, "message": " hi \n",
            "firstTimestamp": ago(3 * 86400), "lastTimestamp": ago(2 * 86400), "count": 6});
        let cells: Vec<Value> = columns().iter().map(|c| c.cell(&ev)).collect();
        assert_eq!(
            cells,
            vec![
                json!("2d"),
                json!("Normal"),
                json!("Scheduled"),
                json!("pod/p"),
                json!("spec.containers{c}"),
                json!("kubelet, node1"),
                json!("hi"),
                json!("3d"),
                json!(6),
                json!("e1")
            ]
        );
        let v1 = json!({"reportingComponent": "ctrl", "eventTime": ago(30),
            "involvedObject": {"kind": "Node"}, "series": {"count": 4, "lastObservedTime": ago(5)}});
        assert_eq!(source(&v1), "ctrl");
        assert_eq!(object(&v1), "node");
        assert_eq!(count(&v1), 4);
        assert_eq!(first_seen(&v1), "30s");
        assert_eq!(last_seen(&v1), "5s");
        assert_eq!(count(&json!({})), 1);
        assert_eq!(last_seen(&json!({})), "<unknown>");
        let priorities: Vec<i64> = columns().iter().map(|c| c.priority).collect();
        assert_eq!(priorities, [0, 0, 0, 0, 1, 1, 0, 1, 1, 1]);
    }
}
