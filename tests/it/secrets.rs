//! No credential ever reaches a log line, a span field, a `Debug` print or an error message.
//!
//! One test drives representative client work with a TRACE subscriber that writes to memory
//! (scoped to this test's thread: the runtime is current-thread, so every client task logs
//! there): kubeconfig contexts with a client certificate, a bearer token, basic auth, an exec
//! plugin and a rejected token; requests that succeed, fail with 401 and 403, and are
//! retried after 503 and 429. Every captured line, every `Debug` print of the configs,
//! clients and errors, and every error's message chain is then searched for each secret.
//! Then kctl runs with `-v=9` and `-v=10` (kubectl's request log, bodies included) with each
//! credential kind, and its output is searched the same way.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, ServiceAccount};
use kubeset::clientset::{Api, Client, ListParams, PostParams, TokenParams};
use kubeset::config::Config;
use kubeset::config::kubeconfig::{Kubeconfig, Overrides};
use serde_json::{Value, json};
use tracing_subscriber::fmt::format::FmtSpan;

use kubeset_testserver::TestServer;

use crate::support::{no_env, test_server};

/// The test's admin client and namespace on its own server.
struct Private {
    client: Client,
    ns: String,
}

/// Every line the subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// An error with its whole `source()` chain and its `Debug` print.
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{err:?}\n{err}");
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!("\ncaused by: {cause}"));
        source = cause.source();
    }
    text
}

/// Checks that no secret appears in `text`, naming the first one found and where.
#[track_caller]
fn assert_clean(text: &str, secrets: &[(&str, String)], what: &str) {
    for (name, secret) in secrets {
        if let Some(at) = text.find(secret.as_str()) {
            let from = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let to = text[at..].find('\n').map_or(text.len(), |i| at + i);
            panic!("{name} leaked in {what}: {}", &text[from..to]);
        }
    }
}

#[tokio::test]
async fn no_credential_is_logged_printed_or_in_an_error() {
    if test_server().is_none() {
        return; // the faults and the exec plugin need the in-process server
    }
    // A server of its own: the 503s injected below would reach other tests' requests on the
    // shared one (their creates are not retried).
    let server = TestServer::start().await.unwrap();
    let admin_dir = tempfile::tempdir().unwrap();
    let admin_path = admin_dir.path().join("config");
    server.write_kubeconfig(&admin_path).unwrap();
    let admin_config =
        Config::from_kubeconfig_with(Some(&admin_path), &no_env(), &Overrides::default()).unwrap();
    let ctx = Private {
        client: Client::new(admin_config).unwrap(),
        ns: "secrets".to_owned(),
    };
    let namespace: Namespace =
        serde_json::from_value(json!({"metadata": {"name": ctx.ns}})).unwrap();
    ctx.client
        .namespaces()
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    let sa: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"name": "robot"}})).unwrap();
    let accounts = ctx.client.service_accounts(&ctx.ns);
    accounts.create(&PostParams::default(), &sa).await.unwrap();
    let params = TokenParams::default().expiration_seconds(3600);
    let token = accounts.create_token("robot", &params).await.unwrap();
    let token = token.token.expose().clone();
    let exec_token = accounts.create_token("robot", &params).await.unwrap();
    let exec_token = exec_token.token.expose().clone();
    assert_ne!(token, exec_token);

    // The kubeconfig: the admin's cluster and client certificate, plus one user per kind.
    let admin: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(&admin_path).unwrap()).unwrap();
    let admin_user = &admin["users"][0]["user"];
    let key_data = admin_user["client-key-data"].as_str().unwrap().to_owned();
    let key_pem = base64::engine::general_purpose::STANDARD
        .decode(&key_data)
        .unwrap();
    let key_pem = String::from_utf8(key_pem).unwrap();
    let password = String::from("pw-basic-auth-secret-7f3a9c");
    let rejected = String::from("rejected-token-secret-4be21d");
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("plugin.sh");
    let mut file = std::fs::File::create(&plugin).unwrap();
    writeln!(
        file,
        "#!/bin/sh\nprintf '%s' '{}'",
        json!({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
               "status": {"token": exec_token}})
    )
    .unwrap();
    drop(file);
    std::fs::set_permissions(&plugin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cluster = admin["clusters"][0].clone();
    let cluster_name = cluster["name"].as_str().unwrap().to_owned();
    let users = json!([
        {"name": "cert", "user": admin_user},
        {"name": "token", "user": {"token": token}},
        {"name": "basic", "user": {"username": "someone", "password": password}},
        {"name": "exec", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": plugin.to_str().unwrap(),
            "interactiveMode": "Never"}}},
        {"name": "rejected", "user": {"token": rejected}},
    ]);
    let contexts: Vec<Value> = ["cert", "token", "basic", "exec", "rejected"]
        .iter()
        .map(|u| json!({"name": u, "context": {"cluster": cluster_name, "user": u, "namespace": ctx.ns}}))
        .collect();
    let kubeconfig = json!({
        "apiVersion": "v1", "kind": "Config", "current-context": "cert",
        "clusters": [cluster], "users": users, "contexts": contexts,
    });
    let path = dir.path().join("config");
    std::fs::write(&path, kubeconfig.to_string()).unwrap();

    let basic_header =
        base64::engine::general_purpose::STANDARD.encode(format!("someone:{password}"));
    let mut secrets: Vec<(&str, String)> = vec![
        ("bearer token", token.clone()),
        (
            "bearer token signature",
            token.rsplit('.').next().unwrap().to_owned(),
        ),
        ("exec credential", exec_token.clone()),
        (
            "exec credential signature",
            exec_token.rsplit('.').next().unwrap().to_owned(),
        ),
        ("password", password.clone()),
        ("basic Authorization value", basic_header),
        ("rejected token", rejected.clone()),
        (
            "client key data",
            key_data[..64.min(key_data.len())].to_owned(),
        ),
    ];
    // Every full line of the key's base64 body.
    secrets.extend(
        key_pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 32)
            .map(|l| ("client key", l.to_owned())),
    );

    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let mut printed = String::new();

    let parsed = Kubeconfig::from_yaml(&kubeconfig.to_string(), &path).unwrap();
    printed.push_str(&format!("{parsed:?}\n{}\n", parsed.to_view_json(false)));
    let client_for = |context: &str| -> (Config, Client) {
        let config = Config::from_kubeconfig_with(
            Some(&path),
            &no_env(),
            &Overrides::default().context(context),
        )
        .unwrap();
        let client = Client::new(config.clone()).unwrap();
        (config, client)
    };
    let mut errors = Vec::new();

    // Client certificate: success, then retries after 503s and a 429.
    let (config, admin_client) = client_for("cert");
    printed.push_str(&format!(
        "{config:?}\n{:?}\n{admin_client:?}\n",
        config.provenance
    ));
    let cms = admin_client.config_maps(&ctx.ns);
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "c"}, "data": {"k": "v"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    server.faults().fail_next(2, 503);
    cms.list(&ListParams::default()).await.unwrap();
    server.faults().throttle_next(1, 1);
    cms.get("c").await.unwrap();

    // Bearer token of a ServiceAccount with no role: authenticated, then 403.
    let (config, client) = client_for("token");
    printed.push_str(&format!("{config:?}\n{client:?}\n"));
    client.whoami().await.unwrap();
    let err = client
        .pods(&ctx.ns)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(err.api().map(|a| a.code), Some(403), "{err}");
    errors.push(describe(&err));

    // Exec plugin: its token authenticates (then 403 like the token above).
    let (config, client) = client_for("exec");
    printed.push_str(&format!("{config:?}\n{client:?}\n"));
    let me = client.whoami().await.unwrap();
    assert!(
        me.username
            .as_deref()
            .is_some_and(|u| u.ends_with(":robot")),
        "{me:?}"
    );
    let err = Api::<Pod>::default_namespaced(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap_err();
    errors.push(describe(&err));

    // Basic auth (the test server takes no passwords: the request is anonymous, 403) and a
    // rejected token (401).
    for (context, code) in [("basic", 403), ("rejected", 401)] {
        let (config, client) = client_for(context);
        printed.push_str(&format!("{config:?}\n{client:?}\n"));
        let err = client.config_maps(&ctx.ns).get("c").await.unwrap_err();
        assert_eq!(err.api().map(|a| a.code), Some(code), "{context}: {err}");
        errors.push(describe(&err));
    }
    drop(guard);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture works: the requests above were logged at TRACE with their spans.
    assert!(log.contains("configmaps"), "nothing captured:\n{log}");
    assert!(log.lines().count() > 20, "too little captured:\n{log}");
    assert_clean(&log, &secrets, "the TRACE log");
    assert_clean(&printed, &secrets, "a Debug print");
    for err in &errors {
        assert_clean(err, &secrets, "an error");
    }

    // kctl -v=9 and -v=10 (kubectl's request log: every header, bodies, curl lines) with each
    // credential kind: the Authorization header is shown masked, and no secret at all.
    let mut shown = String::new();
    for (context, authorization) in [
        ("cert", None),
        ("token", Some("Authorization: Bearer <masked>")),
        ("basic", Some("Authorization: Basic <masked>")),
        ("exec", Some("Authorization: Bearer <masked>")),
        ("rejected", Some("Authorization: Bearer <masked>")),
    ] {
        for level in ["-v=9", "--v=10"] {
            let dir = tempfile::tempdir().unwrap();
            let args = [
                "--context",
                context,
                "-n",
                &ctx.ns,
                "get",
                "configmaps",
                "c",
                "-o",
                "json",
                level,
            ];
            // On a blocking thread: this test's runtime thread serves its own server.
            let run = {
                let (path, dir) = (path.clone(), dir.path().to_owned());
                let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
                tokio::task::spawn_blocking(move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    crate::kctl::run_in(crate::kctl::kctl_bin(), &path, &dir, &args, None)
                })
                .await
                .unwrap()
            };
            let what = format!("kctl {}:\n{}", args.join(" "), run.stderr);
            assert!(run.stderr.contains("] curl -v -XGET "), "{what}");
            assert!(run.stderr.contains("\"Response Body\" body="), "{what}");
            match authorization {
                Some(line) => assert!(run.stderr.contains(line), "{what}"),
                None => assert!(!run.stderr.contains("Authorization"), "{what}"),
            }
            shown.push_str(&run.stdout);
            shown.push_str(&run.stderr);
        }
    }
    assert_clean(&shown, &secrets, "kctl's -v log");
}
