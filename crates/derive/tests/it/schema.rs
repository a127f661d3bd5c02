//! The generated CRD and schema of the representative spec, checked field by field.

use serde_json::{Value, json};

use crate::fixture::{Foo, FooSpec, FooStatus};

fn crd() -> Value {
    serde_json::to_value(Foo::crd()).unwrap()
}

/// The value at JSON pointer `at` of the generated CRD.
#[track_caller]
fn check(at: &str, expected: Value) {
    let crd = crd();
    let actual = crd.pointer(at).unwrap_or_else(|| panic!("nothing at {at}"));
    assert_eq!(actual, &expected, "at {at}");
}

const SPEC: &str = "/spec/versions/0/schema/openAPIV3Schema/properties/spec";

#[test]
fn names_scope_and_version() {
    check("/metadata/name", json!("foos.example.com"));
    check("/spec/group", json!("example.com"));
    check("/spec/scope", json!("Namespaced"));
    check(
        "/spec/names",
        json!({"plural": "foos", "singular": "foo", "kind": "Foo", "listKind": "FooList",
               "shortNames": ["fo"], "categories": ["all"]}),
    );
    check("/spec/versions/0/name", json!("v1"));
    check("/spec/versions/0/served", json!(true));
    check("/spec/versions/0/storage", json!(true));
}

#[test]
fn subresources_columns_and_selectable_fields() {
    check(
        "/spec/versions/0/subresources",
        json!({"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                        "statusReplicasPath": ".status.replicas"}}),
    );
    check(
        "/spec/versions/0/additionalPrinterColumns",
        json!([{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}]),
    );
    check(
        "/spec/versions/0/selectableFields",
        json!([{"jsonPath": ".spec.color"}]),
    );
}

#[test]
fn root_schema_holds_spec_and_status() {
    check(
        "/spec/versions/0/schema/openAPIV3Schema/required",
        json!(["spec"]),
    );
    check(
        "/spec/versions/0/schema/openAPIV3Schema/properties/status",
        json!({"type": "object", "required": ["replicas"], "properties": {
            "replicas": {"type": "integer", "format": "int32"},
            "message": {"type": "string", "nullable": true},
        }}),
    );
    check(
        &format!("{SPEC}/x-kubernetes-validations"),
        json!([{"rule": "self.replicas <= 10"}]),
    );
}

#[test]
fn spec_fields_are_structural() {
    let inner = json!({"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"},
        "weight": {"type": "number", "format": "double", "nullable": true},
    }});
    let mut maybe_inner = inner.clone();
    maybe_inner["nullable"] = json!(true);
    let p = |field: &str| format!("{SPEC}/properties/{field}");
    check(
        &p("replicas"),
        json!({"type": "integer", "format": "int32", "description": "How many."}),
    );
    check(
        &p("color"),
        json!({"type": "string", "default": "blue", "description": "A color.",
               "x-kubernetes-validations": [{"rule": "self != ''"}]}),
    );
    check(
        &p("mode"),
        json!({"type": "string", "enum": ["Fast", "Slow"]}),
    );
    check(
        &p("maybeMode"),
        json!({"type": "string", "enum": ["Fast", "Slow"], "nullable": true}),
    );
    check(&p("inner"), inner.clone());
    check(&p("maybeInner"), maybe_inner);
    check(&p("items"), json!({"type": "array", "items": inner}));
    check(
        &p("labels"),
        json!({"type": "object", "additionalProperties": {"type": "string"}}),
    );
    check(&p("port/x-kubernetes-int-or-string"), json!(true));
    check(&p("maybePort/x-kubernetes-int-or-string"), json!(true));
    check(&p("maybePort/nullable"), json!(true));
    check(&p("memory/x-kubernetes-int-or-string"), json!(true));
    check(
        &p("free"),
        json!({"x-kubernetes-preserve-unknown-fields": true}),
    );
    check(
        &p("action"),
        json!({"type": "object",
        "oneOf": [{"required": ["restart"]}, {"required": ["scale"]}],
        "properties": {
          "restart": {"type": "object", "description": "Restart it.", "required": ["afterSeconds"],
                      "properties": {"afterSeconds": {"type": "integer", "format": "uint32", "minimum": 0.0}}},
          "scale": {"type": "object", "description": "Scale it.", "required": ["to"],
                    "properties": {"to": {"type": "integer", "format": "uint32", "minimum": 0.0}}},
        }}),
    );
    check(
        &p("source"),
        // The tag is required by every branch; its values are every variant's.
        json!({"type": "object",
        "oneOf": [{"required": ["type", "url"]}, {"required": ["type", "image"]}],
        "properties": {
          "type": {"type": "string", "enum": ["git", "image"]},
          "url": {"type": "string"},
          "image": {"type": "string"},
          "pull": {"type": "boolean", "nullable": true},
        }}),
    );
    check(&p("maybeAction/nullable"), json!(true));
    check(
        &p("maybeAction/oneOf"),
        json!([{"required": ["restart"]}, {"required": ["scale"]}]),
    );
    check(
        &format!("{SPEC}/required"),
        json!([
            "replicas", "mode", "inner", "items", "labels", "port", "memory", "free", "action",
            "source"
        ]),
    );
}

/// No `$ref`, `anyOf`, `$schema` or definitions anywhere in the schema.
#[test]
fn nothing_the_server_refuses_is_left() {
    fn walk(v: &Value, at: &str) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    assert!(
                        !["$ref", "anyOf", "$schema", "$defs", "definitions", "title"]
                            .contains(&k.as_str()),
                        "{k} at {at}"
                    );
                    walk(v, &format!("{at}/{k}"));
                }
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| walk(v, &format!("{at}/{i}"))),
            _ => {}
        }
    }
    walk(&crd()["spec"]["versions"][0]["schema"], "");
}

#[test]
fn serde_round_trip_with_api_version_and_kind() {
    let spec: FooSpec = serde_json::from_value(json!({
        "replicas": 2, "mode": "Fast", "inner": {"name": "a"}, "items": [], "labels": {},
        "port": 80, "memory": "1Gi", "free": {"any": ["thing"]}, "action": {"scale": {"to": 3}},
        "source": {"type": "git", "url": "https://example.com/x"},
    }))
    .unwrap();
    let mut foo = Foo::new("one", spec);
    foo.status = Some(FooStatus {
        replicas: 1,
        message: None,
    });
    let json = serde_json::to_value(&foo).unwrap();
    assert_eq!(json["apiVersion"], "example.com/v1");
    assert_eq!(json["kind"], "Foo");
    assert_eq!(json["metadata"]["name"], "one");
    assert_eq!(json["spec"]["color"], "blue");
    assert_eq!(json["status"]["replicas"], 1);
    let back: Foo = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);

    let mut wrong = json;
    wrong["kind"] = json!("Bar");
    let err = serde_json::from_value::<Foo>(wrong).unwrap_err();
    assert!(err.to_string().contains("Bar"), "{err}");
}

#[test]
fn resource_impls() {
    use k8s_openapi::{ListableResource, Metadata, Resource};
    assert_eq!(Foo::API_VERSION, "example.com/v1");
    assert_eq!(Foo::GROUP, "example.com");
    assert_eq!(Foo::VERSION, "v1");
    assert_eq!(Foo::KIND, "Foo");
    assert_eq!(Foo::URL_PATH_SEGMENT, "foos");
    assert_eq!(Foo::LIST_KIND, "FooList");
    fn namespaced<K: Resource<Scope = k8s_openapi::NamespaceResourceScope>>() {}
    namespaced::<Foo>();
    let mut foo: Foo = serde_json::from_value(json!({"spec": {
        "replicas": 1, "mode": "Slow", "inner": {"name": "a"}, "items": [], "labels": {},
        "port": "http", "memory": "1", "free": null, "action": {"restart": {"afterSeconds": 1}},
        "source": {"type": "image", "image": "x"},
    }}))
    .unwrap();
    foo.metadata_mut().name = Some("x".into());
    assert_eq!(foo.metadata().name.as_deref(), Some("x"));
}
