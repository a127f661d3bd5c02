//! Spec validation of the core and apps kinds that hold limits, templates and history:
//! ResourceQuotas, LimitRanges (with the item defaults validation sees), ReplicationControllers
//! (with the selector and labels defaulted from the template), StatefulSet claim templates,
//! ControllerRevisions, PodTemplates and Endpoints. Each invalid object has one resource name at fault,
//! so the messages do not depend on Go's map order and hold on a cluster too.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    Endpoints, LimitRange, PodTemplate, ReplicationController, ResourceQuota,
};
use kubeset::clientset::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::invalid::{invalid, pod_spec};
use crate::support::setup;

fn cause(field: &str, reason: &str) -> (String, String) {
    (field.to_owned(), reason.to_owned())
}

#[tokio::test]
async fn resource_quotas_check_their_limits_and_keep_their_scopes() {
    let ctx = setup("valid-quota").await;
    let quotas: Api<ResourceQuota> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let quota = |name: &str, spec: Value| -> ResourceQuota {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
    };
    let created = quotas
        .create(
            &PostParams::default(),
            &quota(
                "best-effort",
                json!({"hard": {"pods": "10"}, "scopes": ["BestEffort"]}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        created.spec.unwrap().scopes,
        Some(vec!["BestEffort".to_owned()])
    );

    let err = quotas
        .create(
            &PostParams::default(),
            &quota("fraction", json!({"hard": {"pods": "1500m"}})),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "ResourceQuota \"fraction\" is invalid: spec.hard[pods]: Invalid value: \"1500m\": must be an integer"
    );

    let err = quotas
        .create(
            &PostParams::default(),
            &quota(
                "cpu",
                json!({"hard": {"requests.cpu": "1"}, "scopes": ["BestEffort"]}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "ResourceQuota \"cpu\" is invalid: spec.scopes: Invalid value: [\"BestEffort\"]: unsupported scope applied to resource"
    );

    // the scopes of a quota never change
    let err = quotas
        .patch(
            "best-effort",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"scopes": ["NotBestEffort"]}})),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "ResourceQuota \"best-effort\" is invalid: spec.scopes: Invalid value: [\"NotBestEffort\"]: field is immutable"
    );
    assert_eq!(causes, [cause("spec.scopes", "FieldValueInvalid")]);
}

#[tokio::test]
async fn limit_ranges_are_defaulted_then_checked_as_a_whole() {
    let ctx = setup("valid-limits").await;
    let ranges: Api<LimitRange> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let range = |name: &str, limits: Value| -> LimitRange {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": {"limits": limits}}))
            .unwrap()
    };
    // a container item's default comes from max, its default request from the default
    let created = ranges
        .create(
            &PostParams::default(),
            &range(
                "ok",
                json!([{"type": "Container", "max": {"cpu": "2000m"}, "min": {"cpu": "100m"}}]),
            ),
        )
        .await
        .unwrap();
    let item = serde_json::to_value(&created.spec.unwrap().limits[0]).unwrap();
    assert_eq!(
        (
            &item["max"],
            &item["default"],
            &item["defaultRequest"],
            &item["min"]
        ),
        (
            &json!({"cpu": "2"}),
            &json!({"cpu": "2"}),
            &json!({"cpu": "2"}),
            &json!({"cpu": "100m"})
        )
    );

    // min above max: reported against max and against the defaults max produced
    let err = ranges
        .create(
            &PostParams::default(),
            &range(
                "upside-down",
                json!([{"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]),
            ),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "LimitRange \"upside-down\" is invalid: [spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1, spec.limits[0].defaultRequest[cpu]: Invalid value: \"1\": min value 2 is greater than default request value 1, spec.limits[0].default[cpu]: Invalid value: \"2\": min value 2 is greater than default value 1]"
    );
    assert_eq!(
        causes,
        [
            cause("spec.limits[0].min[cpu]", "FieldValueInvalid"),
            cause("spec.limits[0].defaultRequest[cpu]", "FieldValueInvalid"),
            cause("spec.limits[0].default[cpu]", "FieldValueInvalid"),
        ]
    );

    let err = ranges
        .create(
            &PostParams::default(),
            &range(
                "pod-defaults",
                json!([{"type": "Pod", "default": {"memory": "1Gi"}}]),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "LimitRange \"pod-defaults\" is invalid: spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"
    );
}

#[tokio::test]
async fn replication_controllers_default_their_selector_and_check_the_template() {
    let ctx = setup("valid-rc").await;
    let rcs: Api<ReplicationController> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let rc = |name: &str, spec: Value| -> ReplicationController {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
    };
    let created = rcs
        .create(
            &PostParams::default(),
            &rc(
                "web",
                json!({"template": {"metadata": {"labels": {"app": "web"}},
                    "spec": pod_spec("Always")}}),
            ),
        )
        .await
        .unwrap();
    let spec = created.spec.clone().unwrap();
    let labels = Some([("app".to_owned(), "web".to_owned())].into());
    assert_eq!(
        (spec.replicas, spec.selector, created.metadata.labels),
        (Some(1), labels.clone(), labels)
    );

    let err = rcs
        .create(
            &PostParams::default(),
            &rc(
                "once",
                json!({"template": {"metadata": {"labels": {"app": "once"}},
                    "spec": pod_spec("OnFailure")}}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "ReplicationController \"once\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""
    );

    let err = rcs
        .create(
            &PostParams::default(),
            &rc("nothing", json!({"template": {"spec": pod_spec("Always")}})),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "ReplicationController \"nothing\" is invalid: spec.selector: Required value"
    );
}

#[tokio::test]
async fn stateful_sets_check_and_mount_their_claim_templates() {
    let ctx = setup("valid-sts-claims").await;
    let sets: Api<StatefulSet> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let set = |name: &str, claim_spec: Value| -> StatefulSet {
        let mut pod = pod_spec("Always");
        pod["containers"][0]["volumeMounts"] = json!([{"name": "data", "mountPath": "/data"}]);
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": {
            "serviceName": name, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim_spec}]}}))
        .unwrap()
    };
    // the template mounts the claim template, which is no volume of the pod spec
    sets.create(
        &PostParams::default(),
        &set(
            "db",
            json!({"accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}}),
        ),
    )
    .await
    .unwrap();

    let err = sets
        .create(
            &PostParams::default(),
            &set(
                "no-modes",
                json!({"resources": {"requests": {"storage": "1Gi"}}}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "StatefulSet.apps \"no-modes\" is invalid: spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required"
    );
}

#[tokio::test]
async fn controller_revisions_need_data_that_never_changes() {
    let ctx = setup("valid-revisions").await;
    let revisions: Api<ControllerRevision> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let revision = |name: &str, data: Value| -> ControllerRevision {
        serde_json::from_value(json!({"metadata": {"name": name}, "revision": 1, "data": data}))
            .unwrap()
    };
    revisions
        .create(
            &PostParams::default(),
            &revision("r1", json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    let err = revisions
        .create(&PostParams::default(), &revision("empty", Value::Null))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "ControllerRevision.apps \"empty\" is invalid: data: Required value: data is mandatory"
    );
    let err = revisions
        .patch(
            "r1",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"spec": {"replicas": 2}}})),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert!(message.ends_with(": field is immutable"), "{message}");
    assert_eq!(causes, [cause("data", "FieldValueInvalid")]);
}

#[tokio::test]
async fn pod_templates_check_their_pod_spec() {
    let ctx = setup("valid-podtemplates").await;
    let templates: Api<PodTemplate> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let template: PodTemplate = serde_json::from_value(json!({"metadata": {"name": "t"},
        "template": {"spec": {"containers": [{"name": "c"}]}}}))
    .unwrap();
    let err = templates
        .create(&PostParams::default(), &template)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "PodTemplate \"t\" is invalid: template.spec.containers[0].image: Required value"
    );
    assert_eq!(
        causes,
        [cause(
            "template.spec.containers[0].image",
            "FieldValueRequired"
        )]
    );
}

#[tokio::test]
async fn endpoints_check_their_addresses_and_ports() {
    let ctx = setup("valid-endpoints").await;
    // the API server's own Endpoints exist and pass
    let default: Api<Endpoints> = Api::namespaced(ctx.client.clone(), "default");
    let own = default.get("kubernetes").await.unwrap();
    assert!(!own.subsets.unwrap_or_default().is_empty());

    let endpoints: Api<Endpoints> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let ep = |subsets: Value| -> Endpoints {
        serde_json::from_value(json!({"metadata": {"name": "ep"}, "subsets": subsets})).unwrap()
    };
    endpoints
        .create(
            &PostParams::default(),
            &ep(json!([{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80}]}])),
        )
        .await
        .unwrap();
    endpoints.delete("ep", &Default::default()).await.unwrap();
    let err = endpoints
        .create(
            &PostParams::default(),
            &ep(json!([{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"port": 80}]}])),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "Endpoints \"ep\" is invalid: subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"
    );
    assert_eq!(
        causes,
        [cause("subsets[0].addresses[0].ip", "FieldValueInvalid")]
    );
}
