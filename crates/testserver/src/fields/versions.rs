//! One object served in several API versions, as the field manager sees it
//! (structured-merge-diff's `merge.Converter`, kube-apiserver's `versionConverter`).
//!
//! Every managedFields entry holds its paths in the version its manager wrote in. An operation
//! in one version compares, conflicts and prunes in each entry's own version: the objects are
//! converted there, never the field sets. A version [`Versions::convert`] does not know is read
//! as the writer's own (the paths are taken as they are).

use serde_json::Value;

use crate::fields::compare::Comparison;
use crate::fields::managed::compare_in;
use crate::fields::schema::{TypeInfo, lookup};

/// Converts whole objects between the API versions one stored resource is served in.
///
/// ```
/// use kubeset_testserver::fields::versions::{OneVersion, Versions};
/// use serde_json::json;
///
/// let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}});
/// assert_eq!(OneVersion.convert(&cm, "v1", "v1"), Some(cm.clone()));
/// assert_eq!(OneVersion.convert(&cm, "v1", "example.com/v2"), None);
/// ```
pub trait Versions {
    /// `object`, in API version `from`, converted to API version `to`; `None` when the object is
    /// not served in `to`.
    fn convert(&self, object: &Value, from: &str, to: &str) -> Option<Value>;
}

/// A resource served in one version only: converting to it is the identity, to any other
/// version impossible.
///
/// ```
/// use kubeset_testserver::fields::versions::{OneVersion, Versions};
/// use serde_json::json;
///
/// assert!(OneVersion.convert(&json!({}), "apps/v1", "apps/v1beta2").is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OneVersion;

impl Versions for OneVersion {
    fn convert(&self, object: &Value, from: &str, to: &str) -> Option<Value> {
        (from == to).then(|| object.clone())
    }
}

/// `object` of `info`'s version in `to` with the type it has there, or `None` when `to` is not
/// served or has no field-management description.
pub(crate) fn view(
    versions: &dyn Versions,
    info: &TypeInfo,
    object: &Value,
    to: &str,
) -> Option<(Value, &'static TypeInfo)> {
    let theirs = lookup(to, info.kind)?;
    let converted = versions.convert(object, &info.api_version(), to)?;
    Some((converted, theirs))
}

/// The change from `old` (`None`: the zero object) to `new`, both in `info`'s version, as a
/// manager of API version `to` sees it; `None` when `to` cannot be converted to.
pub(crate) fn compare_seen_in(
    versions: &dyn Versions,
    info: &TypeInfo,
    old: Option<&Value>,
    new: &Value,
    to: &str,
) -> Option<Comparison> {
    let (new, theirs) = view(versions, info, new, to)?;
    let old = match old {
        Some(old) => Some(view(versions, info, old, to)?.0),
        None => None,
    };
    Some(compare_in(theirs, old.as_ref(), &new))
}
