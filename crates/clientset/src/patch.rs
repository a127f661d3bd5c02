//! The patch kinds a `PATCH` can carry.

use serde::Serialize;

/// A patch, in one of the four formats kube-apiserver accepts.
///
/// ```
/// use kubeset_clientset::Patch;
/// use serde_json::json;
///
/// let merge = Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}}));
/// let json = Patch::Json(json!([{"op": "remove", "path": "/metadata/labels/tier"}]));
/// assert_eq!(merge.content_type(), "application/merge-patch+json");
/// assert_eq!(json.content_type(), "application/json-patch+json");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Patch<P> {
    /// Server-side apply: the fields you own, as a full object with `apiVersion` and `kind`
    /// (needs a field manager, see `PatchParams::apply`).
    Apply(P),
    /// RFC 7386 JSON merge patch: objects merge, `null` deletes, lists are replaced.
    Merge(P),
    /// Strategic merge patch: like merge, but lists with merge keys (containers by name)
    /// merge too. Built-in types only.
    Strategic(P),
    /// RFC 6902 JSON patch: a list of `add`/`remove`/`replace`/`test`/... operations.
    Json(P),
}

impl<P: Serialize> Patch<P> {
    /// The `Content-Type` that names this patch format.
    pub fn content_type(&self) -> &'static str {
        match self {
            Patch::Apply(_) => "application/apply-patch+yaml",
            Patch::Merge(_) => "application/merge-patch+json",
            Patch::Strategic(_) => "application/strategic-merge-patch+json",
            Patch::Json(_) => "application/json-patch+json",
        }
    }

    /// The patch document.
    pub fn body(&self) -> &P {
        match self {
            Patch::Apply(p) | Patch::Merge(p) | Patch::Strategic(p) | Patch::Json(p) => p,
        }
    }

    pub(crate) fn is_apply(&self) -> bool {
        matches!(self, Patch::Apply(_))
    }
}
