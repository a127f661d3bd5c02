//! The election against the test server, in real time: contenders as tasks, and as separate
//! processes (this test binary run again with a filter).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Namespace;
use kubeset_clientset::{Client, PostParams};
use kubeset_config::Config;
use kubeset_config::kubeconfig::Overrides;
use kubeset_testserver::TestServer;
use tokio::time::{Instant, sleep};

use crate::leader::{LeaderElectionConfig, LeaderElector, LeaderHandle};

/// A test server, an admin client for it and its kubeconfig file.
pub(crate) struct Cluster {
    pub(crate) server: TestServer,
    pub(crate) client: Client,
    pub(crate) dir: tempfile::TempDir,
}

impl Cluster {
    pub(crate) fn kubeconfig(&self) -> std::path::PathBuf {
        self.dir.path().join("config")
    }
}

/// An admin client for the kubeconfig at `path`, as kubectl would resolve it.
pub(crate) fn client_for(path: &Path) -> Client {
    let env: BTreeMap<&str, &str> = BTreeMap::new();
    let config = Config::from_kubeconfig_with(Some(path), &env, &Overrides::default()).unwrap();
    Client::new(config).unwrap()
}

/// Starts a test server with namespace `ns`.
pub(crate) async fn cluster(ns: &str) -> Cluster {
    let server = TestServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    server.write_kubeconfig(&dir.path().join("config")).unwrap();
    let client = client_for(&dir.path().join("config"));
    let mut namespace = Namespace::default();
    namespace.metadata.name = Some(ns.to_owned());
    client
        .namespaces()
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    Cluster {
        server,
        client,
        dir,
    }
}

/// Short timings for real time: 2 s lease, 1 s renew deadline, 200 ms retries.
fn fast() -> LeaderElectionConfig {
    LeaderElectionConfig::default()
        .lease_duration(Duration::from_secs(2))
        .renew_deadline(Duration::from_secs(1))
        .retry_period(Duration::from_millis(200))
}

const NS: &str = "election";
const LEASE: &str = "lock";

struct Contender {
    id: String,
    handle: Option<LeaderHandle>,
}

fn spawn(client: &Client, id: &str) -> Contender {
    let elector = LeaderElector::new(client.leases(NS), LEASE, id, fast()).unwrap();
    Contender {
        id: id.to_owned(),
        handle: Some(elector.spawn()),
    }
}

/// The contender that believes it leads. The beliefs are sampled one after the other, so a
/// sampling pass that took long (the thread was descheduled) is discarded: two beliefs seen
/// within 100 ms, far below the 1 s margin, count as one instant.
fn leader(contenders: &[Contender]) -> Option<usize> {
    loop {
        let start = std::time::Instant::now();
        let leading: Vec<_> = contenders
            .iter()
            .enumerate()
            .filter(|(_, c)| c.handle.as_ref().is_some_and(LeaderHandle::is_leader))
            .map(|(i, _)| i)
            .collect();
        if start.elapsed() < Duration::from_millis(100) {
            assert!(leading.len() <= 1, "two leaders at once: {leading:?}");
            return leading.first().copied();
        }
    }
}

/// Polls (every 2 ms, checking that at most one leads) until `cond`, at most `limit`.
async fn poll_until(
    contenders: &[Contender],
    limit: Duration,
    cond: impl Fn(Option<usize>) -> bool,
) {
    let deadline = Instant::now() + limit;
    loop {
        if cond(leader(contenders)) {
            return;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}");
        sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_contenders_on_the_test_server_take_turns_and_never_overlap() {
    let cluster = cluster(NS).await;
    let mut contenders: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|id| spawn(&cluster.client, id))
        .collect();
    poll_until(&contenders, Duration::from_secs(20), |l| l.is_some()).await;

    // Killed: the handle is dropped without releasing.
    let killed = leader(&contenders).unwrap();
    contenders[killed].handle = None;
    poll_until(&contenders, Duration::from_secs(20), |l| l.is_some()).await;
    let second = leader(&contenders).unwrap();
    assert_ne!(second, killed);

    // Released: the successor takes over on its next try.
    let handle = contenders[second].handle.take().unwrap();
    handle.release().await.unwrap();
    poll_until(&contenders, Duration::from_secs(20), |l| l.is_some()).await;
    let third = leader(&contenders).unwrap();
    assert!(third != second && third != killed);

    // The API server fails every request for a while: the leader may lose its term, but no
    // one leads while another still believes it does, and leadership comes back.
    contenders.push(spawn(&cluster.client, "d"));
    cluster.server.faults().fail_next(40, 503);
    let until = Instant::now() + Duration::from_secs(3);
    poll_until(&contenders, Duration::from_secs(4), |_| {
        Instant::now() >= until
    })
    .await;
    // Leadership comes back and the Lease names the contender that believes it leads. Some of
    // the 40 failures may still be unspent, so a term can end again on the way: poll.
    let deadline = Instant::now() + Duration::from_secs(20);
    let spec = loop {
        poll_until(&contenders, Duration::from_secs(20), |l| l.is_some()).await;
        let lease = cluster.client.leases(NS).get(LEASE).await;
        if let (Ok(lease), Some(now)) = (lease, leader(&contenders)) {
            let spec = lease.spec.unwrap_or_default();
            if spec.holder_identity.as_deref() == Some(contenders[now].id.as_str()) {
                break spec;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the Lease never named the leader"
        );
        sleep(Duration::from_millis(50)).await;
    };
    assert!(
        spec.lease_transitions.unwrap() >= 2,
        "{:?}",
        spec.lease_transitions
    );
    assert_eq!(spec.lease_duration_seconds, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_with_a_serviceaccount_token_keeps_its_term_across_a_token_rotation() {
    use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};

    let cluster = cluster(NS).await;
    // The pod's ServiceAccount may use Leases in its namespace, nothing more.
    let mut role = Role::default();
    role.metadata.name = Some("leader".into());
    role.rules = Some(vec![PolicyRule {
        api_groups: Some(vec!["coordination.k8s.io".into()]),
        resources: Some(vec!["leases".into()]),
        verbs: vec!["get".into(), "create".into(), "update".into()],
        ..PolicyRule::default()
    }]);
    kubeset_clientset::Api::<Role>::namespaced(cluster.client.clone(), NS)
        .create(&PostParams::default(), &role)
        .await
        .unwrap();
    let mut binding = RoleBinding::default();
    binding.metadata.name = Some("leader".into());
    binding.role_ref = RoleRef {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: "Role".into(),
        name: "leader".into(),
    };
    binding.subjects = Some(vec![Subject {
        kind: "ServiceAccount".into(),
        name: "default".into(),
        namespace: Some(NS.into()),
        ..Subject::default()
    }]);
    kubeset_clientset::Api::<RoleBinding>::namespaced(cluster.client.clone(), NS)
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();

    let mut pod = cluster
        .server
        .service_account_env(NS, "default")
        .await
        .unwrap();
    let env = BTreeMap::from([
        ("KUBERNETES_SERVICE_HOST", pod.service_host().to_owned()),
        ("KUBERNETES_SERVICE_PORT", pod.service_port().to_owned()),
    ]);
    let config = kubeset_config::incluster::load_from(&env, pod.dir()).unwrap();
    let client = Client::new(config).unwrap();
    let timings = LeaderElectionConfig::default()
        .lease_duration(Duration::from_secs(6))
        .renew_deadline(Duration::from_secs(4))
        .retry_period(Duration::from_millis(300));
    let handle = LeaderElector::new(client.leases(NS), LEASE, "pod-0", timings)
        .unwrap()
        .spawn();
    let term = tokio::time::timeout(Duration::from_secs(20), handle.acquired())
        .await
        .unwrap()
        .unwrap();

    // Every token issued so far is refused; the kubelet writes a fresh one a second later
    // (the server accepts tokens issued from the next second on).
    cluster.server.faults().expire_tokens();
    sleep(Duration::from_millis(1_100)).await;
    pod.rotate_token().unwrap();
    let rotated_at = k8s_openapi::jiff::Timestamp::now();

    // The leader renews with the new token, within the same term.
    let leases = cluster.client.leases(NS);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let spec = leases.get(LEASE).await.unwrap().spec.unwrap();
        if spec.renew_time.is_some_and(|t| t.0 > rotated_at) {
            assert_eq!(spec.holder_identity.as_deref(), Some("pod-0"));
            break;
        }
        assert!(Instant::now() < deadline, "no renewal after the rotation");
        sleep(Duration::from_millis(50)).await;
    }
    assert!(term.is_held(), "the term ended across the rotation");
    assert_eq!(term.term(), 1);
}

/// Where a child contender process finds its cluster, identity and lifetime.
const CHILD_ENV: &str = "KUBESET_RUNTIME_LEADER_CHILD";

/// The entry point of a contender process spawned by
/// `contenders_in_separate_processes_never_overlap`: it does nothing unless that test started
/// this binary with `KUBESET_RUNTIME_LEADER_CHILD=<kubeconfig>,<identity>,<seconds>`. It
/// campaigns, prints `lead <start> <end>` (Unix nanoseconds) for each term it believed it
/// led, and releases the lease at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_contender_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.split(',');
    let (Some(path), Some(id), Some(seconds)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("bad {CHILD_ENV}: {spec}");
    };
    let client = client_for(Path::new(path));
    let handle = LeaderElector::new(client.leases(NS), LEASE, id, fast())
        .unwrap()
        .spawn();
    let end = Instant::now() + Duration::from_secs(seconds.parse().unwrap());
    // A term is reported from the end of the first check that saw it believed to the start of
    // the last one: inside the true belief, whatever the scheduling delays, so a reported
    // overlap is a real one. Open terms are reported every 10 ms, for a killed process.
    let mut term: Option<(u128, u128)> = None;
    let mut reported = 0;
    while Instant::now() < end {
        let before = unix_nanos();
        let leading = handle.is_leader();
        let after = unix_nanos();
        term = match (leading, term) {
            (true, None) => Some((after, after)),
            (true, Some((start, _))) => Some((start, before)),
            (false, Some((start, last))) => {
                println!("lead {start} {last}");
                None
            }
            (false, None) => None,
        };
        if let Some((start, last)) = term
            && last >= reported + 10_000_000
        {
            println!("lead-open {start} {last}");
            reported = last;
        }
        sleep(Duration::from_millis(1)).await;
    }
    if let Some((start, last)) = term {
        println!("lead {start} {last}");
    }
    // Under the parent's 503 storm the release may fail; the lease then expires instead.
    if let Err(err) = handle.release().await {
        eprintln!("release failed: {err}");
    }
}

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contenders_in_separate_processes_never_overlap() {
    let cluster = cluster(NS).await;
    let exe = std::env::current_exe().unwrap();
    let kubeconfig = cluster.kubeconfig();
    let spawn_child = |id: &str, seconds: u64| {
        std::process::Command::new(&exe)
            .args([
                "--exact",
                "leader::tests::server::child_contender_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                CHILD_ENV,
                format!("{},{id},{seconds}", kubeconfig.display()),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut children: Vec<_> = ["p1", "p2", "p3"]
        .iter()
        .map(|id| (id.to_string(), spawn_child(id, 12)))
        .collect();
    let leases = cluster.client.leases(NS);
    let spec = || async {
        leases
            .get_opt(LEASE)
            .await
            .unwrap()
            .and_then(|l| l.spec)
            .unwrap_or_default()
    };
    let holder = || async { spec().await.holder_identity.filter(|h| !h.is_empty()) };
    // Kill the first leader's process (no release) once it has renewed (so it has seen itself
    // lead and said so), and wait for another to take over.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (first, acquired) = loop {
        let current = spec().await;
        if let Some(h) = current.holder_identity.clone().filter(|h| !h.is_empty()) {
            break (h, current.renew_time);
        }
        assert!(Instant::now() < deadline, "nobody took the lease");
        sleep(Duration::from_millis(20)).await;
    };
    loop {
        let current = spec().await;
        if current.holder_identity.as_deref() == Some(first.as_str())
            && current.renew_time != acquired
        {
            break;
        }
        assert!(Instant::now() < deadline, "{first} never renewed");
        sleep(Duration::from_millis(20)).await;
    }
    let index = children.iter().position(|(id, _)| *id == first).unwrap();
    let (_, mut victim) = children.remove(index);
    victim.kill().unwrap();
    let victim_out = victim.wait_with_output().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if holder().await.is_some_and(|h| h != first) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "nobody took over from the killed process"
        );
        sleep(Duration::from_millis(20)).await;
    }
    // A storm of 503s: the leader may lose its term while the others wait.
    cluster.server.faults().fail_next(30, 503);
    // The others run out their time and release.
    let mut intervals = terms(&first, &String::from_utf8_lossy(&victim_out.stdout));
    for (id, child) in children {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        assert!(out.status.success(), "{id} failed");
        intervals.extend(terms(&id, &String::from_utf8_lossy(&out.stdout)));
    }
    intervals.sort_by_key(|(_, start, _)| *start);
    assert!(
        intervals.len() >= 2,
        "leadership never moved: {intervals:?}; the killed {first} said {:?}",
        String::from_utf8_lossy(&victim_out.stdout)
    );
    for pair in intervals.windows(2) {
        let ((a, _, a_end), (b, b_start, _)) = (&pair[0], &pair[1]);
        assert!(a_end <= b_start, "{a} and {b} led at once: {intervals:?}");
    }
}

/// The terms a child reported: `(identity, start, end)`, including one still open when it was
/// killed (as far as it was reported).
fn terms(id: &str, out: &str) -> Vec<(String, u128, u128)> {
    let mut terms = Vec::new();
    let mut open = None;
    for line in out.lines() {
        // The harness may have printed the test's name on the same line.
        let words: Vec<_> = line.split_whitespace().collect();
        let from = words
            .iter()
            .position(|w| *w == "lead" || *w == "lead-open")
            .unwrap_or(words.len());
        match &words[from..] {
            ["lead-open", start, last] => {
                open = Some((start.parse().unwrap(), last.parse().unwrap()))
            }
            ["lead", start, end] => {
                terms.push((id.to_owned(), start.parse().unwrap(), end.parse().unwrap()));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((start, last)) = open {
        terms.push((id.to_owned(), start, last));
    }
    // A term seen by one check only has no known extent.
    terms.retain(|(_, start, end)| start <= end);
    terms
}
