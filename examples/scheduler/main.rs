//! `scheduler`: a custom Kubernetes scheduler for the pods that ask for it by name.
//!
//! It places every pod whose `spec.schedulerName` is its `--scheduler-name` (default
//! `kubeset-scheduler`) and that has no node yet, as kube-scheduler's default profile would:
//!
//! - **filters** (a node's first failing filter gives its reasons, kube-scheduler's texts):
//!   `spec.unschedulable` (NodeUnschedulable); `NoSchedule`/`NoExecute` taints against the
//!   pod's tolerations (TaintToleration: `Equal`/`Exists`, empty key and effect as
//!   wildcards), a node whose Ready condition is not `True` counting as tainted
//!   `node.kubernetes.io/not-ready`, as the node lifecycle controller would taint it;
//!   `spec.nodeSelector` and the required node affinity (NodeAffinity: terms ORed,
//!   expressions ANDed, `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`, `matchFields`
//!   on `metadata.name`); pod count, CPU and memory requests against the node's
//!   allocatable minus what its pods already request (NodeResourcesFit: init containers,
//!   sidecars and `overhead` counted as `resourcehelper.PodRequests` counts them);
//! - **volumes** (VolumeBinding, statically provisioned volumes): a bound claim's volume must
//!   allow the node (`node(s) had volume node affinity conflict`); an unbound claim of a
//!   `WaitForFirstConsumer` class needs an `Available` volume of its class, size and access
//!   modes that allows the node (`node(s) didn't find available persistent volumes to
//!   bind`; a class with a real provisioner is taken to provision anywhere); an unbound
//!   claim of another class makes the pod wait (`pod has unbound immediate
//!   PersistentVolumeClaims`). Once a node is chosen, the waiting claims get the
//!   `volume.kubernetes.io/selected-node` annotation, and the pod is bound after the volume
//!   binder has bound them (it is retried with its backoff meanwhile);
//! - **score**: NodeResourcesLeastAllocated (CPU and memory, weight 1 each, containers that
//!   request nothing counted at 100m and 200Mi); among equal scores the first node by name
//!   (kube-scheduler picks at random);
//! - **bind** through the `pods/binding` subresource, and record a `Scheduled` Event
//!   (`Successfully assigned ns/pod to node`), or a `FailedScheduling` warning with
//!   kube-scheduler's message (`0/3 nodes are available: 1 node(s) had untolerated taint
//!   {dedicated: gpu}, 2 Insufficient cpu.`; there is no preemption, so no `preemption:`
//!   sentence follows), and the pod's `PodScheduled` condition set to `False` /
//!   `Unschedulable` with the same message;
//! - **retry** unschedulable pods when a node is added or changes or a bound pod goes away,
//!   after a per-pod backoff (1 s doubling to 10 s), and every five minutes regardless.
//!
//! It keeps a node cache and a pod cache (pods indexed by node) through the clientset's
//! shared informers, started before it leads so that a new leader starts warm, and runs
//! under Lease-based leader election (`--lease-name`, default the scheduler name, in its
//! own namespace), so two replicas can be deployed: one schedules, the other waits. On
//! SIGTERM it stops scheduling and releases the lease, so the other replica takes over at
//! once.
//!
//! ```text
//! scheduler [--scheduler-name NAME] [--node-selector SELECTOR] [--lease-name NAME]
//!           [--lease-namespace NS] [--service-account-dir DIR]
//! ```
//!
//! - `--node-selector`: only nodes with these labels are considered (a scheduler for one
//!   node pool); all nodes by default.
//! - `--service-account-dir`: where the ServiceAccount's `token`, `ca.crt` and `namespace`
//!   are; default `/var/run/secrets/kubernetes.io/serviceaccount`, as the kubelet mounts
//!   them. The flag exists only so the demo and the tests can run the program outside a
//!   pod. Outside a pod (`KUBERNETES_SERVICE_HOST` unset) the kubeconfig is used.
//! - The leader identity is `POD_NAME` (the downward API), else `HOSTNAME`.
//!
//! RBAC (`examples/deploy/scheduler/`), checked at start-up with every missing rule named:
//! `get`, `list`, `watch` on `pods` and `nodes`, `create` on `pods/binding`, `patch` on
//! `pods/status` (the `PodScheduled` condition of an unschedulable pod), `list`, `watch` on
//! `persistentvolumeclaims`, `persistentvolumes` and `storageclasses`, `patch` on
//! `persistentvolumeclaims` (the selected node), `create` and
//! `patch` on `events.k8s.io` `events` (cluster-wide, as Events go to each pod's namespace),
//! and `get`, `create`, `update` on `coordination.k8s.io` `leases` in its own namespace.
//!
//! Compared with kube-scheduler: the same filter semantics and messages for the plugins
//! above, but no preemption, no inter-pod affinity, topology spread, ports, volume limits or
//! image locality plugins, no dynamic provisioning topology (allowed topologies), no extenders or profiles, and one pod at a time (kube-scheduler binds
//! asynchronously). Pods it bound are "assumed" on their node until the cache shows them
//! there, as kube-scheduler's cache does, so two pods in a row never overcommit a node.

mod filter;
#[path = "../shared/in_pod.rs"]
mod in_pod;
mod queue;
mod resources;
mod schedule;
mod volumes;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use kubeset::clientset::{Client, Permission};
use kubeset::config::incluster;
use kubeset::runtime::{
    EventRecorder, LeaderElectionConfig, LeaderElector, Reporter, WatcherConfig,
};

/// A custom scheduler for the pods that name it in `spec.schedulerName`.
#[derive(Debug, Parser)]
struct Args {
    /// The `spec.schedulerName` this scheduler serves.
    #[arg(long, default_value = "kubeset-scheduler")]
    scheduler_name: String,
    /// Only nodes matching this label selector are considered.
    #[arg(long)]
    node_selector: Option<String>,
    /// The Lease the replicas campaign on (default: the scheduler name).
    #[arg(long)]
    lease_name: Option<String>,
    /// The namespace of the Lease (default: the pod's namespace).
    #[arg(long)]
    lease_namespace: Option<String>,
    /// Where the ServiceAccount files are (only to run outside a pod).
    #[arg(long, default_value = incluster::SERVICE_ACCOUNT_DIR)]
    service_account_dir: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            in_pod::report(&*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = in_pod::config(&args.service_account_dir)?;
    let client = Client::new(config)?;
    let lease_namespace = args
        .lease_namespace
        .unwrap_or_else(|| client.default_namespace().to_owned());
    let lease_name = args
        .lease_name
        .unwrap_or_else(|| args.scheduler_name.clone());
    in_pod::check_permissions(&client, &needed(&lease_namespace)).await?;

    let identity = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .map_err(|_| "set POD_NAME (the downward API's metadata.name) for the leader identity")?;
    let mut node_config = WatcherConfig::default();
    if let Some(selector) = &args.node_selector {
        node_config = node_config.labels(selector);
    }
    let caches = schedule::Caches::new(&client, node_config);
    let recorder = EventRecorder::new(
        client.clone(),
        Reporter::new(args.scheduler_name.clone(), identity.clone()),
    );
    let leader = LeaderElector::new(
        client.leases(&lease_namespace),
        lease_name.clone(),
        identity.clone(),
        LeaderElectionConfig::default(),
    )?
    .spawn();
    println!("{identity} campaigning for lease {lease_namespace}/{lease_name}");
    let scheduler = schedule::Scheduler::new(
        args.scheduler_name.clone(),
        client,
        recorder.clone(),
        &caches,
    );
    let work = async {
        println!(
            "{identity} leads: scheduling pods of {}",
            args.scheduler_name
        );
        scheduler.run(&caches).await;
    };
    let outcome = tokio::select! {
        result = leader.lead(work) => result.map_err(|lost| lost.to_string()),
        () = in_pod::terminated() => {
            println!("SIGTERM: stopping");
            Ok(())
        }
    };
    recorder.flush().await;
    leader.release().await?;
    println!("lease released");
    // Losing the lease ends the process, so a fresh replica campaigns (as kube-scheduler).
    outcome.map_err(Into::into)
}

/// Every permission the scheduler uses.
fn needed(lease_namespace: &str) -> Vec<Permission> {
    let mut needed = Vec::new();
    for resource in ["pods", "nodes"] {
        for verb in ["list", "watch"] {
            needed.push(Permission::new(verb, resource));
        }
    }
    needed.push(Permission::new("create", "pods").subresource("binding"));
    needed.push(Permission::new("patch", "pods").subresource("status"));
    for resource in ["persistentvolumeclaims", "persistentvolumes"] {
        for verb in ["list", "watch"] {
            needed.push(Permission::new(verb, resource));
        }
    }
    for verb in ["list", "watch"] {
        needed.push(Permission::new(verb, "storageclasses").group("storage.k8s.io"));
    }
    needed.push(Permission::new("patch", "persistentvolumeclaims"));
    for verb in ["create", "patch"] {
        needed.push(Permission::new(verb, "events").group("events.k8s.io"));
    }
    for verb in ["get", "create", "update"] {
        needed.push(
            Permission::new(verb, "leases")
                .group("coordination.k8s.io")
                .namespace(lease_namespace),
        );
    }
    needed
}
