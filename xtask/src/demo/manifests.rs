//! Applying a directory of manifests (`examples/deploy/<daemon>/*.yaml`), as
//! `kubectl apply --server-side -f DIR` would: every document of every file, through discovery,
//! with server-side apply (so running the demo twice changes nothing).

use std::path::Path;

use kubeset_clientset::{Api, Client, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::DemoError;

/// One object that was applied.
pub(crate) struct Applied {
    /// `Kind/name`.
    pub(crate) name: String,
    /// The object as the server stored it.
    pub(crate) object: Value,
}

/// Every document of the `.yaml` files in `dir`, in file-name order.
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<Value>, DemoError> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| DemoError::msg(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut objects = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| DemoError::msg(format!("cannot read {}: {e}", file.display())))?;
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .map_err(|e| DemoError::msg(format!("{} is not YAML: {e}", file.display())))?;
        objects.extend(docs.into_iter().filter(|d| d.is_object()));
    }
    Ok(objects)
}

/// Applies `objects`; namespaced ones without a namespace go to `namespace`.
pub(crate) async fn apply(
    client: &Client,
    namespace: &str,
    objects: &[Value],
) -> Result<Vec<Applied>, DemoError> {
    let discovery = client.discover().await?;
    let mut applied = Vec::new();
    // Namespaces first, wherever they stand: the objects in them need them.
    let mut ordered: Vec<&Value> = objects.iter().collect();
    ordered.sort_by_key(|o| o["kind"] != "Namespace");
    for object in ordered {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let resource = discovery
            .resolve_api_version(api_version, kind)
            .ok_or_else(|| {
                DemoError::msg(format!("the server does not serve {api_version} {kind}"))
            })?;
        let api: Api<DynamicObject> = if resource.namespaced {
            let ns = object["metadata"]["namespace"]
                .as_str()
                .unwrap_or(namespace);
            Api::dynamic_namespaced(client.clone(), resource, ns)?
        } else {
            Api::dynamic_cluster(client.clone(), resource)?
        };
        let params = PatchParams::apply("kubeset-demo").force();
        let stored = api
            .patch(name, &params, &Patch::Apply(object.clone()))
            .await?;
        applied.push(Applied {
            name: format!("{kind}/{name}"),
            object: stored,
        });
    }
    Ok(applied)
}
