//! The resource registry: every API type the server knows, in one place, each with its
//! [`Strategy`].
//!
//! The catalog (`catalog.json`) lists the group versions and resources exactly as the real
//! kube-apiserver v1.36 advertises them in discovery. A resource with the `list` verb is served by
//! the generic store (`api`); everything that differs between types (defaults, status reset,
//! generation, validation, field selectors, table columns, deletion and garbage-collection
//! defaults) is its [`Strategy`], carried by its [`ResourceType`], as kube-apiserver keeps it in
//! `pkg/registry/<group>/<resource>/strategy.go`.
//!
//! Adding a built-in resource: its catalog entry (the discovery data), and, when it has
//! behaviour of its own, one strategy file (`core/pods.rs` is the fullest example) plus its
//! line in `builtin.rs`. Custom resources get their CRD's [`crate::crd::CustomStrategy`]
//! (`custom_strategy.rs`).
//!
//! Architecture invariant: the generic store (`api`) does not match on a resource's group or
//! name to decide how it behaves (routing a subresource to its handler, such as `pods/log`, is
//! not behaviour of the type); the building blocks the strategies call
//! (`admission::defaults`, `validation`, `selector`) take no resource names. Admission plugins
//! decide by the request's attributes, as the real ones do.

mod admissionregistration;
mod apiservices;
mod autoscaling;
mod builtin;
mod certificates;
mod core;
mod custom_strategy;
mod customresourcedefinitions;
mod deployments;
mod discovery;
mod flowcontrol;
mod leases;
mod metadata_only;
mod networking;
/// The generic store's write steps around the strategy.
pub(crate) mod pipeline;
/// Go's formatting helpers of the printers, for the table columns.
pub(crate) mod print;
mod printed;
mod priorityclasses;
mod rbac;
mod resource;
mod runtimeclasses;
mod spec_checked;
mod spec_validated;
mod status_types;
mod storage;
/// The [`Strategy`] trait and its helpers.
pub(crate) mod strategy;
/// Table columns.
pub(crate) mod table;
mod warned;
mod workloads;
mod wrapper;

#[cfg(test)]
mod tests;

pub(crate) use builtin::strategy as builtin_strategy;
pub(crate) use strategy::{DeleteRules, GcDefault, StrategyRef};

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
    /// The strategy of a custom resource (`None` for built-in types): what only custom
    /// resources have (their schema for decoding and patches, conversion, scale paths).
    pub(crate) custom: Option<Arc<crate::crd::CustomStrategy>>,
    /// Everything that differs between types.
    pub(crate) strategy: StrategyRef,
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
        match self.strategy.stored_as() {
            Some(stored) => format!("{}/{}", stored.group, stored.plural),
            None => format!("{}/{}", self.group, self.plural),
        }
    }

    /// The `apiVersion` of the stored objects: the served one, or the stored resource's for a
    /// resource served in another version (see [`strategy::StoredAs`]).
    pub(crate) fn stored_api_version(&self) -> String {
        match self.strategy.stored_as() {
            Some(s) if s.group.is_empty() => s.version.to_owned(),
            Some(s) => format!("{}/{}", s.group, s.version),
            None => self.api_version(),
        }
    }

    /// Whether the verb is allowed on the main resource.
    pub(crate) fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Whether objects of this type are stored (as opposed to virtual review types).
    pub(crate) fn is_stored(&self) -> bool {
        self.allows("get") || self.allows("list")
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
            strategy: builtin::versioned_strategy(group, version, &name),
            plural: name,
        });
    }
    out.extend(mains.into_iter().map(Arc::new));
}
