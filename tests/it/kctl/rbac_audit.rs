//! `kctl auth rbac-from-audit` on the audit log file of a private test server: a
//! ServiceAccount's requests (one denied) become manifests, and manifests compared with the log
//! say what is missing (exit status 1) until they grant it.

use std::path::Path;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kubeset::clientset::{Client, ListParams, PostParams, TokenParams};
use kubeset::config::kubeconfig::Overrides;
use kubeset::config::{BearerToken, Config, Secret};
use kubeset_testserver::TestServer;
use serde_json::json;

use super::{kctl_bin, run_in};
use crate::support::no_env;

const SA: &str = "system:serviceaccount:team:bot";

/// Role and RoleBinding letting `team:bot` list ConfigMaps in `team`.
const ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-reader, namespace: team}
rules: [{apiGroups: [\"\"], resources: [configmaps], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cm-reader, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-reader}
subjects: [{kind: ServiceAccount, name: bot, namespace: team}]
";

const NODES: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [\"\"], resources: [nodes], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects: [{kind: ServiceAccount, name: bot, namespace: team}]
";

/// A private server logging to `log`, where `team:bot` listed ConfigMaps and was denied a node.
async fn server_with_history(log: &Path) -> TestServer {
    let server = TestServer::builder()
        .audit_log_path(log)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    server.write_kubeconfig(&path).unwrap();
    let admin_config =
        Config::from_kubeconfig_with(Some(&path), &no_env(), &Overrides::default()).unwrap();
    let admin = Client::new(admin_config.clone()).unwrap();
    let post = PostParams::default();
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "team"}})).unwrap();
    admin.namespaces().create(&post, &ns).await.unwrap();
    let sa: ServiceAccount = serde_json::from_value(json!({"metadata": {"name": "bot"}})).unwrap();
    admin
        .service_accounts("team")
        .create(&post, &sa)
        .await
        .unwrap();
    let docs = serde_saphyr::from_multiple::<serde_json::Value>(ROLE).unwrap();
    let role: Role = serde_json::from_value(docs[0].clone()).unwrap();
    let binding: RoleBinding = serde_json::from_value(docs[1].clone()).unwrap();
    kubeset::clientset::Api::<Role>::namespaced(admin.clone(), "team")
        .create(&post, &role)
        .await
        .unwrap();
    kubeset::clientset::Api::<RoleBinding>::namespaced(admin.clone(), "team")
        .create(&post, &binding)
        .await
        .unwrap();
    let token = admin
        .service_accounts("team")
        .create_token("bot", &TokenParams::default())
        .await
        .unwrap()
        .token
        .expose()
        .clone();
    let mut config = Config::new(admin_config.cluster_url.clone());
    config.tls = admin_config.tls.clone();
    config.tls.client_cert = None;
    config.tls.client_key = None;
    config.auth.bearer = Some(BearerToken::Static(Secret::new(token)));
    let bot = Client::new(config).unwrap();
    let listed = bot
        .config_maps("team")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(
        listed
            .items
            .iter()
            .any(|c: &ConfigMap| c.metadata.name.as_deref() == Some("kube-root-ca.crt"))
    );
    let denied = bot.nodes().get("n1").await.unwrap_err();
    assert!(denied.is_forbidden(), "{denied}");
    server
}

#[tokio::test]
async fn manifests_from_a_log_and_a_comparison_with_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let _server = server_with_history(&log).await;
    let log = log.to_str().unwrap();
    let kubeconfig = dir.path().join("no-such-kubeconfig");
    let run = |args: &[&str]| run_in(kctl_bin(), &kubeconfig, dir.path(), args, None);

    let derived = run(&["auth", "rbac-from-audit", "--user", SA, "-f", log]);
    assert_eq!(derived.code, 0, "{derived:?}");
    let docs = serde_saphyr::from_multiple::<serde_json::Value>(&derived.stdout).unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]
    );
    assert_eq!(
        docs[0]["rules"],
        json!([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}])
    );
    assert_eq!(
        docs[2]["metadata"],
        json!({"name": "bot-from-audit", "namespace": "team"})
    );
    assert_eq!(
        docs[2]["rules"],
        json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]}])
    );
    assert!(
        derived
            .stdout
            .ends_with("# denied 1x: get nodes; allowed by: nodes [get]\n"),
        "{}",
        derived.stdout
    );
    // the same through --serviceaccount
    let same = run(&[
        "auth",
        "rbac-from-audit",
        "--serviceaccount",
        "team:bot",
        "-f",
        log,
    ]);
    assert_eq!(same, derived);

    let manifests = dir.path().join("manifests");
    std::fs::create_dir(&manifests).unwrap();
    std::fs::write(manifests.join("role.yaml"), ROLE).unwrap();
    let m = manifests.to_str().unwrap();
    let compare = |args: &[&str]| {
        let mut all = vec![
            "auth",
            "rbac-from-audit",
            "--user",
            SA,
            "--compare",
            "-f",
            log,
            "-f",
            m,
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    let too_little = compare(&[]);
    assert_eq!(too_little.code, 1, "{too_little:?}");
    assert!(
        too_little.stdout.starts_with(
            "used but not granted:\n  get nodes \"n1\"\ngranted but never used: none\n"
        ),
        "{}",
        too_little.stdout
    );

    std::fs::write(manifests.join("nodes.yaml"), NODES).unwrap();
    let too_much = compare(&[]);
    assert_eq!(too_much.code, 0, "{too_much:?}");
    assert!(
        too_much.stdout.starts_with(
            "used but not granted: none\ngranted but never used:\n  nodes [list] granted by ClusterRole/node-reader via ClusterRoleBinding/node-reader\nbootstrap rules never used:\n"
        ),
        "{}",
        too_much.stdout
    );

    let missing_user = run(&["auth", "rbac-from-audit", "--user", "nobody", "-f", log]);
    assert_eq!(missing_user.code, 1);
    assert_eq!(
        missing_user.stderr,
        format!("error: no requests of nobody in {log}\n")
    );
}
