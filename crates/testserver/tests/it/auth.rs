//! Authentication: admin certificates, TokenRequest tokens, legacy tokens, anonymous, 401.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::{Who, admin, namespace, send};

async fn token(server: &TestServer, ns: &str, sa: &str) -> String {
    let path = format!("/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token");
    let a = admin(
        server,
        Method::POST,
        &path,
        Some(json!({"spec": {"expirationSeconds": 3600}})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    a.json()["status"]["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn service_account_tokens_authenticate_and_are_authorized_by_rbac() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "authn").await;
    let t = token(&server, "authn", "default").await;
    // discovery is allowed to every authenticated user
    let a = send(&server, Who::Token(&t), Method::GET, "/api", None).await;
    assert_eq!(a.status, 200);
    // whoami
    let a = send(
        &server,
        Who::Token(&t),
        Method::POST,
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
    )
    .await;
    assert_eq!(
        a.json()["status"]["userInfo"]["username"],
        "system:serviceaccount:authn:default"
    );
    // no RBAC yet: listing pods is denied with the real message
    let a = send(
        &server,
        Who::Token(&t),
        Method::GET,
        "/api/v1/namespaces/authn/pods",
        None,
    )
    .await;
    assert_eq!(a.status, 403);
    assert_eq!(
        a.json()["message"],
        "pods is forbidden: User \"system:serviceaccount:authn:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"authn\""
    );
    // a Role and RoleBinding make it allowed at once
    let role = json!({"metadata": {"name": "r"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]});
    let rb = json!({"metadata": {"name": "rb"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
        "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "authn"}]});
    let base = "/apis/rbac.authorization.k8s.io/v1/namespaces/authn";
    assert_eq!(
        admin(&server, Method::POST, &format!("{base}/roles"), Some(role))
            .await
            .status,
        201
    );
    assert_eq!(
        admin(
            &server,
            Method::POST,
            &format!("{base}/rolebindings"),
            Some(rb)
        )
        .await
        .status,
        201
    );
    let a = send(
        &server,
        Who::Token(&t),
        Method::GET,
        "/api/v1/namespaces/authn/pods",
        None,
    )
    .await;
    assert_eq!(a.status, 200);
}

// kube-apiserver remembers a successful token authentication for ten seconds: a token of a
// ServiceAccount deleted a moment ago still authenticates, as that ServiceAccount (its old
// uid), until the cache entry lapses; then it gets 401.
#[tokio::test]
async fn a_deleted_service_accounts_token_authenticates_until_the_cache_lapses() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "authn-cache").await;
    let t = token(&server, "authn-cache", "default").await;
    let whoami = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    let review = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
    let a = send(
        &server,
        Who::Token(&t),
        Method::POST,
        whoami,
        Some(review.clone()),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let uid = a.json()["status"]["userInfo"]["uid"].clone();
    assert!(uid.as_str().is_some_and(|u| !u.is_empty()), "{uid:?}");
    let deleted = admin(
        &server,
        Method::DELETE,
        "/api/v1/namespaces/authn-cache/serviceaccounts/default",
        None,
    )
    .await;
    assert_eq!(deleted.status, 200);
    let a = send(
        &server,
        Who::Token(&t),
        Method::POST,
        whoami,
        Some(review.clone()),
    )
    .await;
    assert_eq!(a.status, 201, "still cached: {:?}", a.json());
    assert_eq!(a.json()["status"]["userInfo"]["uid"], uid);
    // Then the cache lapses and the token is checked again: its ServiceAccount is gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let a = send(&server, Who::Token(&t), Method::GET, "/api", None).await;
        if a.status == 401 {
            break;
        }
        assert_eq!(a.status, 200);
        assert!(
            std::time::Instant::now() < deadline,
            "the token stayed valid"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

// With the cache off (kube-apiserver's TokenSuccessCacheTTL of zero) every request checks the
// token, so deleting the ServiceAccount invalidates its tokens at once.
#[tokio::test]
async fn without_the_token_cache_a_deleted_service_account_is_401_at_once() {
    let server = TestServer::builder()
        .token_success_cache_ttl(std::time::Duration::ZERO)
        .start()
        .await
        .unwrap();
    namespace(&server, "authn-nocache").await;
    let t = token(&server, "authn-nocache", "default").await;
    let a = send(&server, Who::Token(&t), Method::GET, "/api", None).await;
    assert_eq!(a.status, 200);
    admin(
        &server,
        Method::DELETE,
        "/api/v1/namespaces/authn-nocache/serviceaccounts/default",
        None,
    )
    .await;
    let a = send(&server, Who::Token(&t), Method::GET, "/api", None).await;
    assert_eq!(a.status, 401);
}

#[tokio::test]
async fn bad_tokens_get_the_real_401_and_anonymous_only_public_info() {
    let server = TestServer::start().await.unwrap();
    let a = send(
        &server,
        Who::Token("not-a-token"),
        Method::GET,
        "/api",
        None,
    )
    .await;
    assert_eq!(a.status, 401);
    assert_eq!(
        a.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
    );
    assert_eq!(
        send(&server, Who::Anonymous, Method::GET, "/version", None)
            .await
            .status,
        200
    );
    assert_eq!(
        send(&server, Who::Anonymous, Method::GET, "/healthz", None)
            .await
            .status,
        200
    );
    let a = send(
        &server,
        Who::Anonymous,
        Method::GET,
        "/api/v1/namespaces",
        None,
    )
    .await;
    assert_eq!(a.status, 403);
    assert_eq!(
        a.json()["message"],
        "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
    );
}

#[tokio::test]
async fn client_certificates_of_other_users_are_not_admins() {
    let server = TestServer::start().await.unwrap();
    let alice = server.client_cert("alice", &["devs"]).unwrap();
    let a = send(
        &server,
        Who::Cert(&alice),
        Method::GET,
        "/api/v1/namespaces/default/configmaps",
        None,
    )
    .await;
    assert_eq!(a.status, 403);
    assert!(
        a.json()["message"]
            .as_str()
            .unwrap()
            .contains("User \"alice\"")
    );
}

#[tokio::test]
async fn legacy_token_secrets_are_filled_and_authenticate() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "legacy").await;
    let secret = json!({"metadata": {"name": "tok", "annotations": {"kubernetes.io/service-account.name": "default"}},
        "type": "kubernetes.io/service-account-token"});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/legacy/secrets",
        Some(secret),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let mut filled = None;
    for _ in 0..100 {
        let s = admin(
            &server,
            Method::GET,
            "/api/v1/namespaces/legacy/secrets/tok",
            None,
        )
        .await
        .json();
        if s["data"]["token"].is_string() {
            filled = Some(s);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let s = filled.expect("the token controller fills the secret");
    use base64::Engine;
    let decode = |k: &str| {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(s["data"][k].as_str().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(decode("namespace"), "legacy");
    assert_eq!(decode("ca.crt"), server.ca_pem());
    assert!(s["metadata"]["annotations"]["kubernetes.io/service-account.uid"].is_string());
    let a = send(
        &server,
        Who::Token(&decode("token")),
        Method::GET,
        "/apis",
        None,
    )
    .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn service_account_environment_has_the_pod_files_and_rotates() {
    let server = TestServer::start().await.unwrap();
    let mut env = server
        .service_account_env("default", "default")
        .await
        .unwrap();
    let read = |f: &str| std::fs::read_to_string(env.dir().join(f)).unwrap();
    assert_eq!(read("namespace"), "default");
    assert_eq!(read("ca.crt"), server.ca_pem());
    assert_eq!(env.service_host(), "127.0.0.1");
    assert_eq!(env.service_port(), server.addr().port().to_string());
    let first = read("token");
    assert_eq!(
        send(&server, Who::Token(&first), Method::GET, "/api", None)
            .await
            .status,
        200
    );
    assert_eq!(format!("{:?}", env.token()), "<redacted>");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    env.rotate_token().unwrap();
    let second = std::fs::read_to_string(env.dir().join("token")).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        send(&server, Who::Token(&second), Method::GET, "/api", None)
            .await
            .status,
        200
    );
}
