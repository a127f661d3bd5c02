//! Least privilege from evidence: the provisioner's rules derived from the test server's
//! audit log, next to what its manifests grant (kubeset-audit).

use std::time::Duration;

use kubeset_audit::{Comparison, DeriveOptions, Policy, Usage, describe_rule, parse_log};
use kubeset_testserver::TestServer;

use crate::demo::cluster::Cluster;
use crate::demo::process::workspace_root;
use crate::demo::{DemoError, narrate, title};

const USER: &str = "system:serviceaccount:local-storage:local-storage-admin";
const MANIFESTS: &str = "examples/deploy/local_provisioner";

pub(crate) async fn run(cluster: &Cluster, step: usize) -> Result<(), DemoError> {
    title(
        step,
        "least privilege from evidence: the provisioner's RBAC, derived from the audit log",
    );
    let Some(server) = &cluster.server else {
        narrate("(needs the API server's audit log: run against the in-process test server)");
        return Ok(());
    };
    let mut policy = Policy::bootstrap();
    policy.merge(
        Policy::read(&workspace_root().join(MANIFESTS))
            .map_err(|e| DemoError::msg(format!("cannot read {MANIFESTS}: {e}")))?,
    );
    // a stopped daemon's watches are logged as they end: give them a moment
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let (usage, comparison) = loop {
        let usage = usage(server)?;
        let comparison = usage.compare(&policy);
        if comparison.too_much().next().is_none() || tokio::time::Instant::now() > deadline {
            break (usage, comparison);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let derived = usage.derive(&DeriveOptions::default());
    narrate(&format!(
        "what {USER} did ({} distinct requests) needs:",
        usage.allowed.len() + usage.denied.len()
    ));
    let roles = derived
        .cluster_role
        .iter()
        .map(|(r, _)| ("ClusterRole".to_owned(), r.rules.clone()))
        .chain(derived.roles.iter().map(|(r, _)| {
            let ns = r.metadata.namespace.clone().unwrap_or_default();
            (format!("Role in {ns}"), r.rules.clone())
        }));
    for (kind, rules) in roles {
        for rule in rules.unwrap_or_default() {
            narrate(&format!("  {kind}: {}", describe_rule(&rule)));
        }
    }
    narrate(&format!(
        "{MANIFESTS} grants it system:persistent-volume-provisioner (bootstrap) and get on nodes:"
    ));
    print_comparison(&comparison);
    Ok(())
}

fn usage(server: &TestServer) -> Result<Usage, DemoError> {
    let mut log = String::new();
    for event in server.audit_events() {
        log.push_str(&serde_json::to_string(&event)?);
        log.push('\n');
    }
    let events = parse_log(&log).map_err(|e| DemoError::msg(format!("audit log: {e}")))?;
    Ok(Usage::of(&events, USER))
}

fn print_comparison(comparison: &Comparison) {
    if comparison.missing.is_empty() {
        narrate("  every request granted (nothing too little)");
    }
    for missing in &comparison.missing {
        narrate(&format!("  NOT GRANTED: {missing}"));
    }
    let too_much: Vec<_> = comparison.too_much().collect();
    if too_much.is_empty() {
        narrate("  no rule of its own roles unused (nothing too much)");
    }
    for unused in too_much {
        narrate(&format!("  UNUSED: {unused}"));
    }
    let bootstrap = comparison.unused.iter().filter(|u| {
        u.source.bootstrap && u.source.role == "ClusterRole/system:persistent-volume-provisioner"
    });
    for unused in bootstrap {
        narrate(&format!(
            "  never used, from the shared bootstrap role: {}",
            describe_rule(&unused.rule)
        ));
    }
}
