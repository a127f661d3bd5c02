//! Small objects the tests create, built from JSON so they read like manifests.

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use serde_json::json;

/// A ConfigMap `name` with `labels` and `data`.
pub(crate) fn config_map(name: &str, labels: &[(&str, &str)], data: &[(&str, &str)]) -> ConfigMap {
    let labels: serde_json::Map<_, _> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    let data: serde_json::Map<_, _> = data
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels},
        "data": data,
    }))
    .unwrap()
}

/// A Pod `name` with one container `c`, not bound to a node.
pub(crate) fn pod(name: &str, labels: &[(&str, &str)]) -> Pod {
    let labels: serde_json::Map<_, _> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]},
    }))
    .unwrap()
}

/// The names of `objects`, in order.
pub(crate) fn names<'a, K>(objects: impl IntoIterator<Item = &'a K>) -> Vec<String>
where
    K: k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta> + 'a,
{
    objects
        .into_iter()
        .map(|o| o.metadata().name.clone().unwrap_or_default())
        .collect()
}
