//! `audit.k8s.io/v1` `Event` as kube-apiserver's log backend writes it: the fields in the
//! Go struct's order, the optional ones left out when empty.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One audited request (`audit.k8s.io/v1` `Event`) at level `Metadata`.
///
/// Serialized with `serde_json` it is one line of kube-apiserver's `--audit-log-path` file.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let server = kubeset_testserver::TestServer::start().await?;
/// for event in server.audit_events() {
///     println!("{}", serde_json::to_string(&event)?);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// Always `Event`.
    pub kind: String,
    /// Always `audit.k8s.io/v1`.
    pub api_version: String,
    /// Always `Metadata`: who, what, the answer's status; no request or response bodies.
    pub level: String,
    /// Unique per request (the request's `Audit-ID` header when it sent one).
    #[serde(rename = "auditID")]
    pub audit_id: String,
    /// `ResponseComplete` (a watch's event is written when the watch ends).
    pub stage: String,
    /// Path and query as sent.
    #[serde(rename = "requestURI")]
    pub request_uri: String,
    /// The request verb: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`, or the lowercase HTTP method for non-resource URLs.
    pub verb: String,
    /// The authenticated user.
    pub user: UserInfo,
    /// The user the request ran as, when it carried `Impersonate-*` headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonated_user: Option<UserInfo>,
    /// `X-Forwarded-For` addresses, then the peer's address.
    #[serde(rename = "sourceIPs", default, skip_serializing_if = "Vec::is_empty")]
    pub source_ips: Vec<String>,
    /// The `User-Agent` header.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_agent: String,
    /// What a resource request addressed (`None` for non-resource URLs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_ref: Option<ObjectReference>,
    /// The answer's code, and for a failure the `Status` it carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<ResponseStatus>,
    /// When the request arrived (`metav1.MicroTime`).
    pub request_received_timestamp: String,
    /// When this stage was reached (`metav1.MicroTime`).
    pub stage_timestamp: String,
    /// `authorization.k8s.io/decision` (`allow`/`forbid`) and `authorization.k8s.io/reason`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Event {
    /// The user the request was authorized as: the impersonated user when there was one.
    pub fn effective_user(&self) -> &UserInfo {
        self.impersonated_user.as_ref().unwrap_or(&self.user)
    }

    /// The answer's HTTP status code (0 if none was recorded).
    pub fn code(&self) -> u16 {
        self.response_status.as_ref().map_or(0, |s| s.code)
    }
}

/// `authentication.k8s.io/v1` `UserInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserInfo {
    /// User name (`system:serviceaccount:NS:NAME` for a ServiceAccount).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// UID (ServiceAccounts).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Groups, the implicit ones included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Extra attributes (a token's pod, credential id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// `audit.k8s.io/v1` `ObjectReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectReference {
    /// Resource (plural).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// Namespace (a Namespace object's own name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Object name (from a create's body when the URL has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// UID, when the request body carried one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// API group, empty for core.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    /// API version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// The resourceVersion an update's body carried.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
    /// Subresource (`binding`, `status`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subresource: String,
}

/// The bounded fields of the answer's `metav1.Status`, as the audit log keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseStatus {
    /// Always `{}` (Go's `ListMeta` is not `omitempty`).
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// `Failure` or `Success` when the answer was a `Status`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// The `Status` message.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// The `Status` reason (`Forbidden`, `NotFound`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The `Status` details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// HTTP status code.
    #[serde(default)]
    pub code: u16,
}

impl ResponseStatus {
    /// The audit form of a `Status` object answered with `code`.
    pub(crate) fn from_status(code: u16, status: &Value) -> Self {
        let text = |field: &str| {
            status
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        ResponseStatus {
            metadata: Map::new(),
            status: text("status"),
            message: text("message"),
            reason: text("reason"),
            details: status.get("details").cloned(),
            code,
        }
    }

    /// Only a code (an answer that was not a `Status`).
    pub(crate) fn code(code: u16) -> Self {
        ResponseStatus {
            code,
            ..ResponseStatus::default()
        }
    }
}
