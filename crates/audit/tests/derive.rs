//! Derivation and comparison on hand-made audit logs, through one `check()`.

#![allow(clippy::unwrap_used, reason = "tests")]

use kubeset_audit::{DeriveOptions, Error, Policy, Usage, parse_log};
use serde_json::{Value, json};

const SA: &str = "system:serviceaccount:ops:bot";

/// One `ResponseComplete` line for a resource request by `SA`.
fn resource(verb: &str, object_ref: Value, decision: &str) -> String {
    json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "stage": "ResponseComplete", "verb": verb, "requestURI": "/ignored",
        "user": {"username": SA, "groups": ["system:serviceaccounts", "system:authenticated"]},
        "objectRef": object_ref,
        "responseStatus": {"metadata": {}, "code": if decision == "allow" { 200 } else { 403 }},
        "annotations": {"authorization.k8s.io/decision": decision},
    })
    .to_string()
}

/// One line for a non-resource request by `SA`.
fn path(verb: &str, uri: &str) -> String {
    json!({
        "stage": "ResponseComplete", "verb": verb, "requestURI": uri,
        "user": {"username": SA}, "responseStatus": {"code": 200},
        "annotations": {"authorization.k8s.io/decision": "allow"},
    })
    .to_string()
}

#[track_caller]
fn check(lines: &[String], options: &DeriveOptions, expected: &str) {
    let usage = Usage::of(&parse_log(&lines.join("\n")).unwrap(), SA);
    let derived = usage.derive(options);
    let mut got = derived.to_yaml().unwrap();
    for denied in &derived.denied {
        got.push_str(&format!(
            "# denied {}x: {} -> {}\n",
            denied.count,
            denied.request,
            kubeset_audit::describe_rule(&denied.rule)
        ));
    }
    assert_eq!(got, expected, "got:\n{got}");
}

#[test]
fn verbs_merge_per_resource_in_one_namespace() {
    let cm = |name: &str| json!({"resource": "configmaps", "namespace": "ops", "name": name, "apiVersion": "v1"});
    let lines = [
        resource("get", cm("a"), "allow"),
        resource(
            "list",
            json!({"resource": "configmaps", "namespace": "ops"}),
            "allow",
        ),
        resource("patch", cm("b"), "allow"),
        resource("get", cm("a"), "allow"),
        resource(
            "list",
            json!({"resource": "secrets", "namespace": "ops"}),
            "allow",
        ),
    ];
    check(
        &lines,
        &DeriveOptions::default(),
        "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: bot-from-audit
  namespace: ops
rules:
- apiGroups:
  - \"\"
  resources:
  - configmaps
  verbs:
  - get
  - list
  - patch
- apiGroups:
  - \"\"
  resources:
  - secrets
  verbs:
  - list
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: bot-from-audit
  namespace: ops
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: bot-from-audit
subjects:
- kind: ServiceAccount
  name: bot
  namespace: ops
",
    );
}

#[test]
fn cluster_scope_across_namespaces_subresources_and_urls() {
    let lines = [
        // nodes are cluster-scoped
        resource("get", json!({"resource": "nodes", "name": "n1"}), "allow"),
        // pods in two namespaces: one ClusterRole rule
        resource(
            "watch",
            json!({"resource": "pods", "namespace": "a"}),
            "allow",
        ),
        resource(
            "list",
            json!({"resource": "pods", "namespace": "b"}),
            "allow",
        ),
        // a subresource stays apart from its resource
        resource(
            "create",
            json!({"resource": "pods", "namespace": "a", "name": "p", "subresource": "binding"}),
            "allow",
        ),
        resource(
            "patch",
            json!({"resource": "persistentvolumes", "name": "v", "subresource": "status"}),
            "allow",
        ),
        // a namespace's own lease: a Role
        resource(
            "update",
            json!({"resource": "leases", "namespace": "ops", "name": "l", "apiGroup": "coordination.k8s.io"}),
            "allow",
        ),
        path("get", "/healthz?verbose=1"),
        path("get", "/version"),
    ];
    check(
        &lines,
        &DeriveOptions::default().name("bot"),
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: bot
rules:
- apiGroups:
  - \"\"
  resources:
  - nodes
  verbs:
  - get
- apiGroups:
  - \"\"
  resources:
  - persistentvolumes/status
  verbs:
  - patch
- apiGroups:
  - \"\"
  resources:
  - pods
  verbs:
  - list
  - watch
- nonResourceURLs:
  - /healthz
  - /version
  verbs:
  - get
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: bot
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: bot
subjects:
- kind: ServiceAccount
  name: bot
  namespace: ops
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: bot
  namespace: a
rules:
- apiGroups:
  - \"\"
  resources:
  - pods/binding
  verbs:
  - create
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: bot
  namespace: a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: bot
subjects:
- kind: ServiceAccount
  name: bot
  namespace: ops
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: bot
  namespace: ops
rules:
- apiGroups:
  - coordination.k8s.io
  resources:
  - leases
  verbs:
  - update
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: bot
  namespace: ops
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: bot
subjects:
- kind: ServiceAccount
  name: bot
  namespace: ops
",
    );
}

#[test]
fn resource_names_only_when_asked_and_only_for_named_verbs() {
    let lease = |verb: &str, name: &str| {
        let mut r =
            json!({"resource": "leases", "namespace": "ops", "apiGroup": "coordination.k8s.io"});
        if !name.is_empty() {
            r["name"] = name.into();
        }
        resource(verb, r, "allow")
    };
    let lines = [
        lease("get", "lock"),
        lease("update", "lock"),
        lease("create", ""),
    ];
    let usage = Usage::of(&parse_log(&lines.join("\n")).unwrap(), SA);
    let rules = |options: DeriveOptions| {
        let derived = usage.derive(&options);
        derived.roles[0]
            .0
            .rules
            .clone()
            .unwrap()
            .iter()
            .map(kubeset_audit::describe_rule)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rules(DeriveOptions::default()),
        ["leases.coordination.k8s.io [get create update]"]
    );
    assert_eq!(
        rules(DeriveOptions::default().resource_names(true)),
        [
            "leases.coordination.k8s.io [create]",
            "leases.coordination.k8s.io [\"lock\"] [get update]"
        ]
    );
}

#[test]
fn denied_requests_are_listed_with_the_rule_that_allows_them() {
    let lines = [
        resource("list", json!({"resource": "nodes"}), "allow"),
        resource(
            "get",
            json!({"resource": "secrets", "namespace": "ops", "name": "s1"}),
            "forbid",
        ),
        resource(
            "get",
            json!({"resource": "secrets", "namespace": "ops", "name": "s2"}),
            "forbid",
        ),
    ];
    let usage = Usage::of(&parse_log(&lines.join("\n")).unwrap(), SA);
    assert_eq!(usage.allowed.len(), 1);
    let derived = usage.derive(&DeriveOptions::default());
    assert_eq!(derived.denied.len(), 1);
    assert_eq!(derived.denied[0].count, 2);
    assert_eq!(
        derived.denied[0].request.to_string(),
        "get secrets in namespace ops"
    );
    assert_eq!(
        kubeset_audit::describe_rule(&derived.denied[0].rule),
        "secrets [get]"
    );
    // the derived objects allow the denied requests too: a Role in ops
    assert_eq!(derived.roles.len(), 1);
    assert_eq!(
        derived.roles[0].0.metadata.namespace.as_deref(),
        Some("ops")
    );
}

#[test]
fn other_users_and_stages_do_not_count() {
    let mut other =
        serde_json::from_str::<Value>(&resource("list", json!({"resource": "nodes"}), "allow"))
            .unwrap();
    other["user"]["username"] = "jane".into();
    let mut started =
        serde_json::from_str::<Value>(&resource("watch", json!({"resource": "pods"}), "allow"))
            .unwrap();
    started["stage"] = "ResponseStarted".into();
    // impersonated: counts for the impersonated user
    let mut impersonated = other.clone();
    impersonated["impersonatedUser"] = json!({"username": SA});
    impersonated["objectRef"] = json!({"resource": "services", "namespace": "ops"});
    let log = [
        other.to_string(),
        started.to_string(),
        impersonated.to_string(),
    ]
    .join("\n");
    let usage = Usage::of(&parse_log(&log).unwrap(), SA);
    let requests: Vec<String> = usage.allowed.iter().map(ToString::to_string).collect();
    assert_eq!(requests, ["list services in namespace ops"]);
}

/// A line as kube-apiserver v1.30 writes it with a `level: Metadata` policy (a kind cluster's
/// kube-scheduler binding a pod), and its `ResponseStarted` twin of a watch.
const REAL: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"0b9f3f7e-5d0e-4d7c-8d1e-2f1c3a9b7c11","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods/web-0/binding","verb":"create","user":{"username":"system:kube-scheduler","groups":["system:authenticated"],"extra":{"authentication.kubernetes.io/credential-id":["X509SHA256=5ab3"]}},"sourceIPs":["172.18.0.2"],"userAgent":"kube-scheduler/v1.30.0 (linux/amd64) kubernetes/7c48c2b/scheduler","objectRef":{"resource":"pods","namespace":"default","name":"web-0","apiVersion":"v1","subresource":"binding"},"responseStatus":{"metadata":{},"status":"Success","code":201},"requestReceivedTimestamp":"2024-05-02T10:00:00.123456Z","stageTimestamp":"2024-05-02T10:00:00.130001Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:kube-scheduler\" of ClusterRole \"system:kube-scheduler\" to User \"system:kube-scheduler\""}}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7d0c6a51-1c3e-4e0a-9f59-0c6a8f0e1d22","stage":"ResponseStarted","requestURI":"/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=512&timeout=9m3s&timeoutSeconds=543&watch=true","verb":"watch","user":{"username":"system:kube-scheduler","groups":["system:authenticated"]},"sourceIPs":["172.18.0.2"],"userAgent":"kube-scheduler/v1.30.0","objectRef":{"resource":"nodes","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2024-05-02T10:00:01.000000Z","stageTimestamp":"2024-05-02T10:00:01.002000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
"#;

#[test]
fn real_kube_apiserver_lines_parse() {
    let events = parse_log(REAL).unwrap();
    assert_eq!(events.len(), 1, "only ResponseComplete counts");
    let usage = Usage::of(&events, "system:kube-scheduler");
    let derived = usage.derive(&DeriveOptions::default());
    let rules = derived.roles[0].0.rules.clone().unwrap();
    assert_eq!(
        kubeset_audit::describe_rule(&rules[0]),
        "pods/binding [create]"
    );
    assert_eq!(
        derived.roles[0].1.subjects.as_ref().unwrap()[0].kind,
        "User"
    );
}

#[test]
fn a_bad_line_is_named() {
    let log = format!("{}\n\nnot json\n", path("get", "/healthz"));
    match parse_log(&log) {
        Err(Error::Line { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn comparison_finds_too_much_and_too_little() {
    let lines = [
        resource("get", json!({"resource": "nodes", "name": "n1"}), "allow"),
        resource(
            "create",
            json!({"resource": "selfsubjectaccessreviews", "apiGroup": "authorization.k8s.io"}),
            "allow",
        ),
        resource(
            "update",
            json!({"resource": "leases", "namespace": "ops", "name": "l", "apiGroup": "coordination.k8s.io"}),
            "allow",
        ),
        resource(
            "update",
            json!({"resource": "leases", "namespace": "other", "name": "l", "apiGroup": "coordination.k8s.io"}),
            "forbid",
        ),
    ];
    let usage = Usage::of(&parse_log(&lines.join("\n")).unwrap(), SA);
    let mut policy = Policy::from_yaml(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: nodes}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}
subjects: [{kind: ServiceAccount, name: bot, namespace: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lease, namespace: ops}
rules: [{apiGroups: [coordination.k8s.io], resources: [leases], verbs: [update]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lease, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease}
subjects: [{kind: ServiceAccount, name: bot}]
"#,
    )
    .unwrap();
    policy.merge(Policy::bootstrap());
    let comparison = usage.compare(&policy);
    // the lease in another namespace: the RoleBinding in ops does not reach it
    let missing: Vec<String> = comparison.missing.iter().map(ToString::to_string).collect();
    assert_eq!(
        missing,
        ["update leases.coordination.k8s.io \"l\" in namespace other"]
    );
    assert!(comparison.too_little());
    let too_much: Vec<String> = comparison.too_much().map(ToString::to_string).collect();
    assert_eq!(
        too_much,
        ["nodes [list] granted by ClusterRole/nodes via ClusterRoleBinding/nodes"]
    );
    // the bootstrap roles the user is bound to through system:authenticated: the review it
    // created is used, the others are listed as unused bootstrap grants
    let bootstrap: Vec<String> = comparison
        .unused
        .iter()
        .filter(|u| u.source.bootstrap)
        .map(|u| kubeset_audit::describe_rule(&u.rule))
        .collect();
    assert!(
        bootstrap.contains(&"selfsubjectrulesreviews.authorization.k8s.io [create]".to_owned()),
        "{bootstrap:?}"
    );
    assert!(
        !bootstrap
            .iter()
            .any(|b| b.starts_with("selfsubjectaccessreviews")),
        "{bootstrap:?}"
    );
}
