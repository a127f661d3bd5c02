//! CertificateSigningRequests as kube-apiserver handles them: the requester fills in
//! `spec.username`/`groups`/`extra` whatever the body said, the spec is validated with the
//! real messages, approving needs `approve` on the signer (CertificateApproval), setting the
//! certificate needs `sign` (CertificateSigning), and `system:masters` may not be asked of the
//! kube-apiserver-client signer (CertificateSubjectRestriction). Users are impersonated by the
//! admin client, so this holds on a cluster too; every cluster-scoped object is named per run
//! and removed afterwards.

use std::collections::BTreeMap;

use bytes::Bytes;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use kubeset::clientset::{Api, Client, DeleteParams, Error, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::{admin_config, clean_up, setup};

const EC_REQUEST: &str = include_str!("../fixtures/csr/ec.csr.pem");
const MASTERS_REQUEST: &str = include_str!("../fixtures/csr/masters.csr.pem");
const ISSUED: &str = include_str!("../fixtures/csr/issued.crt.pem");

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn csr(name: &str, signer: &str, request: &str) -> CertificateSigningRequest {
    serde_json::from_value(json!({"metadata": {"name": name}, "spec": {
        "request": b64(request), "signerName": signer, "usages": ["client auth"],
        "username": "mallory", "groups": ["system:masters"], "extra": {"k": ["v"]}}}))
    .unwrap()
}

/// Deletes the cluster-scoped objects a test made, also when it panics.
struct Cleanup {
    csrs: Vec<String>,
    roles: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (csrs, roles) = (self.csrs.clone(), self.roles.clone());
        clean_up(admin_config(), "the CSR clean-up", |client| async move {
            let dp = DeleteParams::default();
            for name in &csrs {
                let _ = Api::<CertificateSigningRequest>::all(client.clone())
                    .delete(name, &dp)
                    .await;
            }
            for name in &roles {
                let _ = Api::<ClusterRoleBinding>::all(client.clone())
                    .delete(name, &dp)
                    .await;
                let _ = Api::<ClusterRole>::all(client.clone())
                    .delete(name, &dp)
                    .await;
            }
        });
    }
}

/// A client that impersonates `user` in `groups`.
fn impersonating(user: &str, groups: &[&str]) -> Client {
    let mut config = admin_config();
    config.impersonate.user = Some(user.to_owned());
    config.impersonate.groups = groups.iter().map(|g| (*g).to_owned()).collect();
    Client::new(config).unwrap()
}

/// The API error's code and message.
#[track_caller]
fn refusal(err: &Error) -> (u16, String) {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    (api.code, api.message().to_owned())
}

/// PUT `body` to `/apis/certificates.k8s.io/v1/certificatesigningrequests/<name>/<sub>`.
async fn put_subresource(
    client: &Client,
    name: &str,
    sub: &str,
    body: &CertificateSigningRequest,
) -> Result<Value, Error> {
    use http_body_util::BodyExt as _;
    let request = http::Request::put(format!(
        "/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/{sub}"
    ))
    .header(http::header::CONTENT_TYPE, "application/json")
    .body(kubeset::transport::RequestBody::new(Bytes::from(
        serde_json::to_vec(body).unwrap(),
    )))
    .unwrap();
    let response = client.send(request).await?;
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Ok(serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn the_requester_fills_in_the_spec() {
    let ctx = setup("csr-requester").await;
    let name = format!("{}-csr", ctx.ns);
    let _cleanup = Cleanup {
        csrs: vec![name.clone()],
        roles: vec![],
    };
    let alice = impersonating("alice", &["system:masters"]);
    let csrs = Api::<CertificateSigningRequest>::all(alice.clone());
    let created = csrs
        .create(
            &PostParams::default(),
            &csr(&name, "kubeset.test/e2e", EC_REQUEST),
        )
        .await
        .unwrap();
    let me = alice.whoami().await.unwrap();
    let spec = created.spec;
    assert_eq!(spec.username.as_deref(), Some("alice"));
    assert_eq!(spec.username, me.username);
    assert_eq!(spec.groups, me.groups);
    assert_eq!(
        spec.groups.as_deref(),
        Some(
            &[
                "system:masters".to_owned(),
                "system:authenticated".to_owned()
            ][..]
        )
    );
    assert_eq!(spec.uid, None);
    let extra: Option<BTreeMap<String, Vec<String>>> = spec.extra;
    assert_eq!(extra, None, "an impersonated user without extra has none");
    assert_eq!(created.status.unwrap_or_default().conditions, None);
}

#[tokio::test]
async fn the_spec_is_validated_with_the_real_messages() {
    let ctx = setup("csr-invalid").await;
    let name = format!("{}-csr", ctx.ns);
    let _cleanup = Cleanup {
        csrs: vec![name.clone()],
        roles: vec![],
    };
    let csrs = Api::<CertificateSigningRequest>::all(ctx.client.clone());
    let mut bad = csr(&name, "kubernetes.io/legacy-unknown", "junk");
    bad.spec.usages = Some(vec!["client auth".into(), "teleport".into()]);
    bad.spec.expiration_seconds = Some(60);
    let err = csrs.create(&PostParams::default(), &bad).await.unwrap_err();
    let (code, message) = refusal(&err);
    assert_eq!(code, 422, "{err}");
    let causes: Vec<(String, String)> = err
        .status()
        .and_then(|s| s.details.as_ref())
        .and_then(|d| d.causes.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.field.unwrap_or_default(), c.reason.unwrap_or_default()))
        .collect();
    let fields: Vec<&str> = causes.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "spec.request",
            "spec.usages[1]",
            "spec.signerName",
            "spec.expirationSeconds"
        ]
    );
    assert!(
        message.starts_with(&format!(
            "CertificateSigningRequest.certificates.k8s.io \"{name}\" is invalid: [spec.request: Invalid value: []byte{{0x6a, 0x75, 0x6e, 0x6b}}: PEM block type must be CERTIFICATE REQUEST, spec.usages[1]: Unsupported value: \"teleport\": supported values: \"any\","
        )),
        "{message}"
    );
    assert!(
        message.ends_with(", spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version, spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)]"),
        "{message}"
    );

    let masters = csr(
        &name,
        "kubernetes.io/kube-apiserver-client",
        MASTERS_REQUEST,
    );
    let err = csrs
        .create(&PostParams::default(), &masters)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            403,
            format!(
                "certificatesigningrequests.certificates.k8s.io \"{name}\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed"
            )
        )
    );
}

#[tokio::test]
async fn approving_needs_approve_and_issuing_needs_sign_on_the_signer() {
    let ctx = setup("csr-approve").await;
    let name = format!("{}-csr", ctx.ns);
    let role = format!("{}-approver", ctx.ns);
    let _cleanup = Cleanup {
        csrs: vec![name.clone()],
        roles: vec![role.clone()],
    };
    let admin = ctx.client.clone();
    let signer = format!("{}.kubeset.test/e2e", ctx.ns);
    let csrs = Api::<CertificateSigningRequest>::all(admin.clone());
    csrs.create(&PostParams::default(), &csr(&name, &signer, EC_REQUEST))
        .await
        .unwrap();
    // the approver may write the subresources, but is not (yet) allowed the signer
    let rules = |signers: &[&str]| {
        let mut rules = vec![json!({"apiGroups": ["certificates.k8s.io"],
            "resources": ["certificatesigningrequests", "certificatesigningrequests/approval",
                "certificatesigningrequests/status"],
            "verbs": ["get", "update"]})];
        if !signers.is_empty() {
            rules.push(
                json!({"apiGroups": ["certificates.k8s.io"], "resources": ["signers"],
                "resourceNames": signers, "verbs": ["approve"]}),
            );
        }
        rules
    };
    let roles = Api::<ClusterRole>::all(admin.clone());
    let cluster_role: ClusterRole =
        serde_json::from_value(json!({"metadata": {"name": role}, "rules": rules(&[])})).unwrap();
    roles
        .create(&PostParams::default(), &cluster_role)
        .await
        .unwrap();
    let binding: ClusterRoleBinding = serde_json::from_value(json!({
        "metadata": {"name": role},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": role}]}))
    .unwrap();
    Api::<ClusterRoleBinding>::all(admin.clone())
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
    let approver = impersonating(&role, &[]);

    let mut approved = csrs.get(&name).await.unwrap();
    approved.status = serde_json::from_value(json!({"conditions": [
        {"type": "Approved", "status": "True", "reason": "E2E", "message": "approved by the test"}]}))
    .unwrap();
    let err = put_subresource(&approver, &name, "approval", &approved)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            403,
            format!(
                "certificatesigningrequests.certificates.k8s.io \"{name}\" is forbidden: user not permitted to approve requests with signerName \"{signer}\""
            )
        )
    );

    // `approve` on the signer's domain wildcard is enough
    let wildcard = format!("{}.kubeset.test/*", ctx.ns);
    let patch = Patch::Merge(json!({"rules": rules(&[&wildcard])}));
    roles
        .patch(&role, &PatchParams::default(), &patch)
        .await
        .unwrap();
    let answer = put_subresource(&approver, &name, "approval", &approved)
        .await
        .unwrap();
    assert_eq!(
        answer.pointer("/status/conditions/0/type"),
        Some(&json!("Approved"))
    );
    assert!(
        answer
            .pointer("/status/conditions/0/lastUpdateTime")
            .is_some()
    );

    // issuing needs `sign`, which the approver lacks
    let mut issued: CertificateSigningRequest = serde_json::from_value(answer).unwrap();
    issued.status.get_or_insert_default().certificate =
        Some(k8s_openapi::ByteString(ISSUED.as_bytes().to_vec()));
    let err = put_subresource(&approver, &name, "status", &issued)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            403,
            format!(
                "certificatesigningrequests.certificates.k8s.io \"{name}\" is forbidden: user not permitted to sign requests with signerName \"{signer}\""
            )
        )
    );
    let signed = put_subresource(&admin, &name, "status", &issued)
        .await
        .unwrap();
    assert_eq!(
        signed.pointer("/status/certificate"),
        Some(&json!(b64(ISSUED)))
    );
    // and a certificate is set once
    let mut reissued: CertificateSigningRequest = serde_json::from_value(signed).unwrap();
    reissued.status.get_or_insert_default().certificate = Some(k8s_openapi::ByteString(
        format!("{ISSUED}{ISSUED}").into_bytes(),
    ));
    let err = put_subresource(&admin, &name, "status", &reissued)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            422,
            format!(
                "CertificateSigningRequest.certificates.k8s.io \"{name}\" is invalid: status.certificate: Forbidden: updates may not modify existing certificate content"
            )
        )
    );
}
