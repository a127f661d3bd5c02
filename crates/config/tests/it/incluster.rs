use std::path::Path;

use kubeset_config::incluster::{InCluster, load_from, server_url};
use kubeset_config::{BearerToken, InClusterError, Material, Secret};

use crate::support::{Dir, PEM, env};

#[track_caller]
fn check_url(host: &str, port: &str, expected: Option<&str>) {
    let got = server_url(host, port).ok().map(|uri| uri.to_string());
    assert_eq!(got.as_deref(), expected, "host {host:?} port {port:?}");
}

#[test]
fn server_url_brackets_ipv6_and_rejects_junk() {
    check_url("10.96.0.1", "443", Some("https://10.96.0.1:443/"));
    check_url(
        "kubernetes.default.svc",
        "6443",
        Some("https://kubernetes.default.svc:6443/"),
    );
    check_url("fd00::1", "443", Some("https://[fd00::1]:443/"));
    check_url("[fd00::1]", "443", Some("https://[fd00::1]:443/"));
    check_url("2001:db8::10", "8443", Some("https://[2001:db8::10]:8443/"));
    check_url("10.0.0.1", "http", None);
    check_url("10.0.0.1", "65536", None);
    check_url("10.0.0.1/evil", "443", None);
    check_url("user@10.0.0.1", "443", None);
    check_url("a b", "443", None);
}

fn service_account(token: &str, ca: Option<&str>, namespace: Option<&str>) -> Dir {
    let dir = Dir::new();
    dir.write("token", token);
    if let Some(ca) = ca {
        dir.write("ca.crt", ca);
    }
    if let Some(namespace) = namespace {
        dir.write("namespace", namespace);
    }
    dir
}

const IN_POD: &[(&str, &str)] = &[
    ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
    ("KUBERNETES_SERVICE_PORT", "443"),
];

#[test]
fn reads_token_ca_and_namespace() {
    let sa = service_account("tok-123\n", Some(PEM), Some(" team-a\n"));
    let config = load_from(&env(IN_POD), sa.path()).unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://10.96.0.1:443/");
    assert_eq!(config.default_namespace, "team-a");
    assert_eq!(
        config.tls.root_certs,
        Some(Material::File(sa.path().join("ca.crt")))
    );
    assert_eq!(config.tls.root_certs_problem, None);
    match &config.auth.bearer {
        Some(BearerToken::File { path, initial }) => {
            assert_eq!(path, &sa.path().join("token"));
            assert_eq!(initial.as_ref().unwrap().expose(), "tok-123");
        }
        other => panic!("want a token file, got {other:?}"),
    }
    let shown = format!("{config:?} {}", config.provenance);
    assert!(!shown.contains("tok-123"), "token leaked: {shown}");
}

#[test]
fn ipv6_service_host() {
    let sa = service_account("t", Some(PEM), None);
    let env = env(&[
        ("KUBERNETES_SERVICE_HOST", "fd00::1"),
        ("KUBERNETES_SERVICE_PORT", "443"),
    ]);
    let config = load_from(&env, sa.path()).unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://[fd00::1]:443/");
}

#[track_caller]
fn check_not_in_cluster(pairs: &[(&str, &str)], missing: &str) {
    // The directory does not exist: "not in a cluster" must be decided before any file.
    match load_from(&env(pairs), Path::new("/nonexistent/kubeset-sa")) {
        Err(InClusterError::NotInCluster { missing: got }) => assert_eq!(got, missing),
        other => panic!("{pairs:?}: want NotInCluster, got {other:?}"),
    }
}

#[test]
fn not_in_cluster_needs_both_variables_non_empty() {
    let both = "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT";
    check_not_in_cluster(&[], both);
    check_not_in_cluster(
        &[("KUBERNETES_SERVICE_HOST", "10.0.0.1")],
        "KUBERNETES_SERVICE_PORT",
    );
    check_not_in_cluster(
        &[("KUBERNETES_SERVICE_PORT", "443")],
        "KUBERNETES_SERVICE_HOST",
    );
    check_not_in_cluster(
        &[
            ("KUBERNETES_SERVICE_HOST", ""),
            ("KUBERNETES_SERVICE_PORT", "443"),
        ],
        "KUBERNETES_SERVICE_HOST",
    );
    check_not_in_cluster(
        &[
            ("KUBERNETES_SERVICE_HOST", ""),
            ("KUBERNETES_SERVICE_PORT", ""),
        ],
        both,
    );
}

#[test]
fn missing_token_names_the_path() {
    let sa = Dir::new();
    sa.write("ca.crt", PEM);
    let err = load_from(&env(IN_POD), sa.path()).unwrap_err();
    assert!(matches!(err, InClusterError::TokenRead { .. }), "{err:?}");
    let token = sa.path().join("token");
    assert!(
        err.to_string().contains(&token.display().to_string()),
        "{err}"
    );
    assert!(err.to_string().contains("in a cluster"), "{err}");
}

#[test]
fn empty_token_is_an_error() {
    let sa = service_account(" \n\t", Some(PEM), None);
    let err = load_from(&env(IN_POD), sa.path()).unwrap_err();
    assert!(matches!(err, InClusterError::TokenEmpty { .. }), "{err:?}");
}

#[track_caller]
fn check_ca_problem(ca: Option<&str>, problem: &str) {
    let sa = service_account("t", ca, None);
    let config = load_from(&env(IN_POD), sa.path()).unwrap();
    assert_eq!(
        config.tls.root_certs, None,
        "client-go falls back to platform roots"
    );
    let recorded = config.tls.root_certs_problem.expect("problem recorded");
    assert!(recorded.contains(problem), "{recorded}");
    assert!(recorded.contains("ca.crt"), "{recorded}");
    let origin = config.provenance.get("certificate-authority").unwrap();
    assert!(origin.value.starts_with("platform roots"), "{origin:?}");
}

#[test]
fn unusable_ca_is_recorded_not_fatal() {
    check_ca_problem(Some("not a certificate"), "no PEM certificate");
    check_ca_problem(Some(""), "no PEM certificate");
    check_ca_problem(
        Some("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"),
        "invalid PEM",
    );
    check_ca_problem(None, "not found");
}

#[track_caller]
fn check_namespace(file: Option<&str>, pod_namespace: Option<&str>, expected: &str) {
    let sa = service_account("t", Some(PEM), file);
    let mut pairs = IN_POD.to_vec();
    if let Some(ns) = pod_namespace {
        pairs.push(("POD_NAMESPACE", ns));
    }
    let config = load_from(&env(&pairs), sa.path()).unwrap();
    assert_eq!(
        config.default_namespace, expected,
        "file {file:?} env {pod_namespace:?}"
    );
}

#[test]
fn namespace_sources() {
    check_namespace(None, None, "default");
    check_namespace(Some(""), None, "default");
    check_namespace(Some("  \n"), None, "default");
    check_namespace(Some("ns1\n"), None, "ns1");
    check_namespace(Some("ns1"), Some("from-env"), "from-env");
    check_namespace(None, Some("from-env"), "from-env");
    check_namespace(Some("ns1"), Some(""), "ns1");
}

#[test]
fn provenance_names_env_vars_and_files() {
    let sa = service_account("t", Some(PEM), Some("ns1"));
    let mut pairs = IN_POD.to_vec();
    pairs.push(("POD_NAMESPACE", "from-env"));
    let config = load_from(&env(&pairs), sa.path()).unwrap();
    let report = config.provenance.to_string();
    assert!(
        report.contains("namespace: from-env (from environment variable POD_NAMESPACE)"),
        "{report}"
    );
    assert!(report.contains("KUBERNETES_SERVICE_HOST"), "{report}");
    assert!(
        report.contains(&sa.path().join("token").display().to_string()),
        "{report}"
    );
}

#[test]
fn pure_core_needs_no_files() {
    let mut inputs = InCluster::default();
    inputs.host = Some("10.0.0.1".into());
    inputs.port = Some("443".into());
    inputs.dir = "/sa".into();
    inputs.token = Some(Ok(Secret::new(" abc \n".into())));
    inputs.ca = Some(Ok(PEM.as_bytes().to_vec()));
    inputs.namespace = Some("kube-system".into());
    assert!(
        !format!("{inputs:?}").contains("abc"),
        "the token must not be in Debug: {inputs:?}"
    );
    let config = inputs.into_config().unwrap();
    assert_eq!(config.default_namespace, "kube-system");
    assert_eq!(
        config.tls.root_certs,
        Some(Material::File("/sa/ca.crt".into()))
    );
}
