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

/// A resource request an admission plugin asks the authorizer about
/// (`authorizer.AttributesRecord` with `ResourceRequest: true` and `APIVersion: "*"`, at the
/// cluster scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuthzQuestion<'a> {
    /// The verb, e.g. `approve`.
    pub(crate) verb: &'a str,
    /// The API group, e.g. `certificates.k8s.io`.
    pub(crate) group: &'a str,
    /// The resource, e.g. `signers`.
    pub(crate) resource: &'a str,
    /// The object name, e.g. `example.com/signer`.
    pub(crate) name: &'a str,
}
