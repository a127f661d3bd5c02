//! The scheduling loop: caches in, one pod at a time through filter, score and bind, Events
//! out.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures_util::{FutureExt, StreamExt};
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use kubeset::clientset::{Client, Patch, PatchParams, PostParams};
use kubeset::runtime::{
    Change, EventRecorder, Index, NewEvent, ObjectKey, SharedInformer, Store, WatcherConfig,
    reference_to,
};
use tokio::time::Instant;

use crate::filter;
use crate::queue::Queue;
use crate::resources::{self, Resources};
use crate::volumes::{SELECTED_NODE, Volumes};

/// The caches the scheduler reads, made before it leads so a new leader starts warm.
pub(crate) struct Caches {
    pub(crate) nodes: SharedInformer<Node>,
    pub(crate) pods: SharedInformer<Pod>,
    pub(crate) claims: SharedInformer<PersistentVolumeClaim>,
    pub(crate) volumes: SharedInformer<PersistentVolume>,
    pub(crate) classes: SharedInformer<StorageClass>,
    /// Non-terminal pods by `spec.nodeName`.
    pub(crate) pods_by_node: Index<Pod>,
}

impl Caches {
    pub(crate) fn new(client: &Client, node_config: WatcherConfig) -> Self {
        let nodes = SharedInformer::new(client.nodes(), node_config);
        let pods = SharedInformer::new(client.all_pods(), WatcherConfig::default());
        let pods_by_node = pods.store().index("node", |pod: &Pod| {
            if terminal(pod) {
                return None;
            }
            pod.spec.as_ref().and_then(|s| s.node_name.clone())
        });
        Self {
            nodes,
            pods,
            claims: SharedInformer::new(
                client.all_persistent_volume_claims(),
                WatcherConfig::default(),
            ),
            volumes: SharedInformer::new(client.persistent_volumes(), WatcherConfig::default()),
            classes: SharedInformer::new(client.storage_classes(), WatcherConfig::default()),
            pods_by_node,
        }
    }
}

/// A pod that has finished holds no resources (kube-scheduler's informer leaves them out).
fn terminal(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

fn key(pod: &Pod) -> ObjectKey {
    ObjectKey::new(
        pod.metadata.namespace.as_deref(),
        pod.metadata.name.as_deref().unwrap_or(""),
    )
}

/// One scheduler's loop.
pub(crate) struct Scheduler {
    pub(crate) name: String,
    pub(crate) client: Client,
    pub(crate) recorder: EventRecorder,
    pods: Store<Pod>,
    nodes: Store<Node>,
    pods_by_node: Index<Pod>,
    volumes: Volumes,
    queue: Queue,
    /// Pods bound by us that the cache has not shown bound yet: uid -> (node, pod).
    assumed: HashMap<String, (String, Arc<Pod>)>,
}

impl Scheduler {
    pub(crate) fn new(
        name: String,
        client: Client,
        recorder: EventRecorder,
        caches: &Caches,
    ) -> Self {
        Self {
            name,
            client,
            recorder,
            pods: caches.pods.store(),
            nodes: caches.nodes.store(),
            pods_by_node: caches.pods_by_node.clone(),
            volumes: Volumes {
                claims: caches.claims.store(),
                volumes: caches.volumes.store(),
                classes: caches.classes.store(),
            },
            queue: Queue::default(),
            assumed: HashMap::new(),
        }
    }

    /// Whether this scheduler should place `pod` now.
    fn responsible(&self, pod: &Pod) -> bool {
        let Some(spec) = &pod.spec else { return false };
        spec.scheduler_name.as_deref() == Some(self.name.as_str())
            && spec.node_name.as_deref().unwrap_or("").is_empty()
            && pod.metadata.deletion_timestamp.is_none()
            && !terminal(pod)
    }

    /// Runs until the caches' streams end (never, while the informers live).
    pub(crate) async fn run(mut self, caches: &Caches) {
        let mut node_changes = caches.nodes.subscribe();
        let mut pod_changes = caches.pods.subscribe();
        // a new or changed claim or volume may let a pod fit
        let mut volume_changes = futures_util::stream::select(
            caches.claims.subscribe().map(|_| ()),
            caches.volumes.subscribe().map(|_| ()),
        );
        self.nodes.wait_until_ready().await;
        self.pods.wait_until_ready().await;
        self.volumes.claims.wait_until_ready().await;
        self.volumes.volumes.wait_until_ready().await;
        self.volumes.classes.wait_until_ready().await;
        println!(
            "caches synced: {} nodes, {} pods",
            self.nodes.len(),
            self.pods.len()
        );
        loop {
            while let Some(Some(change)) = node_changes.next().now_or_never() {
                self.on_node(&change);
            }
            while let Some(Some(change)) = pod_changes.next().now_or_never() {
                self.on_pod(change);
            }
            while let Some(Some(())) = volume_changes.next().now_or_never() {
                self.queue.cluster_changed();
            }
            if let Some(key) = self.queue.pop(Instant::now()) {
                self.schedule_one(key).await;
                continue;
            }
            let wakeup = self.queue.next_wakeup();
            tokio::select! {
                change = node_changes.next() => match change {
                    Some(change) => self.on_node(&change),
                    None => return,
                },
                change = pod_changes.next() => match change {
                    Some(change) => self.on_pod(change),
                    None => return,
                },
                Some(()) = volume_changes.next() => self.queue.cluster_changed(),
                () = sleep_until(wakeup) => {}
            }
        }
    }

    fn on_node(&mut self, change: &Change<Node>) {
        if !matches!(change, Change::Deleted(_)) {
            self.queue.cluster_changed();
        }
    }

    fn on_pod(&mut self, change: Change<Pod>) {
        match change {
            Change::Added(pod) | Change::Updated { new: pod, .. } => {
                if pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_some()
                {
                    self.forget(&pod);
                }
                if self.responsible(&pod) {
                    self.queue.add(key(&pod));
                } else {
                    self.queue.remove(&key(&pod));
                }
                if terminal(&pod) {
                    self.queue.cluster_changed(); // its resources are free again
                }
            }
            Change::Deleted(pod) => {
                self.forget(&pod);
                self.queue.remove(&key(&pod));
                if pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_some()
                {
                    self.queue.cluster_changed();
                }
            }
            _ => {}
        }
    }

    fn forget(&mut self, pod: &Pod) {
        if let Some(uid) = &pod.metadata.uid {
            self.assumed.remove(uid);
        }
    }

    /// What the pods on `node` request (as filtered, and as scored) and how many there are,
    /// counting pods we bound that the cache does not show yet.
    fn usage(&self, node: &str) -> (Resources, Resources, i64) {
        let mut bound = self.pods_by_node.get(node);
        let known: Vec<&str> = bound
            .iter()
            .filter_map(|p| p.metadata.uid.as_deref())
            .collect();
        let extra: Vec<Arc<Pod>> = self
            .assumed
            .iter()
            .filter(|(uid, (on, _))| on == node && !known.contains(&uid.as_str()))
            .map(|(_, (_, pod))| Arc::clone(pod))
            .collect();
        bound.extend(extra);
        let mut fit = Resources::default();
        let mut non_zero = Resources::default();
        for pod in &bound {
            fit = fit.add(resources::pod_requests(pod, false));
            non_zero = non_zero.add(resources::pod_requests(pod, true));
        }
        (
            fit,
            non_zero,
            i64::try_from(bound.len()).unwrap_or(i64::MAX),
        )
    }

    async fn schedule_one(&mut self, key: ObjectKey) {
        let Some(pod) = self.pods.get(key.namespace.as_deref(), &key.name) else {
            self.queue.remove(&key);
            return;
        };
        if !self.responsible(&pod) {
            self.queue.remove(&key);
            return;
        }
        let mut nodes = self.nodes.list();
        nodes.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        let pod_name = format!("{}/{}", key.namespace.as_deref().unwrap_or(""), key.name);
        let claims = match self.volumes.claims(&pod) {
            Ok(claims) => claims,
            Err(reason) => {
                let message = format!("0/{} nodes are available: {reason}.", nodes.len());
                self.unschedulable(key, &pod, &pod_name, message).await;
                return;
            }
        };
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut best: Option<(i64, String)> = None;
        for node in &nodes {
            let name = node.metadata.name.clone().unwrap_or_default();
            let (used, used_non_zero, count) = self.usage(&name);
            let mut failed = filter::reasons(&pod, node, used, count);
            if failed.is_empty() {
                failed = self.volumes.reasons(&claims, node);
            }
            if !failed.is_empty() {
                for reason in failed {
                    *reasons.entry(reason).or_default() += 1;
                }
                continue;
            }
            let score = least_allocated(&pod, node, used_non_zero);
            // The highest score wins; among equals the first by name (kube-scheduler picks
            // one at random, which makes its choices harder to test and to explain).
            if best.as_ref().is_none_or(|(top, _)| score > *top) {
                best = Some((score, name));
            }
        }
        let Some((_, node)) = best else {
            let message = filter::fit_error(nodes.len(), &reasons);
            self.unschedulable(key, &pod, &pod_name, message).await;
            return;
        };
        if !claims.waiting.is_empty() {
            // PreBind: ask for the claims' volumes on the node, bind once they are bound
            for claim in &claims.waiting {
                self.select_node(claim, &node).await;
            }
            println!("{pod_name} waits for its claims to be bound on {node}");
            self.queue.failed(key, false, Instant::now());
            return;
        }
        let pods = self
            .client
            .pods(key.namespace.as_deref().unwrap_or("default"));
        match pods.bind(&key.name, &node, &PostParams::default()).await {
            Ok(_) => {
                if let Some(uid) = &pod.metadata.uid {
                    self.assumed
                        .insert(uid.clone(), (node.clone(), Arc::clone(&pod)));
                }
                self.queue.remove(&key);
                println!("bound {pod_name} to {node}");
                self.recorder.record(
                    NewEvent::normal(reference_to(&*pod), "Scheduled", "Binding")
                        .note(format!("Successfully assigned {pod_name} to {node}")),
                );
            }
            // Bound by someone else, or gone: nothing left to do.
            Err(err) if err.is_conflict() || err.is_not_found() => {
                println!("{pod_name} was bound or deleted meanwhile: {err}");
                self.queue.remove(&key);
            }
            Err(err) => {
                eprintln!("binding {pod_name} to {node} failed, retrying: {err}");
                self.queue.failed(key, false, Instant::now());
            }
        }
    }
}

impl Scheduler {
    /// Reports the pod unschedulable and waits for the cluster to change.
    async fn unschedulable(&mut self, key: ObjectKey, pod: &Pod, pod_name: &str, message: String) {
        println!("{pod_name} is unschedulable: {message}");
        self.recorder.record(
            NewEvent::warning(reference_to(pod), "FailedScheduling", "Scheduling")
                .note(message.clone()),
        );
        self.mark_unschedulable(pod, &message).await;
        self.queue.failed(key, true, Instant::now());
    }

    /// Annotates `claim` with the chosen node (once), for the volume binder.
    async fn select_node(&self, claim: &PersistentVolumeClaim, node: &str) {
        let annotations = claim.metadata.annotations.as_ref();
        if annotations
            .and_then(|a| a.get(SELECTED_NODE))
            .map(String::as_str)
            == Some(node)
        {
            return;
        }
        let namespace = claim.metadata.namespace.as_deref().unwrap_or("default");
        let name = claim.metadata.name.as_deref().unwrap_or("");
        let patch = serde_json::json!({"metadata": {"annotations": {SELECTED_NODE: node}}});
        let written = self
            .client
            .persistent_volume_claims(namespace)
            .patch(name, &PatchParams::default(), &Patch::Merge(patch))
            .await;
        if let Err(err) = written {
            eprintln!("could not select node {node} for claim {namespace}/{name}: {err}");
        }
    }

    /// Sets the pod's `PodScheduled` condition to `False`/`Unschedulable` with the message,
    /// as kube-scheduler does (what `kubectl get pods` and cluster autoscalers read); only
    /// when it changed, so retries do not write. A failure is logged: the Event has the news.
    async fn mark_unschedulable(&self, pod: &Pod, message: &str) {
        let current = pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"));
        if current.is_some_and(|c| {
            c.status == "False"
                && c.reason.as_deref() == Some("Unschedulable")
                && c.message.as_deref() == Some(message)
        }) {
            return;
        }
        let now = now();
        let patch = serde_json::json!({"status": {"conditions": [{
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": message,
            "lastTransitionTime": now,
        }]}});
        let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
        let name = pod.metadata.name.as_deref().unwrap_or("");
        let written = self
            .client
            .pods(namespace)
            .patch_status(name, &PatchParams::default(), &Patch::Strategic(patch))
            .await;
        if let Err(err) = written {
            eprintln!("could not set the PodScheduled condition of {namespace}/{name}: {err}");
        }
    }
}

/// The current time as RFC 3339 seconds (a condition's `lastTransitionTime`).
fn now() -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now())
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// kube-scheduler's NodeResourcesLeastAllocated score (0..=100): for CPU and memory, weight 1
/// each, `(allocatable - requested) * 100 / allocatable`, requested counting this pod, with
/// the non-zero defaults for containers that request nothing.
fn least_allocated(pod: &Pod, node: &Node, used: Resources) -> i64 {
    let (allocatable, _) = resources::allocatable(node);
    let requested = used.add(resources::pod_requests(pod, true));
    let score = |requested: i64, capacity: i64| {
        if capacity == 0 || requested > capacity {
            0
        } else {
            (capacity - requested) * 100 / capacity
        }
    };
    (score(requested.milli_cpu, allocatable.milli_cpu)
        + score(requested.memory, allocatable.memory))
        / 2
}
