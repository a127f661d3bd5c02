//! Server-side printing as kubectl shows it: `kubectl get <type>` and `-o wide` print the
//! cells of the server's `Table` as they are, so the header and the row of each sample object
//! must be what kube-apiserver's printers (`pkg/printers/internalversion/printers.go`) make of
//! the object as stored.
//!
//! The sample types have no controller acting on them (a suspended CronJob, a claim of a
//! class nothing provisions), so the rows are the same against a real cluster. Without
//! kubectl on disk the `kctl` example, which prints the server's Table the way kubectl does,
//! stands in for it.

use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kubeset::clientset::{Api, PostParams};
use serde_json::json;

use crate::kctl::{kctl_bin, kubectl, run_in};
use crate::support::{kubeconfig_path, setup};

/// `get ARGS...` with kubectl (or kctl); the output's header and rows as cells, cut at the
/// columns' starts in the header (cells may be empty or hold single spaces).
fn get(args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let program = kubectl().unwrap_or_else(|| kctl_bin().to_owned());
    let dir = tempfile::tempdir().unwrap();
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    let run = run_in(&program, kubeconfig_path(), dir.path(), &full, None);
    assert_eq!(run.code, 0, "{full:?}: {run:?}");
    let mut lines = run.stdout.lines();
    let header = lines.next().unwrap_or_default();
    let mut starts = vec![0];
    let bytes = header.as_bytes();
    // kubectl pads columns with at least three spaces; headers hold single ones
    for i in 2..bytes.len() {
        if bytes[i] != b' ' && bytes[i - 1] == b' ' && bytes[i - 2] == b' ' {
            starts.push(i);
        }
    }
    let cut = |line: &str| -> Vec<String> {
        starts
            .iter()
            .enumerate()
            .map(|(n, &s)| {
                let end = starts
                    .get(n + 1)
                    .copied()
                    .unwrap_or(line.len())
                    .min(line.len());
                line.get(s.min(line.len())..end)
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
            .collect()
    };
    let header = cut(header);
    (header, lines.map(cut).collect())
}

/// The single row of `get`, with its header; the age cell is checked and replaced by `AGE`.
#[track_caller]
fn row(args: &[&str]) -> (Vec<String>, Vec<String>) {
    let (header, rows) = get(args);
    assert_eq!(rows.len(), 1, "{args:?}: {rows:?}");
    let mut row = rows.into_iter().next().unwrap_or_default();
    if let Some(i) = header.iter().position(|h| h == "AGE") {
        let age = &row[i];
        assert!(
            age.ends_with('s') && age[..age.len() - 1].chars().all(|c| c.is_ascii_digit()),
            "{args:?}: age {age:?}"
        );
        row[i] = "AGE".into();
    }
    (header, row)
}

#[track_caller]
fn check(args: &[&str], header: &[&str], cells: &[&str]) {
    let (got_header, got) = row(args);
    assert_eq!(got_header, header, "{args:?}");
    assert_eq!(got, cells, "{args:?}");
}

#[tokio::test]
async fn kubectl_prints_the_servers_columns() {
    let ctx = setup("tables").await;
    let ns = ctx.ns.as_str();
    let pp = PostParams::default();

    // Service: its cluster IP, ports as port/protocol, the wide selector.
    let svc: Service = serde_json::from_value(json!({"metadata": {"name": "web"},
        "spec": {"selector": {"app": "web", "tier": "front"}, "ports": [
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
            {"name": "dns", "port": 53, "protocol": "UDP"}]}}))
    .unwrap();
    let svc = ctx.client.services(ns).create(&pp, &svc).await.unwrap();
    // the first cluster IP (the test server allocates none)
    let ip = svc
        .spec
        .and_then(|s| s.cluster_ips)
        .and_then(|ips| ips.into_iter().next())
        .unwrap_or_else(|| "<none>".into());
    let header = [
        "NAME",
        "TYPE",
        "CLUSTER-IP",
        "EXTERNAL-IP",
        "PORT(S)",
        "AGE",
    ];
    let cells = ["web", "ClusterIP", &ip, "<none>", "80/TCP,53/UDP", "AGE"];
    check(&["service", "web", "-n", ns], &header, &cells);
    let wide = [&header[..], &["SELECTOR"]].concat();
    let cells = [&cells[..], &["app=web,tier=front"]].concat();
    check(&["service", "web", "-n", ns, "-o", "wide"], &wide, &cells);

    // Secret: its type and the number of data keys.
    let secret: Secret = serde_json::from_value(json!({"metadata": {"name": "creds"},
        "type": "Opaque", "stringData": {"user": "u", "password": "p"}}))
    .unwrap();
    ctx.client.secrets(ns).create(&pp, &secret).await.unwrap();
    check(
        &["secret", "creds", "-n", ns],
        &["NAME", "TYPE", "DATA", "AGE"],
        &["creds", "Opaque", "2", "AGE"],
    );

    // A suspended CronJob: nothing ever runs, so the status cells stay as created.
    let cron: CronJob = serde_json::from_value(json!({"metadata": {"name": "nightly"},
        "spec": {"schedule": "*/5 * * * *", "suspend": true, "jobTemplate": {"spec": {"template":
            {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "backup", "image": "busybox"}, {"name": "upload", "image": "curl"}]}}}}}}))
    .unwrap();
    Api::<CronJob>::namespaced(ctx.client.clone(), ns)
        .create(&pp, &cron)
        .await
        .unwrap();
    let header = [
        "NAME",
        "SCHEDULE",
        "TIMEZONE",
        "SUSPEND",
        "ACTIVE",
        "LAST SCHEDULE",
        "AGE",
    ];
    let cells = [
        "nightly",
        "*/5 * * * *",
        "<none>",
        "True",
        "0",
        "<none>",
        "AGE",
    ];
    check(&["cronjob", "nightly", "-n", ns], &header, &cells);
    let wide = [&header[..], &["CONTAINERS", "IMAGES", "SELECTOR"]].concat();
    let cells = [&cells[..], &["backup,upload", "busybox,curl", "<none>"]].concat();
    check(
        &["cronjob", "nightly", "-n", ns, "-o", "wide"],
        &wide,
        &cells,
    );

    // RoleBinding: Kind/name of the role; the wide subjects by kind.
    let binding: RoleBinding = serde_json::from_value(json!({"metadata": {"name": "readers"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"},
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"},
            {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"},
            {"kind": "ServiceAccount", "namespace": ns, "name": "default"}]}))
    .unwrap();
    Api::<RoleBinding>::namespaced(ctx.client.clone(), ns)
        .create(&pp, &binding)
        .await
        .unwrap();
    let sa = format!("{ns}/default");
    check(
        &["rolebinding", "readers", "-n", ns, "-o", "wide"],
        &["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"],
        &[
            "readers",
            "ClusterRole/view",
            "AGE",
            "alice, bob",
            "devs",
            &sa,
        ],
    );

    // A claim of a class nothing provisions: Pending, no volume, capacity or modes yet.
    let claim: PersistentVolumeClaim = serde_json::from_value(json!({"metadata": {"name": "data"},
        "spec": {"storageClassName": "kubeset-unprovisioned", "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}}))
    .unwrap();
    Api::<PersistentVolumeClaim>::namespaced(ctx.client.clone(), ns)
        .create(&pp, &claim)
        .await
        .unwrap();
    let header = [
        "NAME",
        "STATUS",
        "VOLUME",
        "CAPACITY",
        "ACCESS MODES",
        "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS",
        "AGE",
    ];
    let cells = [
        "data",
        "Pending",
        "",
        "",
        "",
        "kubeset-unprovisioned",
        "<unset>",
        "AGE",
    ];
    check(&["pvc", "data", "-n", ns], &header, &cells);
    let wide = [&header[..], &["VOLUMEMODE"]].concat();
    let cells = [&cells[..], &["Filesystem"]].concat();
    check(&["pvc", "data", "-n", ns, "-o", "wide"], &wide, &cells);
}

/// A cluster-scoped handle of `group/version` `plural`.
fn cluster(
    ctx: &crate::support::Ctx,
    (group, version, kind, plural): (&str, &str, &str, &str),
) -> Api<kubeset::clientset::DynamicObject> {
    let resource = kubeset::clientset::ApiResource::new(group, version, kind, plural, false);
    Api::dynamic_cluster(ctx.client.clone(), &resource).unwrap()
}

#[tokio::test]
async fn cluster_scoped_printers_as_kubectl_shows_them() {
    use kubeset::clientset::DeleteParams;

    let ctx = setup("tables-cluster").await;
    let prefix = ctx.ns.clone();
    let pp = PostParams::default();

    // A VolumeAttributesClass marked default: printVolumeAttributesClass appends ` (default)`.
    let classes = cluster(
        &ctx,
        (
            "storage.k8s.io",
            "v1",
            "VolumeAttributesClass",
            "volumeattributesclasses",
        ),
    );
    let gold = format!("{prefix}-gold");
    classes
        .create(
            &pp,
            &json!({"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttributesClass",
            "metadata": {"name": gold, "annotations":
                {"volumeattributesclass.alpha.kubernetes.io/is-default-class": "true"}},
            "driverName": "csi.kubeset.test", "parameters": {"iops": "3000"}}),
        )
        .await
        .unwrap();
    check(
        &["volumeattributesclass", &gold],
        &["NAME", "DRIVERNAME", "AGE"],
        &[&format!("{gold} (default)"), "csi.kubeset.test", "AGE"],
    );

    // FlowSchemas: printFlowSchemaList sorts by matching precedence, then name.
    let schemas = cluster(
        &ctx,
        (
            "flowcontrol.apiserver.k8s.io",
            "v1",
            "FlowSchema",
            "flowschemas",
        ),
    );
    let mut made = Vec::new();
    for (suffix, precedence) in [("b", 5000), ("a", 5000), ("c", 4000)] {
        let name = format!("{prefix}-{suffix}");
        schemas
            .create(
                &pp,
                &json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema",
                "metadata": {"name": name}, "spec": {"matchingPrecedence": precedence,
                    "priorityLevelConfiguration": {"name": "global-default"}}}),
            )
            .await
            .unwrap();
        made.push(name);
    }
    let (header, rows) = get(&["flowschemas"]);
    assert_eq!(
        header[..4],
        [
            "NAME",
            "PRIORITYLEVEL",
            "MATCHINGPRECEDENCE",
            "DISTINGUISHERMETHOD"
        ]
    );
    let ours: Vec<String> = rows
        .iter()
        .filter(|r| r[0].starts_with(&prefix))
        .map(|r| r[0].clone())
        .collect();
    let expected: Vec<String> = ["c", "a", "b"]
        .iter()
        .map(|s| format!("{prefix}-{s}"))
        .collect();
    assert_eq!(ours, expected);

    // A ValidatingAdmissionPolicyBinding whose paramRef selects: Go's LabelSelector.String().
    let bindings = cluster(
        &ctx,
        (
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingAdmissionPolicyBinding",
            "validatingadmissionpolicybindings",
        ),
    );
    let binding = format!("{prefix}-binding");
    bindings
        .create(&pp, &json!({"apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": binding},
            "spec": {"policyName": format!("{prefix}-policy"), "validationActions": ["Deny"],
                "paramRef": {"parameterNotFoundAction": "Deny", "selector": {
                    "matchLabels": {"tier": "web", "app": "shop"},
                    "matchExpressions": [{"key": "env", "operator": "In", "values": ["dev", "prod"]}]}}}}))
        .await
        .unwrap();
    check(
        &["validatingadmissionpolicybinding", &binding],
        &["NAME", "POLICYNAME", "PARAMREF", "AGE"],
        &[
            &binding,
            &format!("{prefix}-policy"),
            "&LabelSelector{MatchLabels:map[string]string{app: shop,tier: web,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[dev prod],},},}",
            "AGE",
        ],
    );

    // An IPAddress: two columns, rows with a third cell (the age) no column names.
    let addresses = cluster(
        &ctx,
        ("networking.k8s.io", "v1", "IPAddress", "ipaddresses"),
    );
    let tag = prefix
        .bytes()
        .fold(0u16, |h, b| h.wrapping_mul(31).wrapping_add(u16::from(b)));
    let ip = format!("2001:db8::{:x}", tag.max(1));
    addresses
        .create(
            &pp,
            &json!({"apiVersion": "networking.k8s.io/v1", "kind": "IPAddress",
            "metadata": {"name": ip}, "spec": {"parentRef": {"group": "kubeset.test",
                "resource": "gateways", "namespace": prefix, "name": "gw"}}}),
        )
        .await
        .unwrap();
    let table = addresses.get_table(&ip).await.unwrap();
    let names: Vec<&str> = table
        .column_definitions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Name", "ParentRef"]);
    assert_eq!(table.rows[0].cells.len(), 3, "{:?}", table.rows[0].cells);
    check(
        &["ipaddress", &ip],
        &["NAME", "PARENTREF"],
        &[&ip, &format!("gateways.kubeset.test/{prefix}/gw")],
    );

    let dp = DeleteParams::default();
    classes.delete(&gold, &dp).await.unwrap();
    for name in &made {
        schemas.delete(name, &dp).await.unwrap();
    }
    bindings.delete(&binding, &dp).await.unwrap();
    addresses.delete(&ip, &dp).await.unwrap();
}
