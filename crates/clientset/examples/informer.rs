//! Keeps a cache of a namespace's pods (or every pod) and prints each change, like a
//! controller's informer.
//!
//! ```text
//! cargo run -p kubeset-clientset --example informer -- [namespace]
//! ```
//!
//! The cluster is found as kubectl finds it (in-cluster, else kubeconfig). Stop with Ctrl-C.

use k8s_openapi::api::core::v1::Pod;
use kubeset_clientset::Client;
use kubeset_clientset::runtime::{Change, Informer, Object, WatcherConfig};

fn describe(pod: &Pod) -> String {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    format!(
        "{}/{} ({}) at {}",
        pod.namespace().unwrap_or("-"),
        pod.name().unwrap_or("-"),
        phase.unwrap_or("no phase"),
        pod.resource_version().unwrap_or("?")
    )
}

#[tokio::main]
async fn main() -> Result<(), kubeset_clientset::Error> {
    let client = Client::infer().await?;
    let pods = match std::env::args().nth(1) {
        Some(ns) => client.pods(&ns),
        None => client.all_pods(),
    };
    let informer = Informer::new(pods, WatcherConfig::default());
    let store = informer.store();
    let printer = tokio::spawn(informer.run(|change| match change {
        Change::Added(pod) => println!("added   {}", describe(&pod)),
        Change::Updated { new, .. } => println!("updated {}", describe(&new)),
        Change::Deleted(pod) => println!("deleted {}", describe(&pod)),
        _ => {}
    }));
    if store.wait_until_ready().await {
        eprintln!("synced: {} pods", store.len());
    }
    tokio::select! {
        _ = printer => {}
        _ = tokio::signal::ctrl_c() => eprintln!("{} pods known at exit", store.len()),
    }
    Ok(())
}
