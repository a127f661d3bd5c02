//! Spec validation of the cluster's admission, aggregation and flow-control configuration, as
//! kube-apiserver answers it: webhook configurations, ValidatingAdmissionPolicies and their
//! bindings, APIServices, FlowSchemas and PriorityLevelConfigurations. Invalid objects are
//! refused with the real field errors; the one valid object each test creates is deleted
//! again, so these hold on a cluster too.

use kubeset::clientset::{Api, Client, DeleteParams, PostParams};
use serde_json::{Value, json};

use crate::support::invalid::invalid;
use crate::support::setup;

/// The dynamic handle of a cluster-scoped kind.
async fn cluster_api(client: &Client, group: &str, kind: &str) -> Api<Value> {
    let resource = client.resolve(group, "v1", kind).await.unwrap();
    Api::dynamic_cluster(client.clone(), &resource).unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
        .collect()
}

#[tokio::test]
async fn webhook_configurations_check_their_webhooks_and_are_defaulted() {
    let ctx = setup("admission-webhooks").await;
    let api = cluster_api(
        &ctx.client,
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    )
    .await;
    let name = format!("{}.kubeset.test", ctx.ns);
    let err = api
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "ValidatingWebhookConfiguration", "metadata": {"name": name},
                "webhooks": [{"name": "hook", "admissionReviewVersions": ["v1"],
                    "sideEffects": "Some", "timeoutSeconds": 60,
                    "clientConfig": {"url": "http://hook.example.com/?x=1"},
                    "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                        "resources": ["*", "pods"]}],
                    "matchConditions": [{"name": "broken", "expression": "request.kind =="}]}]}),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert!(
        message.starts_with(&format!(
            "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"{name}\" is invalid: ["
        )),
        "{message}"
    );
    assert_eq!(
        causes,
        pairs(&[
            ("webhooks[0].name", "FieldValueInvalid"),
            ("webhooks[0].rules[0].resources", "FieldValueInvalid"),
            ("webhooks[0].sideEffects", "FieldValueNotSupported"),
            ("webhooks[0].timeoutSeconds", "FieldValueInvalid"),
            ("webhooks[0].clientConfig.url", "FieldValueInvalid"),
            ("webhooks[0].clientConfig.url", "FieldValueInvalid"),
            (
                "webhooks[0].matchConditions[0].expression",
                "FieldValueInvalid"
            ),
        ])
    );
    assert!(
        message.contains("webhooks[0].name: Invalid value: \"hook\": should be a domain with at least three segments separated by dots"),
        "{message}"
    );

    // a valid configuration that matches nothing this suite does, stored with its defaults
    let mutating = cluster_api(
        &ctx.client,
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    )
    .await;
    let created = mutating
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "MutatingWebhookConfiguration", "metadata": {"name": name},
                "webhooks": [{"name": "noop.kubeset.test", "admissionReviewVersions": ["v1"],
                    "sideEffects": "None", "failurePolicy": "Ignore",
                    "clientConfig": {"service": {"namespace": ctx.ns, "name": "nothing"}},
                    "rules": [{"operations": ["CONNECT"], "apiGroups": ["kubeset.invalid"],
                        "apiVersions": ["v1"], "resources": ["nothing"]}]}]}),
        )
        .await
        .unwrap();
    mutating
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    let hook = &created["webhooks"][0];
    assert_eq!(created["metadata"]["generation"], 1);
    assert_eq!(
        (
            &hook["matchPolicy"],
            &hook["timeoutSeconds"],
            &hook["reinvocationPolicy"],
            &hook["rules"][0]["scope"],
            &hook["clientConfig"]["service"]["port"],
        ),
        (
            &json!("Equivalent"),
            &json!(10),
            &json!("Never"),
            &json!("*"),
            &json!(443)
        ),
        "{created}"
    );
}

#[tokio::test]
async fn admission_policies_and_bindings_check_their_specs() {
    let ctx = setup("admission-policies").await;
    let policies = cluster_api(
        &ctx.client,
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicy",
    )
    .await;
    let name = format!("{}-policy", ctx.ns);
    let err = policies
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "ValidatingAdmissionPolicy", "metadata": {"name": name},
                "spec": {"matchConstraints": {"resourceRules": []},
                    "validations": [{"expression": "object.spec.replicas <", "reason": "Teapot"}]}}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).1,
        pairs(&[
            ("spec.matchConstraints.resourceRules", "FieldValueRequired"),
            ("spec.validations[0].expression", "FieldValueInvalid"),
            ("spec.validations[0].reason", "FieldValueNotSupported"),
        ])
    );

    let bindings = cluster_api(
        &ctx.client,
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    )
    .await;
    let err = bindings
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": name},
                "spec": {"policyName": name, "validationActions": ["Deny", "Warn"],
                    "paramRef": {"name": "cm"}}}),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        pairs(&[
            (
                "spec.paramRef.parameterNotFoundAction",
                "FieldValueRequired"
            ),
            ("spec.validationActions", "FieldValueInvalid"),
        ])
    );
    assert!(
        message.contains("spec.validationActions: Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\"}: must not contain both Deny and Warn"),
        "{message}"
    );
}

#[tokio::test]
async fn api_services_are_named_for_their_group_and_version() {
    let ctx = setup("admission-apiservices").await;
    let api = cluster_api(&ctx.client, "apiregistration.k8s.io", "APIService").await;
    let err = api
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                "metadata": {"name": "v1.wrong.kubeset.test"},
                "spec": {"group": "kubeset.test", "version": "v1", "groupPriorityMinimum": 100,
                    "versionPriority": 100, "caBundle": "AAAA"}}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "APIService.apiregistration.k8s.io \"v1.wrong.kubeset.test\" is invalid: [metadata.name: Invalid value: \"v1.wrong.kubeset.test\": must be `spec.version+\".\"+spec.group`: \"v1.kubeset.test\", spec.caBundle: Invalid value: \"3 bytes\": local APIServices may not have a caBundle]"
    );
}

#[tokio::test]
async fn flow_control_objects_check_their_specs_and_are_defaulted() {
    let ctx = setup("admission-flowcontrol").await;
    let schemas = cluster_api(&ctx.client, "flowcontrol.apiserver.k8s.io", "FlowSchema").await;
    let name = format!("{}-flow", ctx.ns);
    let err = schemas
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema",
                "metadata": {"name": name},
                "spec": {"matchingPrecedence": 1, "priorityLevelConfiguration": {"name": "global-default"},
                    "rules": [{"subjects": [{"kind": "User"}],
                        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/a*"]}]}]}}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).1,
        pairs(&[
            ("spec.matchingPrecedence", "FieldValueInvalid"),
            ("spec.rules[0].subjects[0].user", "FieldValueRequired"),
            (
                "spec.rules[0].nonResourceRules[0].nonResourceURLs[0]",
                "FieldValueInvalid"
            ),
        ])
    );

    let levels = cluster_api(
        &ctx.client,
        "flowcontrol.apiserver.k8s.io",
        "PriorityLevelConfiguration",
    )
    .await;
    let err = levels
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1",
                "kind": "PriorityLevelConfiguration", "metadata": {"name": name},
                "spec": {"type": "Limited", "limited": {"limitResponse": {"type": "Queue",
                    "queuing": {"queues": 4, "handSize": 5}}}}}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        format!(
            "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io \"{name}\" is invalid: spec.limited.limitResponse.queuing.handSize: Invalid value: 5: should not be greater than queues (4)"
        )
    );
    let created = levels
        .create(
            &PostParams::default(),
            &json!({"apiVersion": "flowcontrol.apiserver.k8s.io/v1",
                "kind": "PriorityLevelConfiguration", "metadata": {"name": name},
                "spec": {"type": "Limited", "limited": {"limitResponse": {"type": "Queue",
                    "queuing": {}}}}}),
        )
        .await
        .unwrap();
    levels
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        created["spec"]["limited"],
        json!({"nominalConcurrencyShares": 30, "lendablePercent": 0,
            "limitResponse": {"type": "Queue",
                "queuing": {"queues": 64, "handSize": 8, "queueLengthLimit": 50}}}),
        "{created}"
    );
}
