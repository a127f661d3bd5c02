//! `in_cluster`: the first program of every Kubernetes client, run inside a pod.
//!
//! It finds the API server the way a pod does — `KUBERNETES_SERVICE_HOST` and
//! `KUBERNETES_SERVICE_PORT` from the kubelet, and the ServiceAccount's `token`, `ca.crt` and
//! `namespace` from the projected volume at `/var/run/secrets/kubernetes.io/serviceaccount/`
//! (client-go's `rest.InClusterConfig()`). Outside a pod (the two variables unset) it falls
//! back to the kubeconfig, resolved exactly as kubectl resolves it. Then it prints where each
//! setting came from, who the API server says it is (a SelfSubjectReview) and the pods of its
//! namespace.
//!
//! ```text
//! cargo run --example in_cluster
//! cargo run --example in_cluster -- --service-account-dir /tmp/sa   # files somewhere else
//! ```
//!
//! `--service-account-dir` only exists so the same program can be run outside a real pod (the
//! demo plays the kubelet and writes the files into a temporary directory); in a pod the
//! default is the path the kubelet mounts.
//!
//! RBAC: `list` on `pods` in its namespace (`create` on `selfsubjectreviews` is granted to
//! every authenticated user by the `system:basic-user` ClusterRole).

use std::path::PathBuf;
use std::process::ExitCode;

use kubeset::clientset::{Client, ListParams};
use kubeset::config::kubeconfig::Overrides;
use kubeset::config::{Config, InClusterError, ProcessEnv, incluster};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Each level of the error on its own line: "what failed", then why.
            eprintln!("error: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = service_account_dir()?;
    let config = match incluster::load_from(&ProcessEnv, &dir) {
        Ok(config) => {
            println!("running in a cluster: configuration from the pod's ServiceAccount");
            config
        }
        // Only "not in a pod" falls back: a pod with a missing or unreadable token must fail
        // loudly, not quietly switch to whatever kubeconfig the image happens to contain.
        Err(not_in_pod @ InClusterError::NotInCluster { .. }) => {
            println!("{not_in_pod}; using the kubeconfig");
            Config::from_kubeconfig(&Overrides::default())?
        }
        Err(err) => return Err(err.into()),
    };
    println!("API server {}", config.cluster_url);
    println!("where each setting came from:\n{}", config.provenance);

    let client = Client::new(config)?;
    let me = client.whoami().await?;
    println!(
        "the API server knows us as {} (uid {}), groups {}",
        me.username.as_deref().unwrap_or("<none>"),
        me.uid.as_deref().unwrap_or("<none>"),
        me.groups.unwrap_or_default().join(", ")
    );

    let namespace = client.default_namespace().to_owned();
    let pods = client.pods(&namespace).list(&ListParams::default()).await?;
    println!("{} pods in namespace {namespace}:", pods.items.len());
    for pod in &pods.items {
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("Unknown");
        println!(
            "  {} {phase}",
            pod.metadata.name.as_deref().unwrap_or("<unnamed>")
        );
    }
    Ok(())
}

/// `--service-account-dir DIR`, or the kubelet's mount path.
fn service_account_dir() -> Result<PathBuf, String> {
    let mut args = std::env::args().skip(1);
    let mut dir = PathBuf::from(incluster::SERVICE_ACCOUNT_DIR);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--service-account-dir" => {
                dir = args
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--service-account-dir needs a directory")?;
            }
            other => {
                if let Some(value) = other.strip_prefix("--service-account-dir=") {
                    dir = PathBuf::from(value);
                } else {
                    return Err(format!(
                        "unknown argument {other:?}; usage: in_cluster [--service-account-dir DIR]"
                    ));
                }
            }
        }
    }
    Ok(dir)
}
