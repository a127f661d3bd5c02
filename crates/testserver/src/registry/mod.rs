//! The resource registry: every API type the server knows, in one place.
//!
//! The catalog (`catalog.json`) lists the group versions and resources exactly as the real
//! kube-apiserver v1.36 advertises them in discovery. A resource with the `list` verb is served by
//! the generic storage; its per-type behaviour (field selectors, status subresource, deletion) is
//! looked up by [`ResourceType`] methods, so adding a type is one catalog entry.

/// The custom resource types of established CRDs.
pub(crate) mod custom;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::Deserialize;
use serde_json::Value;

const CATALOG: &str = include_str!("catalog.json");

/// One resource (not a subresource) served under a group version.
#[derive(Debug)]
pub(crate) struct ResourceType {
    /// API group; empty for the core group.
    pub(crate) group: String,
    /// API version, e.g. `v1`.
    pub(crate) version: String,
    /// Plural resource name used in URLs.
    pub(crate) plural: String,
    /// Kind of the objects.
    pub(crate) kind: String,
    /// Whether objects live in a namespace.
    pub(crate) namespaced: bool,
    /// Verbs the resource supports.
    pub(crate) verbs: Vec<String>,
    /// Subresources by name (`status`, `token`, ...).
    pub(crate) subresources: BTreeMap<String, Subresource>,
    /// The strategy of a custom resource (`None` for built-in types).
    pub(crate) custom: Option<Arc<crate::crd::CustomStrategy>>,
}

/// A subresource such as `pods/status`.
#[derive(Debug, Clone)]
pub(crate) struct Subresource {
    /// Verbs the subresource supports.
    pub(crate) verbs: Vec<String>,
}

impl ResourceType {
    /// `v1` or `group/version`.
    pub(crate) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The `resource.group` form used in error messages (`storageclasses.storage.k8s.io`).
    pub(crate) fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The storage prefix shared by every version of the resource.
    pub(crate) fn storage_prefix(&self) -> String {
        if self.group == "events.k8s.io" && self.plural == "events" {
            // stored as core/v1 Events, like kube-apiserver does
            return "/events".to_owned();
        }
        format!("{}/{}", self.group, self.plural)
    }

    /// Whether this is the CustomResourceDefinition type itself.
    pub(crate) fn is_crd(&self) -> bool {
        self.group == crate::crd::GROUP && self.plural == "customresourcedefinitions"
    }

    /// Whether the verb is allowed on the main resource.
    pub(crate) fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Whether objects of this type are stored (as opposed to virtual review types).
    pub(crate) fn is_stored(&self) -> bool {
        self.allows("get") || self.allows("list")
    }

    /// Whether DELETE answers with the deleted object instead of a Status (the registries of
    /// pods and the storage.k8s.io types set `ReturnDeletedObject`).
    pub(crate) fn returns_deleted_object(&self) -> bool {
        (self.group.is_empty() && self.plural == "pods")
            || (self.group == "storage.k8s.io"
                && matches!(
                    self.plural.as_str(),
                    "storageclasses" | "csidrivers" | "csinodes" | "volumeattachments"
                ))
    }
}

#[derive(Deserialize)]
struct Catalog {
    core: Vec<Value>,
    groups: Vec<CatalogGroup>,
}

#[derive(Deserialize)]
struct CatalogGroup {
    name: String,
    #[serde(rename = "preferredVersion")]
    preferred_version: String,
    versions: Vec<CatalogVersion>,
}

#[derive(Deserialize)]
struct CatalogVersion {
    version: String,
    resources: Vec<Value>,
}

/// A group with its versions, in discovery order.
#[derive(Debug, Clone)]
pub(crate) struct GroupInfo {
    /// Group name.
    pub(crate) name: String,
    /// Preferred version.
    pub(crate) preferred: String,
    /// Versions with their discovery resource lists.
    pub(crate) versions: Vec<(String, Vec<Value>)>,
}

/// Every type the server knows.
#[derive(Debug)]
pub(crate) struct Registry {
    types: Vec<Arc<ResourceType>>,
    core: Vec<Value>,
    groups: Vec<GroupInfo>,
    /// The custom resources of the established CRDs, replaced as CRDs change.
    custom: RwLock<Arc<custom::Served>>,
}

impl Registry {
    /// Builds the registry from the embedded catalog.
    pub(crate) fn builtin() -> Self {
        // The catalog is part of the crate and checked by the tests; an empty registry is the
        // fallback that can never happen in a released build.
        let catalog: Catalog = serde_json::from_str(CATALOG).unwrap_or(Catalog {
            core: Vec::new(),
            groups: Vec::new(),
        });
        let mut types = Vec::new();
        collect_types("", "v1", &catalog.core, &mut types);
        let mut groups = Vec::new();
        for g in catalog.groups {
            let mut versions = Vec::new();
            for v in g.versions {
                collect_types(&g.name, &v.version, &v.resources, &mut types);
                versions.push((v.version, v.resources));
            }
            groups.push(GroupInfo {
                name: g.name,
                preferred: g.preferred_version,
                versions,
            });
        }
        Registry {
            types,
            core: catalog.core,
            groups,
            custom: RwLock::default(),
        }
    }

    /// The custom types and groups served now.
    fn served(&self) -> Arc<custom::Served> {
        self.custom
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces the custom types and groups (the CRD controller calls it).
    pub(crate) fn set_custom(&self, served: custom::Served) {
        *self
            .custom
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(served);
    }

    /// The type served at `group/version/plural`.
    pub(crate) fn find(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<Arc<ResourceType>> {
        let matches =
            |t: &&Arc<ResourceType>| t.group == group && t.version == version && t.plural == plural;
        if let Some(t) = self.types.iter().find(matches) {
            return Some(t.clone());
        }
        self.served().types.iter().copied().find(matches).cloned()
    }

    /// Every type, core first, in discovery order, then the custom types of established CRDs.
    pub(crate) fn types(&self) -> impl Iterator<Item = &ResourceType> {
        let custom: Vec<&'static Arc<ResourceType>> = self.served().types.clone();
        self.types
            .iter()
            .map(|t| &**t)
            .chain(custom.into_iter().map(|t| &**t))
    }

    /// Core v1 discovery resources.
    pub(crate) fn core_resources(&self) -> &[Value] {
        &self.core
    }

    /// All groups in discovery order: the built-in ones, then those of CRDs by name.
    pub(crate) fn groups(&self) -> Vec<GroupInfo> {
        let mut all = self.groups.clone();
        all.extend(self.served().groups.iter().cloned());
        all
    }

    /// A group by name.
    pub(crate) fn group(&self, name: &str) -> Option<GroupInfo> {
        if let Some(g) = self.groups.iter().find(|g| g.name == name) {
            return Some(g.clone());
        }
        self.served()
            .groups
            .iter()
            .find(|g| g.name == name)
            .cloned()
    }

    /// Whether the group version exists.
    pub(crate) fn has_group_version(&self, group: &str, version: &str) -> bool {
        if group.is_empty() {
            return version == "v1";
        }
        self.group(group)
            .is_some_and(|g| g.versions.iter().any(|(v, _)| v == version))
    }
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn collect_types(
    group: &str,
    version: &str,
    resources: &[Value],
    out: &mut Vec<Arc<ResourceType>>,
) {
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut mains: Vec<ResourceType> = Vec::new();
    for r in resources {
        let name = text(r, "name");
        if let Some((main, sub)) = name.split_once('/') {
            if let Some(t) = mains.iter_mut().find(|t| t.plural == main) {
                t.subresources.insert(
                    sub.to_owned(),
                    Subresource {
                        verbs: strings(r, "verbs"),
                    },
                );
            }
            continue;
        }
        mains.push(ResourceType {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: text(r, "kind"),
            namespaced: r
                .get("namespaced")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            verbs: strings(r, "verbs"),
            subresources: BTreeMap::new(),
            custom: None,
            plural: name,
        });
    }
    out.extend(mains.into_iter().map(Arc::new));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_and_holds_the_issue_types() {
        let r = Registry::builtin();
        for (g, v, p) in [
            ("", "v1", "pods"),
            ("", "v1", "nodes"),
            ("", "v1", "persistentvolumes"),
            ("", "v1", "serviceaccounts"),
            ("storage.k8s.io", "v1", "storageclasses"),
            ("coordination.k8s.io", "v1", "leases"),
            ("events.k8s.io", "v1", "events"),
            ("scheduling.k8s.io", "v1", "priorityclasses"),
            ("rbac.authorization.k8s.io", "v1", "roles"),
            ("apps", "v1", "deployments"),
        ] {
            let t = r
                .find(g, v, p)
                .unwrap_or_else(|| panic!("{g}/{v}/{p} missing"));
            assert!(t.is_stored(), "{p}");
        }
        let pods = r.find("", "v1", "pods").unwrap();
        assert!(pods.subresources.contains_key("status"));
        assert!(pods.subresources.contains_key("binding"));
        assert!(
            r.find("", "v1", "serviceaccounts")
                .unwrap()
                .subresources
                .contains_key("token")
        );
    }
}
