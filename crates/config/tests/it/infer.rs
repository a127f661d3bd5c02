use kubeset_config::kubeconfig::Overrides;
use kubeset_config::{BearerToken, Config, InferError, KubeconfigConfigError, KubeconfigError};

use crate::support::{Dir, PEM, env};

const KUBECONFIG: &str = "current-context: c\ncontexts:\n- name: c\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: 'https://from-kubeconfig'}\n";

fn service_account() -> Dir {
    let sa = Dir::new();
    sa.write("token", "sa-token");
    sa.write("ca.crt", PEM);
    sa
}

const IN_POD: [(&str, &str); 2] = [
    ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
    ("KUBERNETES_SERVICE_PORT", "443"),
];

#[test]
fn kubeconfig_env_var_comes_first() {
    let dir = Dir::new();
    let path = dir.write("k", KUBECONFIG);
    let sa = service_account();
    let path = path.to_str().unwrap();
    let env = env(&[
        IN_POD[0],
        IN_POD[1],
        ("KUBECONFIG", path),
        ("HOME", "/nonexistent"),
    ]);
    let config = Config::infer_with(&env, sa.path()).unwrap();
    assert_eq!(config.cluster_url.host(), Some("from-kubeconfig"));
}

#[test]
fn default_file_comes_before_in_cluster() {
    let home = Dir::new();
    home.write(".kube/config", KUBECONFIG);
    let sa = service_account();
    let env = env(&[
        IN_POD[0],
        IN_POD[1],
        ("HOME", home.path().to_str().unwrap()),
    ]);
    let config = Config::infer_with(&env, sa.path()).unwrap();
    assert_eq!(config.cluster_url.host(), Some("from-kubeconfig"));
}

#[test]
fn in_cluster_without_kubeconfig() {
    let home = Dir::new();
    let sa = service_account();
    let env = env(&[
        IN_POD[0],
        IN_POD[1],
        ("HOME", home.path().to_str().unwrap()),
    ]);
    let config = Config::infer_with(&env, sa.path()).unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://10.96.0.1:443/");
    assert!(matches!(config.auth.bearer, Some(BearerToken::File { .. })));
}

#[test]
fn neither_says_what_each_attempt_found() {
    let home = Dir::new();
    let env = env(&[("HOME", home.path().to_str().unwrap())]);
    let err = Config::infer_with(&env, home.path()).unwrap_err();
    let InferError::Neither {
        kubeconfig,
        in_cluster,
    } = &err
    else {
        panic!("want Neither, got {err:?}");
    };
    assert!(
        kubeconfig.contains(".kube/config does not exist"),
        "{kubeconfig}"
    );
    assert!(
        in_cluster.to_string().contains("not running in a cluster"),
        "{in_cluster}"
    );
}

#[test]
fn broken_kubeconfig_does_not_fall_back() {
    let dir = Dir::new();
    let path = dir.write("k", "clusters: [\n");
    let sa = service_account();
    let env = env(&[IN_POD[0], IN_POD[1], ("KUBECONFIG", path.to_str().unwrap())]);
    let err = Config::infer_with(&env, sa.path()).unwrap_err();
    assert!(matches!(err, InferError::Kubeconfig { .. }), "{err:?}");
    assert!(err.to_string().contains("KUBECONFIG="), "{err}");
}

#[test]
fn from_kubeconfig_with_explicit_file_and_overrides() {
    let dir = Dir::new();
    let path = dir.write("k", KUBECONFIG);
    let env = env(&[("HOME", "/nonexistent")]);
    let config =
        Config::from_kubeconfig_with(Some(&path), &env, &Overrides::default().namespace("x"))
            .unwrap();
    assert_eq!(config.default_namespace, "x");
    let missing = dir.path().join("missing");
    let err =
        Config::from_kubeconfig_with(Some(&missing), &env, &Overrides::default()).unwrap_err();
    assert!(
        matches!(
            err,
            KubeconfigConfigError::Load {
                source: KubeconfigError::NotFound { .. }
            }
        ),
        "{err:?}"
    );
}

#[track_caller]
fn check_empty_kubeconfig_falls_back(kubeconfig: Option<&str>, finding: &str) {
    let dir = Dir::new();
    let path = match kubeconfig {
        Some(text) => dir.write("k", text),
        None => dir.path().join("missing"),
    };
    let sa = service_account();
    let kubeconfig_env = path.to_str().unwrap();
    let in_pod = env(&[IN_POD[0], IN_POD[1], ("KUBECONFIG", kubeconfig_env)]);
    let config = Config::infer_with(&in_pod, sa.path()).unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://10.96.0.1:443/");

    let outside = env(&[("KUBECONFIG", kubeconfig_env)]);
    let err = Config::infer_with(&outside, sa.path()).unwrap_err();
    let InferError::Neither { kubeconfig, .. } = &err else {
        panic!("want Neither, got {err:?}");
    };
    assert!(kubeconfig.contains(finding), "{kubeconfig}");
}

#[test]
fn empty_kubeconfig_falls_back_to_in_cluster() {
    check_empty_kubeconfig_falls_back(None, "no contexts");
    check_empty_kubeconfig_falls_back(Some(""), "no contexts");
    check_empty_kubeconfig_falls_back(
        Some("contexts:\n- name: c\n  context: {cluster: c}\n"),
        "current-context is not set",
    );
    check_empty_kubeconfig_falls_back(
        Some("current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone}\n"),
        "which does not exist",
    );
}

#[test]
fn kubeconfig_with_a_serverless_cluster_does_not_fall_back() {
    let dir = Dir::new();
    let path = dir.write("k", "current-context: c\ncontexts:\n- name: c\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {tls-server-name: x}\n");
    let sa = service_account();
    let env = env(&[IN_POD[0], IN_POD[1], ("KUBECONFIG", path.to_str().unwrap())]);
    let err = Config::infer_with(&env, sa.path()).unwrap_err();
    assert!(matches!(err, InferError::Kubeconfig { .. }), "{err:?}");
}
