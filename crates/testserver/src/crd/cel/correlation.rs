//! Old/new correlation of a write's values, as `k8s.io/apiserver/pkg/cel/common`
//! (`maplist.go`, `equality.go`) and apiextensions' `schema/cel/validation.go` do it.
//!
//! - An object's fields are correlated by name (`x-kubernetes-map-type` `granular` or
//!   `atomic`, the default); the items of an `x-kubernetes-list-type: map` list by their
//!   `x-kubernetes-list-map-keys` (scalars; the first old item with the same keys); items of
//!   `atomic` and `set` lists are not correlated.
//! - Ratcheting: a rule's failure is dropped (the real server turns it into a warning) when
//!   the rule does not use `oldSelf` and its node, or else the nearest correlated ancestor, is
//!   unchanged (map lists compared item by correlated item, so a reorder is no change).

use serde_json::Value;

/// The old item of `list` (a `map` list under `schema`) with the keys of `item`.
pub(super) fn map_list_item<'a>(schema: &Value, old: &'a Value, item: &Value) -> Option<&'a Value> {
    if schema.get("x-kubernetes-list-type").and_then(Value::as_str) != Some("map") {
        return None;
    }
    let keys: Vec<&str> = schema
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if keys.is_empty() {
        return None;
    }
    let wanted = key_of(item, &keys)?;
    old.as_array()?
        .iter()
        .find(|o| key_of(o, &keys).as_ref() == Some(&wanted))
}

/// The values of `keys` in `item`, when all are scalars.
fn key_of(item: &Value, keys: &[&str]) -> Option<Vec<Value>> {
    let object = item.as_object()?;
    keys.iter()
        .map(|k| {
            object
                .get(*k)
                .filter(|v| !v.is_array() && !v.is_object() && !v.is_null())
                .cloned()
        })
        .collect()
}

/// The schema of field `key` of an object under `schema`.
pub(super) fn field_schema<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema
        .get("properties")
        .and_then(|p| p.get(key))
        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
}

/// A value and its old counterpart (`CorrelatedObject`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pair<'a> {
    schema: &'a Value,
    new: &'a Value,
    old: &'a Value,
}

impl<'a> Pair<'a> {
    /// `CachedDeepEqual`.
    fn unchanged(self) -> bool {
        match (self.new, self.old) {
            (Value::Array(new), Value::Array(old)) => {
                if new.len() != old.len() {
                    return false;
                }
                let Some(items) = self.schema.get("items") else {
                    return new == old;
                };
                if self
                    .schema
                    .get("x-kubernetes-list-type")
                    .and_then(Value::as_str)
                    != Some("map")
                {
                    return new == old;
                }
                new.iter().all(|item| {
                    map_list_item(self.schema, self.old, item).is_some_and(|old| {
                        Pair {
                            schema: items,
                            new: item,
                            old,
                        }
                        .unchanged()
                    })
                })
            }
            (Value::Object(new), Value::Object(old)) => {
                new.len() == old.len()
                    && new.iter().all(|(k, v)| {
                        old.get(k)
                            .is_some_and(|o| match field_schema(self.schema, k) {
                                Some(schema) => Pair {
                                    schema,
                                    new: v,
                                    old: o,
                                }
                                .unchanged(),
                                None => v == o,
                            })
                    })
            }
            (new, old) => new == old,
        }
    }
}

/// What ratcheting knows of a node (`ratchetingOptions`): its correlation, and its nearest
/// correlated ancestor's.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Ratchet<'a> {
    current: Option<Pair<'a>>,
    parent: Option<Pair<'a>>,
}

impl<'a> Ratchet<'a> {
    /// The root of an update (`WithRatcheting(NewCorrelatedObject(new, old, schema))`).
    pub(super) fn root(schema: &'a Value, new: &'a Value, old: Option<&'a Value>) -> Ratchet<'a> {
        Ratchet {
            current: old.map(|old| Pair { schema, new, old }),
            parent: None,
        }
    }

    /// `shouldRatchetError`.
    pub(super) fn applies(self) -> bool {
        self.current.or(self.parent).is_some_and(Pair::unchanged)
    }

    fn child(self, next: impl FnOnce(Pair<'a>) -> Option<Pair<'a>>) -> Ratchet<'a> {
        match self.current {
            None => Ratchet {
                current: None,
                parent: self.parent,
            },
            Some(current) => Ratchet {
                current: next(current),
                parent: Some(current),
            },
        }
    }

    /// `ratchetingOptions.key`: field `key` of this object.
    pub(super) fn key(self, key: &str) -> Ratchet<'a> {
        if self.parent.is_none() && self.current.is_some() && (key == "apiVersion" || key == "kind")
        {
            return Ratchet::default();
        }
        self.child(|p| {
            Some(Pair {
                schema: field_schema(p.schema, key)?,
                new: p.new.get(key)?,
                old: p.old.get(key)?,
            })
        })
    }

    /// `ratchetingOptions.index`: item `i` of this list.
    pub(super) fn index(self, i: usize) -> Ratchet<'a> {
        self.child(|p| {
            let new = p.new.get(i)?;
            Some(Pair {
                schema: p.schema.get("items")?,
                new,
                old: map_list_item(p.schema, p.old, new)?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `maplist.go`: items found by their keys, whatever their order; no key, no item.
    #[test]
    fn map_list_items_are_found_by_their_keys() {
        let schema = json!({"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name", "port"], "items": {"type": "object"}});
        let old = json!([{"name": "a", "port": 1, "v": 1}, {"name": "b", "port": 1, "v": 2}]);
        let found = map_list_item(&schema, &old, &json!({"name": "b", "port": 1, "v": 9}));
        assert_eq!(found, Some(&json!({"name": "b", "port": 1, "v": 2})));
        assert_eq!(map_list_item(&schema, &old, &json!({"name": "b"})), None);
        let set = json!({"type": "array", "x-kubernetes-list-type": "set", "items": {}});
        assert_eq!(map_list_item(&set, &json!([1]), &json!(1)), None);
    }

    /// `equality.go` `CachedDeepEqual`: map lists compare item by correlated item.
    #[test]
    fn a_reordered_map_list_is_unchanged_and_an_atomic_one_is_not() {
        let map = json!({"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"], "items": {"type": "object"}});
        let (a, b) = (
            json!([{"name": "a"}, {"name": "b"}]),
            json!([{"name": "b"}, {"name": "a"}]),
        );
        assert!(Ratchet::root(&map, &a, Some(&b)).applies());
        let atomic = json!({"type": "array", "items": {"type": "object"}});
        assert!(!Ratchet::root(&atomic, &a, Some(&b)).applies());
        assert!(!Ratchet::root(&atomic, &a, None).applies());
    }
}
