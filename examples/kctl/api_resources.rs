//! `kctl api-resources` and `kctl api-versions`, as kubectl prints them.
//!
//! `api-resources` lists each resource once (its group's preferred version when it is served
//! there, else the first version that serves it), without subresources or resources without
//! verbs, sorted by group then name (or `--sort-by name|kind`), filtered by `--namespaced`,
//! `--api-group` and `--verbs` (all of them). Unless `--cached`, discovery is fetched fresh
//! and written to the cache kubectl shares; with `--cached`, the cache is used while fresh.
//! `api-versions` prints every group-version, sorted.

use clap::Args;
use kubeset::clientset::{DiscoveredResource, Discovery};

use crate::failure::Failure;
use crate::session::Session;
use crate::tabwriter;

/// Flags of `api-resources`.
#[derive(Debug, Args)]
pub(crate) struct ApiResourcesArgs {
    /// Output format: wide or name.
    #[arg(short = 'o', long, value_name = "FORMAT")]
    pub(crate) output: Option<String>,
    /// Only namespaced (`true`) or cluster-scoped (`false`) resources.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub(crate) namespaced: Option<bool>,
    /// Only resources in this API group (`""` for core).
    #[arg(long = "api-group", value_name = "GROUP")]
    pub(crate) api_group: Option<String>,
    /// Only resources that support all these verbs.
    #[arg(long, value_delimiter = ',', value_name = "VERBS")]
    pub(crate) verbs: Vec<String>,
    /// Print no header row.
    #[arg(long = "no-headers")]
    pub(crate) no_headers: bool,
    /// Use the cached list of resources if available.
    #[arg(long)]
    pub(crate) cached: bool,
    /// Sort by `name` or `kind`.
    #[arg(long = "sort-by", value_name = "FIELD")]
    pub(crate) sort_by: Option<String>,
}

/// Runs `api-resources`.
pub(crate) async fn resources(session: &Session, args: &ApiResourcesArgs) -> Result<(), Failure> {
    let output = args.output.as_deref().unwrap_or("");
    if !matches!(output, "" | "wide" | "name") {
        return Err(Failure::error(format!(
            "--output {output} is not available"
        )));
    }
    let sort_by = args.sort_by.as_deref().unwrap_or("");
    if !matches!(sort_by, "" | "name" | "kind") {
        return Err(Failure::error("--sort-by accepts only name or kind"));
    }
    let discovery = if args.cached {
        session.discovery().await?
    } else {
        session.fresh_discovery().await?
    };
    print!("{}", render(discovery, args, output, sort_by));
    Ok(())
}

/// The table (or names) for `discovery`.
fn render(discovery: &Discovery, args: &ApiResourcesArgs, output: &str, sort_by: &str) -> String {
    let mut rows = preferred(discovery);
    rows.retain(|r| {
        let res = &r.resource;
        !r.verbs.is_empty()
            && args.namespaced.is_none_or(|n| n == res.namespaced)
            && args.api_group.as_ref().is_none_or(|g| *g == res.group)
            && args.verbs.iter().all(|v| r.verbs.contains(v))
    });
    let key = |r: &DiscoveredResource| match sort_by {
        "name" => r.resource.plural.clone(),
        "kind" => r.resource.kind.clone(),
        _ => r.resource.group.clone(),
    };
    rows.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then_with(|| a.resource.plural.cmp(&b.resource.plural))
    });
    let mut text = String::new();
    if output == "name" {
        for r in rows {
            text.push_str(&r.resource.plural);
            if !r.resource.group.is_empty() {
                text.push('.');
                text.push_str(&r.resource.group);
            }
            text.push('\n');
        }
        return text;
    }
    if !args.no_headers {
        text.push_str("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND");
        if output == "wide" {
            text.push_str("\tVERBS\tCATEGORIES");
        }
        text.push('\n');
    }
    for r in rows {
        let res = &r.resource;
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}",
            res.plural,
            r.short_names.join(","),
            res.api_version,
            res.namespaced,
            res.kind
        ));
        if output == "wide" {
            text.push_str(&format!(
                "\t{}\t{}",
                r.verbs.join(","),
                r.categories.join(",")
            ));
        }
        text.push('\n');
    }
    tabwriter::align(&text)
}

/// client-go's `ServerPreferredResources`: each group's resources once, from the preferred
/// version when it serves them, else from the first version that does.
fn preferred(discovery: &Discovery) -> Vec<&DiscoveredResource> {
    let mut chosen: Vec<&DiscoveredResource> = Vec::new();
    for r in &discovery.resources {
        let same = |c: &&DiscoveredResource| {
            c.resource.group == r.resource.group && c.resource.plural == r.resource.plural
        };
        match chosen.iter().position(same) {
            Some(i) if r.preferred && !chosen[i].preferred => chosen[i] = r,
            Some(_) => {}
            None => chosen.push(r),
        }
    }
    chosen
}

/// Runs `api-versions`: every group-version the server offers, sorted.
pub(crate) async fn versions(session: &Session) -> Result<(), Failure> {
    let discovery = session.fresh_discovery().await?;
    let mut versions: Vec<&str> = discovery
        .group_versions
        .iter()
        .map(String::as_str)
        .collect();
    versions.sort_unstable();
    versions.dedup();
    for v in versions {
        println!("{v}");
    }
    Ok(())
}
