//! The volume sources of a pod (`validateVolumeSource`'s per-source functions, kube-apiserver
//! v1.36) besides the in-tree plugins: emptyDir, hostPath, secret, configMap,
//! persistentVolumeClaim, downwardAPI (with its field and resource selectors), projected, csi
//! and ephemeral. `volume_list.rs` picks the one source Go checks and calls [`check`].

use std::collections::HashSet;

use serde_json::Value;

use crate::shared::quantity::Quantity;
use crate::validation::FieldError;
use crate::validation::claim_spec::claim_spec;
use crate::validation::csi::driver_name;

use super::env::{object_field_selector, resource_field_selector};

const FILE_MODE: &str = "must be a number between 0 and 0777 (octal), both inclusive";
const HOST_PATH_TYPES: [&str; 8] = [
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];
/// `validVolumeDownwardAPIFieldPathExpressions`, sorted as `sets.List` gives them.
const VOLUME_FIELD_PATHS: [&str; 5] = [
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The checks of the source `kind` (a key of `VolumeSource`) whose value is `src`, at `at`;
/// `None` for the plugins `volume_plugins.rs` checks.
pub(super) fn check(kind: &str, src: &Value, at: &str) -> Option<Vec<FieldError>> {
    let errs = match kind {
        "emptyDir" => empty_dir(src, at),
        "hostPath" => host_path(src, at),
        "secret" => named_items(src, at, "secretName"),
        "configMap" => named_items(src, at, "name"),
        "persistentVolumeClaim" => required(src, at, "claimName"),
        "downwardAPI" => downward_api(src, at),
        "projected" => projected(src, at),
        "csi" => csi(src, at),
        "ephemeral" => ephemeral(src, at),
        _ => return None,
    };
    Some(errs)
}

fn required(src: &Value, at: &str, key: &str) -> Vec<FieldError> {
    if text(src, key).is_empty() {
        vec![FieldError::required(format!("{at}.{key}"), "")]
    } else {
        Vec::new()
    }
}

fn mode(src: &Value, at: &str, key: &str) -> Option<FieldError> {
    let m = src.get(key)?.as_i64()?;
    (!(0..=0o777).contains(&m)).then(|| FieldError::invalid(format!("{at}.{key}"), m, FILE_MODE))
}

fn empty_dir(src: &Value, at: &str) -> Vec<FieldError> {
    let negative = src
        .get("sizeLimit")
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
        .zip(Quantity::parse("0"))
        .is_some_and(|(q, zero)| q < zero);
    if negative {
        vec![FieldError::forbidden(
            format!("{at}.sizeLimit"),
            "SizeLimit field must be a valid resource quantity",
        )]
    } else {
        Vec::new()
    }
}

/// `validateHostPathVolumeSource`: path required, no `..`, a known type.
fn host_path(src: &Value, at: &str) -> Vec<FieldError> {
    let path = text(src, "path");
    if path.is_empty() {
        return vec![FieldError::required(format!("{at}.path"), "")];
    }
    let mut errs = no_backsteps(path, &format!("{at}.path"));
    if let Some(kind) = src.get("type").and_then(Value::as_str)
        && !HOST_PATH_TYPES.contains(&kind)
    {
        errs.push(FieldError::not_supported(
            format!("{at}.type"),
            kind,
            &HOST_PATH_TYPES,
        ));
    }
    errs
}

/// `validatePathNoBacksteps`.
fn no_backsteps(path: &str, at: &str) -> Vec<FieldError> {
    if path.split('/').any(|p| p == "..") {
        vec![FieldError::invalid(at, path, "must not contain '..'")]
    } else {
        Vec::new()
    }
}

/// `ValidateLocalNonReservedPath`.
fn local_path(path: &str, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if path.starts_with('/') {
        errs.push(FieldError::invalid(at, path, "must be a relative path"));
    }
    errs.extend(no_backsteps(path, at));
    if path.starts_with("..") && !path.starts_with("../") {
        errs.push(FieldError::invalid(at, path, "must not start with '..'"));
    }
    errs
}

/// `validateKeyToPath`.
fn key_to_path(kp: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = required(kp, at, "key");
    errs.extend(required(kp, at, "path"));
    errs.extend(local_path(text(kp, "path"), &format!("{at}.path")));
    errs.extend(mode(kp, at, "mode"));
    errs
}

/// `validateSecretVolumeSource` / `validateConfigMapVolumeSource`.
fn named_items(src: &Value, at: &str, name_key: &str) -> Vec<FieldError> {
    let mut errs = required(src, at, name_key);
    errs.extend(mode(src, at, "defaultMode"));
    for (i, kp) in items(src.get("items")).iter().enumerate() {
        errs.extend(key_to_path(kp, &format!("{at}.items[{i}]")));
    }
    errs
}

/// `validateDownwardAPIVolumeFile`.
fn downward_file(file: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = required(file, at, "path");
    errs.extend(local_path(text(file, "path"), &format!("{at}.path")));
    let set = |k: &str| file.get(k).filter(|v| !v.is_null());
    if let Some(field_ref) = set("fieldRef") {
        errs.extend(object_field_selector(
            field_ref,
            &format!("{at}.fieldRef"),
            &VOLUME_FIELD_PATHS,
        ));
        if set("resourceFieldRef").is_some() {
            errs.push(FieldError::invalid(
                at,
                "resource",
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(resource_ref) = set("resourceFieldRef") {
        errs.extend(resource_field_selector(
            resource_ref,
            &format!("{at}.resourceFieldRef"),
            true,
        ));
    } else {
        errs.push(FieldError::required(
            at,
            "one of fieldRef and resourceFieldRef is required",
        ));
    }
    errs.extend(mode(file, at, "mode"));
    errs
}

/// `validateDownwardAPIVolumeSource`: Go reports the items at the source's path.
fn downward_api(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = mode(src, at, "defaultMode").into_iter().collect();
    for file in items(src.get("items")) {
        errs.extend(downward_file(file, at));
    }
    errs
}

/// `validateProjectedVolumeSource` and `validateProjectionSources` (secret, configMap,
/// downwardAPI and serviceAccountToken sources; clusterTrustBundle is not checked).
fn projected(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = mode(src, at, "defaultMode").into_iter().collect();
    let mut paths = HashSet::new();
    for (i, source) in items(src.get("sources")).iter().enumerate() {
        let src_path = format!("{at}.sources[{i}]");
        let mut count = 0;
        for kind in ["secret", "configMap"] {
            let Some(s) = source.get(kind).filter(|v| !v.is_null()) else {
                continue;
            };
            count += 1;
            let proj = format!("{src_path}.{kind}");
            errs.extend(required(s, &proj, "name"));
            for (j, kp) in items(s.get("items")).iter().enumerate() {
                errs.extend(key_to_path(kp, &format!("{proj}.items[{j}]")));
                let p = text(kp, "path");
                if !p.is_empty() && !paths.insert(p) {
                    errs.push(FieldError::invalid(
                        at,
                        text(s, "name"),
                        "conflicting duplicate paths",
                    ));
                }
            }
        }
        if let Some(d) = source.get("downwardAPI").filter(|v| !v.is_null()) {
            count += 1;
            let proj = format!("{src_path}.downwardAPI");
            for file in items(d.get("items")) {
                errs.extend(downward_file(file, &proj));
                let p = text(file, "path");
                if !p.is_empty() && !paths.insert(p) {
                    errs.push(FieldError::invalid(at, p, "conflicting duplicate paths"));
                }
            }
        }
        if let Some(t) = source.get("serviceAccountToken").filter(|v| !v.is_null()) {
            count += 1;
            let proj = format!("{src_path}.serviceAccountToken");
            let secs = t
                .get("expirationSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            crate::validation::csi::token_expiration(
                &format!("{proj}.expirationSeconds"),
                secs,
                &mut errs,
            );
            let p = text(t, "path");
            if p.is_empty() {
                errs.push(FieldError::required(format!("{at}.path"), ""));
            } else {
                errs.extend(local_path(p, &format!("{at}.path")));
            }
        }
        if source
            .get("clusterTrustBundle")
            .is_some_and(|v| !v.is_null())
        {
            count += 1;
        }
        if count > 1 {
            errs.push(FieldError::forbidden(
                src_path,
                "may not specify more than 1 volume type per source",
            ));
        }
    }
    errs
}

/// `validateCSIVolumeSource`: the driver name and the node publish secret's name.
fn csi(src: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = driver_name(text(src, "driver"), &format!("{at}.driver"));
    if let Some(secret) = src.get("nodePublishSecretRef").filter(|v| v.is_object()) {
        let name = text(secret, "name");
        if name.is_empty() {
            errs.push(FieldError::required(
                format!("{at}.nodePublishSecretRef.name"),
                "",
            ));
        } else {
            // Go reports a bad secret name at `csi.name`, not under nodePublishSecretRef.
            for msg in crate::validation::names::dns1123_subdomain(name) {
                errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
            }
        }
    }
    errs
}

/// `validateEphemeralVolumeSource`: a claim template is required and its spec is a valid
/// claim spec.
fn ephemeral(src: &Value, at: &str) -> Vec<FieldError> {
    match src.get("volumeClaimTemplate").filter(|v| v.is_object()) {
        None => vec![FieldError::required(
            format!("{at}.volumeClaimTemplate"),
            "",
        )],
        Some(t) => claim_spec(
            t.get("spec").unwrap_or(&Value::Null),
            &format!("{at}.volumeClaimTemplate.spec"),
        ),
    }
}

#[cfg(test)]
mod tests;
