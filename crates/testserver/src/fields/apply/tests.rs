use serde_json::{Value, json};

use super::*;
use crate::fields::schema::lookup;

fn write<'a>(kind: &str, manager: &'a str, time: &'a str) -> Write<'a> {
    Write {
        info: lookup("v1", kind).unwrap(),
        manager,
        subresource: None,
        time,
    }
}

fn cm(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app"}, "data": data})
}

/// Applies `config` as `manager` and returns the object.
#[track_caller]
fn applied(live: Option<&Value>, manager: &str, config: Value, force: bool) -> Value {
    apply(&write("ConfigMap", manager, "t1"), live, &config, force)
        .unwrap()
        .object
}

#[track_caller]
fn check_fields(object: &Value, manager: &str, expected: Value) {
    let entry = object["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == manager)
        .unwrap_or_else(|| panic!("no entry for {manager}"));
    assert_eq!(entry["fieldsV1"], expected);
}

#[test]
fn multiple_conflicts_are_listed_by_manager() {
    let live = applied(None, "a", cm(json!({"x": "1", "y": "1"})), false);
    let live = applied(Some(&live), "b", cm(json!({"z": "1"})), false);
    let err = apply(
        &write("ConfigMap", "c", "t2"),
        Some(&live),
        &cm(json!({"x": "2", "y": "2", "z": "2"})),
        false,
    )
    .unwrap_err();
    assert_eq!(err.code(), 409);
    assert_eq!(
        err.to_string(),
        "Apply failed with 3 conflicts: conflicts with \"a\":\n- .data.x\n- .data.y\nconflicts with \"b\":\n- .data.z"
    );
    let status = err.to_status();
    assert_eq!(
        status["details"]["causes"][2],
        json!({"reason": "FieldManagerConflict", "message": "conflict with \"b\"", "field": ".data.z"})
    );
}

#[test]
fn force_takes_fields_over() {
    let live = applied(None, "a", cm(json!({"x": "1", "y": "1"})), false);
    let forced = applied(Some(&live), "b", cm(json!({"x": "2"})), true);
    check_fields(&forced, "a", json!({"f:data": {"f:y": {}}}));
    check_fields(&forced, "b", json!({"f:data": {"f:x": {}}}));
    assert_eq!(forced["data"], json!({"x": "2", "y": "1"}));
}

#[test]
fn update_managers_are_named_with_their_version() {
    let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app", "managedFields": [
        {"manager": "edit", "operation": "Update", "apiVersion": "v1", "time": "t0", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:data": {".": {}, "f:x": {}}}, "subresource": "status"}]}, "data": {"x": "1"}});
    let err = apply(
        &write("ConfigMap", "a", "t1"),
        Some(&live),
        &cm(json!({"x": "2"})),
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"edit\" with subresource \"status\" using v1: .data.x"
    );
}

#[test]
fn removed_fields_go_unless_owned_by_others() {
    let live = applied(None, "a", cm(json!({"x": "1", "y": "1"})), false);
    let live = applied(Some(&live), "b", cm(json!({"y": "1"})), false);
    let bare = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app"}});
    let live = applied(Some(&live), "a", bare.clone(), false);
    assert_eq!(live["data"], json!({"y": "1"}));
    let live = applied(Some(&live), "b", bare, false);
    assert_eq!(live.get("data"), None);
    assert_eq!(live["metadata"].get("managedFields"), None);
}

#[test]
fn keyed_list_items_are_pruned() {
    let pod = |names: &[&str]| {
        let containers: Vec<Value> = names
            .iter()
            .map(|n| json!({"name": n, "image": "x"}))
            .collect();
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}})
    };
    let w = write("Pod", "a", "t1");
    let live = apply(&w, None, &pod(&["a", "b"]), false).unwrap().object;
    let live = apply(&w, Some(&live), &pod(&["b"]), false).unwrap().object;
    assert_eq!(
        live["spec"]["containers"],
        json!([{"name": "b", "image": "x"}])
    );
}

#[test]
fn unchanged_applies_keep_the_time() {
    let live = apply(
        &write("ConfigMap", "a", "t1"),
        None,
        &cm(json!({"x": "1"})),
        false,
    )
    .unwrap();
    assert!(live.changed);
    let again = apply(
        &write("ConfigMap", "a", "t2"),
        Some(&live.object),
        &cm(json!({"x": "1"})),
        false,
    )
    .unwrap();
    assert!(!again.changed);
    assert_eq!(again.object["metadata"]["managedFields"][0]["time"], "t1");
}

#[test]
fn bad_configurations_are_refused() {
    let err = apply(
        &write("ConfigMap", "a", "t"),
        None,
        &json!({"apiVersion": "apps/v1", "kind": "Deployment"}),
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid object type: apps/v1, Kind=Deployment"
    );
    let mut config = cm(json!({}));
    config["metadata"]["managedFields"] = json!([]);
    let err = apply(&write("ConfigMap", "a", "t"), None, &config, false).unwrap_err();
    assert_eq!(
        err.to_status()["message"],
        "metadata.managedFields must be nil"
    );
    let err = parse_apply_body("- a\n- b\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(parse_apply_body("").unwrap(), json!({}));
}

#[test]
fn status_is_not_owned_through_the_main_resource() {
    let config = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Running"}});
    let applied = apply(&write("Pod", "a", "t"), None, &config, false)
        .unwrap()
        .object;
    assert_eq!(applied["metadata"].get("managedFields"), None);
}

#[test]
fn kubectl_keeps_the_client_side_annotation_in_sync() {
    let mut live = cm(json!({"x": "1"}));
    live["metadata"]["annotations"] = json!({LAST_APPLIED_ANNOTATION: "{}"});
    let config = cm(json!({"x": "<2>"}));
    let applied = apply(
        &write("ConfigMap", "kubectl", "t"),
        Some(&live),
        &config,
        true,
    )
    .unwrap()
    .object;
    assert_eq!(
        applied["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
        "{\"apiVersion\":\"v1\",\"data\":{\"x\":\"\\u003c2\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"app\"}}\n"
    );
    let other = apply(&write("ConfigMap", "ctl", "t"), Some(&live), &config, true)
        .unwrap()
        .object;
    assert_eq!(
        other["metadata"]["annotations"][LAST_APPLIED_ANNOTATION],
        "{}"
    );
}

#[test]
fn keyed_lists_need_their_keys_once() {
    let pod = |containers: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}});
    let err = apply(
        &write("Pod", "a", "t"),
        None,
        &pod(json!([{"name": "c"}, {"name": "c"}])),
        false,
    )
    .unwrap_err();
    assert_eq!(err.code(), 500);
    assert_eq!(
        err.to_string(),
        "failed to create typed patch object (/p; /v1, Kind=Pod): .spec.containers: duplicate entries for key [name=\"c\"]"
    );
    let err = apply(&write("Pod", "a", "t"), None, &pod(json!([{"image": "x"}, {"name": "d", "ports": [{"containerPort": 80}, {"containerPort": 80, "protocol": "TCP"}]}])), false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to create typed patch object (/p; /v1, Kind=Pod): errors:\n  .spec.containers: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)\n  .spec.containers[name=\"d\"].ports: duplicate entries for key [containerPort=80,protocol=\"TCP\"]"
    );
}

#[test]
fn kubectl_takes_over_its_client_side_fields() {
    // Created by `kubectl apply` (client-side): manager kubectl-client-side-apply, annotation set.
    let last = cm(json!({"x": "1", "y": "1"}));
    let mut created = last.clone();
    created["metadata"]["annotations"] = json!({LAST_APPLIED_ANNOTATION: last.to_string()});
    let managed = crate::fields::managed::record_update(
        &write("ConfigMap", "kubectl-client-side-apply", "t0"),
        None,
        &created,
    );
    set_managed_fields(&mut created, managed);
    // Someone else changes y afterwards.
    let mut live = created.clone();
    live["data"]["y"] = json!("2");
    let managed = crate::fields::managed::record_update(
        &write("ConfigMap", "kubectl-client-side-apply", "t0"),
        Some(&created),
        &live,
    );
    set_managed_fields(&mut live, managed);

    // `kubectl apply --server-side` of x=3 takes x over; y=3 would still conflict.
    let applied = apply(
        &write("ConfigMap", "kubectl", "t1"),
        Some(&live),
        &cm(json!({"x": "3", "y": "2"})),
        false,
    )
    .unwrap();
    assert_eq!(applied.object["data"]["x"], "3");
    let err = apply(
        &write("ConfigMap", "kubectl", "t1"),
        Some(&live),
        &cm(json!({"x": "3", "y": "3"})),
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.y"
    );
    // Any other manager conflicts on both.
    let err = apply(
        &write("ConfigMap", "ctl", "t1"),
        Some(&live),
        &cm(json!({"x": "3"})),
        false,
    )
    .unwrap_err();
    assert_eq!(err.code(), 409);
}
