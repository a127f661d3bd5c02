use serde_json::{Value, json};

use super::*;
use crate::fields::schema::lookup;

#[track_caller]
fn check(kind: &str, original: Value, patch: Value, expected: Value) {
    let info = lookup("v1", kind).unwrap();
    let got = strategic_merge_patch(info, &original, &patch).unwrap();
    assert_eq!(got, expected);
}

#[track_caller]
fn check_err(original: Value, patch: Value, code: u16, message: &str) {
    let info = lookup("v1", "Pod").unwrap();
    let err = strategic_merge_patch(info, &original, &patch).unwrap_err();
    assert_eq!((err.code(), err.to_string().as_str()), (code, message));
}

fn pod(containers: Value) -> Value {
    json!({"spec": {"containers": containers}})
}

#[test]
fn maps_merge_and_null_deletes() {
    check(
        "Pod",
        json!({"metadata": {"labels": {"a": "1", "b": "2"}}}),
        json!({"metadata": {"labels": {"b": null, "c": "3"}}}),
        json!({"metadata": {"labels": {"a": "1", "c": "3"}}}),
    );
    check("Pod", json!({"a": 1}), json!({"b": null}), json!({"a": 1}));
    check(
        "Pod",
        json!({}),
        json!({"x": {"y": null, "z": 1}}),
        json!({"x": {"z": 1}}),
    );
}

#[test]
fn map_directives() {
    check(
        "Pod",
        json!({"metadata": {"annotations": {"x": "y"}}}),
        json!({"metadata": {"annotations": {"$patch": "replace", "z": "1"}}}),
        json!({"metadata": {"annotations": {"z": "1"}}}),
    );
    check(
        "Pod",
        json!({"metadata": {"annotations": {"x": "y"}}}),
        json!({"metadata": {"annotations": {"$patch": "delete"}}}),
        json!({"metadata": {"annotations": {}}}),
    );
    // A directive on a map the original lacks drops the whole value.
    check(
        "Pod",
        json!({"metadata": {}}),
        json!({"metadata": {"annotations": {"$patch": "replace", "z": "1"}}}),
        json!({"metadata": {}}),
    );
}

#[test]
fn keyed_lists_merge_by_merge_key() {
    check(
        "Pod",
        pod(json!([{"name": "a", "image": "1"}, {"name": "b", "image": "1"}])),
        pod(json!([{"name": "b", "image": "2"}])),
        pod(json!([{"name": "a", "image": "1"}, {"name": "b", "image": "2"}])),
    );
    // New elements go first.
    check(
        "Pod",
        pod(json!([{"name": "a"}])),
        pod(json!([{"name": "c"}])),
        pod(json!([{"name": "c"}, {"name": "a"}])),
    );
    // Nested: env merged by name inside the container merged by name.
    check(
        "Pod",
        pod(
            json!([{"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}]),
        ),
        pod(
            json!([{"name": "a", "env": [{"name": "X", "value": "10"}, {"name": "Z", "value": "3"}]}]),
        ),
        pod(
            json!([{"name": "a", "env": [{"name": "X", "value": "10"}, {"name": "Z", "value": "3"}, {"name": "Y", "value": "2"}]}]),
        ),
    );
}

#[test]
fn list_directives() {
    check(
        "Pod",
        pod(json!([{"name": "a"}, {"name": "b"}])),
        pod(json!([{"name": "a", "$patch": "delete"}])),
        pod(json!([{"name": "b"}])),
    );
    check(
        "Pod",
        pod(json!([{"name": "a"}, {"name": "b"}])),
        pod(json!([{"name": "c"}, {"$patch": "replace"}])),
        pod(json!([{"name": "c"}])),
    );
}

#[test]
fn lists_without_strategy_are_replaced() {
    check(
        "Pod",
        json!({"spec": {"tolerations": [{"key": "a"}]}}),
        json!({"spec": {"tolerations": [{"key": "b"}]}}),
        json!({"spec": {"tolerations": [{"key": "b"}]}}),
    );
}

#[test]
fn scalar_lists_merge_and_delete() {
    check(
        "ConfigMap",
        json!({"metadata": {"finalizers": ["a", "b"]}}),
        json!({"metadata": {"finalizers": ["c", "a"]}}),
        json!({"metadata": {"finalizers": ["c", "a", "b"]}}),
    );
    check(
        "ConfigMap",
        json!({"metadata": {"finalizers": ["b", "a", "c"]}}),
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}),
        json!({"metadata": {"finalizers": ["b", "c"]}}),
    );
}

#[test]
fn set_element_order() {
    check(
        "Pod",
        pod(json!([{"name": "a"}, {"name": "b"}, {"name": "c"}])),
        json!({"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}], "containers": [{"name": "a", "image": "x"}]}}),
        pod(json!([{"name": "c"}, {"name": "a", "image": "x"}, {"name": "b"}])),
    );
    check(
        "ConfigMap",
        json!({"metadata": {"finalizers": ["a", "b"]}}),
        json!({"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}),
        json!({"metadata": {"finalizers": ["b", "a"]}}),
    );
}

#[test]
fn retain_keys() {
    check(
        "Pod",
        json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}),
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        json!({"spec": {"strategy": {"type": "Recreate"}}}),
    );
    check_err(
        json!({"spec": {}}),
        json!({"spec": {"$retainKeys": ["a"], "b": 1}}),
        400,
        "invalid patch format of retainKeys",
    );
}

#[test]
fn errors_are_the_servers() {
    check_err(
        json!({"metadata": {"labels": {}}}),
        json!({"metadata": {"labels": {"$patch": "bogus"}}}),
        500,
        "unknown patch type: bogus in map: map[$patch:bogus]",
    );
    check_err(
        pod(json!([{"name": "a"}])),
        pod(json!([{"image": "x"}])),
        500,
        "map: map[image:x] does not contain declared merge key: name",
    );
    check_err(
        pod(json!([{"name": "a"}])),
        pod(json!([{"$patch": "merge"}])),
        500,
        "merging lists cannot yet be specified in the patch",
    );
    check_err(
        pod(json!([{"name": "a"}])),
        pod(json!([{"$patch": "delete"}])),
        500,
        "delete patch type with no merge key defined",
    );
    check_err(
        json!({"metadata": {"finalizers": []}}),
        json!({"metadata": {"finalizers": [["b"]]}}),
        422,
        "lists of lists are not supported",
    );
    check_err(
        json!({"metadata": {"finalizers": ["a"]}}),
        json!({"metadata": {"finalizers": [["b"]]}}),
        500,
        "list element types are not identical: [[a] [[b]]]",
    );
    check_err(
        json!({}),
        json!({"$setElementOrderX/containers": []}),
        400,
        "invalid patch format of setElementOrder list",
    );
    let err =
        strategic_merge_patch(lookup("v1", "Pod").unwrap(), &json!({}), &json!([1])).unwrap_err();
    assert_eq!(
        err.to_status()["message"],
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(err.to_status()["reason"], "BadRequest");
}
