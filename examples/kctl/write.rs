//! `create -f`, `apply -f --server-side` and `delete`: writes, reported as kubectl reports
//! them (`pod/x created`, `pod/x serverside-applied`, `pod "x" deleted`).
//!
//! Objects from files are mapped to resources by `apiVersion` and `kind` through discovery;
//! namespaced objects without a namespace go to `-n` or the context's namespace, and an
//! object whose namespace contradicts an explicit `-n` is refused, as kubectl refuses it.
//! Failures do not stop the others: they are reported at the end and the exit status is 1.
//! API errors on objects from files name the file, as kubectl does (`error when creating
//! "f.yaml": ...`). `delete` waits until the objects are gone, as kubectl's default
//! `--wait=true` does.

use std::time::Duration;

use clap::Args;
use kubeset::clientset::{
    ApiResource, DeleteParams, FieldValidation, Patch, PatchParams, PostParams, PropagationPolicy,
};
use serde_json::Value;

use crate::failure::Failure;
use crate::get_raw::ServerError;
use crate::manifest::{self, Manifest};
use crate::resources::{self, kind_prefix};
use crate::session::Session;

/// How often `delete` checks whether an object is gone.
const DELETE_POLL: Duration = Duration::from_millis(100);

/// Flags of `apply`.
#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// Files with the objects (`-` for standard input).
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    pub(crate) files: Vec<String>,
    /// Apply on the server (the only mode kctl has).
    #[arg(long)]
    pub(crate) server_side: bool,
    /// Take ownership of fields other managers own.
    #[arg(long)]
    pub(crate) force_conflicts: bool,
    /// The field manager (kubectl's default for server-side apply is `kubectl`).
    #[arg(long, default_value = "kubectl")]
    pub(crate) field_manager: String,
}

/// Flags of `delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// `TYPE NAME...` or `TYPE/NAME...`.
    pub(crate) args: Vec<String>,
    /// Files with the objects to delete (`-` for standard input).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub(crate) files: Vec<String>,
    /// Delete the objects matching this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub(crate) selector: Option<String>,
    /// Delete every object of the types given.
    #[arg(long)]
    pub(crate) all: bool,
    /// Return at once instead of waiting until the objects are gone.
    #[arg(long, default_value = "true", action = clap::ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub(crate) wait: bool,
}

/// An object of a file, mapped to its resource and namespace.
struct Mapped {
    manifest: Manifest,
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
}

/// Maps every manifest to its resource.
async fn map_all(
    session: &Session,
    manifests: Vec<Manifest>,
    explicit_namespace: bool,
) -> Result<Vec<Mapped>, Failure> {
    let discovery = session
        .discovery_knowing(|d| {
            manifests.iter().all(|m| {
                let api_version = m.object["apiVersion"].as_str().unwrap_or_default();
                let kind = m.object["kind"].as_str().unwrap_or_default();
                d.resolve_api_version(api_version, kind).is_some()
            })
        })
        .await?;
    let mut mapped = Vec::new();
    for manifest in manifests {
        let object = &manifest.object;
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let own_namespace = object["metadata"]["namespace"]
            .as_str()
            .filter(|n| !n.is_empty());
        let Some(resource) = discovery.resolve_api_version(api_version, kind).cloned() else {
            let (_, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
            let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
            let version_text = if group.is_empty() {
                version.to_owned()
            } else {
                format!("{group}/{version}")
            };
            return Err(Failure::error(format!(
                "resource mapping not found for name: \"{name}\" namespace: \"{}\" from \"{}\": no matches for kind \"{kind}\" in version \"{version_text}\"\nensure CRDs are installed first",
                own_namespace.unwrap_or_default(),
                manifest.source
            )));
        };
        let namespace = if resource.namespaced {
            if let Some(own) =
                own_namespace.filter(|own| explicit_namespace && *own != session.namespace)
            {
                return Err(Failure::error(format!(
                    "the namespace from the provided object \"{own}\" does not match the namespace \"{}\". You must pass '--namespace={own}' to perform this operation.",
                    session.namespace
                )));
            }
            Some(own_namespace.unwrap_or(&session.namespace).to_owned())
        } else {
            None
        };
        mapped.push(Mapped {
            manifest,
            resource,
            namespace,
            name,
        });
    }
    Ok(mapped)
}

/// An API error on an object from `source`, as kubectl words it.
fn file_error(
    session: &Session,
    verb: &str,
    source: &str,
    error: &kubeset::clientset::Error,
) -> Failure {
    match error.api() {
        Some(api) => Failure::line(
            ServerError {
                reason: api.reason().to_owned(),
                message: format!("error when {verb} \"{source}\": {}", api.message()),
            }
            .to_string(),
        ),
        None => session.fail(error),
    }
}

/// `create -f FILE...`.
pub(crate) async fn create(
    session: &Session,
    files: &[String],
    explicit_namespace: bool,
) -> Result<Vec<Failure>, Failure> {
    let mapped = map_all(session, manifest::read(files)?, explicit_namespace).await?;
    let pp = PostParams::default()
        .field_manager("kubectl-create")
        .validation(FieldValidation::Strict);
    let mut errors = Vec::new();
    for m in mapped {
        let api = session.api(&m.resource, m.namespace.as_deref());
        match api.create(&pp, &m.manifest.object).await {
            Ok(created) => println!(
                "{}/{} created",
                kind_prefix(&m.resource),
                name_of(&created, &m.name)
            ),
            Err(e) => errors.push(file_error(session, "creating", &m.manifest.source, &e)),
        }
    }
    Ok(errors)
}

/// `apply --server-side -f FILE...`.
pub(crate) async fn apply(
    session: &Session,
    args: &ApplyArgs,
    explicit_namespace: bool,
) -> Result<Vec<Failure>, Failure> {
    if !args.server_side {
        return Err(Failure::error(
            "kctl applies on the server only: pass --server-side (client-side apply and its last-applied annotation are not implemented)",
        ));
    }
    let mapped = map_all(session, manifest::read(&args.files)?, explicit_namespace).await?;
    let mut pp = PatchParams::apply(&args.field_manager).validation(FieldValidation::Strict);
    if args.force_conflicts {
        pp = pp.force();
    }
    let mut errors = Vec::new();
    for m in mapped {
        let api = session.api(&m.resource, m.namespace.as_deref());
        let mut object = m.manifest.object.clone();
        if let (Some(ns), Some(meta)) = (&m.namespace, object["metadata"].as_object_mut()) {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        match api.patch(&m.name, &pp, &Patch::Apply(&object)).await {
            Ok(_) => println!("{}/{} serverside-applied", kind_prefix(&m.resource), m.name),
            Err(e) if e.is_conflict() => {
                let message = e.api().map(|a| a.message()).unwrap_or_default();
                errors.push(Failure::error(format!("{message}\n{CONFLICT_HELP}")));
            }
            Err(e) => errors.push(session.fail(&e)),
        }
    }
    Ok(errors)
}

/// What kubectl adds to a server-side apply conflict.
const CONFLICT_HELP: &str =
    "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

/// `delete TYPE NAME...` or `delete -f FILE...`.
pub(crate) async fn delete(
    session: &Session,
    args: &DeleteArgs,
    explicit_namespace: bool,
) -> Result<Vec<Failure>, Failure> {
    let mut work: Vec<(ApiResource, Option<String>, String, Option<String>)> = Vec::new();
    if !args.files.is_empty() {
        // kubectl reads the files before it looks at the other arguments.
        let manifests = manifest::read(&args.files)?;
        if !args.args.is_empty() {
            return Err(Failure::error(
                "when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well",
            ));
        }
        for m in map_all(session, manifests, explicit_namespace).await? {
            work.push((m.resource, m.namespace, m.name, Some(m.manifest.source)));
        }
    } else {
        let request = resources::parse(&args.args).map_err(|_| {
            Failure::error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
        })?;
        let mut warnings = Vec::new();
        let discovery = session
            .discovery_knowing(|d| resources::known(d, &request))
            .await?;
        let targets = resources::resolve(discovery, &request, &mut warnings);
        for warning in warnings {
            eprintln!("{warning}");
        }
        let selecting = args.selector.is_some() || args.all;
        for target in targets? {
            let namespace = target
                .resource
                .namespaced
                .then(|| session.namespace.clone());
            let mut names = target.names.clone();
            if names.is_empty() && !selecting {
                return Err(Failure::error(
                    "resource(s) were provided, but no name was specified",
                ));
            }
            if names.is_empty() {
                let mut lp = kubeset::clientset::ListParams::default();
                if let Some(selector) = &args.selector {
                    lp = lp.labels(selector);
                }
                let api = session.api(&target.resource, namespace.as_deref());
                let list = api.list_metadata(&lp).await.map_err(|e| session.fail(&e))?;
                names = list
                    .items
                    .into_iter()
                    .filter_map(|item| item.metadata.name)
                    .collect();
            }
            for name in names {
                work.push((target.resource.clone(), namespace.clone(), name, None));
            }
        }
        if selecting && work.is_empty() {
            println!("No resources found");
            return Ok(Vec::new());
        }
    }
    let dp = DeleteParams::default().propagation(PropagationPolicy::Background);
    let mut errors = Vec::new();
    let mut deleted = Vec::new();
    let mut warn_cluster_scope = explicit_namespace;
    for (resource, namespace, name, source) in work {
        if warn_cluster_scope && !resource.namespaced {
            eprintln!(
                "Warning: deleting cluster-scoped resources, not scoped to the provided namespace"
            );
            warn_cluster_scope = false;
        }
        let api = session.api(&resource, namespace.as_deref());
        match api.delete(&name, &dp).await {
            Ok(answer) => {
                println!("{} \"{name}\" deleted", kind_prefix(&resource));
                let uid = answer
                    .left()
                    .and_then(|o| o["metadata"]["uid"].as_str().map(str::to_owned));
                deleted.push((api, name, uid));
            }
            Err(e) => errors.push(match source {
                Some(source) => file_error(session, "deleting", &source, &e),
                None => session.fail(&e),
            }),
        }
    }
    if args.wait {
        for (api, name, uid) in deleted {
            loop {
                match api.get_opt(&name).await {
                    Ok(None) => break,
                    Ok(Some(object))
                        if uid.is_some()
                            && object["metadata"]["uid"].as_str() != uid.as_deref() =>
                    {
                        break;
                    }
                    Ok(Some(_)) => tokio::time::sleep(DELETE_POLL).await,
                    Err(e) => {
                        errors.push(session.fail(&e));
                        break;
                    }
                }
            }
        }
    }
    Ok(errors)
}

/// The created object's name (the server may have generated it).
fn name_of<'a>(created: &'a Value, fallback: &'a str) -> &'a str {
    created["metadata"]["name"].as_str().unwrap_or(fallback)
}
