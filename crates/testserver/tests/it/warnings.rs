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
/// duplicate port (its protocol defaulted before the check).
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
