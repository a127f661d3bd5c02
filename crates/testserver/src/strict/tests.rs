//! Cases written from sigs.k8s.io/json's strict decoder (`object()` with its
//! `appendStrictFieldStackKey`/`appendStrictFieldStackIndex` and `newFieldError`,
//! `saveStrictError`'s de-duplication) and from `runtime.NewStrictDecodingError`.

use serde_json::json;

use super::*;
use crate::fields::known::{Node, root};

#[track_caller]
fn check(kind: &str, body: &str, expected: &[&str]) {
    let (api_version, kind) = kind.rsplit_once('/').unwrap();
    let node = root(api_version, kind).unwrap();
    let got: Vec<String> = scan(body.as_bytes(), node)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(got, expected, "{body}");
}

#[test]
fn unknown_fields_with_paths_in_document_order() {
    check(
        "v1/Pod",
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","colour":"red"},
           "spec":{"zzz":1,"containers":[{"name":"a","image":"x"},{"name":"b","imagee":"y","ports":[{"containerPort":80,"hostt":1}]}]},
           "extra":{"nested":{"deep":true}}}"#,
        &[
            r#"unknown field "metadata.colour""#,
            r#"unknown field "spec.zzz""#,
            r#"unknown field "spec.containers[1].imagee""#,
            r#"unknown field "spec.containers[1].ports[0].hostt""#,
            r#"unknown field "extra""#,
        ],
    );
}

#[test]
fn duplicates_in_structs_and_maps() {
    check(
        "v1/ConfigMap",
        r#"{"metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},"data":{"k":"v","k":"w"},"data":{}}"#,
        &[
            r#"duplicate field "metadata.name""#,
            r#"duplicate field "metadata.labels.x""#,
            r#"duplicate field "data.k""#,
            r#"duplicate field "data""#,
        ],
    );
}

#[test]
fn each_text_once_and_nothing_inside_unknown_or_opaque_fields() {
    check(
        "v1/ConfigMap",
        r#"{"foo":1,"foo":{"a":1,"a":2},"metadata":{"managedFields":[{"fieldsV1":{"f:a":{},"f:a":{}}}]}}"#,
        &[r#"unknown field "foo""#],
    );
    check(
        "apps/v1/ControllerRevision",
        r#"{"data":{"anything":1,"anything":2},"revision":1}"#,
        &[],
    );
}

#[test]
fn escaped_keys_and_nested_kinds() {
    check(
        "apps/v1/Deployment",
        r#"{"spec":{"template":{"metadata":{"lab\u0065ls":{}},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"1"}},"x\"y":1}]}}}}"#,
        &[r#"unknown field "spec.template.spec.containers[0].x\"y""#],
    );
}

#[test]
fn unstructured_documents_report_duplicates_only() {
    let errs = scan(br#"{"a":{"b":1,"b":2},"l":[{"c":1,"c":1}]}"#, Node::Any);
    let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [r#"duplicate field "a.b""#, r#"duplicate field "l[0].c""#]
    );
}

#[test]
fn messages() {
    let errs = vec![
        StrictError::UnknownField {
            path: "spec.foo".into(),
        },
        StrictError::DuplicateField {
            path: "metadata.name".into(),
        },
    ];
    assert_eq!(
        cannot_handle("Deployment", "v1", &errs),
        r#"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", duplicate field "metadata.name""#
    );
    assert_eq!(
        resolve(FieldValidation::Warn, errs.clone()).unwrap(),
        [
            r#"unknown field "spec.foo""#,
            r#"duplicate field "metadata.name""#
        ]
    );
    assert!(
        resolve(FieldValidation::Ignore, errs.clone())
            .unwrap()
            .is_empty()
    );
    assert_eq!(resolve(FieldValidation::Strict, errs.clone()), Err(errs));
    assert_eq!(FieldValidation::parse(None), FieldValidation::Warn);
}

#[test]
fn pruning_keeps_known_fields_only() {
    let node = root("v1", "Pod").unwrap();
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "x": 1, "labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "i", "bogus": true}], "nodeSelector": {"k": "v"}}, "y": 2});
    prune(node, &mut pod);
    assert_eq!(
        pod,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i"}], "nodeSelector": {"k": "v"}}})
    );
}
