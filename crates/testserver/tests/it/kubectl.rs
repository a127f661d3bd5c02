//! kubectl against the test server: the commands the issue lists. Runs when `kubectl` is
//! installed (it is on the development machines; set KUBESET_REQUIRE_KUBECTL=1 to fail without).

use std::path::Path;
use std::process::Command;

use kubeset_testserver::TestServer;

fn kubectl_available() -> bool {
    let found = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("KUBESET_REQUIRE_KUBECTL").is_ok() {
        panic!("kubectl is required but not installed");
    }
    found
}

#[track_caller]
fn check(kubeconfig: &Path, args: &[&str], stdin: Option<&str>, expected: &[&str]) -> String {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig").arg(kubeconfig).args(args);
    let out = match stdin {
        Some(text) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
        None => cmd.output().unwrap(),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "kubectl {args:?} failed:\n{text}");
    for e in expected {
        assert!(
            text.contains(e),
            "kubectl {args:?}: expected {e:?} in:\n{text}"
        );
    }
    text
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: kc\n  labels: {app: x}\ndata:\n  a: \"1\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_works_against_the_server() {
    if !kubectl_available() {
        eprintln!("kubectl not installed: skipping");
        return;
    }
    let server = TestServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("config");
    server.write_kubeconfig(&kc).unwrap();
    tokio::task::spawn_blocking(move || {
        let kc = kc.as_path();
        check(kc, &["version"], None, &["Server Version: v1.36.2"]);
        check(
            kc,
            &["api-resources"],
            None,
            &["configmaps", "storageclasses", "leases"],
        );
        check(
            kc,
            &["create", "namespace", "kc"],
            None,
            &["namespace/kc created"],
        );
        check(
            kc,
            &["-n", "kc", "create", "serviceaccount", "bot"],
            None,
            &["serviceaccount/bot created"],
        );
        check(kc, &["-n", "kc", "create", "token", "bot"], None, &["eyJ"]);
        check(
            kc,
            &["apply", "-f", "-"],
            Some(CM),
            &["configmap/applied created"],
        );
        check(
            kc,
            &["apply", "-f", "-"],
            Some(&CM.replace("\"1\"", "\"2\"")),
            &["configmap/applied configured"],
        );
        check(kc, &["get", "cm", "-A", "-l", "app=x"], None, &["applied"]);
        check(
            kc,
            &[
                "-n",
                "kc",
                "get",
                "cm",
                "--field-selector",
                "metadata.name=applied",
                "-o",
                "json",
            ],
            None,
            &["\"a\": \"2\""],
        );
        check(
            kc,
            &["-n", "kc", "get", "cm", "applied", "-o", "yaml"],
            None,
            &["kubectl.kubernetes.io/last-applied-configuration"],
        );
        check(
            kc,
            &["get", "ns", "-o", "wide"],
            None,
            &["kube-system", "Active"],
        );
        check(
            kc,
            &[
                "-n",
                "kc",
                "patch",
                "cm",
                "applied",
                "--type",
                "merge",
                "-p",
                r#"{"data":{"b":"3"}}"#,
            ],
            None,
            &["patched"],
        );
        check(
            kc,
            &[
                "-n",
                "kc",
                "patch",
                "cm",
                "applied",
                "--type",
                "json",
                "-p",
                r#"[{"op":"add","path":"/data/c","value":"4"}]"#,
            ],
            None,
            &["patched"],
        );
        check(
            kc,
            &["replace", "-f", "-"],
            Some(CM),
            &["configmap/applied replaced"],
        );
        check(
            kc,
            &["-n", "kc", "delete", "cm", "applied"],
            None,
            &["deleted"],
        );
        check(
            kc,
            &["create", "-f", "-"],
            Some(CM),
            &["configmap/applied created"],
        );
        check(
            kc,
            &["-n", "kc", "get", "cm", "-w", "--request-timeout=2s"],
            None,
            &["applied"],
        );
    })
    .await
    .unwrap();
}

/// Runs kubectl; returns the exit code, stdout and stderr.
fn run(kubeconfig: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `kubectl auth can-i ARGS` prints `yes`/`no` and exits 0/1.
#[track_caller]
fn can_i(kubeconfig: &Path, args: &[&str], allowed: bool) {
    let mut all = vec!["auth", "can-i"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(kubeconfig, &all);
    let want = if allowed { (0, "yes\n") } else { (1, "no\n") };
    assert_eq!(
        (code, stdout.as_str()),
        want,
        "kubectl auth can-i {args:?}: {stderr}"
    );
}

/// What `kubectl auth whoami` prints for a SelfSubjectReview: kubectl's tab writer
/// (`printers.GetNewTabWriter`: padding 3, minimum width 6, last column unpadded) over
/// Username, UID, Groups and sorted Extra rows.
fn whoami_table(review: &serde_json::Value) -> String {
    let info = &review["status"]["userInfo"];
    let list = |v: &serde_json::Value| {
        let items: Vec<&str> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str())
            .collect();
        format!("[{}]", items.join(" "))
    };
    let mut rows = vec![("ATTRIBUTE".to_owned(), "VALUE".to_owned())];
    for (label, key) in [("Username", "username"), ("UID", "uid")] {
        if let Some(v) = info[key].as_str().filter(|v| !v.is_empty()) {
            rows.push((label.to_owned(), v.to_owned()));
        }
    }
    if info["groups"].as_array().is_some_and(|g| !g.is_empty()) {
        rows.push(("Groups".to_owned(), list(&info["groups"])));
    }
    if let Some(extra) = info["extra"].as_object() {
        let mut keys: Vec<&String> = extra.keys().collect();
        keys.sort();
        for k in keys {
            rows.push((format!("Extra: {k}"), list(&extra[k])));
        }
    }
    let width = (rows.iter().map(|(a, _)| a.len()).max().unwrap_or(0) + 3).max(6);
    rows.iter()
        .map(|(a, b)| format!("{a:width$}{b}\n"))
        .collect()
}

/// Words of each output line, for tables whose column widths depend on every row.
fn table_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// A kubeconfig for a bearer token (no client certificate).
fn token_kubeconfig(server: &TestServer, path: &Path, token: &str, namespace: &str) {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(server.ca_pem());
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\n\
         users:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: t\n  context:\n    cluster: t\n    user: u\n    namespace: {namespace}\n\
         current-context: t\n",
        server.url()
    );
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_auth_can_i_and_whoami() {
    use crate::support::{Who, admin, namespace, send};
    use http::Method;
    use serde_json::json;

    if !kubectl_available() {
        eprintln!("kubectl not installed: skipping");
        return;
    }
    let server = TestServer::start().await.unwrap();
    namespace(&server, "kc-auth").await;
    let sa = "/api/v1/namespaces/kc-auth/serviceaccounts";
    let a = admin(
        &server,
        Method::POST,
        sa,
        Some(json!({"metadata": {"name": "bot"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/kc-auth";
    let role = json!({"metadata": {"name": "bot"}, "rules": [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    ]});
    let a = admin(&server, Method::POST, &format!("{rbac}/roles"), Some(role)).await;
    assert_eq!(a.status, 201);
    let rb = json!({"metadata": {"name": "bot"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "bot"},
        "subjects": [{"kind": "ServiceAccount", "name": "bot", "namespace": "kc-auth"}]});
    let a = admin(
        &server,
        Method::POST,
        &format!("{rbac}/rolebindings"),
        Some(rb),
    )
    .await;
    assert_eq!(a.status, 201);
    let a = admin(
        &server,
        Method::POST,
        &format!("{sa}/bot/token"),
        Some(json!({"spec": {"expirationSeconds": 3600}})),
    )
    .await;
    let token = a.json()["status"]["token"].as_str().unwrap().to_owned();
    let review = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
    let path = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    let bot_review = send(
        &server,
        Who::Token(&token),
        Method::POST,
        path,
        Some(review.clone()),
    )
    .await
    .json();
    let admin_review = admin(&server, Method::POST, path, Some(review))
        .await
        .json();

    let dir = tempfile::tempdir().unwrap();
    let admin_kc = dir.path().join("admin");
    server.write_kubeconfig(&admin_kc).unwrap();
    let bot_kc = dir.path().join("bot");
    token_kubeconfig(&server, &bot_kc, &token, "kc-auth");
    tokio::task::spawn_blocking(move || {
        let (admin_kc, bot_kc) = (admin_kc.as_path(), bot_kc.as_path());
        // whoami: the table and -o json
        for (kc, review) in [(admin_kc, &admin_review), (bot_kc, &bot_review)] {
            let (code, stdout, stderr) = run(kc, &["auth", "whoami"]);
            assert_eq!((code, stdout), (0, whoami_table(review)), "{stderr}");
            let (code, stdout, _) = run(kc, &["auth", "whoami", "-o", "json"]);
            assert_eq!(code, 0);
            let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(printed["kind"], "SelfSubjectReview");
            assert_eq!(printed["status"], review["status"]);
        }
        assert!(whoami_table(&bot_review).contains("Extra: authentication.kubernetes.io/credential-id   [JTI="));
        assert!(whoami_table(&admin_review).contains("Groups                                              [system:masters system:authenticated]\n"));

        // can-i: yes/no and the exit code, per verb, namespace, subresource and URL
        can_i(admin_kc, &["get", "pods"], true);
        can_i(admin_kc, &["*", "*"], true);
        can_i(bot_kc, &["get", "configmaps"], true);
        can_i(bot_kc, &["list", "configmaps", "-n", "kc-auth"], true);
        can_i(bot_kc, &["delete", "configmaps"], false);
        can_i(bot_kc, &["list", "configmaps", "-n", "default"], false);
        can_i(bot_kc, &["list", "configmaps", "--all-namespaces"], false);
        can_i(bot_kc, &["get", "pods", "--subresource=log"], true);
        can_i(bot_kc, &["get", "pods"], false);
        can_i(bot_kc, &["get", "/healthz"], true);
        can_i(bot_kc, &["get", "/metrics"], false);
        can_i(bot_kc, &["create", "selfsubjectaccessreviews.authorization.k8s.io"], true);
        // --as: admin asks on behalf of the bot (impersonation), the bot may not impersonate
        let as_bot = "--as=system:serviceaccount:kc-auth:bot";
        can_i(admin_kc, &["get", "configmaps", "-n", "kc-auth", as_bot], true);
        can_i(admin_kc, &["delete", "configmaps", "-n", "kc-auth", as_bot], false);
        can_i(admin_kc, &["get", "nodes", as_bot], false);
        let (code, stdout, stderr) = run(bot_kc, &["auth", "can-i", "get", "pods", "--as=jane"]);
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(
            stderr.contains("users \"jane\" is forbidden: User \"system:serviceaccount:kc-auth:bot\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
            "{stderr}"
        );

        // --list: the rules of the namespace, compacted by kubectl
        let (code, stdout, stderr) = run(bot_kc, &["auth", "can-i", "--list"]);
        assert_eq!(code, 0, "{stderr}");
        let lines = table_lines(&stdout);
        assert_eq!(lines[0], "Resources Non-Resource URLs Resource Names Verbs");
        for want in [
            "configmaps [] [] [get list]",
            "pods/log [] [] [get]",
            "selfsubjectreviews.authentication.k8s.io [] [] [create]",
            "selfsubjectaccessreviews.authorization.k8s.io [] [] [create]",
            "[/healthz] [] [get]",
            "[/api/*] [] [get]",
            "[/openid/v1/jwks] [] [get]",
        ] {
            assert!(lines.iter().any(|l| l == want), "{want:?} missing from:\n{stdout}");
        }
        let (_, other_ns, _) = run(bot_kc, &["auth", "can-i", "--list", "-n", "default"]);
        assert!(!other_ns.contains("configmaps"), "{other_ns}");
        let (_, admin_list, _) = run(admin_kc, &["auth", "can-i", "--list"]);
        let lines = table_lines(&admin_list);
        assert!(lines.iter().any(|l| l == "*.* [] [] [*]"), "{admin_list}");
        assert!(lines.iter().any(|l| l == "[*] [] [*]"), "{admin_list}");

        // roles and bindings made with kubectl's typed (protobuf) client take effect at once
        let ns = ["-n", "kc-auth"];
        let create = |args: &[&str], want: &str| {
            let all: Vec<&str> = ns.iter().chain(args).copied().collect();
            check(admin_kc, &all, None, &[want]);
        };
        create(
            &["create", "role", "secret-reader", "--verb=get", "--resource=secrets", "--resource-name=token"],
            "role.rbac.authorization.k8s.io/secret-reader created",
        );
        can_i(bot_kc, &["get", "secrets/token"], false);
        create(
            &["create", "rolebinding", "bot-secrets", "--role=secret-reader", "--serviceaccount=kc-auth:bot"],
            "rolebinding.rbac.authorization.k8s.io/bot-secrets created",
        );
        can_i(bot_kc, &["get", "secrets/token"], true);
        can_i(bot_kc, &["get", "secrets/other"], false);
        check(
            admin_kc,
            &["create", "clusterrole", "kc-nodes", "--verb=get,list", "--resource=nodes"],
            None,
            &["clusterrole.rbac.authorization.k8s.io/kc-nodes created"],
        );
        check(
            admin_kc,
            &["create", "clusterrolebinding", "kc-nodes", "--clusterrole=kc-nodes", "--serviceaccount=kc-auth:bot"],
            None,
            &["clusterrolebinding.rbac.authorization.k8s.io/kc-nodes created"],
        );
        can_i(bot_kc, &["list", "nodes"], true);
        // kubectl auth reconcile creates, then widens a role and its binding
        let reconcile = |verbs: &str| {
            format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: rec, namespace: kc-auth}}\n\
                 rules:\n- {{apiGroups: [\"\"], resources: [events], verbs: [{verbs}]}}\n---\n\
                 apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rec, namespace: kc-auth}}\n\
                 roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: rec}}\n\
                 subjects:\n- {{kind: ServiceAccount, name: bot, namespace: kc-auth}}\n"
            )
        };
        let reconciled = [
            "role.rbac.authorization.k8s.io/rec reconciled",
            "rolebinding.rbac.authorization.k8s.io/rec reconciled",
        ];
        check(admin_kc, &["auth", "reconcile", "-f", "-"], Some(&reconcile("get")), &reconciled);
        can_i(bot_kc, &["get", "events"], true);
        can_i(bot_kc, &["list", "events"], false);
        check(admin_kc, &["auth", "reconcile", "-f", "-"], Some(&reconcile("list")), &reconciled);
        can_i(bot_kc, &["list", "events"], true);
        can_i(bot_kc, &["get", "events"], true);

        // the ServiceAccount itself may not create roles at all
        let (code, _, stderr) = run(bot_kc, &["create", "role", "x", "--verb=get", "--resource=pods"]);
        assert_eq!(code, 1);
        assert!(
            stderr.contains("roles.rbac.authorization.k8s.io is forbidden: User \"system:serviceaccount:kc-auth:bot\" cannot create resource \"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace \"kc-auth\""),
            "{stderr}"
        );
    })
    .await
    .unwrap();
}
