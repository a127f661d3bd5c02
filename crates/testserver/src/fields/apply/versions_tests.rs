//! Server-side apply of Events, one object in core/v1 and events.k8s.io/v1: each manager is
//! judged in its own version (structured-merge-diff `merge/update.go`: `update` compares the
//! objects converted to each manager's version, `prune` removes the last applied set in its
//! version and adds back what each version's managers own).

use serde_json::{Value, json};

use super::*;
use crate::admission::defaults::event::{core_to_events_v1, events_v1_to_core};
use crate::fields::schema::lookup;

/// The Event conversions the server uses.
struct Events;

impl Versions for Events {
    fn convert(&self, object: &Value, from: &str, to: &str) -> Option<Value> {
        match (from, to) {
            _ if from == to => Some(object.clone()),
            ("v1", "events.k8s.io/v1") => Some(core_to_events_v1(object)),
            ("events.k8s.io/v1", "v1") => Some(events_v1_to_core(object)),
            _ => None,
        }
    }
}

fn write<'a>(api_version: &str, manager: &'a str) -> Write<'a> {
    Write {
        info: lookup(api_version, "Event").unwrap(),
        manager,
        subresource: None,
        time: "2026-01-01T00:00:00Z",
    }
}

fn core(fields: Value) -> Value {
    let mut ev =
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "ns"}});
    ev.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    ev
}

fn new_style(fields: Value) -> Value {
    let mut ev = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "ns"}});
    ev.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    ev
}

#[track_caller]
fn applied(api_version: &str, manager: &str, live: Option<&Value>, config: Value) -> Value {
    apply_across(&write(api_version, manager), live, &config, false, &Events)
        .unwrap()
        .object
}

/// The fields of `manager`'s entry (`None`: it has none left).
fn fields_of(object: &Value, manager: &str) -> Option<Value> {
    object["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == manager)
        .map(|e| e["fieldsV1"].clone())
}

/// The live core/v1 object after an events.k8s.io/v1 manager applied `note` and `reason`.
fn written_in_events_v1() -> Value {
    let ev = applied(
        "events.k8s.io/v1",
        "new",
        None,
        new_style(json!({"note": "hi", "reason": "R"})),
    );
    let mut live = events_v1_to_core(&ev);
    live["metadata"] = ev["metadata"].clone();
    live
}

#[test]
fn a_change_in_one_version_conflicts_with_the_owner_in_its_own_version() {
    let live = written_in_events_v1();
    let err = apply_across(
        &write("v1", "core"),
        Some(&live),
        &core(json!({"message": "bye", "reason": "R"})),
        false,
        &Events,
    )
    .unwrap_err();
    // only the changed field conflicts, named as its owner wrote it; `reason` is shared
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"new\": .note"
    );
    assert_eq!(
        err.to_status()["details"]["causes"][0],
        json!({"reason": "FieldManagerConflict", "message": "conflict with \"new\"", "field": ".note"})
    );
}

#[test]
fn forcing_takes_the_field_from_the_owner_in_its_own_version() {
    let live = written_in_events_v1();
    let out = apply_across(
        &write("v1", "core"),
        Some(&live),
        &core(json!({"message": "bye"})),
        true,
        &Events,
    )
    .unwrap()
    .object;
    assert_eq!(out["message"], "bye");
    assert_eq!(fields_of(&out, "new"), Some(json!({"f:reason": {}})));
    assert_eq!(fields_of(&out, "core"), Some(json!({"f:message": {}})));
}

#[test]
fn an_update_manager_of_the_other_version_is_named_with_its_version() {
    let mut live = written_in_events_v1();
    live["metadata"]["managedFields"][0]["operation"] = json!("Update");
    let err = apply_across(
        &write("v1", "core"),
        Some(&live),
        &core(json!({"message": "bye"})),
        false,
        &Events,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"new\" using events.k8s.io/v1: .note"
    );
    // the same value is no conflict: both own it, each in its version
    let shared = apply_across(
        &write("v1", "core"),
        Some(&live),
        &core(json!({"message": "hi"})),
        false,
        &Events,
    )
    .unwrap()
    .object;
    assert_eq!(
        fields_of(&shared, "new"),
        Some(json!({"f:note": {}, "f:reason": {}}))
    );
    assert_eq!(fields_of(&shared, "core"), Some(json!({"f:message": {}})));
}

#[test]
fn fields_owned_in_the_other_version_are_not_pruned() {
    let live = written_in_events_v1();
    // core applies the same message (shared ownership), then stops applying it
    let live = applied("v1", "core", Some(&live), core(json!({"message": "hi"})));
    let out = applied("v1", "core", Some(&live), core(json!({"action": "A"})));
    assert_eq!(out["message"], "hi", "the note's owner keeps it");
    assert_eq!(fields_of(&out, "core"), Some(json!({"f:action": {}})));
}

#[test]
fn the_last_applied_set_is_pruned_in_the_version_it_was_applied_in() {
    // "mgr" applied a note in events.k8s.io/v1, then applies through core/v1 without it
    let ev = applied(
        "events.k8s.io/v1",
        "mgr",
        None,
        new_style(json!({"note": "hi", "reason": "R"})),
    );
    let mut live = events_v1_to_core(&ev);
    live["metadata"] = ev["metadata"].clone();
    let out = applied("v1", "mgr", Some(&live), core(json!({"reason": "R"})));
    assert!(out.get("message").is_none(), "{out}");
    assert_eq!(out["reason"], "R");
    assert_eq!(fields_of(&out, "mgr"), Some(json!({"f:reason": {}})));
}
