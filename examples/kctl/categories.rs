//! Resource categories (`all`): kubectl expands a type name that no resource has into the
//! resources whose discovery entry lists it as a category, in discovery order (core first,
//! then the groups' preferred versions in the server's order).
//!
//! The clientset's `Discovery` does not keep categories, so the group-version lists are
//! read here once more, only when a name needs expanding.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList};
use kubeset::clientset::Discovery;

use crate::failure::Failure;
use crate::resources::Request;
use crate::session::Session;

/// Replaces each type of `request` that names a category by the category's members.
pub(crate) async fn expand(
    session: &Session,
    discovery: &Discovery,
    request: &mut Request,
) -> Result<(), Failure> {
    let unknown = |kind: &str| discovery.resolve_name(kind).is_none();
    if !request.groups.iter().any(|(kind, _)| unknown(kind)) {
        return Ok(());
    }
    let members = category_members(session).await?;
    let mut expanded = Vec::new();
    for (kind, names) in std::mem::take(&mut request.groups) {
        let found: Vec<&String> = members
            .iter()
            .filter(|(category, _)| unknown(&kind) && *category == kind.to_ascii_lowercase())
            .map(|(_, resource)| resource)
            .collect();
        if found.is_empty() {
            expanded.push((kind, names));
        } else {
            expanded.extend(found.into_iter().map(|r| (r.clone(), names.clone())));
        }
    }
    request.groups = expanded;
    Ok(())
}

/// `(category, plural.group)` for every resource of the preferred versions.
async fn category_members(session: &Session) -> Result<Vec<(String, String)>, Failure> {
    let mut paths = vec![(String::from("/api/v1"), String::new())];
    let groups: APIGroupList = read(session, "/apis").await?;
    for group in groups.groups {
        if let Some(preferred) = group
            .preferred_version
            .or_else(|| group.versions.into_iter().next())
        {
            paths.push((format!("/apis/{}", preferred.group_version), group.name));
        }
    }
    let mut members = Vec::new();
    for (path, group) in paths {
        let Ok(list) = read::<APIResourceList>(session, &path).await else {
            continue;
        };
        for resource in list.resources {
            if resource.name.contains('/') {
                continue;
            }
            let qualified = if group.is_empty() {
                resource.name.clone()
            } else {
                format!("{}.{group}", resource.name)
            };
            for category in resource.categories.unwrap_or_default() {
                members.push((category, qualified.clone()));
            }
        }
    }
    Ok(members)
}

async fn read<T: serde::de::DeserializeOwned>(session: &Session, path: &str) -> Result<T, Failure> {
    let body = session
        .client
        .get_raw(path)
        .await
        .map_err(|e| session.fail(&e))?;
    serde_json::from_slice(&body)
        .map_err(|e| Failure::error(format!("decoding the discovery document {path}: {e}")))
}
