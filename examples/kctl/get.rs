//! `kctl get TYPE [NAME...]`: objects printed as `kubectl get` prints them.
//!
//! - Default and `-o wide`: the server's `Table` (see `table`), `No resources found in NS
//!   namespace.` on stderr when nothing was printed.
//! - `-o json|yaml`: one object when exactly one was named, else kubectl's
//!   `{"apiVersion":"v1","kind":"List","items":[...],"metadata":{"resourceVersion":""}}` with
//!   each item's `apiVersion` and `kind` filled in; `metadata.managedFields` dropped, as
//!   kubectl does unless `--show-managed-fields`.
//! - `-o name`: `kind.group/name` per object.
//!
//! Lists are read in pages of 500, as kubectl does. Objects that are not found are reported
//! after the output, one line each, and the exit status is 1.

use clap::Args;
use kubeset::clientset::ListParams;
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::resources::{self, Target};
use crate::session::Session;
use crate::table::{TableOptions, TablePrinter};
use crate::{Output, json as json_out, yaml};

/// kubectl's page size for lists.
const CHUNK_SIZE: u32 = 500;

/// Flags of `get`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`.
    pub(crate) args: Vec<String>,
    /// Raw URI to request from the server (path and query), e.g. `/api/v1/namespaces`.
    #[arg(long, value_name = "PATH")]
    pub(crate) raw: Option<String>,
    /// Output format: json, yaml, name or wide.
    #[arg(short = 'o', long, value_name = "FORMAT")]
    pub(crate) output: Option<String>,
    /// List across all namespaces.
    #[arg(short = 'A', long)]
    pub(crate) all_namespaces: bool,
    /// Label selector (`app=web,tier!=db`).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub(crate) selector: Option<String>,
    /// Field selector (`metadata.name=x,status.phase=Running`).
    #[arg(long, value_name = "SELECTOR")]
    pub(crate) field_selector: Option<String>,
    /// After listing, watch for changes.
    #[arg(short = 'w', long)]
    pub(crate) watch: bool,
    /// Watch for changes without listing first.
    #[arg(long)]
    pub(crate) watch_only: bool,
    /// With --watch, an EVENT column (ADDED, MODIFIED, DELETED).
    #[arg(long)]
    pub(crate) output_watch_events: bool,
    /// Print tables without their header.
    #[arg(long)]
    pub(crate) no_headers: bool,
    /// Print each object's labels in a last column.
    #[arg(long)]
    pub(crate) show_labels: bool,
}

impl GetArgs {
    /// List parameters for the selectors.
    pub(crate) fn list_params(&self) -> ListParams {
        let mut lp = ListParams::default();
        if let Some(selector) = &self.selector {
            lp = lp.labels(selector);
        }
        if let Some(selector) = &self.field_selector {
            lp = lp.fields(selector);
        }
        lp
    }

    /// The namespace to read from; `None` with `-A`.
    pub(crate) fn namespace<'a>(&self, session: &'a Session) -> Option<&'a str> {
        (!self.all_namespaces).then_some(session.namespace.as_str())
    }
}

/// What `get` printed, for the caller to finish with.
pub(crate) struct Printed {
    /// Lines for stderr after the output (errors).
    pub(crate) errors: Vec<Failure>,
}

/// Runs `get` (not `--raw`); output goes to stdout as it is ready.
pub(crate) async fn run(
    session: &Session,
    args: &GetArgs,
    output: Output,
) -> Result<Printed, Failure> {
    let mut request = resources::parse(&args.args)?;
    let mut warnings = Vec::new();
    let discovery = session
        .discovery_knowing(|d| resources::known(d, &request))
        .await?;
    crate::categories::expand(discovery, &mut request);
    let targets = resources::resolve(discovery, &request, &mut warnings);
    for warning in &warnings {
        eprintln!("{warning}");
    }
    let targets = targets?;
    if args.all_namespaces && targets.iter().any(|t| !t.names.is_empty()) {
        return Err(Failure::error(
            "a resource cannot be retrieved by name across all namespaces",
        ));
    }
    if args.watch || args.watch_only {
        return crate::watch::run(session, args, output, &targets).await;
    }
    match output {
        Output::Table | Output::Wide => tables(session, args, output, &targets).await,
        Output::Json | Output::Yaml | Output::Name => {
            objects(session, args, output, &targets, &request).await
        }
    }
}

/// The default and wide output.
async fn tables(
    session: &Session,
    args: &GetArgs,
    output: Output,
    targets: &[Target],
) -> Result<Printed, Failure> {
    let mut printer = TablePrinter::default();
    let mut errors = Vec::new();
    let several_kinds = several_kinds(targets);
    let namespace = args.namespace(session);
    for target in targets {
        let options = table_options(args, output, target, several_kinds);
        print!("{}", printer.start_kind(options));
        let api = session.api(&target.resource, namespace);
        if target.names.is_empty() {
            let mut lp = args.list_params().limit(CHUNK_SIZE);
            loop {
                let table = match api.list_table(&lp).await {
                    Ok(table) => table,
                    Err(e) => {
                        errors.push(session.fail(&e));
                        break;
                    }
                };
                print!("{}", printer.print(&table, None));
                match table
                    .metadata
                    .continue_
                    .as_deref()
                    .filter(|c| !c.is_empty())
                {
                    Some(token) => lp = lp.continue_token(token),
                    None => break,
                }
            }
        }
        for name in &target.names {
            match api.get_table(name).await {
                Ok(table) => print!("{}", printer.print(&table, None)),
                Err(e) => errors.push(session.fail(&e)),
            }
        }
    }
    print!("{}", printer.flush());
    if !printer.wrote_anything() && errors.is_empty() {
        let all_namespaced = !args.all_namespaces && targets.iter().all(|t| t.resource.namespaced);
        if all_namespaced {
            eprintln!("No resources found in {} namespace.", session.namespace);
        } else {
            eprintln!("No resources found");
        }
    }
    Ok(Printed { errors })
}

/// Table options for one kind.
pub(crate) fn table_options(
    args: &GetArgs,
    output: Output,
    target: &Target,
    several_kinds: bool,
) -> TableOptions {
    TableOptions {
        wide: output == Output::Wide,
        with_namespace: args.all_namespaces && target.resource.namespaced,
        kind: several_kinds.then(|| resources::kind_prefix(&target.resource)),
        event_column: args.output_watch_events,
        no_headers: args.no_headers,
        show_labels: args.show_labels,
    }
}

/// kubectl prefixes names with their kind when more than one kind was asked for.
fn several_kinds(targets: &[Target]) -> bool {
    targets.iter().any(|t| {
        t.resource.kind != targets[0].resource.kind || t.resource.group != targets[0].resource.group
    })
}

/// `-o json|yaml|name`.
async fn objects(
    session: &Session,
    args: &GetArgs,
    output: Output,
    targets: &[Target],
    request: &resources::Request,
) -> Result<Printed, Failure> {
    let mut errors = Vec::new();
    let mut items: Vec<Value> = Vec::new();
    let namespace = args.namespace(session);
    for target in targets {
        let api = session.api(&target.resource, namespace);
        if target.names.is_empty() {
            let mut lp = args.list_params().limit(CHUNK_SIZE);
            loop {
                let list = match api.list(&lp).await {
                    Ok(list) => list,
                    Err(e) => {
                        errors.push(session.fail(&e));
                        break;
                    }
                };
                let next = list
                    .continue_token()
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned);
                let api_version = list.api_version.clone();
                items.extend(list.items.into_iter().map(|mut item| {
                    fill_type(&mut item, &api_version, &target.resource.kind);
                    item
                }));
                match next {
                    Some(token) => lp = lp.continue_token(&token),
                    None => break,
                }
            }
        }
        for name in &target.names {
            match api.get(name).await {
                Ok(item) => items.push(item),
                Err(e) => errors.push(session.fail(&e)),
            }
        }
    }
    for item in &mut items {
        if let Some(metadata) = item.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("managedFields");
        }
    }
    let names: usize = request.groups.iter().map(|(_, n)| n.len()).sum();
    let single = request.groups.len() == 1 && names == 1;
    if output == Output::Name {
        for item in &items {
            println!("{}", name_of(item, targets));
        }
        return Ok(Printed { errors });
    }
    let document = if single {
        match items.pop() {
            Some(item) => item,
            None => return Ok(Printed { errors }),
        }
    } else {
        json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
    };
    match output {
        Output::Yaml => print!("{}", yaml::to_string(&document)),
        _ => print!("{}", json_out::to_string(&document)),
    }
    Ok(Printed { errors })
}

/// `kind.group/name` of an object.
pub(crate) fn name_of(item: &Value, targets: &[Target]) -> String {
    let kind = item["kind"].as_str().unwrap_or_default();
    let api_version = item["apiVersion"].as_str().unwrap_or_default();
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let target = targets
        .iter()
        .find(|t| t.resource.kind == kind && t.resource.group == group);
    let prefix = match target {
        Some(t) => resources::kind_prefix(&t.resource),
        None if group.is_empty() => kind.to_lowercase(),
        None => format!("{}.{group}", kind.to_lowercase()),
    };
    format!(
        "{prefix}/{}",
        item["metadata"]["name"].as_str().unwrap_or_default()
    )
}

/// A list item without `apiVersion`/`kind` gets the list's, as kubectl's decoder does.
pub(crate) fn fill_type(item: &mut Value, api_version: &str, kind: &str) {
    if let Some(object) = item.as_object_mut() {
        if object
            .get("apiVersion")
            .is_none_or(|v| v.as_str() == Some(""))
        {
            object.insert("apiVersion".into(), json!(api_version));
        }
        if object.get("kind").is_none_or(|v| v.as_str() == Some("")) {
            object.insert("kind".into(), json!(kind));
        }
    }
}
