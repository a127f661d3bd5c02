//! The strategies' `Warning`s (`WarningsOnCreate`/`WarningsOnUpdate`) reach the client's
//! warning handler on create, replace, patch and server-side apply, as kube-apiserver sends
//! them: a pod warns on create only, a Deployment on create and on writes that change its
//! spec, a Service on every write; clean objects draw none.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use kubeset::clientset::{Api, Client, Patch, PatchParams, PostParams};
use kubeset::transport::CollectWarnings;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::{admin_config, setup};

/// The deprecated node label's warning, at `prefix` (`spec` of a pod,
/// `spec.template.spec` of a Deployment).
fn os_label(prefix: &str) -> String {
    format!(
        "{prefix}.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead"
    )
}

/// A client whose handler sees every warning of every answer.
fn collecting(ns: &str) -> (Client, CollectWarnings) {
    let collected = CollectWarnings::default();
    let client = Client::builder(admin_config())
        .warning_handler(collected.clone())
        .deduplicate_warnings(false)
        .build()
        .unwrap()
        .with_default_namespace(ns.to_owned());
    (client, collected)
}

fn texts(collected: &CollectWarnings) -> Vec<String> {
    collected.take().into_iter().map(|w| w.text).collect()
}

fn typed<K: DeserializeOwned>(value: Value) -> K {
    serde_json::from_value(value).unwrap()
}

/// Reads `name`, edits it and replaces it, reading again when something else (a real
/// cluster's controllers) changed it meanwhile.
async fn replace_fresh<K>(api: &Api<K>, name: &str, edit: impl Fn(&mut K)) -> K
where
    K: DeserializeOwned + Serialize + Send + 'static,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut obj = api.get(name).await.unwrap();
        edit(&mut obj);
        match api.replace(name, &PostParams::default(), &obj).await {
            Err(err) if err.is_conflict() && std::time::Instant::now() < deadline => continue,
            other => return other.unwrap(),
        }
    }
}

fn pod_spec(node_selector: Value) -> Value {
    json!({"nodeSelector": node_selector,
        "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]})
}

fn pod(name: &str, node_selector: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": pod_spec(node_selector)})
}

fn deployment(name: &str, replicas: i64, node_selector: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec(node_selector)}}})
}

#[tokio::test]
async fn a_pod_warns_on_create_only() {
    let ctx = setup("warnings-pod").await;
    let (client, collected) = collecting(&ctx.ns);
    let pods: Api<Pod> = Api::namespaced(client, &ctx.ns);
    let deprecated = json!({"beta.kubernetes.io/os": "linux"});
    pods.create(&PostParams::default(), &typed(pod("p", deprecated.clone())))
        .await
        .unwrap();
    assert_eq!(texts(&collected), [os_label("spec")]);

    // podStrategy.WarningsOnUpdate warns nothing: replace, patch and apply stay quiet
    replace_fresh(&pods, "p", |p: &mut Pod| {
        p.metadata.labels = Some([("a".to_owned(), "b".to_owned())].into());
    })
    .await;
    let merge = Patch::Merge(json!({"metadata": {"labels": {"c": "d"}}}));
    pods.patch("p", &PatchParams::default(), &merge)
        .await
        .unwrap();
    let apply = Patch::Apply(pod("p", deprecated.clone()));
    pods.patch("p", &PatchParams::apply("warnings-it"), &apply)
        .await
        .unwrap();
    assert_eq!(texts(&collected), Vec::<String>::new());

    // a pod created by server-side apply warns as a POSTed one
    let apply = Patch::Apply(pod("q", deprecated));
    pods.patch("q", &PatchParams::apply("warnings-it"), &apply)
        .await
        .unwrap();
    assert_eq!(texts(&collected), [os_label("spec")]);
}

#[tokio::test]
async fn a_deployment_warns_when_its_spec_changes() {
    let ctx = setup("warnings-deploy").await;
    let (client, collected) = collecting(&ctx.ns);
    let deployments: Api<Deployment> = Api::namespaced(client, &ctx.ns);
    let deprecated = json!({"beta.kubernetes.io/os": "linux"});
    let template = os_label("spec.template.spec");
    deployments
        .create(
            &PostParams::default(),
            &typed(deployment("d", 0, deprecated.clone())),
        )
        .await
        .unwrap();
    assert_eq!(texts(&collected), [template.as_str()]);

    // a label change leaves the generation: no warning
    replace_fresh(&deployments, "d", |d: &mut Deployment| {
        d.metadata.labels = Some([("a".to_owned(), "b".to_owned())].into());
    })
    .await;
    assert_eq!(texts(&collected), Vec::<String>::new());

    // a spec change moves it: the template is warned about again
    replace_fresh(&deployments, "d", |d: &mut Deployment| {
        d.spec.replicas = Some(1);
    })
    .await;
    assert_eq!(texts(&collected), [template.as_str()]);
    let merge = Patch::Merge(json!({"spec": {"replicas": 2}}));
    deployments
        .patch("d", &PatchParams::default(), &merge)
        .await
        .unwrap();
    assert_eq!(texts(&collected), [template.as_str()]);
    let apply = Patch::Apply(deployment("d", 3, deprecated));
    deployments
        .patch("d", &PatchParams::apply("warnings-it").force(), &apply)
        .await
        .unwrap();
    assert_eq!(texts(&collected), [template]);
}

#[tokio::test]
async fn a_service_warns_on_every_write() {
    let ctx = setup("warnings-svc").await;
    let (client, collected) = collecting(&ctx.ns);
    let services: Api<Service> = Api::namespaced(client, &ctx.ns);
    let ignored = "spec.externalName is ignored when spec.type is not \"ExternalName\"";
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"type": "ClusterIP", "externalName": "example.com",
            "ports": [{"port": 80, "protocol": "TCP"}]}});
    services
        .create(&PostParams::default(), &typed(svc))
        .await
        .unwrap();
    assert_eq!(texts(&collected), [ignored]);
    replace_fresh(&services, "s", |_: &mut Service| {}).await;
    assert_eq!(texts(&collected), [ignored]);
    let strategic = Patch::Strategic(json!({"metadata": {"labels": {"a": "b"}}}));
    services
        .patch("s", &PatchParams::default(), &strategic)
        .await
        .unwrap();
    assert_eq!(texts(&collected), [ignored]);
    let clear = Patch::Merge(json!({"spec": {"externalName": null}}));
    services
        .patch("s", &PatchParams::default(), &clear)
        .await
        .unwrap();
    assert_eq!(texts(&collected), Vec::<String>::new());
}

#[tokio::test]
async fn clean_objects_draw_no_warnings() {
    let ctx = setup("warnings-clean").await;
    let (client, collected) = collecting(&ctx.ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ctx.ns);
    let label = json!({"kubernetes.io/os": "linux"});
    pods.create(&PostParams::default(), &typed(pod("p", label.clone())))
        .await
        .unwrap();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ctx.ns);
    deployments
        .create(
            &PostParams::default(),
            &typed(deployment("d", 0, label.clone())),
        )
        .await
        .unwrap();
    let apply = Patch::Apply(deployment("d", 1, label));
    deployments
        .patch("d", &PatchParams::apply("warnings-it").force(), &apply)
        .await
        .unwrap();
    let services: Api<Service> = Api::namespaced(client, &ctx.ns);
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "protocol": "TCP"}]}});
    services
        .create(&PostParams::default(), &typed(svc))
        .await
        .unwrap();
    assert_eq!(texts(&collected), Vec::<String>::new());
}
