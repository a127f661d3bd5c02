//! Resource arguments as kubectl reads them: `TYPE[,TYPE...] [NAME...]` or
//! `TYPE/NAME [TYPE/NAME...]`, where TYPE is a plural, singular, kind or short name
//! (`po`, `pvc`, `ns`, ...), any case, optionally qualified by group (`leases.coordination.k8s.io`),
//! resolved against the server's discovery.
//!
//! Like kubectl, a short name that several groups define resolves to the core/first group and
//! a warning names the others (`short name "ev" could also match lower priority resource
//! events.events.k8s.io`).

use kubeset::clientset::{ApiResource, Discovery};

use crate::failure::Failure;

/// One kind and the names asked for (empty: the whole collection).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// Where the kind lives.
    pub(crate) resource: ApiResource,
    /// The names, in the order given.
    pub(crate) names: Vec<String>,
}

/// The types and names of the arguments, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// `(type, names)` in order of appearance.
    pub(crate) groups: Vec<(String, Vec<String>)>,
    /// Whether the arguments were `TYPE/NAME` pairs.
    pub(crate) slash_form: bool,
}

/// Splits the arguments into types and names.
pub(crate) fn parse(args: &[String]) -> Result<Request, Failure> {
    let Some(first) = args.first() else {
        return Err(Failure::line(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples",
        ));
    };
    if args.iter().any(|a| a.contains('/')) {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for arg in args {
            let Some((kind, name)) = arg
                .split_once('/')
                .filter(|(k, n)| !k.is_empty() && !n.is_empty())
            else {
                return Err(Failure::error(
                    "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
                ));
            };
            match groups.iter_mut().find(|(k, _)| k == kind) {
                Some((_, names)) => names.push(name.to_owned()),
                None => groups.push((kind.to_owned(), vec![name.to_owned()])),
            }
        }
        return Ok(Request {
            groups,
            slash_form: true,
        });
    }
    let names: Vec<String> = args[1..].to_vec();
    let mut groups = Vec::new();
    for kind in first.split(',').filter(|k| !k.is_empty()) {
        if groups
            .iter()
            .any(|(k, _): &(String, Vec<String>)| k == kind)
        {
            continue;
        }
        groups.push((kind.to_owned(), names.clone()));
    }
    Ok(Request {
        groups,
        slash_form: false,
    })
}

/// Whether every type of `request` is a resource or category `discovery` knows.
pub(crate) fn known(discovery: &Discovery, request: &Request) -> bool {
    request.groups.iter().all(|(kind, _)| {
        let lower = kind.to_ascii_lowercase();
        discovery.resolve_name(&lower).is_some() || !discovery.resolve_category(&lower).is_empty()
    })
}

/// Resolves each type of `request`; warnings (ambiguous short names) go to `warnings`.
pub(crate) fn resolve(
    discovery: &Discovery,
    request: &Request,
    warnings: &mut Vec<String>,
) -> Result<Vec<Target>, Failure> {
    request
        .groups
        .iter()
        .map(|(kind, names)| {
            let resource = resolve_one(discovery, kind, warnings)?;
            Ok(Target {
                resource,
                names: names.clone(),
            })
        })
        .collect()
}

/// One type name to its resource.
pub(crate) fn resolve_one(
    discovery: &Discovery,
    kind: &str,
    warnings: &mut Vec<String>,
) -> Result<ApiResource, Failure> {
    let lower = kind.to_ascii_lowercase();
    let resource = discovery.resolve_name(&lower).cloned().ok_or_else(|| {
        Failure::error(format!(
            "the server doesn't have a resource type \"{kind}\""
        ))
    })?;
    // A short name other groups also define: kubectl warns about the lower-priority ones.
    let chosen_short = discovery
        .resources
        .iter()
        .any(|r| r.resource == resource && r.short_names.contains(&lower));
    if chosen_short {
        let mut others: Vec<String> = Vec::new();
        for r in &discovery.resources {
            let other = &r.resource;
            if other.group != resource.group && r.short_names.contains(&lower) {
                let qualified = format!("{}.{}", other.plural, other.group);
                if !others.contains(&qualified) {
                    others.push(qualified);
                }
            }
        }
        for other in others {
            warnings.push(format!(
                "Warning: short name \"{lower}\" could also match lower priority resource {other}"
            ));
        }
    }
    Ok(resource)
}

/// The kind as kubectl prefixes names with it: `pod`, `storageclass.storage.k8s.io`.
pub(crate) fn kind_prefix(resource: &ApiResource) -> String {
    let kind = resource.kind.to_lowercase();
    if resource.group.is_empty() {
        kind
    } else {
        format!("{kind}.{}", resource.group)
    }
}
