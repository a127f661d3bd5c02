//! The status the API Priority and Fairness controller of kube-apiserver writes on every
//! FlowSchema (`k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go`,
//! `presyncFlowSchemaStatus`): a `Dangling` condition, `True` with reason `NotFound` while the
//! PriorityLevelConfiguration it names does not exist, `False` with reason `Found` once it
//! does, written (server-side apply of the status, forced, by
//! `api-priority-and-fairness-config-consumer-v1`) only when status, reason or message change,
//! with the time of the write as `lastTransitionTime`.
//!
//! Guarantee: after [`sync`] every stored FlowSchema carries the condition that matches the
//! stored PriorityLevelConfigurations. Unlike the real controller, it does not hold back a
//! FlowSchema whose condition changed more than five times within a minute.

use serde_json::{Value, json};

use super::flow_control::GROUP;
use crate::api::write::{self, WriteOpts};
use crate::api::{App, meta_str};
use crate::storage::Scope;
use crate::validation::go_quote;

/// The APF controller's field manager (`ConfigConsumerAsFieldManager`).
const MANAGER: &str = "api-priority-and-fairness-config-consumer-v1";
const SCHEMAS: &str = "flowcontrol.apiserver.k8s.io/flowschemas";
const LEVELS: &str = "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations";

/// Whether a change of the store resource `resource` can change a condition.
pub(crate) fn concerns(resource: &str) -> bool {
    resource == SCHEMAS || resource == LEVELS
}

/// The `Dangling` condition's `(status, reason, message)` for a FlowSchema naming the level
/// `level`, which exists or not.
pub(crate) fn desired(level: &str, exists: bool) -> (&'static str, &'static str, String) {
    let level = go_quote(level);
    if exists {
        (
            "False",
            "Found",
            format!(
                "This FlowSchema references the PriorityLevelConfiguration object named {level} and it exists"
            ),
        )
    } else {
        (
            "True",
            "NotFound",
            format!(
                "This FlowSchema references the PriorityLevelConfiguration object named {level} but there is no such object"
            ),
        )
    }
}

/// Writes the `Dangling` condition of every FlowSchema whose condition is not the one the
/// stored PriorityLevelConfigurations call for.
pub(crate) fn sync(app: &App) {
    let Some(rt) = app.registry.find(GROUP, "v1", "flowschemas") else {
        return;
    };
    let Ok(snapshot) = app.store.snapshot(None) else {
        return;
    };
    let scope = |resource: &str| Scope {
        resource: resource.into(),
        namespace: None,
    };
    let level_scope = scope(LEVELS);
    let levels: Vec<&str> = snapshot
        .range(&level_scope, None)
        .map(|(_, l)| meta_str(l, "name"))
        .collect();
    let schema_scope = scope(SCHEMAS);
    for (_, schema) in snapshot.range(&schema_scope, None) {
        let level = schema
            .pointer("/spec/priorityLevelConfiguration/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let want = desired(level, levels.contains(&level));
        if current(schema).is_some_and(|have| have == want) {
            continue;
        }
        let name = meta_str(schema, "name");
        let opts = WriteOpts {
            subresource: "status",
            ..WriteOpts::by_server(MANAGER)
        };
        let now = crate::clock::now();
        let written = write::update(app, &rt, "", name, opts, &mut |old| {
            let mut new = old.clone();
            set_condition(&mut new, &want, &now);
            Ok(new)
        });
        if let Err(e) = written.map_err(|e| (e.code, e))
            && e.0 != 404
        {
            tracing::warn!(flow_schema = name, error = %e.1, "writing the Dangling condition failed");
        }
    }
}

/// The stored `Dangling` condition's `(status, reason, message)`.
fn current(schema: &Value) -> Option<(&str, &str, String)> {
    fn text<'a>(c: &'a Value, key: &str) -> &'a str {
        c.get(key).and_then(Value::as_str).unwrap_or("")
    }
    schema
        .pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| text(c, "type") == "Dangling")
        .map(|c| {
            let (status, reason) = (text(c, "status"), text(c, "reason"));
            (status, reason, text(c, "message").to_owned())
        })
}

/// Replaces (or adds, last) the `Dangling` condition, as the forced apply of one condition
/// keyed by `type` does.
fn set_condition(schema: &mut Value, (status, reason, message): &(&str, &str, String), now: &str) {
    let condition = json!({"type": "Dangling", "status": status, "lastTransitionTime": now,
        "reason": reason, "message": message});
    if !schema.get("status").is_some_and(Value::is_object) {
        schema["status"] = json!({});
    }
    let conditions = &mut schema["status"]["conditions"];
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    if let Some(list) = conditions.as_array_mut() {
        match list.iter_mut().find(|c| c["type"] == "Dangling") {
            Some(old) => *old = condition,
            None => list.push(condition),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `presyncFlowSchemaStatus`'s texts, the level name quoted as Go's `%q` does.
    #[test]
    fn dangling_texts() {
        assert_eq!(
            desired("exempt", true),
            (
                "False",
                "Found",
                "This FlowSchema references the PriorityLevelConfiguration object named \"exempt\" and it exists".to_owned()
            )
        );
        assert_eq!(
            desired("no\"pe", false),
            (
                "True",
                "NotFound",
                "This FlowSchema references the PriorityLevelConfiguration object named \"no\\\"pe\" but there is no such object".to_owned()
            )
        );
    }

    #[test]
    fn the_condition_is_replaced_or_added() {
        let want = desired("a", false);
        let mut fs = json!({"status": {"conditions": [{"type": "Other", "status": "True"},
            {"type": "Dangling", "status": "False", "reason": "Found", "message": "m"}]}});
        set_condition(&mut fs, &want, "2026-01-01T00:00:00Z");
        assert_eq!(fs["status"]["conditions"][0]["type"], "Other");
        assert_eq!(
            current(&fs),
            Some(("True", "NotFound", want.2.clone())),
            "{fs}"
        );
        assert_eq!(
            fs["status"]["conditions"][1]["lastTransitionTime"],
            "2026-01-01T00:00:00Z"
        );
        let mut bare = json!({"metadata": {"name": "x"}});
        set_condition(&mut bare, &want, "t");
        assert_eq!(
            bare["status"]["conditions"].as_array().map(Vec::len),
            Some(1)
        );
    }
}
