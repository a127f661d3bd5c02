//! Who sends a request, as admission plugins and strategies see it (`user.Info` of the
//! request's context), and the question plugins may put to the server's authorizer.

use std::collections::BTreeMap;

/// The requesting user (after impersonation), borrowed from the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserInfo<'a> {
    /// `GetName()`.
    pub(crate) name: &'a str,
    /// `GetUID()` (empty for most users).
    pub(crate) uid: &'a str,
    /// `GetGroups()`, the implicit ones included, in the authenticator's order.
    pub(crate) groups: &'a [String],
    /// `GetExtra()`.
    pub(crate) extra: &'a BTreeMap<String, Vec<String>>,
}

/// A request an admission plugin asks the authorizer about (`authorizer.AttributesRecord`):
/// a resource request with `APIVersion: "*"`, or, when `path` is set, a non-resource one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AuthzQuestion<'a> {
    /// The verb, e.g. `approve` (an HTTP verb such as `get` for a path).
    pub(crate) verb: &'a str,
    /// The API group, e.g. `certificates.k8s.io`.
    pub(crate) group: &'a str,
    /// The resource, e.g. `signers`.
    pub(crate) resource: &'a str,
    /// The subresource, e.g. `status`, or `""`.
    pub(crate) subresource: &'a str,
    /// The namespace, `""` for the cluster scope.
    pub(crate) namespace: &'a str,
    /// The object name, e.g. `example.com/signer`.
    pub(crate) name: &'a str,
    /// The non-resource path, e.g. `/healthz`; `""` for a resource request.
    pub(crate) path: &'a str,
}
