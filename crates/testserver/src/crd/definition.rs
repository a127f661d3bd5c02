//! A stored CustomResourceDefinition read into what serving its resources needs: its names,
//! scope, versions (schema, subresources, printer columns, selectable fields), its discovery
//! entries and Kubernetes' version priority.

use base64::Engine as _;
use serde_json::{Value, json};

/// The verbs of a custom resource, in the order discovery lists them.
pub(crate) const VERBS: [&str; 8] = [
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];

/// One version of a CRD.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    /// The version name (`v1`).
    pub(crate) name: String,
    /// Whether it is served.
    pub(crate) served: bool,
    /// The `openAPIV3Schema` (`Null` when absent).
    pub(crate) schema: Value,
    /// Whether the status subresource is enabled.
    pub(crate) status: bool,
    /// The scale subresource (`specReplicasPath`, ...), if enabled.
    pub(crate) scale: Option<Value>,
    /// `additionalPrinterColumns`.
    pub(crate) columns: Vec<Value>,
    /// `selectableFields[].jsonPath`.
    pub(crate) selectable: Vec<String>,
    /// The warning of every request to a `deprecated` version: its `deprecationWarning`, or
    /// the default text (`defaultDeprecationWarning`); `None` for a version not deprecated.
    pub(crate) deprecation: Option<String>,
}

/// What serving a CRD's resources needs.
#[derive(Debug, Clone)]
pub(crate) struct Definition {
    /// `spec.group`.
    pub(crate) group: String,
    /// `spec.names.plural`.
    pub(crate) plural: String,
    /// `spec.names.singular`.
    pub(crate) singular: String,
    /// `spec.names.kind`.
    pub(crate) kind: String,
    /// `spec.names.listKind`.
    pub(crate) list_kind: String,
    /// `spec.names.shortNames`.
    pub(crate) short_names: Vec<String>,
    /// `spec.names.categories`.
    pub(crate) categories: Vec<String>,
    /// `spec.scope == Namespaced`.
    pub(crate) namespaced: bool,
    /// The versions in spec order.
    pub(crate) versions: Vec<Version>,
    /// The storage version's name.
    pub(crate) storage: String,
    /// Whether the CRD is being deleted (no new instances then).
    pub(crate) terminating: bool,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

impl Definition {
    /// Reads a stored (valid, defaulted) CRD.
    pub(crate) fn parse(crd: &Value) -> Definition {
        let versions: Vec<Version> = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|v| Version {
                name: text(v, "/name"),
                served: v.get("served").and_then(Value::as_bool).unwrap_or(false),
                schema: v
                    .pointer("/schema/openAPIV3Schema")
                    .cloned()
                    .unwrap_or(Value::Null),
                status: v
                    .pointer("/subresources/status")
                    .is_some_and(Value::is_object),
                scale: v
                    .pointer("/subresources/scale")
                    .filter(|s| s.is_object())
                    .cloned(),
                columns: v
                    .get("additionalPrinterColumns")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                selectable: v
                    .get("selectableFields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.get("jsonPath").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
                deprecation: None,
            })
            .collect();
        let mut versions = versions;
        let raw = crd.pointer("/spec/versions").and_then(Value::as_array);
        for (version, raw) in versions.iter_mut().zip(raw.into_iter().flatten()) {
            if raw.get("deprecated").and_then(Value::as_bool) == Some(true) {
                version.deprecation = Some(
                    match raw.get("deprecationWarning").and_then(Value::as_str) {
                        Some(text) => text.to_owned(),
                        None => default_deprecation_warning(crd, &version.name),
                    },
                );
            }
        }
        let storage = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
            .map(|v| text(v, "/name"))
            .unwrap_or_default();
        Definition {
            group: text(crd, "/spec/group"),
            plural: text(crd, "/spec/names/plural"),
            singular: text(crd, "/spec/names/singular"),
            kind: text(crd, "/spec/names/kind"),
            list_kind: text(crd, "/spec/names/listKind"),
            short_names: strings(crd.pointer("/spec/names/shortNames")),
            categories: strings(crd.pointer("/spec/names/categories")),
            namespaced: crd.pointer("/spec/scope").and_then(Value::as_str) == Some("Namespaced"),
            versions,
            storage,
            terminating: crd
                .pointer("/metadata/deletionTimestamp")
                .is_some_and(|t| !t.is_null()),
        }
    }

    /// The version named `name`.
    pub(crate) fn version(&self, name: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.name == name)
    }

    /// `discovery.StorageVersionHash`: the first 8 bytes of sha256("group/version/kind").
    pub(crate) fn storage_version_hash(&self) -> String {
        let gvk = format!("{}/{}/{}", self.group, self.storage, self.kind);
        let digest = ring::digest::digest(&ring::digest::SHA256, gvk.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(&digest.as_ref()[..8])
    }

    /// The discovery resources of one version: the resource and its subresources.
    pub(crate) fn discovery(&self, version: &Version) -> Vec<Value> {
        let mut main = json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": VERBS,
            "storageVersionHash": self.storage_version_hash(),
        });
        if !self.short_names.is_empty() {
            main["shortNames"] = json!(self.short_names);
        }
        if !self.categories.is_empty() {
            main["categories"] = json!(self.categories);
        }
        let mut out = vec![main];
        if version.status {
            out.push(json!({
                "name": format!("{}/status", self.plural), "singularName": "",
                "namespaced": self.namespaced, "kind": self.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
        if version.scale.is_some() {
            out.push(json!({
                "name": format!("{}/scale", self.plural), "singularName": "",
                "namespaced": self.namespaced, "group": "autoscaling", "version": "v1",
                "kind": "Scale", "verbs": ["get", "patch", "update"],
            }));
        }
        out
    }
}

/// `defaultDeprecationWarning`: `<group>/<version> <Kind> is deprecated`, and the highest
/// served version that is not deprecated to use instead.
fn default_deprecation_warning(crd: &Value, deprecated: &str) -> String {
    let group = text(crd, "/spec/group");
    let kind = text(crd, "/spec/names/kind");
    let mut msg = format!("{group}/{deprecated} {kind} is deprecated");
    let mut instead: Vec<String> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| {
            v.get("served").and_then(Value::as_bool) == Some(true)
                && v.get("deprecated").and_then(Value::as_bool) != Some(true)
        })
        .map(|v| text(v, "/name"))
        .collect();
    instead.sort_by_key(|v| version_rank(v));
    if let Some(best) = instead.first() {
        msg.push_str(&format!("; use {group}/{best} {kind}"));
    }
    msg
}

/// Kubernetes' version priority: GA before beta before alpha, higher numbers first, other
/// names last in alphabetical order.
pub(crate) fn version_rank(v: &str) -> (u8, u8, i64, i64, String) {
    let parse = || -> Option<(i64, u8, i64)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: i64 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((major, 0, 0));
        }
        let (level, n) = if let Some(n) = tail.strip_prefix("beta") {
            (1, n)
        } else {
            (2, tail.strip_prefix("alpha")?)
        };
        Some((major, level, n.parse().ok()?))
    };
    match parse() {
        Some((major, level, minor)) => (0, level, -major, -minor, String::new()),
        None => (1, 0, 0, 0, v.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `deprecated` versions: their own `deprecationWarning`, or the default text naming the
    /// highest served version that is not deprecated.
    #[test]
    fn deprecated_versions_carry_their_warning() {
        let crd = serde_json::json!({"spec": {"group": "a.io", "names": {"kind": "W"},
            "versions": [
                {"name": "v1alpha1", "served": true, "deprecated": true},
                {"name": "v1beta1", "served": true, "deprecated": true, "deprecationWarning": "gone soon"},
                {"name": "v1beta2", "served": true},
                {"name": "v1", "served": true, "storage": true},
                {"name": "v2", "served": false}]}});
        let def = Definition::parse(&crd);
        let warning = |v: &str| def.version(v).and_then(|v| v.deprecation.clone());
        assert_eq!(
            warning("v1alpha1").as_deref(),
            Some("a.io/v1alpha1 W is deprecated; use a.io/v1 W")
        );
        assert_eq!(warning("v1beta1").as_deref(), Some("gone soon"));
        assert_eq!(warning("v1"), None);
    }

    #[test]
    fn versions_rank_as_kubernetes_orders_them() {
        let mut v = vec![
            "v1beta1",
            "foo",
            "v2",
            "v1",
            "v1alpha1",
            "v10beta3",
            "v11alpha2",
        ];
        v.sort_by_key(|s| version_rank(s));
        assert_eq!(
            v,
            [
                "v2",
                "v1",
                "v10beta3",
                "v1beta1",
                "v11alpha2",
                "v1alpha1",
                "foo"
            ]
        );
    }

    #[test]
    fn storage_version_hash_is_the_real_servers() {
        let def = Definition::parse(&json!({"spec": {
            "group": "crd-create-established.capture.example.com",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true}]}}));
        assert_eq!(def.storage_version_hash(), "JQ/obr+Gbf4=");
    }
}
