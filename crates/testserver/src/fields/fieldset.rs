//! Field sets: the trees of paths stored in `managedFields[].fieldsV1`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::fields::error::FieldsError;
use crate::fields::path::PathElement;

/// One step of a path prefix (a `fieldpath.PathElementMatcher`): a field by name, or any
/// element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The field of that name.
    Field(&'static str),
    /// Any element (`fieldpath.MatchAnyPathElement`).
    Any,
}

impl Step {
    fn matches(self, element: &PathElement) -> bool {
        match self {
            Step::Any => true,
            Step::Field(name) => matches!(element, PathElement::Field(f) if f == name),
        }
    }
}

/// A set of field paths, stored as a tree.
///
/// A path is a *member* when the node it names is itself in the set; in
/// FieldsV1 a member that also has members below it is written as `".": {}`
/// inside its node.
///
/// ```
/// use kubeset_testserver::fields::fieldset::FieldSet;
/// use kubeset_testserver::fields::path::PathElement;
/// use serde_json::json;
///
/// let mut set = FieldSet::default();
/// set.insert(&[PathElement::field("data")]);
/// set.insert(&[PathElement::field("data"), PathElement::field("a")]);
/// assert_eq!(set.to_fields_v1(), json!({"f:data": {".": {}, "f:a": {}}}));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    members: BTreeSet<PathElement>,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    /// Whether the set holds no path.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.values().all(FieldSet::is_empty)
    }

    /// Adds `path` (an empty path adds nothing).
    pub fn insert(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    /// Whether `path` is a member.
    pub fn has(&self, path: &[PathElement]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.has(rest)),
        }
    }

    /// The members below `element` (paths relative to it), if any.
    pub fn child(&self, element: &PathElement) -> Option<&FieldSet> {
        self.children.get(element)
    }

    /// Whether `element` is a member of this level.
    pub fn has_member(&self, element: &PathElement) -> bool {
        self.members.contains(element)
    }

    /// The paths in both sets.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.members.extend(other.members.iter().cloned());
        for (element, child) in &other.children {
            let merged = match out.children.get(element) {
                Some(mine) => mine.union(child),
                None => child.clone(),
            };
            out.children.insert(element.clone(), merged);
        }
        out
    }

    /// The paths of `self` that are not in `other` (exact paths: members of
    /// `other` do not remove what lies below them).
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(element, child)| {
                let rest = match other.children.get(element) {
                    Some(theirs) => child.difference(theirs),
                    None => child.clone(),
                };
                (!rest.is_empty()).then(|| (element.clone(), rest))
            })
            .collect();
        FieldSet { members, children }
    }

    /// The paths of `self` that neither are in `other` nor lie below a member of `other`.
    pub fn recursive_difference(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.difference(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter(|(element, _)| !other.members.contains(*element))
            .filter_map(|(element, child)| {
                let rest = match other.children.get(element) {
                    Some(theirs) => child.recursive_difference(theirs),
                    None => child.clone(),
                };
                (!rest.is_empty()).then(|| (element.clone(), rest))
            })
            .collect();
        FieldSet { members, children }
    }

    /// The paths that a prefix matches (structured-merge-diff's `FilterIncludeMatches`): at
    /// each level the members and nodes a prefix's next step names, and everything below a
    /// node where a prefix ends. A member above the end of a prefix (`spec` for
    /// `spec.ephemeralContainers`) is kept; its other children are not.
    ///
    /// ```
    /// use kubeset_testserver::fields::fieldset::{FieldSet, Step};
    /// use kubeset_testserver::fields::path::PathElement;
    /// use serde_json::json;
    ///
    /// let set = FieldSet::from_fields_v1(&json!({"f:spec": {"f:ephemeralContainers": {},
    ///     "f:containers": {}}, "f:metadata": {"f:labels": {}}})).unwrap();
    /// let kept = set.keep_prefixes(&[&[Step::Field("spec"), Step::Field("ephemeralContainers")]]);
    /// assert_eq!(kept.to_fields_v1(), json!({"f:spec": {"f:ephemeralContainers": {}}}));
    /// ```
    pub fn keep_prefixes(&self, prefixes: &[&[Step]]) -> FieldSet {
        if prefixes.iter().any(|p| p.is_empty()) {
            return self.clone();
        }
        let heads = |element: &PathElement| -> Vec<&[Step]> {
            prefixes
                .iter()
                .filter(|p| p[0].matches(element))
                .map(|p| &p[1..])
                .collect()
        };
        let members = self
            .members
            .iter()
            .filter(|m| !heads(m).is_empty())
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .filter_map(|(element, child)| {
                let tails = heads(element);
                if tails.is_empty() {
                    return None;
                }
                let kept = child.keep_prefixes(&tails);
                (!kept.is_empty()).then(|| (element.clone(), kept))
            })
            .collect();
        FieldSet { members, children }
    }

    /// The paths in both `self` and `other`.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let members = self.members.intersection(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(element, child)| {
                let theirs = other.children.get(element)?;
                let both = child.intersection(theirs);
                (!both.is_empty()).then(|| (element.clone(), both))
            })
            .collect();
        FieldSet { members, children }
    }

    /// Every member path in structured-merge-diff's iteration order: the
    /// members of a level first, then what lies below each node.
    pub fn iterate(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        self.iterate_into(&mut Vec::new(), &mut out);
        out
    }

    fn iterate_into(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        for member in &self.members {
            let mut path = prefix.clone();
            path.push(member.clone());
            out.push(path);
        }
        for (element, child) in &self.children {
            prefix.push(element.clone());
            child.iterate_into(prefix, out);
            prefix.pop();
        }
    }

    /// Every member path, in FieldsV1 order (a node before what lies below it).
    pub fn paths(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        for element in self.elements() {
            prefix.push(element.clone());
            if self.members.contains(element) {
                out.push(prefix.clone());
            }
            if let Some(child) = self.children.get(element) {
                child.collect_paths(prefix, out);
            }
            prefix.pop();
        }
    }

    /// The elements of this level (members and nodes with children), in order.
    fn elements(&self) -> Vec<&PathElement> {
        let mut all: Vec<&PathElement> = self.members.iter().collect();
        all.extend(
            self.children
                .iter()
                .filter(|(e, c)| !c.is_empty() && !self.members.contains(*e))
                .map(|(e, _)| e),
        );
        all.sort();
        all
    }

    /// The FieldsV1 JSON of the set, keys in the server's order.
    pub fn to_fields_v1(&self) -> Value {
        let mut map = Map::new();
        for element in self.elements() {
            let mut node = match self.children.get(element) {
                Some(child) if !child.is_empty() => match child.to_fields_v1() {
                    Value::Object(inner) => inner,
                    _ => Map::new(),
                },
                _ => Map::new(),
            };
            if self.members.contains(element) && !node.is_empty() {
                let mut with_dot = Map::new();
                with_dot.insert(".".to_owned(), Value::Object(Map::new()));
                with_dot.extend(node);
                node = with_dot;
            }
            map.insert(element.to_fields_v1(), Value::Object(node));
        }
        Value::Object(map)
    }

    /// Parses FieldsV1 JSON.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, FieldsError> {
        let Value::Object(map) = value else {
            return Err(FieldsError::BadFieldsV1);
        };
        let mut set = FieldSet::default();
        for (key, node) in map {
            if key == "." {
                continue;
            }
            let element = PathElement::parse(key)?;
            let Value::Object(inner) = node else {
                return Err(FieldsError::BadFieldsV1);
            };
            if inner.is_empty() || inner.contains_key(".") {
                set.members.insert(element.clone());
            }
            let child = FieldSet::from_fields_v1(node)?;
            if !child.is_empty() {
                set.children.insert(element, child);
            }
        }
        Ok(set)
    }
}

/// Builds a set from FieldsV1-like path strings, for tests and examples:
/// each item is a dot-free list of FieldsV1 keys.
#[cfg(test)]
pub(crate) fn set_of(paths: &[&[&str]]) -> FieldSet {
    let mut set = FieldSet::default();
    for path in paths {
        let elements: Vec<PathElement> = path
            .iter()
            .map(|p| PathElement::parse(p).unwrap())
            .collect();
        set.insert(&elements);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check_round_trip(fields_v1: Value) {
        let set = FieldSet::from_fields_v1(&fields_v1).unwrap();
        assert_eq!(set.to_fields_v1(), fields_v1);
    }

    #[test]
    fn fields_v1_round_trips() {
        check_round_trip(
            json!({"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}),
        );
        check_round_trip(
            json!({"f:metadata": {"f:finalizers": {".": {}, "v:\"example.com/a\"": {}}}}),
        );
        check_round_trip(
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {".": {}, "f:image": {}}}}}),
        );
        check_round_trip(json!({}));
    }

    #[test]
    fn set_algebra() {
        let a = set_of(&[&["f:data"], &["f:data", "f:a"], &["f:data", "f:b"]]);
        let b = set_of(&[&["f:data", "f:b"], &["f:data", "f:c"]]);
        assert_eq!(
            a.union(&b),
            set_of(&[
                &["f:data"],
                &["f:data", "f:a"],
                &["f:data", "f:b"],
                &["f:data", "f:c"]
            ])
        );
        assert_eq!(a.difference(&b), set_of(&[&["f:data"], &["f:data", "f:a"]]));
        assert_eq!(a.intersection(&b), set_of(&[&["f:data", "f:b"]]));
        assert!(a.difference(&a).is_empty());
        let status = set_of(&[&["f:data"]]);
        assert!(a.recursive_difference(&status).is_empty());
        assert_eq!(
            a.difference(&status),
            set_of(&[&["f:data", "f:a"], &["f:data", "f:b"]])
        );
    }

    #[test]
    fn paths_are_in_order() {
        let set = set_of(&[&["f:b"], &["f:a", "f:x"], &["f:a"]]);
        let spelled: Vec<String> = set
            .paths()
            .iter()
            .map(|p| crate::fields::path::display_path(p))
            .collect();
        assert_eq!(spelled, [".a", ".a.x", ".b"]);
    }

    #[test]
    fn bad_fields_v1_is_an_error() {
        assert!(FieldSet::from_fields_v1(&json!([])).is_err());
        assert!(FieldSet::from_fields_v1(&json!({"f:a": 1})).is_err());
        assert!(FieldSet::from_fields_v1(&json!({"bogus": {}})).is_err());
    }
}
