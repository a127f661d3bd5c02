//! A test server, an admin client for it, and helpers to make objects and wait.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kubeset_clientset::{Client, PostParams};
use kubeset_config::kubeconfig::{Kubeconfig, Overrides};
use kubeset_testserver::TestServer;
use tokio::time::Instant;

/// A started test server with an admin client and a namespace.
pub(crate) struct Cluster {
    pub(crate) server: TestServer,
    pub(crate) client: Client,
    pub(crate) ns: String,
}

pub(crate) async fn cluster(ns: &str) -> Cluster {
    let server = TestServer::start().await.unwrap();
    let kubeconfig = Kubeconfig::from_yaml(&server.kubeconfig(), Path::new("kubeconfig")).unwrap();
    let config = kubeconfig.to_config(&Overrides::default()).unwrap();
    let client = Client::new(config).unwrap();
    let namespace = Namespace {
        metadata: meta(ns),
        ..Namespace::default()
    };
    client
        .namespaces()
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    Cluster {
        server,
        client,
        ns: ns.to_owned(),
    }
}

pub(crate) fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        ..ObjectMeta::default()
    }
}

/// The annotation the tests change to make a new version of an object.
pub(crate) const VALUE: &str = "example.com/v";

/// A Secret whose [`VALUE`] annotation is `value`.
pub(crate) fn secret(name: &str, value: &str) -> Secret {
    let mut metadata = meta(name);
    metadata.annotations = Some(BTreeMap::from([(VALUE.to_owned(), value.to_owned())]));
    Secret {
        metadata,
        ..Secret::default()
    }
}

/// The [`VALUE`] annotation of an object.
pub(crate) fn value(meta: &ObjectMeta) -> String {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(VALUE))
        .cloned()
        .unwrap_or_default()
}

/// A ConfigMap controlled by `owner` (a Secret) when `controller`, else only owned.
pub(crate) fn owned_config_map(name: &str, owner: &Secret, controller: bool) -> ConfigMap {
    let reference = OwnerReference {
        api_version: "v1".to_owned(),
        kind: "Secret".to_owned(),
        name: owner.metadata.name.clone().unwrap(),
        uid: owner.metadata.uid.clone().unwrap(),
        controller: Some(controller),
        ..OwnerReference::default()
    };
    ConfigMap {
        metadata: ObjectMeta {
            owner_references: Some(vec![reference]),
            ..meta(name)
        },
        ..ConfigMap::default()
    }
}

/// Polls `check` until it returns `Some`, failing after `within`.
#[track_caller]
pub(crate) fn eventually<T, F, Fut>(
    within: Duration,
    what: &str,
    mut check: F,
) -> impl Future<Output = T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let caller = std::panic::Location::caller();
    let what = what.to_owned();
    async move {
        let deadline = Instant::now() + within;
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{caller}: timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
