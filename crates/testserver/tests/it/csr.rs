//! CertificateSigningRequests' `status` and `approval` subresources: what each may change,
//! with the real server's messages (`pkg/registry/certificates/certificates/strategy.go`,
//! `pkg/apis/certificates/validation`).

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::admin;

const CSRS: &str = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
/// A PKCS#10 request made by `openssl req -new` (P-256).
const REQUEST: &str = include_str!("../../src/validation/csr_pem/ec.csr.pem");

#[tokio::test]
async fn approval_and_status_subresources_split_the_work() {
    let server = TestServer::start().await.unwrap();
    use base64::Engine as _;
    let request = base64::engine::general_purpose::STANDARD.encode(REQUEST);
    let csr = json!({"metadata": {"name": "node-csr"},
        "spec": {"request": request, "signerName": "example.com/signer", "usages": ["client auth"]},
        "status": {"conditions": [{"type": "Approved", "status": "True"}]}});
    let created = admin(&server, Method::POST, CSRS, Some(csr)).await;
    assert_eq!(created.status, 201, "{:?}", created.json());
    // PrepareForCreate: no pre-approved requests
    assert_eq!(created.json()["status"], json!({}));

    // the signer's subresource may not approve
    let approve = json!({"status": {"conditions": [{"type": "Approved", "status": "True",
        "reason": "Test", "message": "approved"}]}});
    let path = |sub: &str| format!("{CSRS}/node-csr/{sub}");
    let merge = |sub: &str, body: serde_json::Value| {
        let server = &server;
        let path = path(sub);
        async move {
            crate::support::send_with_type(
                server,
                Method::PATCH,
                &path,
                "application/merge-patch+json",
                serde_json::to_vec(&body).unwrap(),
            )
            .await
        }
    };
    let refused = merge("status", approve.clone()).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["message"],
        "CertificateSigningRequest.certificates.k8s.io \"node-csr\" is invalid: status.conditions: Forbidden: updates may not add a condition of type \"Approved\""
    );
    // the approver's may, and gets the timestamps filled in
    let approved = merge("approval", approve).await;
    assert_eq!(approved.status, 200, "{:?}", approved.json());
    let condition = &approved.json()["status"]["conditions"][0];
    assert_eq!(condition["type"], "Approved");
    assert!(condition["lastUpdateTime"].is_string(), "{condition}");
    assert!(condition["lastTransitionTime"].is_string(), "{condition}");

    // a certificate sent there is dropped (only the conditions are taken), and an approved
    // request cannot also be denied
    let cert = merge("approval", json!({"status": {"certificate": "Y2VydA=="}})).await;
    assert_eq!(cert.status, 200, "{:?}", cert.json());
    let got = admin(&server, Method::GET, &path("approval"), None).await;
    assert_eq!(got.status, 200);
    assert!(got.json()["status"].get("certificate").is_none());
    let deny = merge(
        "approval",
        json!({"status": {"conditions": [
            {"type": "Approved", "status": "True", "reason": "Test"},
            {"type": "Denied", "status": "True", "reason": "Test"}]}}),
    )
    .await;
    assert_eq!(deny.status, 422);
    assert_eq!(
        deny.json()["message"],
        "CertificateSigningRequest.certificates.k8s.io \"node-csr\" is invalid: status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive"
    );

    // a main-resource update changes neither spec nor status
    let mut whole = got.json();
    whole["spec"]["signerName"] = json!("other.example/signer");
    whole["status"] = json!({});
    let replaced = admin(
        &server,
        Method::PUT,
        &format!("{CSRS}/node-csr"),
        Some(whole),
    )
    .await;
    assert_eq!(replaced.status, 200, "{:?}", replaced.json());
    assert_eq!(replaced.json()["spec"]["signerName"], "example.com/signer");
    assert_eq!(
        replaced.json()["status"]["conditions"][0]["type"],
        "Approved"
    );
}
