//! Exec credential plugins, driven by small shell scripts.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::StatusCode;
use kubeset_config::{Config, ExecConfig, InteractiveMode, Material};
use kubeset_transport::TransportOptions;

use crate::support::{Ca, Server, ServerTls, get, json, ok, write};

/// Writes an executable script that logs each run to `runs` and prints `body` (a shell
/// here-document, so `$n` is the run number).
fn plugin(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let runs = dir.join(format!("{name}.runs"));
    let script = format!(
        "#!/bin/sh\necho run >> '{runs}'\nn=$(wc -l < '{runs}' | tr -d ' ')\ncat <<EOF\n{body}\nEOF\n",
        runs = runs.display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn runs(dir: &Path, name: &str) -> usize {
    std::fs::read_to_string(dir.join(format!("{name}.runs")))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn connect(server: &Server, plugin: ExecConfig) -> kubeset_transport::BoxService {
    let mut options = TransportOptions::default();
    options.exec = Some(plugin);
    kubeset_transport::connect_with(&Config::new(server.url()), &options).unwrap()
}

/// A plugin speaking `api_version`, never given the terminal (so runs do not depend on how
/// the tests were started).
fn exec(api_version: &str, command: &str) -> ExecConfig {
    let mut plugin = ExecConfig::new(api_version, command);
    plugin.interactive_mode = InteractiveMode::Never;
    plugin
}

fn v1(command: &Path) -> ExecConfig {
    exec(
        "client.authentication.k8s.io/v1",
        &command.display().to_string(),
    )
}

const TOKEN: &str = r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-$n"}}"#;

#[tokio::test]
async fn the_plugin_runs_once_for_all_clients_built_from_one_config() {
    let dir = tempfile::tempdir().unwrap();
    let command = plugin(dir.path(), "once", TOKEN);
    let server = Server::start(None, ok()).await;
    let first = connect(&server, v1(&command));
    let second = connect(&server, v1(&command));
    assert_eq!(
        runs(dir.path(), "once"),
        0,
        "building a client runs nothing"
    );
    let requests = (0..10).map(|i| {
        let service = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tokio::spawn(async move { get(&service, "/").await.map(|_| ()) })
    });
    for request in requests {
        request.await.unwrap().unwrap();
    }
    assert_eq!(runs(dir.path(), "once"), 1);
    assert!(
        server
            .seen()
            .iter()
            .all(|s| s.header("authorization") == Some("Bearer tok-1"))
    );
}

fn expiring_in(secs: u64) -> String {
    let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs as i64);
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn the_plugin_runs_again_after_expiry_and_not_before() {
    let dir = tempfile::tempdir().unwrap();
    // The expiry is read from a file the test controls, so no clock race decides the outcome.
    let expiry = write(dir.path(), "expiry", &expiring_in(3600));
    let body = format!(
        r#"{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"tok-$n","expirationTimestamp":"$(cat '{}')"}}}}"#,
        expiry.display()
    );
    let command = plugin(dir.path(), "expiring", &body);
    let server = Server::start(None, ok()).await;
    let service = connect(&server, v1(&command));
    get(&service, "/").await.unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(
        runs(dir.path(), "expiring"),
        1,
        "valid credentials are reused"
    );

    // The next credential expires at once; the one after that is valid again.
    write(dir.path(), "expiry", "2000-01-01T00:00:00Z");
    let mut plugin_cfg = v1(&command);
    plugin_cfg.args = vec!["again".into()]; // a separate cache entry for this phase
    let service = connect(&server, plugin_cfg);
    get(&service, "/").await.unwrap();
    write(dir.path(), "expiry", &expiring_in(3600));
    get(&service, "/").await.unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(
        runs(dir.path(), "expiring"),
        3,
        "expired credentials are renewed once"
    );
    let auth: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        auth,
        [
            "Bearer tok-1",
            "Bearer tok-1",
            "Bearer tok-2",
            "Bearer tok-3",
            "Bearer tok-3"
        ]
    );
}

#[tokio::test]
async fn a_401_runs_the_plugin_again_and_retries() {
    let dir = tempfile::tempdir().unwrap();
    let command = plugin(dir.path(), "rotating", TOKEN);
    let server = Server::start(
        None,
        Arc::new(|seen| match seen.header("authorization") {
            Some("Bearer tok-1") => json(StatusCode::UNAUTHORIZED, "{}"),
            _ => json(StatusCode::OK, "{}"),
        }),
    )
    .await;
    let service = connect(&server, v1(&command));
    let (response, _) = get(&service, "/").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(runs(dir.path(), "rotating"), 2);
    get(&service, "/").await.unwrap();
    assert_eq!(runs(dir.path(), "rotating"), 2);
}

#[tokio::test]
async fn a_missing_command_reports_the_install_hint() {
    let server = Server::start(None, ok()).await;
    let mut plugin = exec(
        "client.authentication.k8s.io/v1beta1",
        "kubeset-no-such-plugin",
    );
    plugin.install_hint = Some("Install it with: brew install kubeset-no-such-plugin".into());
    let service = connect(&server, plugin);
    let err = get(&service, "/").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "exec plugin \"kubeset-no-such-plugin\" was not found\nInstall it with: brew install kubeset-no-such-plugin"
    );
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn the_plugin_gets_its_args_env_and_cluster_info() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"$1-$GREETING"}}"#;
    let command = plugin(dir.path(), "info", body);
    // Also record the exec info the plugin received.
    let info_file = dir.path().join("info.json");
    let script = std::fs::read_to_string(&command).unwrap().replacen(
        "#!/bin/sh\n",
        &format!(
            "#!/bin/sh\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > '{}'\n",
            info_file.display()
        ),
        1,
    );
    std::fs::write(&command, script).unwrap();
    let server = Server::start(None, ok()).await;
    let mut plugin = exec(
        "client.authentication.k8s.io/v1beta1",
        &command.display().to_string(),
    );
    plugin.args = vec!["arg".into()];
    plugin.env = vec![("GREETING".into(), "hello".into())];
    plugin.provide_cluster_info = true;
    plugin.cluster = Some(serde_json::json!({"server": "https://127.0.0.1:6443"}));
    let service = connect(&server, plugin);
    get(&service, "/").await.unwrap();
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Bearer arg-hello")
    );
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(info_file).unwrap()).unwrap();
    assert_eq!(
        info,
        serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "kind": "ExecCredential",
            "spec": {"interactive": false, "cluster": {"server": "https://127.0.0.1:6443"}},
        })
    );
}

#[tokio::test]
async fn a_plugin_failure_or_bad_output_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(None, ok()).await;
    let broken = plugin(dir.path(), "broken", "not json");
    let err = get(&connect(&server, v1(&broken)), "/").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("printed an invalid ExecCredential"),
        "{err}"
    );

    let half = plugin(
        dir.path(),
        "half",
        r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"x"}}"#,
    );
    let err = get(&connect(&server, v1(&half)), "/").await.unwrap_err();
    assert!(
        err.to_string().contains("only a client certificate or key"),
        "{err}"
    );

    let failing = dir.path().join("failing");
    std::fs::write(&failing, "#!/bin/sh\nexit 3\n").unwrap();
    std::fs::set_permissions(&failing, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = get(&connect(&server, v1(&failing)), "/").await.unwrap_err();
    assert!(
        err.to_string().contains("failed with exit status: 3"),
        "{err}"
    );
}

#[tokio::test]
async fn client_certificates_from_the_plugin_are_presented() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let mut tls = ServerTls::h2(ca.server(&["127.0.0.1"]));
    tls.client_ca = Some(ca.cert_pem.clone());
    let server = Server::start(Some(tls), ok()).await;
    let leaf = ca.client_leaf("exec-user");
    let credential = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"clientCertificateData": leaf.cert_pem, "clientKeyData": leaf.key_pem},
    });
    let command = plugin(dir.path(), "certs", &credential.to_string());
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path));
    let mut options = TransportOptions::default();
    options.exec = Some(v1(&command));
    let service = kubeset_transport::connect_with(&config, &options).unwrap();
    get(&service, "/").await.unwrap();
    let seen = &server.seen()[0];
    assert!(seen.client_cert.is_some());
    assert_eq!(seen.header("authorization"), None);
}

#[tokio::test]
async fn a_renewed_plugin_certificate_is_used_on_new_connections_without_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let mut tls = ServerTls::h2(ca.server(&["127.0.0.1"]));
    tls.client_ca = Some(ca.cert_pem.clone());
    let server = Server::start(Some(tls), ok()).await;
    let leaves = [ca.client_leaf("first"), ca.client_leaf("second")];
    for (i, (leaf, expiry)) in leaves
        .iter()
        .zip(["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"])
        .enumerate()
    {
        let credential = serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "status": {
                "clientCertificateData": leaf.cert_pem,
                "clientKeyData": leaf.key_pem,
                "expirationTimestamp": expiry,
            },
        });
        write(
            dir.path(),
            &format!("cred-{}.json", i + 1),
            &credential.to_string(),
        );
    }
    let body = format!("$(cat '{}'/cred-$n.json)", dir.path().display());
    let command = plugin(dir.path(), "renewing", &body);
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path));
    let mut options = TransportOptions::default();
    options.exec = Some(v1(&command));
    let service = kubeset_transport::connect_with(&config, &options).unwrap();
    get(&service, "/").await.unwrap();
    get(&service, "/").await.unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(runs(dir.path(), "renewing"), 2);
    let der = |pem: &str| {
        use rustls::pki_types::pem::PemObject as _;
        rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
            .unwrap()
            .to_vec()
    };
    let presented: Vec<_> = server.seen().into_iter().map(|s| s.client_cert).collect();
    assert_eq!(
        presented,
        [
            Some(der(&leaves[0].cert_pem)),
            Some(der(&leaves[1].cert_pem)),
            Some(der(&leaves[1].cert_pem)),
        ]
    );
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn interactive_mode_always_needs_a_terminal() {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        return; // Run by hand in a terminal: the plugin would get it.
    }
    let dir = tempfile::tempdir().unwrap();
    let command = plugin(dir.path(), "interactive", TOKEN);
    let server = Server::start(None, ok()).await;
    let mut plugin = v1(&command);
    plugin.interactive_mode = InteractiveMode::Always;
    let err = get(&connect(&server, plugin), "/").await.unwrap_err();
    assert!(
        err.to_string().contains("needs an interactive terminal"),
        "{err}"
    );
    assert_eq!(runs(dir.path(), "interactive"), 0);
}

#[tokio::test]
async fn the_configs_own_plugin_runs_unless_the_config_has_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let command = plugin(dir.path(), "from-config", TOKEN);
    let server = Server::start(None, ok()).await;
    let mut config = Config::new(server.url());
    config.auth.exec = Some(v1(&command));
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Bearer tok-1")
    );

    config.auth.bearer = Some(kubeset_config::BearerToken::Static(
        kubeset_config::Secret::new("static".into()),
    ));
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(
        server.seen()[1].header("authorization"),
        Some("Bearer static")
    );
    assert_eq!(runs(dir.path(), "from-config"), 1);
}
