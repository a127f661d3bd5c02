//! The custom resource types the registry serves next to its catalog: one `ResourceType` per
//! served version of every established CRD, carrying that version's strategy, and the
//! discovery groups they make.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::crd::definition::{VERBS, version_rank};
use crate::crd::{CustomStrategy, Definition};
use crate::registry::{GroupInfo, ResourceType, StrategyRef, Subresource};

/// The served custom types and groups, built from the established CRDs.
///
/// The types are interned for the life of the process (one per CRD spec generation and
/// version), so the registry can lend `&ResourceType`s of custom types as it does of the
/// catalog's: the controllers iterate every type (namespace deletion, garbage collection).
#[derive(Debug, Default)]
pub(crate) struct Served {
    /// One type per served version of every established CRD.
    pub(crate) types: Vec<&'static Arc<ResourceType>>,
    /// The groups those types make, by name.
    pub(crate) groups: Vec<GroupInfo>,
}

/// The interned type of `identity` (a CRD's uid and generation) at `version`, built by `make`
/// the first time.
fn intern(
    identity: &str,
    version: &str,
    make: impl FnOnce() -> ResourceType,
) -> &'static Arc<ResourceType> {
    type Interned = Mutex<HashMap<String, &'static Arc<ResourceType>>>;
    static TYPES: OnceLock<Interned> = OnceLock::new();
    let mut types = TYPES
        .get_or_init(Interned::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    types
        .entry(format!("{identity}/{version}"))
        .or_insert_with(|| Box::leak(Box::new(Arc::new(make()))))
}

/// The registry entries of `definitions` (established CRDs, each with an identity that
/// changes whenever its spec does: uid and generation).
pub(crate) fn served(definitions: &[(String, Arc<Definition>)]) -> Served {
    let mut served = Served::default();
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<Value>>> = BTreeMap::new();
    for (identity, def) in definitions {
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
            served.types.push(intern(identity, &version.name, || {
                let strategy = Arc::new(CustomStrategy::new((**def).clone(), &version.name));
                ResourceType {
                    group: def.group.clone(),
                    version: version.name.clone(),
                    plural: def.plural.clone(),
                    kind: def.kind.clone(),
                    namespaced: def.namespaced,
                    verbs: VERBS.map(str::to_owned).to_vec(),
                    subresources,
                    custom: Some(strategy.clone()),
                    strategy: StrategyRef::Shared(strategy),
                }
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
