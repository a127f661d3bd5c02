//! SelfSubjectReview: who the server thinks the caller is.

use serde_json::{Map, Value, json};

use crate::auth::User;

/// The `user.Info` extra key under which the credential that authenticated a request is
/// identified (`X509SHA256=...` for client certificates, `JTI=...` for bound tokens).
pub(crate) const CREDENTIAL_ID: &str = "authentication.kubernetes.io/credential-id";

/// The credential id kube-apiserver records for a client certificate: `X509SHA256=` and the
/// lowercase hex SHA-256 of the certificate's DER bytes. Put it in the user's extra under
/// [`CREDENTIAL_ID`] when authenticating a client certificate.
pub(crate) fn client_cert_credential_id(cert_der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert_der);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("X509SHA256={hex}")
}

/// `status.userInfo` of a review: `username`, then `uid`, `groups`, `extra` when not empty.
pub(crate) fn user_info(user: &User) -> Value {
    let mut info = Map::new();
    info.insert("username".into(), user.name.clone().into());
    if !user.uid.is_empty() {
        info.insert("uid".into(), user.uid.clone().into());
    }
    if !user.groups.is_empty() {
        info.insert("groups".into(), user.groups.clone().into());
    }
    if !user.extra.is_empty() {
        let extra: Map<String, Value> = user
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        info.insert("extra".into(), extra.into());
    }
    Value::Object(info)
}

/// The created SelfSubjectReview (`201`) for `user`, stamped `now` (RFC 3339); the request
/// body carries nothing the answer depends on.
pub(crate) fn self_subject_review(user: &User, now: &str) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": now},
        "status": {"userInfo": user_info(user)},
    })
}
