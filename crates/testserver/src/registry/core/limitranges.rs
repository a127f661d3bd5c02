//! LimitRanges (`pkg/registry/core/limitrange/strategy.go`): canonical amounts and the item
//! defaults on decoding, a random name when none is given, `ValidateLimitRange` on create
//! and update (the strategy runs no metadata update rules of its own), a PUT that may create,
//! and the default `Name`/`Created At` table, as kube-apiserver prints LimitRanges.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, limits};
use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy};
use crate::validation::{Invalid, NameRule, limit_range};

/// The LimitRange strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LimitRanges;

impl LimitRanges {
    fn checks(rt: &ResourceType) -> Checks<'_> {
        Checks {
            rt,
            name_rule: NameRule::Subdomain,
        }
    }
}

impl Strategy for LimitRanges {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        limits::limit_range(obj)
    }

    /// A LimitRange given neither a name nor a `generateName` gets a random UUID as its name.
    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        let named = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        if !named && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("name".into(), uuid::Uuid::new_v4().to_string().into());
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Self::checks(rt);
        c.create(obj, limit_range::limit_range(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = Self::checks(rt);
        let mut errs = c.object(new, crate::validation::object_meta_update(new, old));
        if subresource.is_empty() {
            errs.extend(c.object(new, limit_range::limit_range(new)));
        }
        c.result(new, errs)
    }

    fn allow_create_on_update(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `PrepareForCreate`: a name only where none was given.
    #[test]
    fn nameless_limit_ranges_get_a_uuid() {
        let mut lr = json!({"metadata": {}});
        LimitRanges.prepare_for_create(&mut lr, "");
        let name = lr["metadata"]["name"].as_str().unwrap_or("");
        assert_eq!(name.len(), 36, "{name}");
        let mut named = json!({"metadata": {"name": "keep"}});
        LimitRanges.prepare_for_create(&mut named, "");
        assert_eq!(named["metadata"]["name"], "keep");
    }
}
