//! Least privilege from evidence: what a daemon did (the test server's audit log) against what
//! its shipped manifests grant (plus the bootstrap roles they bind to). Exactly is the bar:
//! every request granted, no rule of the manifests' own roles unused.

use std::path::Path;
use std::time::{Duration, Instant};

use kubeset::audit::{Comparison, DeriveOptions, Policy, Usage, parse_log};
use kubeset_testserver::TestServer;

/// How long a daemon's last watches may take to end after it stopped (their events are
/// written when they end).
const SETTLE: Duration = Duration::from_secs(30);

/// Asserts that the manifests in `dir` (relative to the repository) grant `user` exactly what
/// it used on `server`. `renames` map the test's names back to the manifests' (a test's
/// namespace to `kubeset-system`), applied to the log's text. Polls until the daemon's
/// watches are recorded; prints the derived manifests and the bootstrap rules never used.
pub(crate) async fn assert_exactly_granted(
    server: &TestServer,
    user: &str,
    dir: &str,
    renames: &[(&str, &str)],
) -> Usage {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut policy = Policy::bootstrap();
    policy.merge(Policy::read(&dir).unwrap());
    let deadline = Instant::now() + SETTLE;
    loop {
        let usage = usage(server, user, renames);
        let comparison = usage.compare(&policy);
        let exact = !comparison.too_little() && comparison.too_much().next().is_none();
        if exact || Instant::now() > deadline {
            report(&usage, &comparison, &dir);
            assert!(
                exact,
                "{} grant {user}:\ntoo little: {:#?}\ntoo much:\n{}",
                dir.display(),
                comparison
                    .missing
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                comparison
                    .too_much()
                    .map(|u| format!("  {u}\n"))
                    .collect::<String>()
            );
            return usage;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The requests of `user` in the server's audit log, names mapped by `renames`.
fn usage(server: &TestServer, user: &str, renames: &[(&str, &str)]) -> Usage {
    let mut log = String::new();
    for event in server.audit_events() {
        log.push_str(&serde_json::to_string(&event).unwrap());
        log.push('\n');
    }
    for (from, to) in renames {
        log = log.replace(from, to);
    }
    Usage::of(&parse_log(&log).unwrap(), user)
}

fn report(usage: &Usage, comparison: &Comparison, dir: &Path) {
    let derived = usage.derive(&DeriveOptions::default());
    println!(
        "RBAC derived from the audit log of {}:\n{}",
        usage.user,
        derived.to_yaml().unwrap()
    );
    println!("bootstrap rules {} never used:", dir.display());
    for unused in comparison.unused.iter().filter(|u| u.source.bootstrap) {
        println!("  {unused}");
    }
}
