//! Discovery documents on the wire and on disk: the legacy `APIGroupList`/`APIResourceList`
//! (field order and omissions as Go's encoder writes them, so kubectl reads our cache files),
//! the aggregated `APIGroupDiscoveryList`, and client-go's conversion from the second to the
//! first.

use serde::{Deserialize, Serialize};

/// `Accept` for `/api` and `/apis`, as client-go sends it: aggregated v2, then v2beta1, then
/// the legacy documents.
pub(crate) const ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/// Whether a `Content-Type` is an aggregated discovery document.
pub(crate) fn is_aggregated(content_type: &str) -> bool {
    content_type
        .split(';')
        .map(str::trim)
        .any(|p| p == "as=APIGroupDiscoveryList")
        && content_type.contains("g=apidiscovery.k8s.io")
}

/// `/api` in the legacy form.
#[derive(Debug, Deserialize)]
pub(crate) struct ApiVersions {
    #[serde(default)]
    pub(crate) versions: Vec<String>,
}

/// `APIGroupList` (`servergroups.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct GroupList {
    #[serde(default = "group_list_kind")]
    pub(crate) kind: String,
    #[serde(rename = "apiVersion", default = "v1")]
    pub(crate) api_version: String,
    #[serde(default)]
    pub(crate) groups: Vec<Group>,
}

fn group_list_kind() -> String {
    "APIGroupList".to_owned()
}

fn v1() -> String {
    "v1".to_owned()
}

impl GroupList {
    pub(crate) fn new(groups: Vec<Group>) -> Self {
        Self {
            kind: group_list_kind(),
            api_version: v1(),
            groups,
        }
    }
}

/// `APIGroup`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Group {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) versions: Vec<GroupVersion>,
    #[serde(rename = "preferredVersion", default)]
    pub(crate) preferred_version: GroupVersion,
}

/// `GroupVersionForDiscovery`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct GroupVersion {
    #[serde(rename = "groupVersion")]
    pub(crate) group_version: String,
    pub(crate) version: String,
}

impl GroupVersion {
    pub(crate) fn new(group: &str, version: &str) -> Self {
        Self {
            group_version: if group.is_empty() {
                version.to_owned()
            } else {
                format!("{group}/{version}")
            },
            version: version.to_owned(),
        }
    }
}

/// `APIResourceList` (`<group>/<version>/serverresources.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ResourceList {
    #[serde(default = "resource_list_kind")]
    pub(crate) kind: String,
    #[serde(rename = "apiVersion", default = "v1")]
    pub(crate) api_version: String,
    #[serde(rename = "groupVersion")]
    pub(crate) group_version: String,
    #[serde(default)]
    pub(crate) resources: Vec<Resource>,
}

fn resource_list_kind() -> String {
    "APIResourceList".to_owned()
}

impl ResourceList {
    pub(crate) fn new(group_version: String, resources: Vec<Resource>) -> Self {
        Self {
            kind: resource_list_kind(),
            api_version: v1(),
            group_version,
            resources,
        }
    }
}

/// `APIResource`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Resource {
    pub(crate) name: String,
    #[serde(rename = "singularName", default)]
    pub(crate) singular_name: String,
    #[serde(default)]
    pub(crate) namespaced: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) group: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) verbs: Vec<String>,
    #[serde(rename = "shortNames", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) short_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) categories: Vec<String>,
    #[serde(
        rename = "storageVersionHash",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub(crate) storage_version_hash: String,
}

/// `APIGroupDiscoveryList` (v2 and v2beta1 have the same shape).
#[derive(Debug, Deserialize)]
pub(crate) struct GroupDiscoveryList {
    #[serde(default)]
    pub(crate) items: Vec<GroupDiscovery>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GroupDiscovery {
    #[serde(default)]
    pub(crate) metadata: Meta,
    #[serde(default)]
    pub(crate) versions: Vec<VersionDiscovery>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Meta {
    #[serde(default)]
    pub(crate) name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct VersionDiscovery {
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) resources: Vec<ResourceDiscovery>,
    #[serde(default)]
    pub(crate) freshness: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceDiscovery {
    pub(crate) resource: String,
    #[serde(default)]
    pub(crate) response_kind: Option<Gvk>,
    #[serde(default)]
    pub(crate) scope: String,
    #[serde(default)]
    pub(crate) singular_resource: String,
    #[serde(default)]
    pub(crate) verbs: Vec<String>,
    #[serde(default)]
    pub(crate) short_names: Vec<String>,
    #[serde(default)]
    pub(crate) categories: Vec<String>,
    #[serde(default)]
    pub(crate) subresources: Vec<SubresourceDiscovery>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubresourceDiscovery {
    pub(crate) subresource: String,
    #[serde(default)]
    pub(crate) response_kind: Option<Gvk>,
    #[serde(default)]
    pub(crate) verbs: Vec<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct Gvk {
    #[serde(default)]
    pub(crate) group: String,
    #[serde(default)]
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) kind: String,
}

/// One group-version of an aggregated document: its resources, or stale (its aggregated API
/// did not answer the server).
#[derive(Debug)]
pub(crate) enum Split {
    /// The group-version's resources in the legacy shape.
    Current(ResourceList),
    /// Listed with `freshness: Stale`.
    Stale(String),
}

/// client-go's `SplitGroupsAndResources`: the legacy groups (a version is listed unless stale;
/// the preferred version is the first listed) and each group-version's resources (a parent
/// without a kind is left out but its subresources are kept).
pub(crate) fn split(list: GroupDiscoveryList) -> (Vec<Group>, Vec<Split>) {
    let mut groups = Vec::new();
    let mut lists = Vec::new();
    for g in list.items {
        let mut group = Group {
            name: g.metadata.name.clone(),
            ..Group::default()
        };
        for v in g.versions {
            let gv = GroupVersion::new(&g.metadata.name, &v.version);
            if v.freshness == "Stale" {
                lists.push(Split::Stale(gv.group_version));
                continue;
            }
            if group.versions.is_empty() {
                group.preferred_version = gv.clone();
            }
            group.versions.push(gv.clone());
            let mut resources = Vec::new();
            for r in v.resources {
                let parent = Resource {
                    name: r.resource,
                    singular_name: r.singular_resource,
                    namespaced: r.scope == "Namespaced",
                    verbs: r.verbs,
                    short_names: r.short_names,
                    categories: r.categories,
                    ..Resource::default()
                };
                let parent = match r.response_kind.filter(|k| *k != Gvk::default()) {
                    Some(k) => {
                        let parent = Resource {
                            group: k.group,
                            version: k.version,
                            kind: k.kind,
                            ..parent
                        };
                        resources.push(parent.clone());
                        parent
                    }
                    None => parent,
                };
                for sub in r.subresources {
                    let Some(k) = sub.response_kind.filter(|k| *k != Gvk::default()) else {
                        continue;
                    };
                    resources.push(Resource {
                        name: format!("{}/{}", parent.name, sub.subresource),
                        singular_name: parent.singular_name.clone(),
                        namespaced: parent.namespaced,
                        group: k.group,
                        version: k.version,
                        kind: k.kind,
                        verbs: sub.verbs,
                        ..Resource::default()
                    });
                }
            }
            lists.push(Split::Current(ResourceList::new(
                gv.group_version,
                resources,
            )));
        }
        groups.push(group);
    }
    (groups, lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aggregated_documents_split_as_client_go_does() {
        let doc: GroupDiscoveryList = serde_json::from_value(json!({
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
            "items": [{"metadata": {"name": "apps", "creationTimestamp": null}, "versions": [
                {"version": "v2", "freshness": "Stale"},
                {"version": "v1", "freshness": "Current", "resources": [
                    {"resource": "deployments", "responseKind": {"group": "", "version": "", "kind": "Deployment"},
                     "scope": "Namespaced", "singularResource": "deployment", "verbs": ["get"], "shortNames": ["deploy"],
                     "subresources": [{"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": ["get", "update"]}]},
                    {"resource": "ghosts", "responseKind": {"group": "", "version": "", "kind": ""}, "scope": "Cluster",
                     "subresources": [{"subresource": "status", "responseKind": {"group": "", "version": "", "kind": "Ghost"}, "verbs": ["get"]}]}
                ]}
            ]}]
        }))
        .unwrap();
        let (groups, lists) = split(doc);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].versions, [GroupVersion::new("apps", "v1")]);
        assert_eq!(groups[0].preferred_version.group_version, "apps/v1");
        assert!(matches!(&lists[0], Split::Stale(gv) if gv == "apps/v2"));
        let Split::Current(list) = &lists[1] else {
            panic!("{lists:?}")
        };
        let encoded = serde_json::to_string(list).unwrap();
        assert_eq!(
            encoded,
            r#"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"apps/v1","resources":[{"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get"],"shortNames":["deploy"]},{"name":"deployments/scale","singularName":"deployment","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","update"]},{"name":"ghosts/status","singularName":"","namespaced":false,"kind":"Ghost","verbs":["get"]}]}"#
        );
    }

    #[test]
    fn content_types_tell_the_form() {
        assert!(is_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        ));
        assert!(!is_aggregated("application/json"));
    }
}
