//! Decisions over the wire with the exact 403s: the provisioner's least privilege, subject
//! kinds and implicit groups, non-resource URLs, subresources, resource names, wildcards.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use super::{admin_create, assert_forbidden, binding, call, post, rbac_path, role, rule, sa_token};
use crate::support::{Answer, Who, admin, namespace};

const PROVISIONER: &str = "system:serviceaccount:storage:local-storage-admin";

async fn get(server: &TestServer, who: &Who<'_>, path: &str) -> Answer {
    call(server, who, Method::GET, path, None, None).await
}

/// The message of a denied resource request.
fn denied(user: &str, verb: &str, resource: &str, group: &str, namespace: &str) -> String {
    let scope = if namespace.is_empty() {
        "at the cluster scope".to_owned()
    } else {
        format!("in the namespace \"{namespace}\"")
    };
    format!(
        "User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}"
    )
}

fn local_pv(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": "local-volume-provisioner-n1"}},
        "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "local-storage",
            "volumeMode": "Filesystem", "local": {"path": "/mnt/disks/vol1"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]}}}})
}

#[tokio::test]
async fn provisioner_least_privilege() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "storage").await;
    let token = sa_token(&server, "storage", "local-storage-admin").await;
    let sa = Who::Token(&token);
    let subject =
        json!([{"kind": "ServiceAccount", "name": "local-storage-admin", "namespace": "storage"}]);
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/nodes",
        Some(json!({"metadata": {"name": "n1"}})),
    )
    .await;
    assert_eq!(a.status, 201);

    // nodes are cluster-scoped: a namespaced Role cannot grant them
    admin_create(
        &server,
        &rbac_path("storage", "roles"),
        &[role(
            "storage",
            "node-get",
            json!([rule(&[""], &["nodes"], &["get"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("storage", "rolebindings"),
        &[binding(
            "storage",
            "node-get",
            "Role",
            "node-get",
            subject.clone(),
        )],
    )
    .await;
    let a = get(&server, &sa, "/api/v1/nodes/n1").await;
    assert_forbidden(
        &a,
        &format!(
            "nodes \"n1\" is forbidden: {}",
            denied(PROVISIONER, "get", "nodes", "", "")
        ),
        json!({"name": "n1", "kind": "nodes"}),
    );

    // the sig-storage-local-static-provisioner setup
    admin_create(
        &server,
        &rbac_path("", "clusterroles"),
        &[role(
            "",
            "node-get",
            json!([rule(&[""], &["nodes"], &["get"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("", "clusterrolebindings"),
        &[
            binding("", "node-get", "ClusterRole", "node-get", subject.clone()),
            binding(
                "",
                "pv-provisioner",
                "ClusterRole",
                "system:persistent-volume-provisioner",
                subject,
            ),
        ],
    )
    .await;
    // allowed: get nodes, create and delete PVs
    assert_eq!(get(&server, &sa, "/api/v1/nodes/n1").await.status, 200);
    let a = post(&server, &sa, "/api/v1/persistentvolumes", local_pv("pv1")).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let a = call(
        &server,
        &sa,
        Method::DELETE,
        "/api/v1/persistentvolumes/pv1",
        None,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    // denied: list and watch nodes, read secrets
    assert_forbidden(
        &get(&server, &sa, "/api/v1/nodes").await,
        &format!(
            "nodes is forbidden: {}",
            denied(PROVISIONER, "list", "nodes", "", "")
        ),
        json!({"kind": "nodes"}),
    );
    assert_forbidden(
        &get(&server, &sa, "/api/v1/nodes?watch=1").await,
        &format!(
            "nodes is forbidden: {}",
            denied(PROVISIONER, "watch", "nodes", "", "")
        ),
        json!({"kind": "nodes"}),
    );
    assert_forbidden(
        &get(&server, &sa, "/api/v1/namespaces/storage/secrets/anything").await,
        &format!(
            "secrets \"anything\" is forbidden: {}",
            denied(PROVISIONER, "get", "secrets", "", "storage")
        ),
        json!({"name": "anything", "kind": "secrets"}),
    );
    assert_forbidden(
        &get(&server, &sa, "/api/v1/secrets").await,
        &format!(
            "secrets is forbidden: {}",
            denied(PROVISIONER, "list", "secrets", "", "")
        ),
        json!({"kind": "secrets"}),
    );
}

#[tokio::test]
async fn users_groups_service_accounts_and_implicit_groups() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "subj").await;
    let configmaps = "/api/v1/namespaces/subj/configmaps";
    admin_create(
        &server,
        &rbac_path("subj", "roles"),
        &[role(
            "subj",
            "cm-list",
            json!([rule(&[""], &["configmaps"], &["list"])]),
        )],
    )
    .await;
    let bind =
        |name: &str, subject: Value| binding("subj", name, "Role", "cm-list", json!([subject]));
    admin_create(
        &server,
        &rbac_path("subj", "rolebindings"),
        &[
            bind(
                "user",
                json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"}),
            ),
            bind(
                "group",
                json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"}),
            ),
            bind(
                "sa",
                json!({"kind": "ServiceAccount", "name": "robot", "namespace": "subj"}),
            ),
        ],
    )
    .await;
    let alice = server.client_cert("alice", &[]).unwrap();
    let carol = server.client_cert("carol", &["devs"]).unwrap();
    let bob = server.client_cert("bob", &["ops"]).unwrap();
    let robot = sa_token(&server, "subj", "robot").await;
    let other = sa_token(&server, "subj", "other").await;
    let outsider = sa_token(&server, "default", "outsider").await;
    assert_eq!(
        get(&server, &Who::Cert(&alice), configmaps).await.status,
        200
    );
    assert_eq!(
        get(&server, &Who::Cert(&carol), configmaps).await.status,
        200
    );
    assert_eq!(
        get(&server, &Who::Token(&robot), configmaps).await.status,
        200
    );
    assert_forbidden(
        &get(&server, &Who::Cert(&bob), configmaps).await,
        &format!(
            "configmaps is forbidden: {}",
            denied("bob", "list", "configmaps", "", "subj")
        ),
        json!({"kind": "configmaps"}),
    );
    assert_eq!(
        get(&server, &Who::Token(&other), configmaps).await.status,
        403
    );

    // every ServiceAccount of the namespace, then every authenticated user
    admin_create(
        &server,
        &rbac_path("subj", "rolebindings"),
        &[bind(
            "sas",
            json!({"kind": "Group", "name": "system:serviceaccounts:subj"}),
        )],
    )
    .await;
    assert_eq!(
        get(&server, &Who::Token(&other), configmaps).await.status,
        200
    );
    assert_eq!(
        get(&server, &Who::Token(&outsider), configmaps)
            .await
            .status,
        403
    );
    assert_eq!(get(&server, &Who::Cert(&bob), configmaps).await.status, 403);
    admin_create(
        &server,
        &rbac_path("subj", "rolebindings"),
        &[bind(
            "all-sas",
            json!({"kind": "Group", "name": "system:serviceaccounts"}),
        )],
    )
    .await;
    assert_eq!(
        get(&server, &Who::Token(&outsider), configmaps)
            .await
            .status,
        200
    );
    admin_create(
        &server,
        &rbac_path("subj", "rolebindings"),
        &[bind(
            "authenticated",
            json!({"kind": "Group", "name": "system:authenticated"}),
        )],
    )
    .await;
    assert_eq!(get(&server, &Who::Cert(&bob), configmaps).await.status, 200);
    assert_forbidden(
        &get(&server, &Who::Anonymous, configmaps).await,
        &format!(
            "configmaps is forbidden: {}",
            denied("system:anonymous", "list", "configmaps", "", "subj")
        ),
        json!({"kind": "configmaps"}),
    );
    admin_create(
        &server,
        &rbac_path("subj", "rolebindings"),
        &[bind(
            "unauthenticated",
            json!({"kind": "Group", "name": "system:unauthenticated"}),
        )],
    )
    .await;
    assert_eq!(get(&server, &Who::Anonymous, configmaps).await.status, 200);
}

#[tokio::test]
async fn non_resource_urls_subresources_names_and_wildcards() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "feat").await;
    let token = sa_token(&server, "feat", "worker").await;
    let sa = Who::Token(&token);
    let user = "system:serviceaccount:feat:worker";
    let subject = json!([{"kind": "ServiceAccount", "name": "worker", "namespace": "feat"}]);

    // non-resource URLs: exact paths and prefixes, per verb
    assert_forbidden(
        &get(&server, &sa, "/metrics").await,
        &format!("forbidden: User \"{user}\" cannot get path \"/metrics\""),
        json!({}),
    );
    admin_create(
        &server,
        &rbac_path("", "clusterroles"),
        &[role(
            "",
            "feat-urls",
            json!([{"nonResourceURLs": ["/metrics", "/logs/*"], "verbs": ["get"]}]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("", "clusterrolebindings"),
        &[binding(
            "",
            "feat-urls",
            "ClusterRole",
            "feat-urls",
            subject.clone(),
        )],
    )
    .await;
    assert_ne!(get(&server, &sa, "/metrics").await.status, 403);
    assert_ne!(
        get(&server, &sa, "/logs/kube-apiserver.log").await.status,
        403
    );
    assert_forbidden(
        &get(&server, &sa, "/metrics/slis").await,
        &format!("forbidden: User \"{user}\" cannot get path \"/metrics/slis\""),
        json!({}),
    );
    assert_forbidden(
        &call(
            &server,
            &sa,
            Method::POST,
            "/metrics",
            None,
            Some("{}".into()),
        )
        .await,
        &format!("forbidden: User \"{user}\" cannot post path \"/metrics\""),
        json!({}),
    );

    // subresources are separate resources: pods/log without pods, not pods/status
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/feat/pods",
        Some(pod),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    admin_create(
        &server,
        &rbac_path("feat", "roles"),
        &[role(
            "feat",
            "logs",
            json!([rule(&[""], &["pods/log"], &["get"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("feat", "rolebindings"),
        &[binding("feat", "logs", "Role", "logs", subject.clone())],
    )
    .await;
    assert_ne!(
        get(&server, &sa, "/api/v1/namespaces/feat/pods/p/log")
            .await
            .status,
        403
    );
    assert_forbidden(
        &get(&server, &sa, "/api/v1/namespaces/feat/pods/p").await,
        &format!(
            "pods \"p\" is forbidden: {}",
            denied(user, "get", "pods", "", "feat")
        ),
        json!({"name": "p", "kind": "pods"}),
    );
    assert_forbidden(
        &call(
            &server,
            &sa,
            Method::PATCH,
            "/api/v1/namespaces/feat/pods/p/status",
            Some(super::MERGE),
            Some("{}".into()),
        )
        .await,
        &format!(
            "pods \"p\" is forbidden: {}",
            denied(user, "patch", "pods/status", "", "feat")
        ),
        json!({"name": "p", "kind": "pods"}),
    );

    // resourceNames limit requests naming an object; lists are never allowed by them
    admin_create(
        &server,
        &rbac_path("feat", "roles"),
        &[role("feat", "named", json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["mine"], "verbs": ["get", "list"]}]))],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("feat", "rolebindings"),
        &[binding("feat", "named", "Role", "named", subject.clone())],
    )
    .await;
    let cm = json!({"metadata": {"name": "mine"}, "data": {"a": "1"}});
    assert_eq!(
        admin(
            &server,
            Method::POST,
            "/api/v1/namespaces/feat/configmaps",
            Some(cm)
        )
        .await
        .status,
        201
    );
    assert_eq!(
        get(&server, &sa, "/api/v1/namespaces/feat/configmaps/mine")
            .await
            .status,
        200
    );
    assert_forbidden(
        &get(&server, &sa, "/api/v1/namespaces/feat/configmaps/theirs").await,
        &format!(
            "configmaps \"theirs\" is forbidden: {}",
            denied(user, "get", "configmaps", "", "feat")
        ),
        json!({"name": "theirs", "kind": "configmaps"}),
    );
    assert_forbidden(
        &get(&server, &sa, "/api/v1/namespaces/feat/configmaps").await,
        &format!(
            "configmaps is forbidden: {}",
            denied(user, "list", "configmaps", "", "feat")
        ),
        json!({"kind": "configmaps"}),
    );

    // `*` covers every group, resource (and subresource) for the listed verbs only
    admin_create(
        &server,
        &rbac_path("feat", "roles"),
        &[role(
            "feat",
            "reader",
            json!([rule(&["*"], &["*"], &["list"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("feat", "rolebindings"),
        &[binding("feat", "reader", "Role", "reader", subject)],
    )
    .await;
    assert_eq!(
        get(&server, &sa, "/api/v1/namespaces/feat/configmaps")
            .await
            .status,
        200
    );
    assert_eq!(
        get(
            &server,
            &sa,
            "/apis/coordination.k8s.io/v1/namespaces/feat/leases"
        )
        .await
        .status,
        200
    );
    assert_forbidden(
        &call(
            &server,
            &sa,
            Method::DELETE,
            "/apis/coordination.k8s.io/v1/namespaces/feat/leases/l",
            None,
            None,
        )
        .await,
        &format!(
            "leases.coordination.k8s.io \"l\" is forbidden: {}",
            denied(user, "delete", "leases", "coordination.k8s.io", "feat")
        ),
        json!({"name": "l", "group": "coordination.k8s.io", "kind": "leases"}),
    );
    assert_eq!(
        get(&server, &sa, "/api/v1/configmaps").await.status,
        403,
        "namespaced roles never grant cluster-wide lists"
    );
}
