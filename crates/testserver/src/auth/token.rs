//! Minting ServiceAccount tokens (TokenRequest and the legacy token controller).

use serde_json::{Value, json};

use super::{ISSUER, LEGACY_ISSUER, jwt::Signer};

/// The object a token is bound to.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    /// `Pod`, `Secret` or `Node`.
    pub(crate) kind: String,
    /// Object name.
    pub(crate) name: String,
    /// Object UID.
    pub(crate) uid: String,
}

/// What a TokenRequest asks for.
#[derive(Debug, Clone)]
pub(crate) struct TokenSpec<'a> {
    /// Namespace of the ServiceAccount.
    pub(crate) namespace: &'a str,
    /// ServiceAccount name.
    pub(crate) name: &'a str,
    /// ServiceAccount UID.
    pub(crate) uid: &'a str,
    /// Audiences.
    pub(crate) audiences: &'a [String],
    /// Lifetime in seconds.
    pub(crate) expiration_seconds: i64,
    /// Bound object.
    pub(crate) binding: Option<Binding>,
    /// Issue time (Unix seconds).
    pub(crate) now: i64,
}

/// A bound token with the real claims; returns the token and its expiry (Unix seconds).
pub(crate) fn mint(signer: &Signer, spec: &TokenSpec<'_>) -> (String, i64) {
    let exp = spec.now + spec.expiration_seconds;
    let mut k8s = json!({
        "namespace": spec.namespace,
        "serviceaccount": {"name": spec.name, "uid": spec.uid},
    });
    if let Some(b) = &spec.binding {
        let key = b.kind.to_ascii_lowercase();
        k8s[key] = json!({"name": b.name, "uid": b.uid});
    }
    let claims = json!({
        "aud": spec.audiences,
        "exp": exp,
        "iat": spec.now,
        "iss": ISSUER,
        "jti": uuid::Uuid::new_v4().to_string(),
        "kubernetes.io": k8s,
        "nbf": spec.now,
        "sub": format!("system:serviceaccount:{}:{}", spec.namespace, spec.name),
    });
    (signer.sign(&claims), exp)
}

/// A legacy, non-expiring token for a `kubernetes.io/service-account-token` Secret.
pub(crate) fn mint_legacy(
    signer: &Signer,
    namespace: &str,
    secret: &str,
    sa: &str,
    sa_uid: &str,
    now: i64,
) -> String {
    let claims: Value = json!({
        "iss": LEGACY_ISSUER,
        "iat": now,
        "kubernetes.io/serviceaccount/namespace": namespace,
        "kubernetes.io/serviceaccount/secret.name": secret,
        "kubernetes.io/serviceaccount/service-account.name": sa,
        "kubernetes.io/serviceaccount/service-account.uid": sa_uid,
        "sub": format!("system:serviceaccount:{namespace}:{sa}"),
    });
    signer.sign(&claims)
}
