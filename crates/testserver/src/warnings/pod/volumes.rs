//! The volume part of `warningsForPodSpecAndMeta`: deprecated and removed volume plugins, the
//! claim templates of ephemeral volumes, and `warningsForOverlappingVirtualPaths` (keys of
//! one ConfigMap, Secret, downward API or projected volume mapped to the same or nested
//! paths).

use serde_json::Value;

use crate::validation::go_quote;
use crate::warnings::{has, items, storage, str_at};

/// The volume plugins that are deprecated or gone, and what the warning says.
const DEPRECATED_PLUGINS: &[(&str, &str)] = &[
    (
        "photonPersistentDisk",
        "deprecated in v1.11, non-functional in v1.16+",
    ),
    ("gitRepo", "deprecated in v1.11"),
    ("scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "deprecated in v1.22, non-functional in v1.25+"),
    ("storageos", "deprecated in v1.22, non-functional in v1.25+"),
    ("quobyte", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("ephemeral", ""),
    ("cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("rbd", "deprecated in v1.28, non-functional in v1.31+"),
];

/// The deprecated plugins of each volume in Go's order (`storageos` is printed `storageOS`),
/// and the claim template warnings of ephemeral volumes in their place.
pub(super) fn deprecated(spec: &Value, spec_path: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    for (i, volume) in items(spec, "/volumes").iter().enumerate() {
        for &(plugin, msg) in DEPRECATED_PLUGINS {
            if !has(volume, plugin) {
                continue;
            }
            let at = format!("{spec_path}.volumes[{i}]");
            if plugin == "ephemeral" {
                let template = volume.pointer("/ephemeral/volumeClaimTemplate");
                if let Some(template) = template.filter(|t| !t.is_null()) {
                    let path = format!("{at}.ephemeral.volumeClaimTemplate.spec");
                    let claim_spec = template.get("spec").unwrap_or(&Value::Null);
                    warnings.extend(storage::claim_spec(&path, claim_spec));
                }
                continue;
            }
            let shown = if plugin == "storageos" {
                "storageOS"
            } else {
                plugin
            };
            warnings.push(format!("{at}.{shown}: {msg}"));
        }
    }
    warnings
}

/// `warningsForOverlappingVirtualPaths`.
pub(super) fn overlapping_paths(spec: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    for volume in items(spec, "/volumes") {
        let name = go_quote(str_at(volume, "/name"));
        if let Some(cm) = volume.get("configMap").filter(|c| has(c, "items")) {
            let msg = format!(
                "volume {name} (ConfigMap {}): overlapping paths",
                go_quote(str_at(cm, "/name"))
            );
            warnings.extend(check_overlap(&paths(cm), &msg));
        }
        if let Some(secret) = volume.get("secret").filter(|c| has(c, "items")) {
            let msg = format!(
                "volume {name} (Secret {}): overlapping paths",
                go_quote(str_at(secret, "/secretName"))
            );
            warnings.extend(check_overlap(&paths(secret), &msg));
        }
        if let Some(downward) = volume.get("downwardAPI").filter(|c| has(c, "items")) {
            let msg = format!("volume {name} (DownwardAPI): overlapping paths");
            warnings.extend(check_overlap(&paths(downward), &msg));
        }
        if let Some(projected) = volume.get("projected").filter(|p| !p.is_null()) {
            warnings.extend(projected_overlaps(projected, &name));
        }
    }
    warnings
}

/// The projected volume's part: each source's own paths, then all paths so far; the last
/// source's paths and message carry over a source that matched no case, as in Go.
fn projected_overlaps(projected: &Value, name: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut source_paths: Vec<String> = Vec::new();
    let mut message = String::new();
    let mut all_paths: Vec<String> = Vec::new();
    for source in items(projected, "/sources") {
        let kinds = [
            "configMap",
            "secret",
            "downwardAPI",
            "serviceAccountToken",
            "clusterTrustBundle",
            "podCertificate",
        ];
        if !kinds.iter().any(|k| has(source, k)) {
            warnings.push(format!("volume {name} (Projected) has no sources provided"));
            continue;
        }
        let with_items = |key: &str| source.get(key).filter(|v| has(v, "items"));
        if let Some(cm) = with_items("configMap") {
            source_paths = paths(cm);
            message = format!(
                "volume {name} (Projected ConfigMap {}): overlapping paths",
                go_quote(str_at(cm, "/name"))
            );
        } else if let Some(secret) = with_items("secret") {
            source_paths = paths(secret);
            message = format!(
                "volume {name} (Projected Secret {}): overlapping paths",
                go_quote(str_at(secret, "/name"))
            );
        } else if let Some(downward) = with_items("downwardAPI") {
            source_paths = paths(downward);
            message = format!("volume {name} (Projected DownwardAPI): overlapping paths");
        } else if let Some(token) = source.get("serviceAccountToken").filter(|v| !v.is_null()) {
            source_paths = vec![str_at(token, "/path").to_owned()];
            message = format!("volume {name} (Projected ServiceAccountToken): overlapping paths");
        } else if let Some(bundle) = source.get("clusterTrustBundle").filter(|v| !v.is_null()) {
            source_paths = vec![str_at(bundle, "/path").to_owned()];
            let named = match bundle.get("name").and_then(Value::as_str) {
                Some(n) => n,
                None => str_at(bundle, "/signerName"),
            };
            message = format!(
                "volume {name} (Projected ClusterTrustBundle {}): overlapping paths",
                go_quote(named)
            );
        }
        if source_paths.is_empty() {
            continue;
        }
        warnings.extend(check_overlap(&source_paths, &message));
        let mut unique: Vec<String> = Vec::new();
        for p in &source_paths {
            if !unique.contains(p) {
                unique.push(p.clone());
            }
        }
        let mut ordered = unique.clone();
        ordered.extend(all_paths.iter().cloned());
        ordered.sort();
        warnings.extend(check_overlap(&ordered, &message));
        for p in unique {
            if !all_paths.contains(&p) {
                all_paths.push(p);
            }
        }
    }
    warnings
}

/// The `path` of each item of `source.items`.
fn paths(source: &Value) -> Vec<String> {
    items(source, "/items")
        .iter()
        .map(|item| str_at(item, "/path").to_owned())
        .collect()
}

/// `checkVolumeMappingForOverlap`: each path (trailing slashes trimmed) against the ones
/// before it.
fn check_overlap(paths: &[String], message: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for path in paths {
        let normalized = path.trim_end_matches('/').to_owned();
        if let Some(collision) = overlap(&seen, &normalized) {
            warnings.push(format!(
                "{message}: {} with {}",
                go_quote(&normalized),
                go_quote(collision)
            ));
        }
        if !seen.contains(&normalized) {
            seen.push(normalized);
        }
    }
    warnings
}

/// `checkForOverlap`: the first earlier path equal to `path`, or one being a prefix of the
/// other plus a separator (Go's comparison, which also matches `ab` against `a`); an empty
/// path on either side ends the search.
fn overlap<'a>(seen: &'a [String], path: &str) -> Option<&'a str> {
    for item in seen {
        if item.is_empty() || path.is_empty() {
            return None;
        }
        if item == path
            || format!("{item}/").starts_with(path)
            || format!("{path}/").starts_with(item.as_str())
        {
            return Some(item);
        }
    }
    None
}
