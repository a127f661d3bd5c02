//! Authentication: client certificates, ServiceAccount tokens, anonymous requests.

pub(crate) mod cache;
pub(crate) mod jwt;
pub(crate) mod token;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::storage::{Key, Store};

/// The issuer of every ServiceAccount token this server mints.
pub(crate) const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";
/// The `extra` key of a client certificate's credential ID (as `SelfSubjectReview` shows it).
pub(crate) const CREDENTIAL_ID: &str = "authentication.kubernetes.io/credential-id";

/// The issuer of legacy Secret-based tokens.
pub(crate) const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    /// User name (`admin`, `system:serviceaccount:ns:name`, `system:anonymous`).
    pub(crate) name: String,
    /// UID (ServiceAccounts only).
    pub(crate) uid: String,
    /// Groups, including the implicit ones.
    pub(crate) groups: Vec<String>,
    /// Extra attributes (ServiceAccount token claims).
    pub(crate) extra: BTreeMap<String, Vec<String>>,
}

impl User {
    /// The anonymous user.
    pub(crate) fn anonymous() -> Self {
        User {
            name: "system:anonymous".into(),
            uid: String::new(),
            groups: vec!["system:unauthenticated".into()],
            extra: BTreeMap::new(),
        }
    }
}

/// What a request presented.
#[derive(Debug)]
pub(crate) enum Credentials {
    /// A verified client certificate: common name and organizations.
    ClientCert {
        /// CN.
        name: String,
        /// O values.
        groups: Vec<String>,
        /// `X509SHA256=` and the hex SHA-256 of the certificate (the `credential-id` extra).
        credential_id: String,
    },
    /// `Authorization: Bearer ...`.
    Bearer(crate::Secret),
    /// Nothing.
    None,
}

/// Inputs of token authentication.
pub(crate) struct TokenCheck<'a> {
    /// The key the tokens are signed with.
    pub(crate) signer: &'a jwt::Signer,
    /// Where ServiceAccounts, pods and secrets are looked up.
    pub(crate) store: &'a dyn Store,
    /// Now, in Unix seconds.
    pub(crate) now: i64,
    /// Tokens issued before this Unix time are rejected (the "expire tokens" fault).
    pub(crate) not_before: i64,
    /// Successful token authentications of the last ten seconds.
    pub(crate) cache: &'a cache::TokenCache,
}

/// Identifies the user; `None` means 401 (credentials presented but not accepted).
pub(crate) fn authenticate(creds: &Credentials, check: &TokenCheck<'_>) -> Option<User> {
    match creds {
        Credentials::ClientCert {
            name,
            groups,
            credential_id,
        } => {
            let mut groups = groups.clone();
            groups.push("system:authenticated".into());
            let mut extra = BTreeMap::new();
            extra.insert(CREDENTIAL_ID.to_owned(), vec![credential_id.clone()]);
            Some(User {
                name: name.clone(),
                uid: String::new(),
                groups,
                extra,
            })
        }
        Credentials::Bearer(token) => {
            check
                .cache
                .authenticate(token.expose(), check.now, check.not_before, || {
                    token_user(token.expose(), check)
                })
        }
        Credentials::None => Some(User::anonymous()),
    }
}

fn claim<'a>(claims: &'a Value, path: &str) -> &'a str {
    claims
        .pointer(path)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn exists_with_uid(
    store: &dyn Store,
    resource: &str,
    ns: &str,
    name: &str,
    uid: &str,
) -> Option<Value> {
    let obj = store.get(&Key::new(resource, ns, name))?;
    let found = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (uid.is_empty() || found == uid).then(|| (*obj).clone())
}

pub(crate) fn token_user(token: &str, check: &TokenCheck<'_>) -> Option<User> {
    let claims = check.signer.verify(token).ok()?;
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    if iat < check.not_before {
        return None;
    }
    let mut extra = BTreeMap::new();
    let (ns, sa, sa_uid) = match claim(&claims, "/iss") {
        ISSUER => {
            let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
            let nbf = claims.get("nbf").and_then(Value::as_i64).unwrap_or(0);
            if exp <= check.now || nbf > check.now + 60 {
                return None;
            }
            let audiences = claims.get("aud").and_then(Value::as_array)?;
            if !audiences.iter().any(|a| a.as_str() == Some(ISSUER)) {
                return None;
            }
            let ns = claim(&claims, "/kubernetes.io/namespace");
            if let Some(pod) = claims.pointer("/kubernetes.io/pod") {
                let name = pod.get("name").and_then(Value::as_str).unwrap_or_default();
                let uid = pod.get("uid").and_then(Value::as_str).unwrap_or_default();
                exists_with_uid(check.store, "/pods", ns, name, uid)?;
                extra.insert(
                    "authentication.kubernetes.io/pod-name".into(),
                    vec![name.to_owned()],
                );
                extra.insert(
                    "authentication.kubernetes.io/pod-uid".into(),
                    vec![uid.to_owned()],
                );
            }
            if let Some(secret) = claims.pointer("/kubernetes.io/secret") {
                let name = secret
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let uid = secret
                    .get("uid")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                exists_with_uid(check.store, "/secrets", ns, name, uid)?;
            }
            let jti = claim(&claims, "/jti");
            if !jti.is_empty() {
                extra.insert(
                    "authentication.kubernetes.io/credential-id".into(),
                    vec![format!("JTI={jti}")],
                );
            }
            (
                ns.to_owned(),
                claim(&claims, "/kubernetes.io/serviceaccount/name").to_owned(),
                claim(&claims, "/kubernetes.io/serviceaccount/uid").to_owned(),
            )
        }
        LEGACY_ISSUER => {
            let ns = claim(&claims, "/kubernetes.io~1serviceaccount~1namespace");
            let secret = claim(&claims, "/kubernetes.io~1serviceaccount~1secret.name");
            let stored = exists_with_uid(check.store, "/secrets", ns, secret, "")?;
            let stored_token = stored
                .pointer("/data/token")
                .and_then(Value::as_str)
                .unwrap_or_default();
            use base64::Engine;
            let expected = base64::engine::general_purpose::STANDARD.encode(token);
            if stored_token != expected {
                return None;
            }
            extra.insert(
                "authentication.kubernetes.io/credential-id".into(),
                vec![format!("LegacyServiceAccountTokenSecret={secret}")],
            );
            (
                ns.to_owned(),
                claim(
                    &claims,
                    "/kubernetes.io~1serviceaccount~1service-account.name",
                )
                .to_owned(),
                claim(
                    &claims,
                    "/kubernetes.io~1serviceaccount~1service-account.uid",
                )
                .to_owned(),
            )
        }
        _ => return None,
    };
    exists_with_uid(check.store, "/serviceaccounts", &ns, &sa, &sa_uid)?;
    Some(User {
        name: format!("system:serviceaccount:{ns}:{sa}"),
        uid: sa_uid,
        groups: vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{ns}"),
            "system:authenticated".into(),
        ],
        extra,
    })
}
