//! ValidatingAdmissionPolicies enforced, as kube-apiserver v1.36 enforces them: a binding's
//! Deny refuses with the policy's message and reason, Warn sends a warning, parameters come
//! from the binding's paramRef, and deletes see the stored object.
//!
//! Each test makes a policy and a binding of its own that select only its namespace (by the
//! `kubernetes.io/metadata.name` label), and deletes them before its namespace goes. A real
//! cluster starts enforcing a new binding a moment after it is stored, so the first refusal is
//! polled for with a deadline.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kubeset::clientset::{Api, Client, DeleteParams, Error, PostParams};
use kubeset::transport::CollectWarnings;
use serde_json::{Value, json};

use crate::support::{admin_config, clean_up, setup};

const GROUP: &str = "admissionregistration.k8s.io";

/// A policy and its binding, deleted again when dropped.
struct Policy {
    name: String,
}

impl Policy {
    /// Creates policy `<ns>-<suffix>` with `spec` (its matchConstraints select ConfigMaps in
    /// `ns` for `operations`) and binding `<ns>-<suffix>-binding` with `binding` as its spec.
    async fn create(
        client: &Client,
        ns: &str,
        suffix: &str,
        (operations, mut spec): (&[&str], Value),
        mut binding: Value,
    ) -> Self {
        let name = format!("{ns}-{suffix}");
        spec["matchConstraints"] = json!({
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
            "resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                "operations": operations, "resources": ["configmaps"]}]});
        binding["policyName"] = json!(name);
        let policy = Policy { name };
        api(client, "ValidatingAdmissionPolicy")
            .await
            .create(
                &PostParams::default(),
                &json!({"apiVersion": "admissionregistration.k8s.io/v1",
                    "kind": "ValidatingAdmissionPolicy",
                    "metadata": {"name": policy.name}, "spec": spec}),
            )
            .await
            .unwrap();
        api(client, "ValidatingAdmissionPolicyBinding")
            .await
            .create(
                &PostParams::default(),
                &json!({"apiVersion": "admissionregistration.k8s.io/v1",
                    "kind": "ValidatingAdmissionPolicyBinding",
                    "metadata": {"name": policy.binding()}, "spec": binding}),
            )
            .await
            .unwrap();
        policy
    }

    fn binding(&self) -> String {
        format!("{}-binding", self.name)
    }
}

impl Drop for Policy {
    fn drop(&mut self) {
        let (name, binding) = (self.name.clone(), self.binding());
        clean_up(admin_config(), "the policy clean-up", |client| async move {
            for (kind, name) in [
                ("ValidatingAdmissionPolicyBinding", binding),
                ("ValidatingAdmissionPolicy", name),
            ] {
                if let Err(err) = api(&client, kind)
                    .await
                    .delete(&name, &DeleteParams::default())
                    .await
                    && !err.is_not_found()
                {
                    eprintln!("could not delete {kind} {name}: {err}");
                }
            }
        });
    }
}

async fn api(client: &Client, kind: &str) -> Api<Value> {
    let resource = client.resolve(GROUP, "v1", kind).await.unwrap();
    Api::dynamic_cluster(client.clone(), &resource).unwrap()
}

fn config_map(name: &str, labels: Value, data: Value) -> ConfigMap {
    serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels}, "data": data}))
    .unwrap()
}

/// Retries `attempt` until it fails (a new binding takes a moment to be enforced on a
/// cluster), with a deadline; returns the error. `attempt` must leave nothing behind when it
/// succeeds.
async fn until_refused<F, Fut>(mut attempt: F) -> Error
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match attempt().await {
            Err(err) => return err,
            Ok(()) => {
                assert!(Instant::now() < deadline, "the policy was never enforced");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Creates `cm` and deletes it again (so a retry starts afresh).
async fn create_and_remove(cms: &Api<ConfigMap>, cm: &ConfigMap) -> Result<(), Error> {
    cms.create(&PostParams::default(), cm).await?;
    let name = cm.metadata.name.clone().unwrap_or_default();
    cms.delete(&name, &DeleteParams::default()).await.unwrap();
    Ok(())
}

/// `Deny`: the refusal names the policy and binding, carries the messageExpression's text,
/// the validation's reason and its code; objects that pass are stored.
#[tokio::test]
async fn deny_refuses_with_the_policys_message_and_reason() {
    let ctx = setup("vap-deny").await;
    let policy = Policy::create(
        &ctx.client,
        &ctx.ns,
        "small",
        (
            &["CREATE", "UPDATE"],
            json!({"validations": [{
                "expression": "!has(object.data) || size(object.data) <= 1",
                "messageExpression": "'at most one key, not ' + string(size(object.data))",
                "reason": "Forbidden"}]}),
        ),
        json!({"validationActions": ["Deny"]}),
    )
    .await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let big = config_map("big", json!({}), json!({"a": "1", "b": "2"}));
    let err = until_refused(|| create_and_remove(&cms, &big)).await;
    let api = err.api().unwrap_or_else(|| panic!("{err}"));
    assert_eq!((api.code, api.reason()), (403, "Forbidden"), "{err}");
    assert_eq!(
        api.message(),
        format!(
            "configmaps \"big\" is forbidden: ValidatingAdmissionPolicy '{}' with binding '{}' \
             denied request: at most one key, not 2",
            policy.name,
            policy.binding()
        )
    );
    let small = config_map("small", json!({}), json!({"a": "1"}));
    cms.create(&PostParams::default(), &small).await.unwrap();
}

/// `Warn`: the write succeeds and the warning names the policy and binding; the default
/// message is `failed expression: <expression>`.
#[tokio::test]
async fn warn_sends_a_warning_and_admits() {
    let ctx = setup("vap-warn").await;
    let policy = Policy::create(
        &ctx.client,
        &ctx.ns,
        "labelled",
        (
            &["CREATE"],
            json!({"validations": [{"expression": "has(object.metadata.labels)"}]}),
        ),
        json!({"validationActions": ["Warn"]}),
    )
    .await;
    let collected = CollectWarnings::default();
    let client = Client::builder(admin_config())
        .warning_handler(collected.clone())
        .deduplicate_warnings(false)
        .build()
        .unwrap();
    let cms = client.config_maps(&ctx.ns);
    let want = format!(
        "Validation failed for ValidatingAdmissionPolicy '{}' with binding '{}': failed \
         expression: has(object.metadata.labels)",
        policy.name,
        policy.binding()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    loop {
        let bare: ConfigMap = serde_json::from_value(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("bare-{n}")}}),
        )
        .unwrap();
        cms.create(&PostParams::default(), &bare).await.unwrap();
        let texts: Vec<String> = collected.take().into_iter().map(|w| w.text).collect();
        if texts.contains(&want) {
            break;
        }
        assert!(Instant::now() < deadline, "no warning: {texts:?}");
        n += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Parameters and deletes: the binding's paramRef names a ConfigMap in the request's
/// namespace (none there denies under `parameterNotFoundAction: Deny`), and a delete is
/// judged on `oldObject`, with the parameter's message and the default reason (422 Invalid).
#[tokio::test]
async fn deletes_are_judged_with_params() {
    let ctx = setup("vap-params").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let keep = config_map("keep", json!({"protected": "true"}), json!({}));
    cms.create(&PostParams::default(), &keep).await.unwrap();
    let policy = Policy::create(
        &ctx.client,
        &ctx.ns,
        "protect",
        (
            &["DELETE"],
            json!({"paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
                "validations": [{
                    "expression": "object == null && !(has(oldObject.metadata.labels) && \
                        'protected' in oldObject.metadata.labels)",
                    "messageExpression": "params.data.why + ': ' + oldObject.metadata.name"}]}),
        ),
        json!({"validationActions": ["Deny"],
            "paramRef": {"name": "protection", "parameterNotFoundAction": "Deny"}}),
    )
    .await;
    let scratch = config_map("scratch", json!({}), json!({}));
    let err = until_refused(|| async {
        cms.create(&PostParams::default(), &scratch).await?;
        cms.delete("scratch", &DeleteParams::default())
            .await
            .map(drop)
    })
    .await;
    assert_eq!(
        err.api().map(|a| a.message().to_owned()),
        Some(format!(
            "configmaps \"scratch\" is forbidden: ValidatingAdmissionPolicy '{}' with binding \
             '{}' denied request: failed to configure binding: no params found for policy \
             binding with `Deny` parameterNotFoundAction",
            policy.name,
            policy.binding()
        ))
    );
    let params = config_map("protection", json!({}), json!({"why": "kept on purpose"}));
    cms.create(&PostParams::default(), &params).await.unwrap();
    // with the parameter there, unprotected ConfigMaps go (a cluster's informer may lag)
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(err) = cms.delete("scratch", &DeleteParams::default()).await {
        assert!(Instant::now() < deadline, "{err}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let err = cms
        .delete("keep", &DeleteParams::default())
        .await
        .unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err}"));
    assert_eq!((api.code, api.reason()), (422, "Invalid"), "{err}");
    assert_eq!(
        api.message(),
        format!(
            "configmaps \"keep\" is forbidden: ValidatingAdmissionPolicy '{}' with binding '{}' \
             denied request: kept on purpose: keep",
            policy.name,
            policy.binding()
        )
    );
    // `policy` is dropped before `ctx`: the binding goes before the namespace, whose
    // deletion must delete `keep` too
}

/// The authorizer library asks the server's authorizer, namespace included: a ServiceAccount
/// may not read Secrets until a RoleBinding in the namespace lets it.
#[tokio::test]
async fn authorizer_checks_see_namespaced_rbac() {
    let ctx = setup("vap-authz").await;
    let _policy = Policy::create(
        &ctx.client,
        &ctx.ns,
        "reader",
        (
            &["CREATE"],
            json!({"validations": [{
                "expression": "authorizer.serviceAccount(object.metadata.namespace, 'default')\
                    .group('').resource('secrets').namespace(object.metadata.namespace)\
                    .check('get').allowed()",
                "message": "the default ServiceAccount cannot read Secrets"}]}),
        ),
        json!({"validationActions": ["Deny"]}),
    )
    .await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let cm = config_map("probe", json!({}), json!({}));
    let err = until_refused(|| create_and_remove(&cms, &cm)).await;
    let message = err
        .api()
        .map(|a| a.message().to_owned())
        .unwrap_or_default();
    assert!(
        message.ends_with("denied request: the default ServiceAccount cannot read Secrets"),
        "{err}"
    );
    let role: Role = serde_json::from_value(json!({"metadata": {"name": "secret-reader"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}))
    .unwrap();
    Api::<Role>::namespaced(ctx.client.clone(), &ctx.ns)
        .create(&PostParams::default(), &role)
        .await
        .unwrap();
    let binding: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "secret-reader"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": ctx.ns}]}))
    .unwrap();
    Api::<RoleBinding>::namespaced(ctx.client.clone(), &ctx.ns)
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
    // a cluster's authorizer sees the new binding a moment later
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(err) = cms.create(&PostParams::default(), &cm).await {
        assert!(Instant::now() < deadline, "{err}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
