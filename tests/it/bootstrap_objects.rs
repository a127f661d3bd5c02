//! The objects kube-apiserver creates for itself at start-up and keeps: the API Priority and
//! Fairness configuration (the mandatory `exempt` and `catch-all` FlowSchemas and
//! PriorityLevelConfigurations and the suggested ones, with the `Dangling` condition the APF
//! controller keeps on every FlowSchema) and the aggregator's local APIServices (one per
//! built-in group version, one per version a CRD serves).
//!
//! Everything here holds on a v1.36 cluster too: the objects created are named after the
//! test's namespace and removed, and whatever a controller does is waited for with a deadline.

use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::flowcontrol::v1::{FlowSchema, PriorityLevelConfiguration};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset::clientset::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, PostParams};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::invalid::invalid;
use crate::support::{Ctx, setup};

const AUTO_UPDATE: &str = "apf.kubernetes.io/autoupdate-spec";

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn as_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Polls `check` until it gives `Some`, for at most `limit`.
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

fn api_services(ctx: &Ctx) -> Api<DynamicObject> {
    let resource = ApiResource::new(
        "apiregistration.k8s.io",
        "v1",
        "APIService",
        "apiservices",
        false,
    );
    Api::dynamic_cluster(ctx.client.clone(), &resource).unwrap()
}

/// The `Dangling` condition of a FlowSchema as `(status, reason, message)`.
fn dangling(fs: &FlowSchema) -> Option<(String, String, String)> {
    let c = fs
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Dangling")?;
    Some((
        c.status.clone().unwrap_or_default(),
        c.reason.clone().unwrap_or_default(),
        c.message.clone().unwrap_or_default(),
    ))
}

#[tokio::test]
async fn mandatory_and_suggested_flow_control_objects_exist() {
    let ctx = setup("apf-bootstrap").await;
    let schemas: Api<FlowSchema> = Api::cluster(ctx.client.clone());
    let list = schemas.list(&ListParams::default()).await.unwrap();
    let names: Vec<&str> = list
        .items
        .iter()
        .filter_map(|fs| fs.metadata.name.as_deref())
        .collect();
    for name in [
        "exempt",
        "catch-all",
        "probes",
        "system-leader-election",
        "system-node-high",
        "system-nodes",
        "kube-controller-manager",
        "kube-scheduler",
        "kube-system-service-accounts",
        "service-accounts",
        "global-default",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let exempt = schemas.get("exempt").await.unwrap();
    let annotations = exempt.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(
        annotations.get(AUTO_UPDATE).map(String::as_str),
        Some("true")
    );
    assert_eq!(
        as_json(&exempt.spec),
        json!({"priorityLevelConfiguration": {"name": "exempt"}, "matchingPrecedence": 1,
            "rules": [{"subjects": [{"kind": "Group", "group": {"name": "system:masters"}}],
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"],
                    "clusterScope": true, "namespaces": ["*"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}]}]})
    );
    assert_eq!(
        dangling(&exempt),
        Some((
            "False".into(),
            "Found".into(),
            "This FlowSchema references the PriorityLevelConfiguration object named \"exempt\" and it exists".into()
        ))
    );
    let global = schemas.get("global-default").await.unwrap();
    let spec = global.spec;
    assert_eq!(
        (
            spec.matching_precedence,
            spec.priority_level_configuration.name.as_str()
        ),
        (Some(9900), "global-default")
    );

    let levels: Api<PriorityLevelConfiguration> = Api::cluster(ctx.client.clone());
    let exempt = levels.get("exempt").await.unwrap();
    assert_eq!(
        as_json(&exempt.spec),
        json!({"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}})
    );
    let catch_all = levels.get("catch-all").await.unwrap();
    assert_eq!(
        as_json(&catch_all.spec),
        json!({"type": "Limited", "limited": {"nominalConcurrencyShares": 5,
            "limitResponse": {"type": "Reject"}, "lendablePercent": 0}})
    );
    let workload_low = levels.get("workload-low").await.unwrap();
    assert_eq!(
        as_json(&workload_low.spec)["limited"],
        json!({"nominalConcurrencyShares": 100, "lendablePercent": 90,
            "limitResponse": {"type": "Queue",
                "queuing": {"queues": 128, "handSize": 6, "queueLengthLimit": 50}}})
    );
}

#[tokio::test]
async fn creating_a_mandatory_object_again_is_refused() {
    let ctx = setup("apf-exists").await;
    let pp = PostParams::default();
    let schemas: Api<FlowSchema> = Api::cluster(ctx.client.clone());
    let stored = schemas.get("exempt").await.unwrap();
    let again: FlowSchema = typed(json!({"metadata": {"name": "exempt"},
        "spec": as_json(&stored.spec)}));
    let err = schemas.create(&pp, &again).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    // validation comes first: another spec is refused as not the fixed one
    let mut other = as_json(&stored.spec);
    other["matchingPrecedence"] = json!(2);
    let changed: FlowSchema = typed(json!({"metadata": {"name": "exempt"}, "spec": other}));
    let err = schemas.create(&pp, &changed).await.unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        [("spec".to_owned(), "FieldValueInvalid".to_owned())]
    );
    assert!(
        message.ends_with("spec of 'exempt' must equal the fixed value"),
        "{message}"
    );

    let levels: Api<PriorityLevelConfiguration> = Api::cluster(ctx.client.clone());
    let catch_all: PriorityLevelConfiguration = typed(json!({"metadata": {"name": "catch-all"},
        "spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 5,
            "limitResponse": {"type": "Reject"}, "lendablePercent": 0}}}));
    let err = levels.create(&pp, &catch_all).await.unwrap_err();
    assert!(err.is_already_exists(), "{err}");
}

#[tokio::test]
async fn a_flow_schema_naming_a_missing_level_is_dangling_until_it_exists() {
    let ctx = setup("apf-dangling").await;
    let pp = PostParams::default();
    let (schema_name, level_name) = (format!("{}-fs", ctx.ns), format!("{}-pl", ctx.ns));
    let schemas: Api<FlowSchema> = Api::cluster(ctx.client.clone());
    let levels: Api<PriorityLevelConfiguration> = Api::cluster(ctx.client.clone());
    let schema: FlowSchema = typed(json!({"metadata": {"name": schema_name},
        "spec": {"priorityLevelConfiguration": {"name": level_name}, "matchingPrecedence": 5000,
            "rules": [{"subjects": [{"kind": "User", "user": {"name": format!("nobody-{}", ctx.ns)}}],
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/nothing"]}]}]}}));
    schemas.create(&pp, &schema).await.unwrap();
    let quoted = format!("{level_name:?}");
    let missing = eventually("Dangling True", Duration::from_secs(30), || async {
        dangling(&schemas.get(&schema_name).await.unwrap()).filter(|d| d.0 == "True")
    })
    .await;
    assert_eq!(
        missing,
        (
            "True".to_owned(),
            "NotFound".to_owned(),
            format!(
                "This FlowSchema references the PriorityLevelConfiguration object named {quoted} but there is no such object"
            )
        )
    );
    let level: PriorityLevelConfiguration = typed(json!({"metadata": {"name": level_name},
        "spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 1,
            "limitResponse": {"type": "Reject"}}}}));
    levels.create(&pp, &level).await.unwrap();
    let found = eventually("Dangling False", Duration::from_secs(30), || async {
        dangling(&schemas.get(&schema_name).await.unwrap()).filter(|d| d.0 == "False")
    })
    .await;
    assert_eq!(
        found,
        (
            "False".to_owned(),
            "Found".to_owned(),
            format!(
                "This FlowSchema references the PriorityLevelConfiguration object named {quoted} and it exists"
            )
        )
    );
    let dp = DeleteParams::default();
    schemas.delete(&schema_name, &dp).await.unwrap();
    levels.delete(&level_name, &dp).await.unwrap();
}

#[tokio::test]
async fn local_api_services_are_available() {
    let ctx = setup("apiservices").await;
    let services = api_services(&ctx);
    let apps = as_json(&services.get("v1.apps").await.unwrap());
    assert_eq!(
        apps["spec"],
        json!({"group": "apps", "version": "v1", "groupPriorityMinimum": 17800,
            "versionPriority": 15})
    );
    assert_eq!(
        apps["metadata"]["labels"]["kube-aggregator.kubernetes.io/automanaged"],
        "onstart"
    );
    let available = &apps["status"]["conditions"][0];
    assert_eq!(
        (
            &available["type"],
            &available["status"],
            &available["reason"],
            &available["message"]
        ),
        (
            &json!("Available"),
            &json!("True"),
            &json!("Local"),
            &json!("Local APIServices are always available")
        )
    );
    let core = as_json(&services.get("v1.").await.unwrap());
    assert_eq!(
        core["spec"],
        json!({"version": "v1", "groupPriorityMinimum": 18000, "versionPriority": 1})
    );
    let names: Vec<String> = services
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|s| s["metadata"]["name"].as_str().map(str::to_owned))
        .collect();
    for name in [
        "v1.authentication.k8s.io",
        "v2.autoscaling",
        "v1.autoscaling",
        "v1.flowcontrol.apiserver.k8s.io",
        "v1.resource.k8s.io",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
    }
    // as `kubectl get apiservices` prints it
    let table = services
        .list_table(&ListParams::default().fields("metadata.name=v1.apps"))
        .await
        .unwrap();
    let header: Vec<&str> = table
        .column_definitions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(header, ["Name", "Service", "Available", "Age"]);
    let cells: Vec<String> = (0..3).map(|c| table.rows[0].cell_text(c)).collect();
    assert_eq!(cells, ["v1.apps", "Local", "True"]);
}

#[tokio::test]
async fn a_crd_version_has_an_api_service_while_the_crd_serves_it() {
    let ctx = setup("apiservice-crd").await;
    let group = format!("{}.kubeset.example", ctx.ns);
    let crds: Api<CustomResourceDefinition> = Api::cluster(ctx.client.clone());
    let schema = json!({"openAPIV3Schema": {"type": "object"}});
    let crd: CustomResourceDefinition = typed(json!({
        "metadata": {"name": format!("gadgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [
                {"name": "v1", "served": true, "storage": true, "schema": schema},
                {"name": "v2", "served": false, "storage": false, "schema": schema}]}}));
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let services = api_services(&ctx);
    let name = format!("v1.{group}");
    let service = eventually("the CRD's APIService", Duration::from_secs(60), || async {
        services.get_opt(&name).await.unwrap().map(|s| as_json(&s))
    })
    .await;
    assert_eq!(
        service["spec"],
        json!({"group": group, "version": "v1", "groupPriorityMinimum": 1000,
            "versionPriority": 100})
    );
    assert_eq!(
        service["metadata"]["labels"]["kube-aggregator.kubernetes.io/automanaged"],
        "true"
    );
    assert_eq!(service["status"]["conditions"][0]["reason"], "Local");
    // a version the CRD does not serve has none
    let unserved = services.get_opt(&format!("v2.{group}")).await.unwrap();
    assert!(unserved.is_none(), "{unserved:?}");

    crds.delete(&format!("gadgets.{group}"), &DeleteParams::default())
        .await
        .unwrap();
    eventually(
        "the APIService removed",
        Duration::from_secs(60),
        || async {
            services
                .get_opt(&name)
                .await
                .unwrap()
                .is_none()
                .then_some(())
        },
    )
    .await;
}
