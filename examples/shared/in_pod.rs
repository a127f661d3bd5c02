//! What a daemon does before its work (shared by the `scheduler` and `controller` examples):
//! find the API server as a pod does, check that RBAC grants everything it needs, and wait
//! for SIGTERM.

use std::path::Path;

use kubeset::clientset::{Client, Permission};
use kubeset::config::kubeconfig::Overrides;
use kubeset::config::{Config, InClusterError, ProcessEnv, incluster};

/// In-cluster configuration from `dir` (the pod's ServiceAccount files); the kubeconfig only
/// when not in a pod (`KUBERNETES_SERVICE_HOST` unset). A pod with a broken identity fails.
pub(crate) fn config(dir: &Path) -> Result<Config, Box<dyn std::error::Error>> {
    match incluster::load_from(&ProcessEnv, dir) {
        Ok(config) => Ok(config),
        Err(not_in_pod @ InClusterError::NotInCluster { .. }) => {
            eprintln!("{not_in_pod}; using the kubeconfig");
            Ok(Config::from_kubeconfig(&Overrides::default())?)
        }
        Err(err) => Err(err.into()),
    }
}

/// The rules RBAC does not grant, each named with the Role rule that would allow it.
#[derive(Debug)]
pub(crate) struct MissingPermissions {
    /// Who asked.
    pub(crate) user: String,
    /// What is missing.
    pub(crate) missing: Vec<Permission>,
}

impl std::fmt::Display for MissingPermissions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} lacks {} permission(s):",
            self.user,
            self.missing.len()
        )?;
        for missing in &self.missing {
            write!(
                f,
                "\n  {missing}; a {} rule that allows it:\n{}",
                missing.role_kind(),
                indent(&missing.rule_yaml())
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for MissingPermissions {}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fails with every missing permission at once, before any work starts (a daemon that
/// discovers a missing rule at its first bind, minutes later, is much harder to debug).
pub(crate) async fn check_permissions(
    client: &Client,
    needed: &[Permission],
) -> Result<(), Box<dyn std::error::Error>> {
    let missing = client.missing_permissions(needed).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let user = match client.whoami().await {
        Ok(me) => me.username.unwrap_or_else(|| "<unknown user>".into()),
        Err(_) => "this client".into(),
    };
    Err(Box::new(MissingPermissions { user, missing }))
}

/// Resolves on SIGTERM (what the kubelet sends) or Ctrl-C.
pub(crate) async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Prints an error and each of its causes on a line of its own.
pub(crate) fn report(err: &dyn std::error::Error) {
    eprintln!("error: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}
