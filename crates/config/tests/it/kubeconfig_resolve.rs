use std::path::Path;

use kubeset_config::kubeconfig::{Kubeconfig, Overrides};
use kubeset_config::{
    BearerToken, Config, InteractiveMode, Material, NoServerReason, ResolveError,
};

use crate::support::Dir;

const BASE: &str = "
current-context: dev
clusters:
- name: dev
  cluster: {server: 'https://dev.example:6443', certificate-authority: pki/ca.crt}
- name: prod
  cluster: {server: 'https://prod.example', certificate-authority-data: Q0E=, tls-server-name: api.prod}
- name: noserver
  cluster: {tls-server-name: x}
users:
- name: dev
  user: {token: dev-token}
- name: prod
  user: {client-certificate: certs/c.pem, client-key: /abs/k.pem, as: jane, as-groups: [ops], as-user-extra: {reason: [audit]}}
contexts:
- name: dev
  context: {cluster: dev, user: dev, namespace: dev-ns}
- name: prod
  context: {cluster: prod, user: prod}
- name: ghost-user
  context: {cluster: dev, user: nobody}
- name: ghost-cluster
  context: {cluster: nowhere, user: dev}
- name: noserver
  context: {cluster: noserver}
";

fn kubeconfig(text: &str) -> Kubeconfig {
    Kubeconfig::from_yaml(text, Path::new("/home/me/.kube/config")).unwrap()
}

fn resolve(text: &str, overrides: Overrides) -> Result<Config, ResolveError> {
    kubeconfig(text).to_config_unchecked(&overrides)
}

#[track_caller]
fn check(overrides: Overrides, server: &str, namespace: &str) {
    let config = resolve(BASE, overrides.clone()).unwrap();
    assert_eq!(config.cluster_url.to_string(), server, "{overrides:?}");
    assert_eq!(config.default_namespace, namespace, "{overrides:?}");
}

#[test]
fn contexts_and_overrides() {
    let none = Overrides::default;
    check(none(), "https://dev.example:6443/", "dev-ns");
    check(none().context("prod"), "https://prod.example/", "default");
    check(
        none().namespace("kube-system"),
        "https://dev.example:6443/",
        "kube-system",
    );
    check(
        none().server("https://other:1"),
        "https://other:1/",
        "dev-ns",
    );
    check(none().cluster("prod"), "https://prod.example/", "dev-ns");
    check(
        none().context("prod").namespace(""),
        "https://prod.example/",
        "default",
    );
    check(
        none().context("ghost-user"),
        "https://dev.example:6443/",
        "default",
    );
}

#[test]
fn cluster_override_keeps_the_context_user() {
    let config = resolve(BASE, Overrides::default().cluster("prod")).unwrap();
    assert!(matches!(config.auth.bearer, Some(BearerToken::Static(_))));
    assert_eq!(config.tls.server_name.as_deref(), Some("api.prod"));
}

#[track_caller]
fn check_err(text: &str, overrides: Overrides, expected: &str) {
    let err = resolve(text, overrides).unwrap_err().to_string();
    assert!(err.contains(expected), "{err:?} lacks {expected:?}");
}

#[test]
fn unknown_names_are_errors() {
    let none = Overrides::default;
    check_err(
        BASE,
        none().context("nope"),
        "context \"nope\" does not exist (named by --context; kubeconfig: /home/me/.kube/config)",
    );
    check_err(
        BASE,
        none().cluster("nope"),
        "cluster \"nope\" does not exist",
    );
    check_err(BASE, none().user("nope"), "user \"nope\" does not exist");
    check_err(
        BASE,
        none().user("nope"),
        "kubeconfig: /home/me/.kube/config",
    );
    check_err(
        "current-context: gone\n",
        none(),
        "context \"gone\" does not exist (named by current-context",
    );
    check_err(
        BASE,
        none().context("ghost-cluster"),
        "names cluster \"nowhere\", which does not exist",
    );
    check_err(
        BASE,
        none().context("noserver"),
        "cluster \"noserver\" has no server",
    );
    check_err("", none(), "no contexts");
}

#[track_caller]
fn check_no_server(text: &str, overrides: Overrides, expected: NoServerReason, empty: bool) {
    match resolve(text, overrides) {
        Err(err @ ResolveError::NoServer { .. }) => {
            assert_eq!(err.is_empty_config(), empty, "{err}");
            let ResolveError::NoServer { reason, .. } = err else {
                unreachable!()
            };
            assert_eq!(reason, expected);
        }
        other => panic!("expected NoServer, got {other:?}"),
    }
}

#[test]
fn no_server_says_why_in_a_typed_reason() {
    let none = Overrides::default;
    check_no_server("", none(), NoServerReason::NoContexts, true);
    check_no_server(
        "contexts:\n- name: a\n  context: {cluster: c}\n",
        none(),
        NoServerReason::NoCurrentContext,
        true,
    );
    check_no_server(
        "current-context: a\ncontexts:\n- name: a\n  context: {user: u}\n",
        none(),
        NoServerReason::ContextWithoutCluster {
            context: "a".into(),
        },
        true,
    );
    check_no_server(
        BASE,
        none().context("ghost-cluster"),
        NoServerReason::MissingCluster {
            context: "ghost-cluster".into(),
            cluster: "nowhere".into(),
        },
        true,
    );
    check_no_server(
        BASE,
        none().context("noserver"),
        NoServerReason::ClusterWithoutServer {
            cluster: "noserver".into(),
        },
        false,
    );
    // --cluster without any context: the cluster is the reason, not the missing context
    check_no_server(
        "clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: a\n  context: {cluster: c}\n",
        none().cluster("c"),
        NoServerReason::ClusterWithoutServer {
            cluster: "c".into(),
        },
        false,
    );
}

#[test]
fn missing_user_entry_means_no_credentials() {
    let config = resolve(BASE, Overrides::default().context("ghost-user")).unwrap();
    assert!(config.auth.bearer.is_none());
    assert!(config.provenance.get("user").is_none());
}

#[test]
fn relative_paths_resolve_against_the_file() {
    let config = resolve(BASE, Overrides::default()).unwrap();
    assert_eq!(
        config.tls.root_certs,
        Some(Material::File("/home/me/.kube/pki/ca.crt".into()))
    );
    let config = resolve(BASE, Overrides::default().context("prod")).unwrap();
    assert_eq!(
        config.tls.client_cert,
        Some(Material::File("/home/me/.kube/certs/c.pem".into()))
    );
    assert_eq!(
        config.tls.client_key,
        Some(Material::File("/abs/k.pem".into()))
    );
    let up = resolve(
        &one_context(
            "{server: 'https://c', certificate-authority: ../../etc/./ca.pem}",
            "{}",
        ),
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(
        up.tls.root_certs,
        Some(Material::File("/home/etc/ca.pem".into()))
    );
}

#[test]
fn data_wins_over_file() {
    let text = "current-context: c\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'https://c', certificate-authority: ca.pem, certificate-authority-data: Q0E=}\nusers:\n- name: u\n  user: {client-certificate: c.pem, client-certificate-data: Q0VSVA==, client-key: k.pem, client-key-data: S0VZ}\n";
    let config = resolve(text, Overrides::default()).unwrap();
    assert!(matches!(&config.tls.root_certs, Some(Material::Inline(ca)) if ca.expose() == b"CA"));
    assert!(matches!(&config.tls.client_cert, Some(Material::Inline(c)) if c.expose() == b"CERT"));
    assert!(matches!(&config.tls.client_key, Some(Material::Inline(k)) if k.expose() == b"KEY"));
}

fn one_context(cluster: &str, user: &str) -> String {
    format!(
        "current-context: c\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\nclusters:\n- name: c\n  cluster: {cluster}\nusers:\n- name: u\n  user: {user}\n"
    )
}

#[test]
fn client_go_validation_rules() {
    let none = Overrides::default;
    check_err(
        &one_context(
            "{server: 'https://c', insecure-skip-tls-verify: true, certificate-authority-data: Q0E=}",
            "{}",
        ),
        none(),
        "both a certificate authority and insecure-skip-tls-verify",
    );
    check_err(
        &one_context(
            "{server: 'https://c'}",
            "{token: t, username: u, password: p}",
        ),
        none(),
        "only one authentication method",
    );
    check_err(
        &one_context("{server: 'https://c'}", "{client-certificate: c.pem}"),
        none(),
        "without client-key",
    );
    check_err(
        &one_context("{server: 'https://c'}", "{client-key-data: S0VZ}"),
        none(),
        "without client-certificate",
    );
    check_err(
        &one_context(
            "{server: 'https://c'}",
            "{exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}}",
        ),
        none(),
        "unsupported apiVersion",
    );
    check_err(
        &one_context(
            "{server: 'https://c'}",
            "{exec: {command: x, apiVersion: client.authentication.k8s.io/v1}}",
        ),
        none(),
        "invalid interactiveMode \"\"",
    );
    check_err(
        &one_context("{server: 'https://c', proxy-url: 'ftp://p'}", "{}"),
        none(),
        "proxy-url",
    );
    check_err(&one_context("{server: 'ftp://c'}", "{}"), none(), "server");
    check_err(
        &one_context(
            "{server: 'https://c'}",
            "{auth-provider: {name: oidc}, exec: {command: x, apiVersion: client.authentication.k8s.io/v1beta1}}",
        ),
        none(),
        "both an exec plugin and an auth-provider",
    );
    check_err(
        &one_context("{server: 'https://c'}", "{exec: {command: x}}"),
        none(),
        "unsupported apiVersion \"\"",
    );
    check_err(
        &one_context(
            "{server: 'https://c'}",
            "{exec: {apiVersion: client.authentication.k8s.io/v1beta1}}",
        ),
        none(),
        "has no command",
    );
    check_err(
        &one_context(
            "{server: 'https://c'}",
            "{exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}}",
        ),
        none(),
        "invalid interactiveMode \"Sometimes\"",
    );
}

#[test]
fn insecure_without_ca_is_allowed() {
    let config = resolve(
        &one_context(
            "{server: 'https://c', insecure-skip-tls-verify: true}",
            "{}",
        ),
        Overrides::default(),
    )
    .unwrap();
    assert!(config.tls.danger_accept_invalid_certs);
}

#[test]
fn token_file_wins_over_token() {
    let config = resolve(
        &one_context("{server: 'https://c'}", "{token: static, tokenFile: tok}"),
        Overrides::default(),
    )
    .unwrap();
    match config.auth.bearer {
        Some(BearerToken::File {
            path,
            initial: None,
        }) => {
            assert_eq!(path, Path::new("/home/me/.kube/tok"));
        }
        other => panic!("want the token file, got {other:?}"),
    }
}

#[test]
fn server_without_scheme_follows_client_go() {
    let plain = resolve(
        &one_context("{server: 'c.example:6443'}", "{}"),
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(plain.cluster_url.to_string(), "http://c.example:6443/");
    let tls = resolve(
        &one_context(
            "{server: 'c.example:6443', certificate-authority-data: Q0E=}",
            "{}",
        ),
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(tls.cluster_url.to_string(), "https://c.example:6443/");
    let prefix = resolve(
        &one_context("{server: 'https://c/k8s/clusters/x'}", "{}"),
        Overrides::default(),
    )
    .unwrap();
    assert_eq!(prefix.cluster_url.path(), "/k8s/clusters/x");
}

#[test]
fn exec_plugin() {
    let user = "{exec: {command: ./bin/plugin, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, args: [a], env: [{name: K, value: V}], installHint: hint, provideClusterInfo: true}}";
    let cluster = "{server: 'https://c', certificate-authority-data: Q0E=, extensions: [{name: client.authentication.k8s.io/exec, extension: {audience: x}}]}";
    let config = resolve(&one_context(cluster, user), Overrides::default()).unwrap();
    let exec = config.auth.exec.unwrap();
    assert_eq!(exec.command, "/home/me/.kube/bin/plugin");
    assert_eq!(exec.args, ["a"]);
    assert_eq!(exec.env, [("K".to_string(), "V".to_string())]);
    assert_eq!(exec.install_hint.as_deref(), Some("hint"));
    assert_eq!(exec.interactive_mode, InteractiveMode::Never);
    let cluster = exec.cluster.unwrap();
    assert_eq!(cluster["server"], "https://c");
    assert_eq!(cluster["certificate-authority-data"], "Q0E=");
    assert_eq!(cluster["config"]["audience"], "x");

    let bare = resolve(&one_context("{server: 'https://c'}", "{exec: {command: gke-gcloud-auth-plugin, apiVersion: client.authentication.k8s.io/v1beta1}}"), Overrides::default()).unwrap();
    let exec = bare.auth.exec.unwrap();
    assert_eq!(exec.command, "gke-gcloud-auth-plugin", "looked up on PATH");
    assert_eq!(
        exec.interactive_mode,
        InteractiveMode::IfAvailable,
        "v1beta1 default"
    );
    assert!(exec.cluster.is_none());
}

#[test]
fn impersonation_and_auth_provider() {
    let config = resolve(BASE, Overrides::default().context("prod")).unwrap();
    assert_eq!(config.impersonate.user.as_deref(), Some("jane"));
    assert_eq!(config.impersonate.groups, ["ops"]);
    assert_eq!(config.impersonate.extra["reason"], ["audit"]);
    let config = resolve(
        &one_context(
            "{server: 'https://c'}",
            "{auth-provider: {name: oidc, config: {id-token: secret-idt}}}",
        ),
        Overrides::default(),
    )
    .unwrap();
    let provider = config.auth.auth_provider.as_ref().unwrap();
    assert_eq!(provider.name, "oidc");
    assert_eq!(provider.config.expose()["id-token"], "secret-idt");
    assert!(!format!("{config:?}").contains("secret-idt"));
}

#[test]
fn proxy_and_compression() {
    let config = resolve(&one_context("{server: 'https://c', proxy-url: 'socks5://127.0.0.1:1080', disable-compression: true}", "{}"), Overrides::default()).unwrap();
    assert_eq!(
        config.proxy_url.unwrap().to_string(),
        "socks5://127.0.0.1:1080/"
    );
    assert!(config.disable_compression);
}

#[test]
fn provenance_explains_and_redacts() {
    let config = resolve(BASE, Overrides::default().namespace("ops")).unwrap();
    let report = config.provenance.to_string();
    assert!(report.contains("server: https://dev.example:6443 (from server of cluster \"dev\" in /home/me/.kube/config)"), "{report}");
    assert!(
        report.contains("namespace: ops (from override --namespace)"),
        "{report}"
    );
    assert!(
        report
            .contains("context: dev (from current-context of kubeconfig in /home/me/.kube/config)"),
        "{report}"
    );
    assert!(report.contains("token: <redacted>"), "{report}");
    assert!(!report.contains("dev-token"), "{report}");
    assert!(!format!("{config:?}").contains("dev-token"));
}

#[test]
fn to_config_checks_and_reads_files() {
    let dir = Dir::new();
    let text = one_context(
        "{server: 'https://c', certificate-authority: ca.pem}",
        "{tokenFile: tok}",
    );
    let path = dir.write("config", &text);
    let load = || {
        Kubeconfig::from_yaml(&text, &path)
            .unwrap()
            .to_config(&Overrides::default())
    };

    let err = load().unwrap_err().to_string();
    assert!(
        err.contains("certificate-authority")
            && err.contains("ca.pem")
            && err.contains("cluster \"c\""),
        "{err}"
    );

    dir.write("ca.pem", "CA");
    let err = load().unwrap_err().to_string();
    assert!(
        err.contains("tokenFile") && err.contains("user \"u\""),
        "{err}"
    );

    dir.write("tok", "  rotated-token\n");
    let config = load().unwrap();
    match config.auth.bearer {
        Some(BearerToken::File {
            initial: Some(token),
            ..
        }) => assert_eq!(token.expose(), "rotated-token"),
        other => panic!("want a read token file, got {other:?}"),
    }
}
