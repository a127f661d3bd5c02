//! ServiceAccount token requests (`serviceaccounts/NAME/token`).

use k8s_openapi::api::core::v1::ServiceAccount;
use kubeset_config::Secret;
use serde::Deserialize;
use serde_json::json;

use crate::{Api, Error, PostParams};

/// Options of a token request.
///
/// ```
/// use kubeset_clientset::TokenParams;
///
/// let tp = TokenParams::default()
///     .audience("https://vault.example.com")
///     .expiration_seconds(3600)
///     .bound_to_pod("web-0", None);
/// assert_eq!(tp.expiration_seconds, Some(3600));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenParams {
    /// Intended audiences (default: the API server's).
    pub audiences: Vec<String>,
    /// Requested lifetime (at least 600 seconds; the server may shorten it).
    pub expiration_seconds: Option<i64>,
    /// Bind the token to an object (`Pod`, `Secret` or `Node`): it stops working when the
    /// object is deleted. `(kind, name, uid)`.
    pub bound_object: Option<(String, String, Option<String>)>,
}

impl TokenParams {
    /// Adds an audience.
    pub fn audience(mut self, audience: &str) -> Self {
        self.audiences.push(audience.to_owned());
        self
    }
    /// Sets the lifetime.
    pub fn expiration_seconds(mut self, seconds: i64) -> Self {
        self.expiration_seconds = Some(seconds);
        self
    }
    /// Binds the token to pod `name` (and its uid, when known).
    pub fn bound_to_pod(mut self, name: &str, uid: Option<&str>) -> Self {
        self.bound_object = Some(("Pod".into(), name.into(), uid.map(str::to_owned)));
        self
    }
}

/// A token issued by the API server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IssuedToken {
    /// The JWT, redacted in `Debug`.
    pub token: Secret<String>,
    /// When it expires (RFC 3339), as the server says.
    pub expiration_timestamp: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    status: TokenAnswerStatus,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct TokenAnswerStatus {
    #[serde(default)]
    token: String,
    expiration_timestamp: Option<String>,
}

impl Api<ServiceAccount> {
    /// Requests a token for ServiceAccount `name` (what `kubectl create token` does).
    ///
    /// ```no_run
    /// use kubeset_clientset::TokenParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let issued = client
    ///     .service_accounts("apps")
    ///     .create_token("builder", &TokenParams::default().expiration_seconds(3600))
    ///     .await?;
    /// println!("expires {:?}", issued.expiration_timestamp);
    /// # Ok(()) }
    /// ```
    pub async fn create_token(&self, name: &str, tp: &TokenParams) -> Result<IssuedToken, Error> {
        let mut spec = serde_json::Map::new();
        if !tp.audiences.is_empty() {
            spec.insert("audiences".into(), json!(tp.audiences));
        }
        if let Some(seconds) = tp.expiration_seconds {
            spec.insert("expirationSeconds".into(), json!(seconds));
        }
        if let Some((kind, object_name, uid)) = &tp.bound_object {
            let mut bound = json!({"apiVersion": "v1", "kind": kind, "name": object_name});
            if let (Some(uid), Some(map)) = (uid, bound.as_object_mut()) {
                map.insert("uid".into(), json!(uid));
            }
            spec.insert("boundObjectRef".into(), bound);
        }
        let request = json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": spec,
        });
        let answer: TokenAnswer = self
            .create_subresource("token", name, &PostParams::default(), &request)
            .await?;
        Ok(IssuedToken {
            token: Secret::new(answer.status.token),
            expiration_timestamp: answer.status.expiration_timestamp,
        })
    }
}
