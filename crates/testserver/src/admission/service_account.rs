//! The ServiceAccount plugin: every pod runs as a ServiceAccount, and gets its API credentials
//! as the projected `kube-api-access-xxxxx` volume mounted in every (init) container.

use serde_json::{Map, Value, json};

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation, names};
use crate::shared::json::{array, object_at, str_at};

/// The ServiceAccount a pod runs as when it names none.
pub(crate) const DEFAULT_SERVICE_ACCOUNT: &str = "default";
/// Where the credentials are mounted in every container.
pub(crate) const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Prefix of the projected volume's name.
pub(crate) const VOLUME_PREFIX: &str = "kube-api-access-";
/// Lifetime requested for the projected token (one hour plus 7 s, so that the kubelet can tell
/// an admission-injected volume from a user one).
pub(crate) const TOKEN_EXPIRATION_SECONDS: i64 = 3607;

/// The projected volume source with the token, the cluster CA bundle and the namespace file.
pub(crate) fn token_volume_source() -> Value {
    json!({
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ],
        "defaultMode": 420
    })
}

/// Sets the pod's ServiceAccount, checks it exists, mounts its token and copies its pull
/// secrets (pods, create only).
pub(super) fn admit(
    attrs: &Attributes<'_>,
    pod: &mut Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !attrs.is("", "pods") || attrs.operation != Operation::Create {
        return Ok(());
    }
    // Mirror pods (static pods reported by a kubelet) are left alone.
    if pod
        .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
        .is_some()
    {
        return Ok(());
    }
    let snapshot = pod.clone();
    let Some(spec) = object_at(pod, &["spec"]) else {
        return Ok(());
    };
    let mut sa_name = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if sa_name.is_empty() {
        sa_name = DEFAULT_SERVICE_ACCOUNT.to_owned();
    }
    spec.insert("serviceAccountName".into(), Value::String(sa_name.clone()));
    spec.insert("serviceAccount".into(), Value::String(sa_name.clone()));
    let ns = attrs.namespace;
    let Some(sa) = lookup.get("", "serviceaccounts", Some(ns), &sa_name) else {
        return Err(forbidden(
            attrs,
            Some(&snapshot),
            format!(
                "error looking up service account {ns}/{sa_name}: serviceaccount \"{sa_name}\" not found"
            ),
        ));
    };
    let automount = spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| {
            sa.get("automountServiceAccountToken")
                .and_then(Value::as_bool)
        })
        .unwrap_or(true);
    if automount {
        mount_token(spec);
    }
    if array(spec, "imagePullSecrets").is_empty() {
        let secrets: Vec<Value> = sa
            .get("imagePullSecrets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| json!({"name": str_at(s, &["name"]).unwrap_or("")}))
            .collect();
        if !secrets.is_empty() {
            spec.insert("imagePullSecrets".into(), Value::Array(secrets));
        }
    }
    Ok(())
}

fn mount_token(spec: &mut Map<String, Value>) {
    let existing = array(spec, "volumes")
        .iter()
        .filter_map(|v| str_at(v, &["name"]))
        .find(|n| n.starts_with(VOLUME_PREFIX))
        .map(str::to_owned);
    let has_volume = existing.is_some();
    let volume_name = existing.unwrap_or_else(|| names::generate(VOLUME_PREFIX));
    let mount = json!({"name": volume_name, "readOnly": true, "mountPath": TOKEN_MOUNT_PATH});
    let mut needs_volume = false;
    for key in ["initContainers", "containers"] {
        let Some(containers) = spec.get_mut(key).and_then(Value::as_array_mut) else {
            continue;
        };
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            let mounted = array(container, "volumeMounts")
                .iter()
                .any(|m| str_at(m, &["mountPath"]) == Some(TOKEN_MOUNT_PATH));
            if mounted {
                continue;
            }
            let mounts = container.entry("volumeMounts").or_insert_with(|| json!([]));
            if !mounts.is_array() {
                *mounts = json!([]);
            }
            if let Some(mounts) = mounts.as_array_mut() {
                mounts.push(mount.clone());
                needs_volume = true;
            }
        }
    }
    if !has_volume && needs_volume {
        let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
        if !volumes.is_array() {
            *volumes = json!([]);
        }
        if let Some(volumes) = volumes.as_array_mut() {
            volumes.push(json!({"name": volume_name, "projected": token_volume_source()}));
        }
    }
}
