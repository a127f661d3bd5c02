//! The fuzz entry points on known inputs, and every input the fuzzers found a crash with.

use serde_json::json;

use super::*;

#[track_caller]
fn check_route(method: &str, uri: &str, headers: &[(&str, &str)], expected: &str) {
    let (path, query) = match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    };
    let got = match route(method, path, query, headers) {
        Ok(routed) => routed,
        Err((code, body)) => format!("{code} {body}"),
    };
    assert!(got.starts_with(expected), "{method} {uri}: {got}");
}

#[test]
fn requests_are_routed_or_answered_with_their_error() {
    check_route(
        "GET",
        "/api/v1/namespaces/a/pods?watch=1",
        &[],
        "watch /pods ns=Some(\"a\")",
    );
    check_route("GET", "/api/v1/pods?limit=x", &[], "400 {");
    check_route(
        "GET",
        "/api/v1/pods?fieldSelector=spec.nope%3Dx",
        &[],
        "400 {\"apiVersion\":\"v1\",\"code\":400,\"kind\":\"Status\",\"message\":\"field label not supported: spec.nope\"",
    );
    check_route(
        "PATCH",
        "/api/v1/namespaces/a/pods/p?dryRun=All",
        &[("content-type", "application/merge-patch+json")],
        "patch /pods ns=Some(\"a\") name=Some(\"p\") sub=None Representation { format: Json, shape: Object } dryRun=true MergePatch",
    );
    check_route("POST", "/api/v1/namespaces/a/pods/p", &[], "405 ");
    check_route("PUT", "/apis", &[], "405 ");
    check_route("GET", "/nope", &[], "404 404 page not found");
    check_route("G T", "/api", &[], "400 400 Bad Request");
    check_route("GET", "/api/v1/pods", &[("accept", "image/png")], "406 ");
}

#[track_caller]
fn check_patch(content_type: &str, body: &str, expected: Result<(&str, Value), u16>) {
    match (patch(content_type, body.as_bytes(), false), expected) {
        (Ok(object), Ok((pointer, value))) => {
            assert_eq!(object.pointer(pointer), Some(&value), "{body}: {object}");
        }
        (Err((code, status)), Err(expected)) => {
            assert_eq!(code, expected, "{body}: {status}");
        }
        (got, expected) => panic!("{body}: got {got:?}, expected {expected:?}"),
    }
}

#[test]
fn patches_apply_to_the_fixed_pod_or_fail_with_their_status() {
    check_patch(
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"tier":"front"}}}"#,
        Ok(("/metadata/labels/tier", json!("front"))),
    );
    check_patch(
        "application/json-patch+json",
        r#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.28"}]"#,
        Ok(("/spec/containers/0/image", json!("nginx:1.28"))),
    );
    check_patch(
        "application/json-patch+json",
        r#"[{"op":"test","path":"/spec/nodeName","value":"node-2"}]"#,
        Err(422),
    );
    check_patch(
        "application/strategic-merge-patch+json",
        r#"{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}"#,
        Ok(("/spec/containers/1/name", json!("sidecar"))),
    );
    check_patch(
        "application/strategic-merge-patch+json",
        r#"{"spec":{"containers":[{"$patch":"nope","name":"app"}]}}"#,
        Err(500),
    );
    check_patch(
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-7d4b9c-x2x9z\n  labels:\n    app: other\n",
        Err(409),
    );
    check_patch(
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-7d4b9c-x2x9z\n  labels:\n    tier: front\n",
        Ok(("/metadata/labels/tier", json!("front"))),
    );
    check_patch("application/merge-patch+json", "{", Err(400));
    check_patch("text/plain", "{}", Err(415));
}

#[test]
fn minted_tokens_authenticate_and_altered_ones_do_not() {
    assert_eq!(
        authenticate_claims(&minted_claims()).as_deref(),
        Some("system:serviceaccount:default:default")
    );
    let mut wrong_uid = minted_claims();
    wrong_uid["kubernetes.io"]["pod"]["uid"] = json!("other");
    assert_eq!(authenticate_claims(&wrong_uid), None);
    let mut expired = minted_claims();
    expired["exp"] = json!(NOW);
    assert_eq!(authenticate_claims(&expired), None);
    assert_eq!(authenticate_token("a.b.c"), None);
    assert_eq!(authenticate_token(""), None);
}

#[track_caller]
fn check_protobuf_body(plural: (&str, &str, &str), body: &[u8], expected: Result<Value, u16>) {
    let (group, version, plural) = plural;
    match (protobuf_body(group, version, plural, body), expected) {
        (Ok(object), Ok(want)) => assert_eq!(object, want),
        (Err((code, status)), Err(want)) => {
            assert_eq!(code, want, "{status}");
            let status: Value = serde_json::from_str(&status).expect("a Status");
            assert_eq!(status["code"], code);
        }
        (got, want) => panic!("got {got:?}, expected {want:?}"),
    }
}

#[test]
fn protobuf_bodies_decode_to_their_object_or_fail_with_their_status() {
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "n"}, "data": {"k": "v"}});
    let bytes = kubeset_protobuf::to_vec(&config_map, "v1", "ConfigMap").expect("encodes");
    let config_maps = ("", "v1", "configmaps");
    check_protobuf_body(config_maps, &bytes, Ok(config_map));
    // a body for another type, a body cut short, no envelope, a type without protobuf
    check_protobuf_body(("", "v1", "secrets"), &bytes, Err(400));
    check_protobuf_body(config_maps, &bytes[..bytes.len() - 3], Err(400));
    check_protobuf_body(config_maps, b"{}", Err(400));
    let unknown = kubeset_protobuf::Envelope::write("example.com/v1", "Widget", b"");
    check_protobuf_body(config_maps, &unknown, Err(415));
    // a type that is not served: the plain 404 of an unknown path
    assert_eq!(
        protobuf_body("", "v1", "nothings", &bytes),
        Err((404, "404 page not found".to_owned()))
    );

    // kubectl's RBAC bodies go through their own reader
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "r", "namespace": "n"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]});
    let bytes =
        kubeset_protobuf::to_vec(&role, "rbac.authorization.k8s.io/v1", "Role").expect("encodes");
    check_protobuf_body(
        ("rbac.authorization.k8s.io", "v1", "roles"),
        &bytes,
        Ok(role),
    );
}
