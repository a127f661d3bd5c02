//! The in-tree volume plugins' sources (`validateVolumeSource`'s per-plugin functions,
//! kube-apiserver v1.36): gitRepo, GCE and AWS disks, NFS, iSCSI, GlusterFS, Flocker, RBD,
//! Cinder, CephFS, Quobyte, Fibre Channel, FlexVolume, Azure file and disk, vSphere, Photon,
//! Portworx, StorageOS, ScaleIO and image volumes. Each function returns its errors in Go's
//! order under `at`, the path Go validates the source at.

use serde_json::Value;

use super::{items, s};
use crate::validation::{BadValue, FieldError, names};

const PARTITION: &str = "must be between 1 and 255, inclusive";
const LUN: &str = "must be between 0 and 255, inclusive";
const HOST_PORTS: &str = "must be a host:port pair or multiple pairs separated by commas";

fn set<'a>(src: &'a Value, key: &str) -> Option<&'a Value> {
    src.get(key).filter(|v| !v.is_null())
}

fn required(src: &Value, at: &str, key: &str) -> Option<FieldError> {
    s(src, key)
        .is_empty()
        .then(|| FieldError::required(format!("{at}.{key}"), ""))
}

/// `secretRef.name` is required when `secretRef` is set.
fn secret_ref_name(src: &Value, at: &str) -> Option<FieldError> {
    let secret = set(src, "secretRef")?;
    required(secret, &format!("{at}.secretRef"), "name")
}

/// The checks of the plugin `kind` (a key of `VolumeSource`) whose source is `src`, at `at`;
/// `is_pod` when the spec is a Pod's (`opts.ResourceIsPod`). `None` for the sources
/// `volumes.rs` checks.
pub(super) fn check(kind: &str, src: &Value, at: &str, is_pod: bool) -> Option<Vec<FieldError>> {
    let errs = match kind {
        "gitRepo" => git_repo(src, at),
        "gcePersistentDisk" => disk(src, at, "pdName"),
        "awsElasticBlockStore" => disk(src, at, "volumeID"),
        "nfs" => nfs(src, at),
        "iscsi" => iscsi(src, at),
        "glusterfs" => [required(src, at, "endpoints"), required(src, at, "path")]
            .into_iter()
            .flatten()
            .collect(),
        "flocker" => flocker(src, at),
        "rbd" => {
            let mut errs = Vec::new();
            if items(src.get("monitors")).is_empty() {
                errs.push(FieldError::required(format!("{at}.monitors"), ""));
            }
            errs.extend(required(src, at, "image"));
            errs
        }
        "cinder" => [required(src, at, "volumeID"), secret_ref_name(src, at)]
            .into_iter()
            .flatten()
            .collect(),
        "cephfs" => {
            if items(src.get("monitors")).is_empty() {
                vec![FieldError::required(format!("{at}.monitors"), "")]
            } else {
                Vec::new()
            }
        }
        "quobyte" => quobyte(src, at),
        "fc" => fc(src, at),
        "flexVolume" => flex(src, at),
        "azureFile" => [
            required(src, at, "secretName"),
            required(src, at, "shareName"),
        ]
        .into_iter()
        .flatten()
        .collect(),
        "vsphereVolume" => required(src, at, "volumePath").into_iter().collect(),
        "photonPersistentDisk" => required(src, at, "pdID").into_iter().collect(),
        "portworxVolume" => required(src, at, "volumeID").into_iter().collect(),
        "azureDisk" => azure_disk(src, at),
        "storageos" => storage_os(src, at),
        "scaleIO" => ["gateway", "system", "volumeName"]
            .iter()
            .filter_map(|k| required(src, at, k))
            .collect(),
        "image" => image(src, at, is_pod),
        _ => return None,
    };
    Some(errs)
}

/// `validateGitRepoVolumeSource`: a repository, and a relative directory without `..`.
fn git_repo(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = required(src, at, "repository").into_iter().collect();
    let dir = s(src, "directory");
    let dir_at = format!("{at}.directory");
    if dir.starts_with('/') {
        errs.push(FieldError::invalid(
            dir_at.as_str(),
            dir,
            "must be a relative path",
        ));
    }
    if dir.split('/').any(|p| p == "..") {
        errs.push(FieldError::invalid(dir_at, dir, "must not contain '..'"));
    }
    errs
}

/// `validateGCEPersistentDiskVolumeSource` / `validateAWSElasticBlockStoreVolumeSource`.
fn disk(src: &Value, at: &str, id_key: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = required(src, at, id_key).into_iter().collect();
    let partition = src.get("partition").and_then(Value::as_i64).unwrap_or(0);
    if !(0..=255).contains(&partition) {
        errs.push(FieldError::invalid(
            format!("{at}.partition"),
            partition,
            PARTITION,
        ));
    }
    errs
}

/// `validateNFSVolumeSource`: an empty path is both required and not absolute.
fn nfs(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = [required(src, at, "server"), required(src, at, "path")]
        .into_iter()
        .flatten()
        .collect();
    let path = s(src, "path");
    if !path.starts_with('/') {
        errs.push(FieldError::invalid(
            format!("{at}.path"),
            path,
            "must be an absolute path",
        ));
    }
    errs
}

fn matches(pattern: &str, text: &str) -> bool {
    regex_automata::meta::Regex::new(pattern).is_ok_and(|re| re.is_match(text))
}

/// The IQN, EUI or NAA format checks of `validateISCSIVolumeSource` (`iqn` or
/// `initiatorname`): a known prefix, then that prefix's pattern.
fn iscsi_name(value: &str, at: &str, prefix_msg: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let has = |p: &str| value.starts_with(p);
    if !has("iqn") && !has("eui") && !has("naa") {
        errs.push(FieldError::invalid(at, value, prefix_msg));
    }
    let bad = if has("iqn") {
        !matches(
            r"iqn\.[0-9]{4}-[0-9]{2}\.([[:alnum:]\-.]+)(:[^,;*&$|\t\n\x0C\r ]+)$",
            value,
        )
    } else if has("eui") {
        !matches(r"^eui.[[:alnum:]]{16}$", value)
    } else if has("naa") {
        !matches(r"^naa.[[:alnum:]]{32}$", value)
    } else {
        false
    };
    if bad {
        errs.push(FieldError::invalid(at, value, "must be valid format"));
    }
    errs
}

/// `validateISCSIVolumeSource` (the name-length rule is `validateVolumeSource`'s).
fn iscsi(src: &Value, at: &str) -> Vec<FieldError> {
    const PREFIXES: &str = "must be valid format starting with iqn, eui, or naa";
    let mut errs: Vec<FieldError> = required(src, at, "targetPortal").into_iter().collect();
    let iqn = s(src, "iqn");
    if iqn.is_empty() {
        errs.push(FieldError::required(format!("{at}.iqn"), ""));
    } else {
        errs.extend(iscsi_name(iqn, &format!("{at}.iqn"), PREFIXES));
    }
    let lun = src.get("lun").and_then(Value::as_i64).unwrap_or(0);
    if !(0..=255).contains(&lun) {
        errs.push(FieldError::invalid(format!("{at}.lun"), lun, LUN));
    }
    let chap = |k: &str| src.get(k).and_then(Value::as_bool) == Some(true);
    if (chap("chapAuthDiscovery") || chap("chapAuthSession")) && set(src, "secretRef").is_none() {
        errs.push(FieldError::required(format!("{at}.secretRef"), ""));
    }
    if let Some(initiator) = set(src, "initiatorName") {
        let name = initiator.as_str().unwrap_or("");
        errs.extend(iscsi_name(name, &format!("{at}.initiatorname"), PREFIXES));
    }
    errs
}

/// `validateFlockerVolumeSource`.
fn flocker(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (name, uuid) = (s(src, "datasetName"), s(src, "datasetUUID"));
    if name.is_empty() && uuid.is_empty() {
        errs.push(FieldError::required(
            at,
            "one of datasetName and datasetUUID is required",
        ));
    }
    if !name.is_empty() && !uuid.is_empty() {
        errs.push(FieldError::invalid(
            at,
            "resource",
            "datasetName and datasetUUID can not be specified simultaneously",
        ));
    }
    if name.contains('/') {
        errs.push(FieldError::invalid(
            format!("{at}.datasetName"),
            name,
            "must not contain '/'",
        ));
    }
    errs
}

/// `net.SplitHostPort` succeeds.
fn is_host_port(pair: &str) -> bool {
    if let Some(rest) = pair.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let after = &rest[end + 1..];
        return after.starts_with(':')
            && !after[1..].contains(':')
            && !rest[..end].contains('[')
            && !after.contains(['[', ']']);
    }
    match pair.rfind(':') {
        None => false,
        Some(i) => !pair[..i].contains(':') && !pair.contains(['[', ']']),
    }
}

/// `validateQuobyteVolumeSource`.
fn quobyte(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let registry = s(src, "registry");
    if registry.is_empty() {
        errs.push(FieldError::required(format!("{at}.registry"), HOST_PORTS));
    } else if s(src, "tenant").len() >= 65 {
        errs.push(FieldError::required(
            format!("{at}.tenant"),
            "must be a UUID and may not exceed a length of 64 characters",
        ));
    } else {
        for pair in registry.split(',') {
            if !is_host_port(pair) {
                errs.push(FieldError::invalid(
                    format!("{at}.registry"),
                    registry,
                    HOST_PORTS,
                ));
            }
        }
    }
    errs.extend(required(src, at, "volume"));
    errs
}

/// `validateFCVolumeSource`.
fn fc(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let wwns = items(src.get("targetWWNs"));
    let wwids = items(src.get("wwids"));
    if wwns.is_empty() && wwids.is_empty() {
        errs.push(FieldError::required(
            format!("{at}.targetWWNs"),
            "must specify either targetWWNs or wwids, but not both",
        ));
    }
    if !wwns.is_empty() && !wwids.is_empty() {
        let quoted: Vec<String> = wwns
            .iter()
            .map(|w| crate::validation::go_quote(w.as_str().unwrap_or("")))
            .collect();
        errs.push(FieldError::invalid(
            format!("{at}.targetWWNs"),
            BadValue::Raw(format!("[]string{{{}}}", quoted.join(", "))),
            "targetWWNs and wwids can not be specified simultaneously",
        ));
    }
    if !wwns.is_empty() {
        match set(src, "lun").and_then(Value::as_i64) {
            None => errs.push(FieldError::required(
                format!("{at}.lun"),
                "lun is required if targetWWNs is specified",
            )),
            Some(lun) if !(0..=255).contains(&lun) => {
                errs.push(FieldError::invalid(format!("{at}.lun"), lun, LUN));
            }
            Some(_) => {}
        }
    }
    errs
}

/// `validateFlexVolumeSource`: a driver, and no option in a Kubernetes namespace (Go walks the
/// options map at random; here in key order).
fn flex(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = required(src, at, "driver").into_iter().collect();
    let mut keys: Vec<&String> = src
        .get("options")
        .and_then(Value::as_object)
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    keys.sort();
    for key in keys {
        let namespace = key.split_once('/').map_or(key.as_str(), |(ns, _)| ns);
        let normalized = format!(".{}", namespace.to_lowercase());
        if normalized.ends_with(".kubernetes.io") || normalized.ends_with(".k8s.io") {
            errs.push(FieldError::invalid(
                format!("{at}.options[{key}]"),
                key.as_str(),
                "kubernetes.io and k8s.io namespaces are reserved",
            ));
        }
    }
    errs
}

/// `validateAzureDisk` (defaulting sets `cachingMode` and `kind`).
fn azure_disk(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = [required(src, at, "diskName"), required(src, at, "diskURI")]
        .into_iter()
        .flatten()
        .collect();
    if let Some(mode) = set(src, "cachingMode") {
        const MODES: [&str; 3] = ["None", "ReadOnly", "ReadWrite"];
        let mode = mode.as_str().unwrap_or("");
        if !MODES.contains(&mode) {
            errs.push(FieldError::not_supported(
                format!("{at}.cachingMode"),
                mode,
                &MODES,
            ));
        }
    }
    let kind = set(src, "kind").map(|k| k.as_str().unwrap_or(""));
    if let Some(kind) = kind {
        const KINDS: [&str; 3] = ["Dedicated", "Managed", "Shared"];
        if !KINDS.contains(&kind) {
            errs.push(FieldError::not_supported(
                format!("{at}.kind"),
                kind,
                &KINDS,
            ));
        }
    }
    let uri = s(src, "diskURI");
    match kind {
        Some("Managed") if !uri.starts_with("/subscriptions/") => {
            errs.push(FieldError::not_supported(
                format!("{at}.diskURI"),
                uri,
                &["/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"],
            ));
        }
        Some(k) if k != "Managed" && !uri.starts_with("https://") => {
            errs.push(FieldError::not_supported(
                format!("{at}.diskURI"),
                uri,
                &["https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"],
            ));
        }
        _ => {}
    }
    errs
}

/// `validateStorageOSVolumeSource`.
fn storage_os(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = s(src, "volumeName");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{at}.volumeName"), ""));
    } else {
        for msg in names::dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{at}.volumeName"), name, msg));
        }
    }
    let namespace = s(src, "volumeNamespace");
    if !namespace.is_empty() {
        for msg in names::dns1123_label(namespace) {
            errs.push(FieldError::invalid(
                format!("{at}.volumeNamespace"),
                namespace,
                msg,
            ));
        }
    }
    errs.extend(secret_ref_name(src, at));
    errs
}

/// `validateImageVolumeSource`: a reference (in a Pod; templates may leave it to be filled
/// in) and a known pull policy (defaulting fills in an empty one).
fn image(src: &Value, at: &str, is_pod: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if is_pod {
        errs.extend(required(src, at, "reference"));
    }
    const POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];
    let policy = s(src, "pullPolicy");
    if !policy.is_empty() && !POLICIES.contains(&policy) {
        errs.push(FieldError::not_supported(
            format!("{at}.pullPolicy"),
            policy,
            &POLICIES,
        ));
    }
    errs
}

#[cfg(test)]
mod tests;
