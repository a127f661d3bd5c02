//! Discovery from the server: one request each to `/api` and `/apis` asking for the
//! aggregated form (`apidiscovery.k8s.io/v2`, then `v2beta1`), and the legacy per-group-version
//! requests only for what the server did not answer in aggregated form.

use std::collections::HashMap;

use futures_util::{StreamExt, stream};
use http::{HeaderValue, Method, header};

use super::Discovery;
use super::wire::{self, ApiVersions, Group, GroupList, GroupVersion, ResourceList, Split};
use crate::client::{build, collect};
use crate::decode::decode_json;
use crate::{Client, Error};

/// How many group-versions are fetched at once in the legacy form.
const CONCURRENCY: usize = 16;

/// The groups the server offers, core first, and the resource lists it already sent with them
/// (every group-version when both answers were aggregated).
#[derive(Debug, Default)]
pub(crate) struct Roots {
    pub(crate) groups: Vec<Group>,
    pub(crate) known: HashMap<String, Split>,
}

impl Client {
    /// Fetches the whole API surface: `/api` and `/apis` in the aggregated form when the
    /// server offers it (two requests in all), else every group-version concurrently.
    ///
    /// A group-version that fails (a down aggregated API, or one the server lists as stale) is
    /// listed in `failed`, as kubectl does, instead of failing everything.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let discovery = client.discover().await?;
    /// if let Some(deployments) = discovery.resolve_kind("apps", "Deployment") {
    ///     println!("{} is served at {}", deployments.kind, deployments.api_version);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn discover(&self) -> Result<Discovery, Error> {
        let mut roots = self.discovery_roots().await?;
        let wanted: Vec<String> = roots
            .groups
            .iter()
            .flat_map(|g| g.versions.iter().map(|v| v.group_version.clone()))
            .chain(roots.known.keys().cloned())
            .collect();
        let mut lists = Vec::new();
        let mut missing = Vec::new();
        for gv in wanted {
            if lists.iter().any(|(seen, _)| *seen == gv) || missing.contains(&gv) {
                continue;
            }
            match roots.known.remove(&gv) {
                Some(Split::Current(list)) => lists.push((gv, Ok(list))),
                Some(Split::Stale(_)) => {
                    lists.push((gv.clone(), Err(Error::StaleDiscovery { group_version: gv })))
                }
                None => missing.push(gv),
            }
        }
        lists.extend(self.resource_lists(missing).await);
        let mut discovery = Discovery::from_parts(&roots.groups, lists);
        discovery.fresh = true;
        Ok(discovery)
    }

    /// `/api` and `/apis`, each aggregated when the server answers so.
    pub(crate) async fn discovery_roots(&self) -> Result<Roots, Error> {
        let mut roots = Roots::default();
        match self.discovery_root("/api").await? {
            Root::Aggregated(list) => roots.absorb(list),
            Root::Legacy(bytes) => {
                let core: ApiVersions = decode_json(&bytes, "/api")?;
                if let Some(first) = core.versions.first() {
                    roots.groups.push(Group {
                        name: String::new(),
                        versions: core
                            .versions
                            .iter()
                            .map(|v| GroupVersion::new("", v))
                            .collect(),
                        preferred_version: GroupVersion::new("", first),
                    });
                }
            }
        }
        match self.discovery_root("/apis").await? {
            Root::Aggregated(list) => roots.absorb(list),
            Root::Legacy(bytes) => {
                let groups: GroupList = decode_json(&bytes, "/apis")?;
                roots.groups.extend(groups.groups);
            }
        }
        Ok(roots)
    }

    async fn discovery_root(&self, path: &str) -> Result<Root, Error> {
        let request = build(Method::GET, path.to_owned(), wire::ACCEPT, None)?;
        let response = self.dispatch(request, path).await?;
        let aggregated = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .is_some_and(wire::is_aggregated);
        let bytes = collect(response.into_body(), path).await?;
        if aggregated {
            Ok(Root::Aggregated(decode_json(&bytes, path)?))
        } else {
            Ok(Root::Legacy(bytes))
        }
    }

    /// The legacy `APIResourceList` of each group-version, fetched concurrently, in order.
    pub(crate) async fn resource_lists(
        &self,
        group_versions: Vec<String>,
    ) -> Vec<(String, Result<ResourceList, Error>)> {
        stream::iter(group_versions)
            .map(|gv| async move {
                let result = self.resource_list(&gv).await;
                (gv, result)
            })
            .buffered(CONCURRENCY)
            .collect()
            .await
    }

    /// One group-version's `APIResourceList` (`/api/v1`, `/apis/apps/v1`).
    pub(crate) async fn resource_list(&self, group_version: &str) -> Result<ResourceList, Error> {
        let path = if group_version.contains('/') {
            format!("/apis/{group_version}")
        } else {
            format!("/api/{group_version}")
        };
        let request = build(Method::GET, path, crate::client::JSON, None)?;
        self.request_json(request).await
    }
}

enum Root {
    Aggregated(wire::GroupDiscoveryList),
    Legacy(bytes::Bytes),
}

impl Roots {
    fn absorb(&mut self, list: wire::GroupDiscoveryList) {
        let (groups, lists) = wire::split(list);
        self.groups.extend(groups);
        for split in lists {
            let gv = match &split {
                Split::Current(list) => list.group_version.clone(),
                Split::Stale(gv) => gv.clone(),
            };
            self.known.insert(gv, split);
        }
    }
}
