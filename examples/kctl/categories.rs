//! Resource categories (`all`): kubectl expands a type name that no resource has into the
//! resources whose discovery entry lists it as a category, in discovery order (core first,
//! then the groups' preferred versions in the server's order).

use kubeset::clientset::Discovery;

use crate::resources::Request;

/// Replaces each type of `request` that names a category by the category's members
/// (`plural` for core, `plural.group` otherwise).
pub(crate) fn expand(discovery: &Discovery, request: &mut Request) {
    let unknown = |kind: &str| discovery.resolve_name(kind).is_none();
    let mut expanded = Vec::new();
    for (kind, names) in std::mem::take(&mut request.groups) {
        let members = if unknown(&kind) {
            discovery.resolve_category(&kind.to_ascii_lowercase())
        } else {
            Vec::new()
        };
        if members.is_empty() {
            expanded.push((kind, names));
            continue;
        }
        for resource in members {
            let qualified = if resource.group.is_empty() {
                resource.plural.clone()
            } else {
                format!("{}.{}", resource.plural, resource.group)
            };
            expanded.push((qualified, names.clone()));
        }
    }
    request.groups = expanded;
}
