//! The custom resource types the registry serves next to its catalog: one `ResourceType` per
//! served version of every established CRD, carrying that version's strategy, and the
//! discovery groups they make.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::crd::definition::{VERBS, version_rank};
use crate::crd::{CustomStrategy, Definition};
use crate::registry::{GroupInfo, ResourceType, Subresource};

/// The served custom types and groups, built from the established CRDs.
#[derive(Debug, Default)]
pub(crate) struct Served {
    /// One type per served version of every established CRD.
    pub(crate) types: Vec<Arc<ResourceType>>,
    /// The groups those types make, by name.
    pub(crate) groups: Vec<GroupInfo>,
}

/// The registry entries of `definitions` (established CRDs).
pub(crate) fn served(definitions: &[Arc<Definition>]) -> Served {
    let mut served = Served::default();
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<Value>>> = BTreeMap::new();
    for def in definitions {
        for version in def.versions.iter().filter(|v| v.served) {
            let mut subresources = BTreeMap::new();
            let verbs = ["get", "patch", "update"].map(str::to_owned).to_vec();
            if version.status {
                subresources.insert(
                    "status".to_owned(),
                    Subresource {
                        verbs: verbs.clone(),
                    },
                );
            }
            if version.scale.is_some() {
                subresources.insert("scale".to_owned(), Subresource { verbs });
            }
            served.types.push(Arc::new(ResourceType {
                group: def.group.clone(),
                version: version.name.clone(),
                plural: def.plural.clone(),
                kind: def.kind.clone(),
                namespaced: def.namespaced,
                verbs: VERBS.map(str::to_owned).to_vec(),
                subresources,
                custom: Some(Arc::new(CustomStrategy::new(
                    (**def).clone(),
                    &version.name,
                ))),
            }));
            groups
                .entry(def.group.clone())
                .or_default()
                .entry(version.name.clone())
                .or_default()
                .extend(def.discovery(version));
        }
    }
    for (name, versions) in groups {
        let mut versions: Vec<(String, Vec<Value>)> = versions.into_iter().collect();
        versions.sort_by_key(|(v, _)| version_rank(v));
        let preferred = versions.first().map(|(v, _)| v.clone()).unwrap_or_default();
        served.groups.push(GroupInfo {
            name,
            preferred,
            versions,
        });
    }
    served
}
