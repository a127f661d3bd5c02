//! Discovery: which groups, versions and resources the server offers.

mod disk;
mod fetch;
mod wire;

pub use disk::{DiscoveryCache, cache_dir_name};

use crate::{ApiResource, Client, Error};
use wire::{Group, GroupVersion, ResourceList};

/// One resource the server offers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiscoveredResource {
    /// Where it lives.
    pub resource: ApiResource,
    /// What may be done with it (`get`, `list`, `watch`, `create`, ...).
    pub verbs: Vec<String>,
    /// Short names (`po`, `pvc`).
    pub short_names: Vec<String>,
    /// Categories it belongs to (`all` for pods, services, ...), as `kubectl get all` expands.
    pub categories: Vec<String>,
    /// Singular name (`pod`).
    pub singular: String,
    /// Subresources (`status`, `log`, `binding`, ...).
    pub subresources: Vec<String>,
    /// Whether this is the group's preferred version.
    pub preferred: bool,
}

/// A snapshot of the server's API surface, as `kubectl api-resources` sees it.
///
/// ```no_run
/// use kubeset_clientset::Api;
///
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let discovery = client.discover().await?;
/// let deployments = discovery.resolve_kind("apps", "Deployment").expect("apps/v1 is served");
/// let api = Api::dynamic_namespaced(client.clone(), deployments, "apps")?;
/// let pvcs = discovery.resolve_name("pvc").expect("core is served");
/// assert_eq!(pvcs.plural, "persistentvolumeclaims");
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Discovery {
    /// Every resource found, core first, then groups in the server's order.
    pub resources: Vec<DiscoveredResource>,
    /// Group-versions that failed to answer (an aggregated API that is down), with why.
    pub failed: Vec<(String, Error)>,
    /// Every group-version the server lists (`v1`, `apps/v1`), core first, each group's
    /// preferred version first: what `kubectl api-versions` prints, sorted.
    pub group_versions: Vec<String>,
    /// Whether every part came from the server just now (`false` when some came from a
    /// [`DiscoveryCache`] file): a name missing from a discovery that is not fresh may exist,
    /// so look again with [`Client::rediscover_cached`], as kubectl does.
    pub fresh: bool,
}

impl Discovery {
    /// The preferred version of `kind` in `group`.
    pub fn resolve_kind(&self, group: &str, kind: &str) -> Option<&ApiResource> {
        self.matching(|r| r.resource.group == group && r.resource.kind == kind)
    }

    /// `kind` at exactly `group/version`.
    pub fn resolve_gvk(&self, group: &str, version: &str, kind: &str) -> Option<&ApiResource> {
        self.matching(|r| {
            r.resource.group == group && r.resource.version == version && r.resource.kind == kind
        })
    }

    /// `kind` at an object's `apiVersion` (`apps/v1`, or `v1` for core), as found in a
    /// manifest.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let manifest = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment"});
    /// let discovery = client.discover().await?;
    /// let resource = discovery.resolve_api_version("apps/v1", "Deployment");
    /// # Ok(()) }
    /// ```
    pub fn resolve_api_version(&self, api_version: &str, kind: &str) -> Option<&ApiResource> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.resolve_gvk(group, version, kind)
    }

    /// A resource by the names kubectl accepts: plural, singular, short name or kind
    /// (case-insensitive), optionally qualified by group (`deployments.apps`).
    pub fn resolve_name(&self, name: &str) -> Option<&ApiResource> {
        let name = name.to_ascii_lowercase();
        self.matching(|r| {
            let res = &r.resource;
            let names_match = |n: &str| {
                n == res.plural
                    || n == r.singular
                    || n == res.kind.to_ascii_lowercase()
                    || r.short_names.iter().any(|s| s == n)
            };
            names_match(&name)
                || name
                    .split_once('.')
                    .is_some_and(|(n, group)| group == res.group && names_match(n))
        })
    }

    /// The resources of a category (`all`), in discovery order, each in its group's preferred
    /// version: what `kubectl get all` lists.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let discovery = client.discover().await?;
    /// for resource in discovery.resolve_category("all") {
    ///     println!("{}", resource.plural);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn resolve_category(&self, category: &str) -> Vec<&ApiResource> {
        self.resources
            .iter()
            .filter(|r| r.preferred && r.categories.iter().any(|c| c == category))
            .map(|r| &r.resource)
            .collect()
    }

    fn matching(&self, pred: impl Fn(&DiscoveredResource) -> bool) -> Option<&ApiResource> {
        let mut candidates = self.resources.iter().filter(|r| pred(r));
        let first = candidates.next()?;
        if first.preferred {
            return Some(&first.resource);
        }
        Some(&candidates.find(|r| r.preferred).unwrap_or(first).resource)
    }
}

impl Client {
    /// Looks up one kind at `group/version` with a single request.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let leases = client.resolve("coordination.k8s.io", "v1", "Lease").await?;
    /// assert!(leases.namespaced);
    /// # Ok(()) }
    /// ```
    pub async fn resolve(
        &self,
        group: &str,
        version: &str,
        kind: &str,
    ) -> Result<ApiResource, Error> {
        let gv = GroupVersion::new(group, version).group_version;
        let list = self.resource_list(&gv).await?;
        resources_of(group, true, list)
            .map(|r| r.resource)
            .find(|r| r.kind == kind)
            .ok_or_else(|| Error::UnknownResource {
                what: format!("{gv} {kind}"),
            })
    }
}

impl Discovery {
    /// The discovery of `groups` (core first) from each group-version's resource list.
    pub(crate) fn from_parts(
        groups: &[Group],
        lists: Vec<(String, Result<ResourceList, Error>)>,
    ) -> Self {
        let mut discovery = Discovery::default();
        let mut lists: Vec<_> = lists.into_iter().map(Some).collect();
        for group in groups {
            for version in &group.versions {
                discovery.group_versions.push(version.group_version.clone());
                let Some(slot) = lists.iter_mut().find(|l| {
                    l.as_ref()
                        .is_some_and(|(gv, _)| *gv == version.group_version)
                }) else {
                    continue;
                };
                let Some((gv, result)) = slot.take() else {
                    continue;
                };
                let preferred = group.preferred_version.version == version.version;
                match result {
                    Ok(list) => {
                        discovery
                            .resources
                            .extend(resources_of(&group.name, preferred, list))
                    }
                    Err(err) => discovery.failed.push((gv, err)),
                }
            }
        }
        // group-versions no group lists (stale ones of aggregated discovery) fail alone
        for (gv, result) in lists.into_iter().flatten() {
            if let Err(err) = result {
                discovery.failed.push((gv, err));
            }
        }
        discovery
    }
}

fn resources_of(
    group: &str,
    preferred: bool,
    list: ResourceList,
) -> impl Iterator<Item = DiscoveredResource> {
    let version = list
        .group_version
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let subresources: Vec<(String, String)> = list
        .resources
        .iter()
        .filter_map(|r| r.name.split_once('/'))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let group = group.to_owned();
    list.resources
        .into_iter()
        .filter(|r| !r.name.contains('/'))
        .map(move |r| DiscoveredResource {
            subresources: subresources
                .iter()
                .filter(|(parent, _)| *parent == r.name)
                .map(|(_, sub)| sub.clone())
                .collect(),
            resource: ApiResource::new(&group, &version, &r.kind, &r.name, r.namespaced),
            verbs: r.verbs,
            short_names: r.short_names,
            categories: r.categories,
            singular: r.singular_name,
            preferred,
        })
}
