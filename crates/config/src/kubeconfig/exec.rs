//! Exec credential plugins: validating `users[].user.exec` and the cluster information
//! (`spec.cluster` of the `ExecCredential`) a plugin with `provideClusterInfo` receives.

use std::path::Path;

use super::model::{AuthInfo, Cluster, ExecSpec};
use super::resolve::non_empty;
use super::view::resolve_against;
use crate::config::{ExecConfig, InteractiveMode};
use crate::error::{EntryRef, ResolveError};

const EXEC_V1: &str = "client.authentication.k8s.io/v1";
const EXEC_V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// Validates an exec entry as client-go does and resolves its command: a command containing
/// a `/` is relative to the kubeconfig's directory, a bare name is looked up on `PATH` later.
pub(super) fn exec_config(
    exec: &ExecSpec,
    user: &AuthInfo,
    entry: &EntryRef,
) -> Result<ExecConfig, ResolveError> {
    if exec.api_version != EXEC_V1 && exec.api_version != EXEC_V1BETA1 {
        return Err(ResolveError::ExecApiVersion {
            entry: entry.clone(),
            api_version: exec.api_version.clone(),
        });
    }
    if exec.command.is_empty() {
        return Err(ResolveError::ExecNoCommand {
            entry: entry.clone(),
        });
    }
    let interactive_mode = match exec.interactive_mode.as_str() {
        "Never" => InteractiveMode::Never,
        "IfAvailable" => InteractiveMode::IfAvailable,
        "Always" => InteractiveMode::Always,
        other => {
            return Err(ResolveError::ExecInteractiveMode {
                entry: entry.clone(),
                mode: other.to_string(),
            });
        }
    };
    let command = if !Path::new(&exec.command).is_absolute() && exec.command.contains('/') {
        resolve_against(&exec.command, user.origin.as_deref())
            .display()
            .to_string()
    } else {
        exec.command.clone()
    };
    let mut config = ExecConfig::new(exec.api_version.clone(), command);
    config.args = exec.args.clone().unwrap_or_default();
    config.env = exec
        .env
        .iter()
        .flatten()
        .map(|var| (var.name.clone(), var.value.clone()))
        .collect();
    config.install_hint = non_empty(&exec.install_hint);
    config.provide_cluster_info = exec.provide_cluster_info;
    config.interactive_mode = interactive_mode;
    Ok(config)
}

/// `spec.cluster` of the `ExecCredential` sent to a plugin with `provideClusterInfo`.
pub(super) fn exec_cluster_info(cluster: &Cluster, server: &str) -> serde_json::Value {
    let mut info = serde_json::Map::new();
    info.insert("server".into(), server.into());
    if !cluster.tls_server_name.is_empty() {
        info.insert(
            "tls-server-name".into(),
            cluster.tls_server_name.clone().into(),
        );
    }
    if cluster.insecure_skip_tls_verify {
        info.insert("insecure-skip-tls-verify".into(), true.into());
    }
    if !cluster.certificate_authority_data.is_empty() {
        info.insert(
            "certificate-authority-data".into(),
            super::wire::encode(&cluster.certificate_authority_data).into(),
        );
    }
    if !cluster.proxy_url.is_empty() {
        info.insert("proxy-url".into(), cluster.proxy_url.clone().into());
    }
    if cluster.disable_compression {
        info.insert("disable-compression".into(), true.into());
    }
    if let Some(config) = cluster.extensions.get("client.authentication.k8s.io/exec") {
        info.insert("config".into(), config.clone());
    }
    serde_json::Value::Object(info)
}
