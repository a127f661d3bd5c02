//! Field management of kinds beyond Pods and ConfigMaps, as kube-apiserver v1.36 does it from
//! the OpenAPI models of the Go types: a Service's `spec.ports` keyed by `port` and `protocol`
//! (`TCP` by default), a Job's containers keyed by `name`, a FlowSchema's status conditions
//! keyed by `type`. Each object is written by three managers: created by one, a list item
//! server-side applied by a second, another item added by a strategic merge patch of a third;
//! each keeps its own items and its own managedFields entry.

use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::flowcontrol::v1::FlowSchema;
use kubeset::clientset::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::setup;

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn as_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// The `(operation, subresource, fieldsV1)` of `manager`'s entry in `object`.
fn entry(object: &Value, manager: &str) -> Option<(String, String, Value)> {
    let entries = object["metadata"]["managedFields"].as_array()?;
    let found = entries.iter().find(|e| e["manager"] == manager)?;
    let text = |k: &str| found[k].as_str().unwrap_or("").to_owned();
    Some((
        text("operation"),
        text("subresource"),
        found["fieldsV1"].clone(),
    ))
}

/// `manager`'s fieldsV1, asserting its operation and subresource.
#[track_caller]
fn fields(object: &Value, manager: &str, operation: &str, subresource: &str) -> Value {
    let (op, sub, fields) = entry(object, manager)
        .unwrap_or_else(|| panic!("no entry of {manager}: {}", object["metadata"]));
    assert_eq!((op.as_str(), sub.as_str()), (operation, subresource));
    fields
}

async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn service_ports_are_owned_by_port_and_protocol() {
    let ctx = setup("mf-service").await;
    let services = ctx.client.services(&ctx.ns);
    let service: Service = typed(json!({"metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}));
    let created = services
        .create(&PostParams::default().field_manager("creator"), &service)
        .await
        .unwrap();
    let creator = fields(&as_json(&created), "creator", "Update", "");
    // ServiceSpec.Selector is `+mapType=atomic`; the port's protocol is defaulted and owned
    assert_eq!(creator["f:spec"]["f:selector"], json!({}));
    assert_eq!(
        creator["f:spec"]["f:ports"][r#"k:{"port":80,"protocol":"TCP"}"#],
        json!({".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}, "f:targetPort": {}})
    );

    // another manager applies one more port: merged by key, no conflict with the creator
    let config = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": ctx.ns},
        "spec": {"ports": [{"name": "https", "port": 443, "targetPort": 8443}]}});
    let applied = as_json(
        &services
            .patch("web", &PatchParams::apply("applier"), &Patch::Apply(config))
            .await
            .unwrap(),
    );
    let ports: Vec<(i64, &str)> = applied["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["port"].as_i64().unwrap(), p["protocol"].as_str().unwrap()))
        .collect();
    assert_eq!(ports, [(80, "TCP"), (443, "TCP")]);
    let applier = json!({"f:spec": {"f:ports": {r#"k:{"port":443,"protocol":"TCP"}"#:
        {".": {}, "f:name": {}, "f:port": {}, "f:targetPort": {}}}}});
    assert_eq!(fields(&applied, "applier", "Apply", ""), applier);

    // a strategic merge patch merges its port by `port` (a new item goes first, as
    // strategicpatch's normalizeElementOrder puts it)
    let patch = json!({"spec": {"ports": [{"name": "alt", "port": 9443, "targetPort": 9443}]}});
    let patched = as_json(
        &services
            .patch(
                "web",
                &PatchParams::default().field_manager("patcher"),
                &Patch::Strategic(patch),
            )
            .await
            .unwrap(),
    );
    let names: Vec<&str> = patched["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alt", "http", "https"]);
    assert_eq!(
        fields(&patched, "patcher", "Update", ""),
        json!({"f:spec": {"f:ports": {r#"k:{"port":9443,"protocol":"TCP"}"#:
            {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {}, "f:targetPort": {}}}}})
    );
    assert_eq!(fields(&patched, "applier", "Apply", ""), applier);
    let creator = fields(&patched, "creator", "Update", "");
    assert!(
        creator["f:spec"]["f:ports"]
            .get(r#"k:{"port":80,"protocol":"TCP"}"#)
            .is_some(),
        "{creator}"
    );
}

#[tokio::test]
async fn job_containers_are_owned_by_name() {
    let ctx = setup("mf-job").await;
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let job: Job = typed(json!({"metadata": {"name": "work"},
        "spec": {"suspend": true, "template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "main", "image": "busybox", "command": ["true"]}]}}}}));
    let created = as_json(
        &jobs
            .create(&PostParams::default().field_manager("creator"), &job)
            .await
            .unwrap(),
    );
    let creator = fields(&created, "creator", "Update", "");
    let main = &creator["f:spec"]["f:template"]["f:spec"]["f:containers"][r#"k:{"name":"main"}"#];
    for field in ["f:name", "f:image", "f:command"] {
        assert_eq!(main[field], json!({}), "{field} in {creator}");
    }

    // applying the same container again: shared ownership of the item, no conflict, and the
    // applier owns only the item's fields it applied
    let config = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "work", "namespace": ctx.ns},
        "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "busybox"}]}}}});
    let applied = as_json(
        &jobs
            .patch(
                "work",
                &PatchParams::apply("applier"),
                &Patch::Apply(config),
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        fields(&applied, "applier", "Apply", ""),
        json!({"f:spec": {"f:template": {"f:spec": {"f:containers":
            {r#"k:{"name":"main"}"#: {".": {}, "f:image": {}, "f:name": {}}}}}}})
    );

    // a strategic merge patch naming the container merges into it (a replaced list would
    // lose `command` and change the immutable template): nothing changes
    let patch = json!({"spec": {"template": {"spec": {"containers":
        [{"name": "main", "image": "busybox"}]}}}});
    let patched = as_json(
        &jobs
            .patch(
                "work",
                &PatchParams::default().field_manager("patcher"),
                &Patch::Strategic(patch),
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        patched["spec"]["template"]["spec"]["containers"][0]["command"],
        json!(["true"])
    );
    assert_eq!(entry(&patched, "patcher"), None);
}

#[tokio::test]
async fn flow_schema_conditions_are_owned_by_type() {
    let ctx = setup("mf-flowschema").await;
    let name = format!("{}-fs", ctx.ns);
    let schemas: Api<FlowSchema> = Api::cluster(ctx.client.clone());
    let schema: FlowSchema = typed(json!({"metadata": {"name": name},
        "spec": {"priorityLevelConfiguration": {"name": "global-default"},
            "matchingPrecedence": 9000,
            "rules": [{"subjects": [{"kind": "User", "user": {"name": format!("nobody-{}", ctx.ns)}}],
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/nothing"]}]}]}}));
    let created = as_json(
        &schemas
            .create(&PostParams::default().field_manager("creator"), &schema)
            .await
            .unwrap(),
    );
    let creator = fields(&created, "creator", "Update", "");
    // FlowSchemaSpec.Rules is `+listType=atomic`: owned whole
    assert_eq!(creator["f:spec"]["f:rules"], json!({}));
    assert_eq!(
        creator["f:spec"]["f:priorityLevelConfiguration"],
        json!({"f:name": {}})
    );
    assert!(creator.get("f:status").is_none(), "{creator}");

    // the API Priority and Fairness controller writes its `Dangling` condition
    eventually(
        "the Dangling condition",
        Duration::from_secs(30),
        || async {
            let read = as_json(&schemas.get(&name).await.unwrap());
            let conditions = read["status"]["conditions"].as_array().cloned()?;
            conditions
                .iter()
                .any(|c| c["type"] == "Dangling")
                .then_some(())
        },
    )
    .await;

    // another manager applies a condition of its own to the status: keyed by type, no
    // conflict with the controller's
    let condition = |kind: &str, message: &str| {
        json!({"type": kind, "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z",
            "reason": "Testing", "message": message})
    };
    let config = json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema",
        "metadata": {"name": name},
        "status": {"conditions": [condition("Example", "applied")]}});
    let applied = as_json(
        &schemas
            .patch_status(&name, &PatchParams::apply("applier"), &Patch::Apply(config))
            .await
            .unwrap(),
    );
    let owned = |kind: &str| {
        json!({"f:status": {"f:conditions": {format!(r#"k:{{"type":"{kind}"}}"#): {".": {},
            "f:lastTransitionTime": {}, "f:message": {}, "f:reason": {}, "f:status": {},
            "f:type": {}}}}})
    };
    assert_eq!(
        fields(&applied, "applier", "Apply", "status"),
        owned("Example")
    );

    // a strategic merge patch of the status merges its condition by type
    let patch = json!({"status": {"conditions": [condition("Other", "patched")]}});
    let patched = as_json(
        &schemas
            .patch_status(
                &name,
                &PatchParams::default().field_manager("patcher"),
                &Patch::Strategic(patch),
            )
            .await
            .unwrap(),
    );
    let mut kinds: Vec<&str> = patched["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["Dangling", "Example", "Other"]);
    assert_eq!(
        fields(&patched, "patcher", "Update", "status"),
        owned("Other")
    );
    assert_eq!(
        fields(&patched, "applier", "Apply", "status"),
        owned("Example")
    );
    schemas
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
}
