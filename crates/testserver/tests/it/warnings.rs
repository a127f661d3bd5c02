//! The strategies' warnings on the wire (`rest.BeforeCreate`/`BeforeUpdate` after the
//! handler's `fieldValidation` warnings, each text once) and the deprecation warning of a
//! deprecated version (`AddWarningsHandler`), first on every answer of its handlers.

use bytes::Bytes;
use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::{Answer, Who, admin, send_raw};

fn warnings(a: &Answer) -> Vec<String> {
    a.headers
        .get_all(http::header::WARNING)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

const POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web.v1"},
  "spec":{"bogus":1,"nodeSelector":{"beta.kubernetes.io/os":"linux"},
  "containers":[{"name":"c","image":"i","ports":[{"containerPort":80},{"containerPort":80}]}]}}"#;

/// The decoder's unknown field first, then `WarningsOnCreate`: the name, the node label, the
/// duplicate port (its protocol defaulted before the check); on a dry run too, and on a create
/// the store refuses (AlreadyExists), but not on one validation refuses.
#[tokio::test]
async fn strategy_warnings_follow_the_decoders() {
    let server = TestServer::start().await.unwrap();
    let who = Who::Cert(server.admin_cert());
    let path = "/api/v1/namespaces/default/pods";
    let body = Some(Bytes::from(POD));
    let a = send_raw(&server, &who, Method::POST, path, None, body, &[]).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "unknown field \"spec.bogus\"""#,
            r#"299 - "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]""#,
            r#"299 - "spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead""#,
            r#"299 - "spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]""#,
        ]
    );
    // a dry run warns the same; a refused create warns nothing
    let dry = format!("{path}?dryRun=All");
    let body = Some(Bytes::from(POD.replace("web.v1", "web.v2")));
    let a = send_raw(&server, &who, Method::POST, &dry, None, body, &[]).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(warnings(&a).len(), 4);
    let body = Some(Bytes::from(POD.replace(r#""image":"i""#, r#""image":"""#)));
    let a = send_raw(&server, &who, Method::POST, path, None, body, &[]).await;
    assert_eq!(a.status, 422, "{:?}", a.json());
    assert_eq!(warnings(&a), [r#"299 - "unknown field \"spec.bogus\"""#]);
    // refused by the store after validation passed: the strategy had warned by then, so the
    // 409 carries every warning of the first create
    let body = Some(Bytes::from(POD));
    let a = send_raw(&server, &who, Method::POST, path, None, body, &[]).await;
    assert_eq!(a.status, 409, "{:?}", a.json());
    assert_eq!(warnings(&a).len(), 4, "{:?}", warnings(&a));
    assert_eq!(warnings(&a)[0], r#"299 - "unknown field \"spec.bogus\"""#);
}

/// The pod status strategy warns about non-canonical IPs; the main strategy not at all.
#[tokio::test]
async fn pod_status_writes_warn_about_their_ips() {
    let server = TestServer::start().await.unwrap();
    let path = "/api/v1/namespaces/default/pods";
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i"}]}});
    let a = admin(&server, Method::POST, path, Some(pod)).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert!(warnings(&a).is_empty(), "{:?}", warnings(&a));
    let status = json!({"status": {"podIP": "fd00::1", "podIPs": [{"ip": "fd00:0::1"}]}});
    let who = Who::Cert(server.admin_cert());
    let body = Some(Bytes::from(status.to_string()));
    let a = send_raw(
        &server,
        &who,
        Method::PATCH,
        &format!("{path}/p/status"),
        Some("application/merge-patch+json"),
        body,
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "status.podIPs[0].ip: IPv6 address \"fd00:0::1\" should be in RFC 5952 canonical format (\"fd00::1\")""#
        ]
    );
}

/// v1 Endpoints are deprecated: every answer of theirs says so first, errors too.
#[tokio::test]
async fn deprecated_versions_warn_on_every_request() {
    let server = TestServer::start().await.unwrap();
    let deprecated =
        r#"299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice""#;
    let path = "/api/v1/namespaces/default/endpoints";
    let a = admin(&server, Method::GET, path, None).await;
    assert_eq!(a.status, 200);
    assert_eq!(warnings(&a), [deprecated]);
    let a = admin(&server, Method::GET, &format!("{path}/missing"), None).await;
    assert_eq!(a.status, 404);
    assert_eq!(warnings(&a), [deprecated]);
    let ep = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e"},
        "subsets": [{"addresses": [{"ip": "010.0.0.1"}], "ports": [{"port": 80}]}]});
    let a = admin(&server, Method::POST, path, Some(ep)).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            deprecated,
            r#"299 - "subsets[0].addresses[0].ip: non-standard IP address \"010.0.0.1\" will be considered invalid in a future Kubernetes release: use \"10.0.0.1\"""#,
        ]
    );
    let a = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/configmaps",
        None,
    )
    .await;
    assert!(warnings(&a).is_empty());
}

/// A deprecated custom resource version warns on every request; creates and updates warn
/// about the finalizer names they add that are not domain-qualified with a path.
#[tokio::test]
async fn custom_resources_deprecated_versions_and_finalizers() {
    let server = TestServer::start().await.unwrap();
    let group = "warn.example.com";
    let version = |name: &str, storage: bool, deprecated: bool| {
        json!({"name": name, "served": true, "storage": storage, "deprecated": deprecated,
            "schema": {"openAPIV3Schema": {"type": "object",
                "x-kubernetes-preserve-unknown-fields": true}}})
    };
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("gadgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [version("v1", false, true), version("v2", true, false)]}});
    let path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let a = admin(&server, Method::POST, path, Some(crd)).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let v1 = format!("/apis/{group}/v1/namespaces/default/gadgets");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while admin(&server, Method::GET, &v1, None).await.status != 200 {
        assert!(std::time::Instant::now() < deadline, "{v1} is not served");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let deprecated = format!(r#"299 - "{group}/v1 Gadget is deprecated; use {group}/v2 Gadget""#);
    assert_eq!(
        warnings(&admin(&server, Method::GET, &v1, None).await),
        [deprecated.as_str()]
    );
    let v2 = format!("/apis/{group}/v2/namespaces/default/gadgets");
    assert!(warnings(&admin(&server, Method::GET, &v2, None).await).is_empty());

    let gadget = json!({"apiVersion": format!("{group}/v1"), "kind": "Gadget",
        "metadata": {"name": "g", "finalizers": ["plain", "example.com/ok", "a.example.com"]}});
    let a = admin(&server, Method::POST, &v1, Some(gadget)).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            deprecated.as_str(),
            r#"299 - "metadata.finalizers: \"a.example.com\": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers""#,
            r#"299 - "metadata.finalizers: \"plain\": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers""#,
        ]
    );
    // an update warns about the names it adds only
    let who = Who::Cert(server.admin_cert());
    let patch = r#"{"metadata":{"finalizers":["plain","example.com/ok","a.example.com","more"]}}"#;
    let a = send_raw(
        &server,
        &who,
        Method::PATCH,
        &format!("{v2}/g"),
        Some("application/merge-patch+json"),
        Some(Bytes::from(patch)),
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "metadata.finalizers: \"more\": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers""#
        ]
    );
}
