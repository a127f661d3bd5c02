//! The parts of an `audit.k8s.io/v1` `Event` that RBAC derivation reads; unknown fields are
//! ignored and missing ones are empty, so lines from any kube-apiserver version parse.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One audit event, as far as RBAC derivation needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Event {
    /// `ResponseComplete`, `ResponseStarted`, `RequestReceived` or `Panic`.
    pub stage: String,
    /// Path and query as sent.
    #[serde(rename = "requestURI")]
    pub request_uri: String,
    /// The request verb (`get`, `list`, `watch`, `create`, ...; the lowercase HTTP method for
    /// non-resource URLs).
    pub verb: String,
    /// The authenticated user.
    pub user: UserInfo,
    /// The user the request ran as, when it impersonated one.
    pub impersonated_user: Option<UserInfo>,
    /// What a resource request addressed; `None` for non-resource URLs.
    pub object_ref: Option<ObjectReference>,
    /// The answer's status code.
    pub response_status: Option<ResponseStatus>,
    /// `authorization.k8s.io/decision` and friends.
    pub annotations: BTreeMap<String, String>,
}

/// Who sent (or was impersonated by) a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UserInfo {
    /// User name (`system:serviceaccount:NS:NAME` for a ServiceAccount).
    pub username: String,
    /// Groups.
    pub groups: Vec<String>,
}

/// What a resource request addressed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ObjectReference {
    /// Resource (plural).
    pub resource: String,
    /// Namespace, empty at the cluster scope.
    pub namespace: String,
    /// Object name, empty for collections.
    pub name: String,
    /// API group, empty for core.
    pub api_group: String,
    /// Subresource, empty if none.
    pub subresource: String,
}

/// The answer's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ResponseStatus {
    /// HTTP status code.
    pub code: u16,
    /// `Status` reason of a failure (`Forbidden`).
    pub reason: String,
}

impl Event {
    /// The user the request was authorized as: the impersonated user when there was one.
    pub fn effective_user(&self) -> &UserInfo {
        self.impersonated_user.as_ref().unwrap_or(&self.user)
    }

    /// Whether the authorizer refused the request: its `authorization.k8s.io/decision`
    /// annotation is `forbid`, or (for logs without it) the answer was a `Forbidden` 403.
    pub fn denied(&self) -> bool {
        match self.annotations.get("authorization.k8s.io/decision") {
            Some(decision) => decision == "forbid",
            None => self
                .response_status
                .as_ref()
                .is_some_and(|s| s.code == 403 && matches!(s.reason.as_str(), "" | "Forbidden")),
        }
    }
}
