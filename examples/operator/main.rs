//! `operator`: a Kubernetes operator for a kind of its own, written as a user writes one with
//! kubeset: the `Website` custom resource (`#[derive(CustomResource)]`) and a controller on
//! `kubeset::runtime` that publishes each Website's pages in a ConfigMap.
//!
//! ```text
//! operator crd                  # the CustomResourceDefinition, as YAML: | kctl apply -f -
//! operator [--service-account-dir DIR] run [--namespace NS]
//! ```
//!
//! A Website (`kubectl get sites`):
//!
//! ```yaml
//! apiVersion: kubeset.example/v1
//! kind: Website
//! metadata: {name: docs}
//! spec:
//!   title: Docs
//!   pages: {index.html: "<h1>{{title}}</h1>"}
//! ```
//!
//! becomes the ConfigMap `website-docs` (`index.html: <h1>Docs</h1>`), owned by the Website,
//! and the Website's status says what was published (`observedGeneration`, `pages`,
//! `configMap`, a `Ready` condition), with `Published` / `Unpublished` Events. Deleting the
//! Website deletes the ConfigMap first (a finalizer). The API server refuses a Website without
//! `index.html` or with a title longer than 100 characters (the CRD's schema and its CEL
//! rules). See `controller.rs` for the reconcile's guarantees.
//!
//! `run` watches every namespace, or `--namespace`. Outside a pod (`KUBERNETES_SERVICE_HOST`
//! unset) the kubeconfig is used; `--service-account-dir` exists so tests can run it as a pod
//! would. RBAC (`examples/deploy/operator/`), checked at start-up with every missing rule
//! named: `list`/`watch`/`patch` on `websites` (the finalizer), `patch` on `websites/status`,
//! `list`/`watch`/`patch`/`delete` on `configmaps`, `create`/`patch` on `events.k8s.io`
//! `events`. One replica (the Deployment's `Recreate` strategy): no leader election.
//!
//! Compared with kubebuilder (controller-runtime, controller-gen): the CRD comes from the
//! Rust type with no generation step and no markers to keep in sync, `crd` prints it, and its
//! tests run against the in-process test server, which enforces the same schema.

#[path = "../shared/in_pod.rs"]
mod in_pod;

mod controller;
mod manifest;
mod website;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kubeset::clientset::{Client, Permission};
use kubeset::config::incluster;

/// A Website operator: publishes each Website's pages in a ConfigMap.
#[derive(Debug, Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Where the ServiceAccount files are (only to run outside a pod).
    #[arg(long, global = true, default_value = incluster::SERVICE_ACCOUNT_DIR)]
    service_account_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prints the Website CustomResourceDefinition as YAML (for `kctl apply -f -`).
    Crd,
    /// Reconciles Websites until SIGTERM.
    Run {
        /// Only the Websites of this namespace (default: every namespace).
        #[arg(long)]
        namespace: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Crd => manifest::crd_yaml().map(|yaml| print!("{yaml}")),
        Command::Run { namespace } => run(namespace, &args.service_account_dir).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            in_pod::report(&*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(
    namespace: Option<String>,
    service_account_dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let config = in_pod::config(service_account_dir)?;
    let client = Client::new(config)?;
    in_pod::check_permissions(&client, &needed(namespace.as_deref())).await?;
    let identity = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| controller::MANAGER.to_owned());
    println!(
        "{identity} reconciling Websites of {}",
        namespace.as_deref().unwrap_or("every namespace")
    );
    controller::run(client, namespace.as_deref(), &identity, async {
        in_pod::terminated().await;
        println!("SIGTERM: stopping");
    })
    .await;
    Ok(())
}

/// Every permission the operator uses (in `namespace`, or cluster-wide).
fn needed(namespace: Option<&str>) -> Vec<Permission> {
    let scoped = |p: Permission| match namespace {
        Some(ns) => p.namespace(ns),
        None => p,
    };
    let mut needed = Vec::new();
    for verb in ["list", "watch", "patch"] {
        needed.push(scoped(
            Permission::new(verb, "websites").group("kubeset.example"),
        ));
    }
    needed.push(scoped(
        Permission::new("patch", "websites")
            .group("kubeset.example")
            .subresource("status"),
    ));
    for verb in ["list", "watch", "patch", "delete"] {
        needed.push(scoped(Permission::new(verb, "configmaps")));
    }
    for verb in ["create", "patch"] {
        needed.push(scoped(
            Permission::new(verb, "events").group("events.k8s.io"),
        ));
    }
    needed
}
