//! CertificateApproval, CertificateSigning and CertificateSubjectRestriction
//! (`plugin/pkg/admission/certificates/{approval,signing,subjectrestriction}`).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value, json};

use super::*;
use crate::admission::testing::MemLookup;
use crate::admission::{validate, validate_update as validate_any_update};

const EC: &str = include_str!("../../validation/csr_pem/ec.csr.pem");
const MASTERS: &str = include_str!("../../validation/csr_pem/masters.csr.pem");

fn csr(signer: &str, request: &str) -> Value {
    let request = base64::engine::general_purpose::STANDARD.encode(request);
    json!({"metadata": {"name": "c"}, "spec": {"signerName": signer, "request": request}})
}

const NO_EXTRA: &BTreeMap<String, Vec<String>> = &BTreeMap::new();

fn alice() -> UserInfo<'static> {
    UserInfo {
        name: "alice",
        uid: "",
        groups: &[],
        extra: NO_EXTRA,
    }
}

fn attrs(subresource: &str, op: Operation) -> Attributes<'_> {
    Attributes {
        group: GROUP,
        resource: RESOURCE,
        subresource,
        version: "v1",
        kind: "",
        namespace: "",
        name: "c",
        operation: op,
        user: Some(alice()),
    }
}

fn message(r: Result<(), AdmissionError>) -> String {
    r.map_or_else(|e| e.message(), |()| "allowed".to_owned())
}

/// `approval.Plugin.Validate`: `approve` on the signer name or on `<domain>/*`, judged by the
/// stored request.
#[test]
fn approval_needs_approve_on_the_signer() {
    let old = csr("example.com/signer", EC);
    let mut new = old.clone();
    new["status"] = json!({"conditions": [{"type": "Approved", "status": "True"}]});
    let approval = attrs("approval", Operation::Update);
    let run = |lookup: &MemLookup| message(validate_any_update(&approval, &new, &old, lookup));
    assert_eq!(
        run(&MemLookup::default()),
        "certificatesigningrequests.certificates.k8s.io \"c\" is forbidden: user not permitted to approve requests with signerName \"example.com/signer\""
    );
    let exact = MemLookup::default().allow("alice", "approve", "signers", "example.com/signer");
    assert_eq!(run(&exact), "allowed");
    let wildcard = MemLookup::default().allow("alice", "approve", "signers", "example.com/*");
    assert_eq!(run(&wildcard), "allowed");
    let other = MemLookup::default().allow("alice", "approve", "signers", "other.com/*");
    assert_ne!(run(&other), "allowed");
    let sign_only = MemLookup::default().allow("alice", "sign", "signers", "example.com/*");
    assert_ne!(run(&sign_only), "allowed");
}

/// `signing.Plugin.Validate`: `sign` only when the certificate or the conditions change.
#[test]
fn status_changes_need_sign() {
    let old = csr("example.com/signer", EC);
    let status = attrs("status", Operation::Update);
    let none = MemLookup::default();
    let mut labelled = old.clone();
    labelled["metadata"]["labels"] = json!({"a": "b"});
    assert_eq!(
        message(validate_any_update(&status, &labelled, &old, &none)),
        "allowed"
    );
    let mut issued = old.clone();
    issued["status"] = json!({"certificate": "Y2VydA=="});
    assert_eq!(
        message(validate_any_update(&status, &issued, &old, &none)),
        "certificatesigningrequests.certificates.k8s.io \"c\" is forbidden: user not permitted to sign requests with signerName \"example.com/signer\""
    );
    let signer = MemLookup::default().allow("alice", "sign", "signers", "example.com/signer");
    assert_eq!(
        message(validate_any_update(&status, &issued, &old, &signer)),
        "allowed"
    );
    let server = Attributes {
        user: None,
        ..status
    };
    assert_eq!(
        message(validate_any_update(&server, &issued, &old, &none)),
        "allowed"
    );
}

/// `subjectrestriction.Plugin.Validate`: no `system:masters` for the kube-apiserver-client
/// signer; other signers and organizations pass.
#[test]
fn no_system_masters_for_apiserver_clients() {
    let create = attrs("", Operation::Create);
    let none = MemLookup::default();
    let client = "kubernetes.io/kube-apiserver-client";
    assert_eq!(
        message(validate(&create, Some(&csr(client, MASTERS)), &none)),
        "certificatesigningrequests.certificates.k8s.io \"c\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed"
    );
    assert_eq!(
        message(validate(&create, Some(&csr(client, EC)), &none)),
        "allowed"
    );
    assert_eq!(
        message(validate(
            &create,
            Some(&csr("example.com/signer", MASTERS)),
            &none
        )),
        "allowed"
    );
    assert_eq!(
        message(validate(&create, Some(&csr(client, "junk")), &none)),
        "certificatesigningrequests.certificates.k8s.io \"c\" is forbidden: failed to parse CSR: PEM block type must be CERTIFICATE REQUEST"
    );
}
