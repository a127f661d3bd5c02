//! Errors: decoded Status, synthesized Status, 403 explanations, decode and transport errors.

use std::error::Error as _;

use bytes::Bytes;
use kubeset_clientset::Error;

use crate::support::{bytes, client_for, json, recorded, serve};

#[tokio::test]
async fn a_plain_text_404_is_still_not_found() {
    let server = serve(|_| {
        bytes(
            404,
            "text/plain; charset=utf-8",
            Bytes::from_static(b"404 page not found\n"),
        )
    })
    .await;
    let err = server
        .client
        .get_raw("/apis/nope.example.com/v1/foos")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.code(), Some(404));
    assert_eq!(
        err.to_string(),
        "404 page not found (404 NotFound) on GET /apis/nope.example.com/v1/foos"
    );
}

#[tokio::test]
async fn status_predicates() {
    #[track_caller]
    fn check(err: &Error, expected: &str) {
        let got: Vec<&str> = [
            ("not_found", err.is_not_found()),
            ("already_exists", err.is_already_exists()),
            ("conflict", err.is_conflict()),
            ("forbidden", err.is_forbidden()),
            ("unauthorized", err.is_unauthorized()),
            ("gone", err.is_gone()),
            ("invalid", err.is_invalid()),
            ("bad_request", err.is_bad_request()),
            ("too_many_requests", err.is_too_many_requests()),
            ("server_error", err.is_server_error()),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        assert_eq!(got.join(","), expected, "{err}");
    }
    let cases = [
        (
            "errors-not-found",
            "GET",
            "/api/v1/namespaces/t-errors-not-found/configmaps/nope",
            "not_found",
        ),
        (
            "configmaps-crud",
            "POST",
            "/api/v1/namespaces/t-configmaps-crud/configmaps",
            "already_exists",
        ),
        (
            "selfsubjectreview",
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            "forbidden",
        ),
        (
            "tokenrequest",
            "POST",
            "/api/v1/namespaces/t-tokenrequest/serviceaccounts/default/token",
            "invalid",
        ),
    ];
    for (transcript, method, path, expected) in cases {
        let steps = crate::support::transcript(transcript);
        let step = steps["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["request"]["method"] == method
                    && s["request"]["path"] == path
                    && s["response"]["status"].as_u64().unwrap() >= 400
            })
            .unwrap_or_else(|| panic!("{transcript} {path}"))
            .clone();
        let code = step["response"]["status"].as_u64().unwrap() as u16;
        let body = step["response"]["body"].clone();
        let server = serve(move |_| json(code, &body)).await;
        let err = server.client.get_raw(path).await.unwrap_err();
        check(&err, expected);
    }
    let server = serve(|_| json(500, &serde_json::json!({"kind": "Status", "status": "Failure", "message": "boom", "code": 500}))).await;
    check(
        &server.client.get_raw("/x").await.unwrap_err(),
        "server_error",
    );
    let server = serve(|_| bytes(401, "application/json", Bytes::from_static(br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#))).await;
    check(
        &server.client.get_raw("/x").await.unwrap_err(),
        "unauthorized",
    );
}

#[tokio::test]
async fn a_403_says_who_what_and_which_rule_would_allow_it() {
    let t = crate::support::transcript("rbac-local-storage-admin");
    let step = t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["request"]["path"] == "/api/v1/persistentvolumes/t-rbac-local-storage-admin-pv/status"
        })
        .unwrap()
        .clone();
    let body = step["response"]["body"].clone();
    let whoami = recorded(
        "selfsubjectreview",
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    );
    let server = serve(move |seen| {
        if seen.uri.contains("selfsubjectreviews") {
            json(201, &whoami)
        } else {
            json(403, &body)
        }
    })
    .await;
    let patch =
        kubeset_clientset::Patch::Merge(serde_json::json!({"status": {"phase": "Available"}}));
    let err = server
        .client
        .persistent_volumes()
        .patch_status("t-rbac-local-storage-admin-pv", &Default::default(), &patch)
        .await
        .unwrap_err();
    assert!(err.is_forbidden());
    let text = err.to_string();
    for expected in [
        "cannot patch resource \"persistentvolumes/status\"",
        "(403 Forbidden) on PATCH /api/v1/persistentvolumes/t-rbac-local-storage-admin-pv/status",
        "caller: system:serviceaccount:t-rbac-local-storage-admin:local-storage-admin",
        "denied: patch persistentvolumes/status \"t-rbac-local-storage-admin-pv\" (cluster-wide)",
        "a ClusterRole with this rule",
        "- apiGroups:",
        "persistentvolumes/status",
        "- patch",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Only 403s cost the extra whoami; it adds the caller's groups.
    assert_eq!(server.seen().len(), 1);
    let explained = server.client.explain_forbidden(err).await.to_string();
    assert!(
        explained.contains("caller: admin (groups: system:masters, system:authenticated)"),
        "{explained}"
    );
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_names_type_field_and_excerpt() {
    let server = serve(|_| {
        json(200, &serde_json::json!({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n", "labels": ["not", "a", "map"]}}))
    })
    .await;
    let err = server.client.nodes().get("n").await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("failed to decode k8s_openapi::"), "{text}");
    assert!(
        text.contains("Node from /api/v1/nodes/n at `metadata.labels`"),
        "{text}"
    );
    assert!(text.contains(r#""labels":["***","#), "{text}");
    assert!(!text.contains("not"), "string values are masked: {text}");
    assert!(err.source().is_some());
}

#[tokio::test]
async fn a_transport_failure_keeps_its_source_chain() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = client_for(addr);
    let err = client.nodes().get("n").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.to_string(), "failed to send GET /api/v1/nodes/n");
    let mut chain = Vec::new();
    let mut source = err.source();
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    assert!(!chain.is_empty());
    assert!(
        chain
            .iter()
            .any(|s| s.to_lowercase().contains("connect") || s.contains("refused")),
        "{chain:?}"
    );
}
