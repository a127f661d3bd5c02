//! A pod's volume list (`ValidateVolumes` and `validateVolumeSource`, kube-apiserver v1.36):
//! each volume's source errors, then its name errors, together; only a volume without errors
//! counts as a name containers may mount (and as taken for the duplicate check). Sources are
//! walked in Go's order: the first one set is checked, each further one is refused.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{items, s, volume_plugins, volumes};
use crate::validation::{FieldError, go_quote, names};

/// Every source in `validateVolumeSource`'s order.
const GO_ORDER: [&str; 30] = [
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
];

/// The pod's valid volumes: name to the kind of source (a key of `VolumeSource`).
pub(crate) type Volumes = HashMap<String, &'static str>;

/// The pod a spec belongs to: its name for the claims of ephemeral volumes, `None` for a
/// template (`podMeta` nil, `opts.ResourceIsPod` false).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodOf<'a> {
    /// The pod's name.
    pub(crate) name: Option<&'a str>,
}

/// `ValidateVolumes` of `spec.volumes` at `{path}.volumes`: the valid volumes and the errors.
pub(crate) fn volumes(spec: &Value, path: &str, pod: PodOf<'_>) -> (Volumes, Vec<FieldError>) {
    let list = items(spec.get("volumes"));
    let created: HashSet<String> = match pod.name.filter(|n| !n.is_empty()) {
        Some(pod_name) => list
            .iter()
            .filter(|v| set(v, "ephemeral"))
            .map(|v| format!("{pod_name}-{}", s(v, "name")))
            .collect(),
        None => HashSet::new(),
    };
    let mut valid = Volumes::new();
    let mut errs = Vec::new();
    for (i, volume) in list.iter().enumerate() {
        let at = format!("{path}.volumes[{i}]");
        let name = s(volume, "name");
        let mut el = source(volume, &at, pod);
        if name.is_empty() {
            el.push(FieldError::required(format!("{at}.name"), ""));
        } else {
            for msg in names::dns1123_label(name) {
                el.push(FieldError::invalid(format!("{at}.name"), name, msg));
            }
        }
        if valid.contains_key(name) {
            el.push(FieldError::duplicate(format!("{at}.name"), name));
        }
        if el.is_empty() {
            let kind = GO_ORDER
                .iter()
                .copied()
                .find(|k| set(volume, k))
                .unwrap_or("emptyDir");
            valid.insert(name.to_owned(), kind);
        } else {
            errs.extend(el);
        }
        let claim = volume
            .pointer("/persistentVolumeClaim/claimName")
            .and_then(Value::as_str);
        if let Some(claim) = claim.filter(|c| created.contains(*c)) {
            errs.push(FieldError::invalid(
                format!("{at}.persistentVolumeClaim.claimName"),
                claim,
                "must not reference a PVC that gets created for an ephemeral volume",
            ));
        }
    }
    (valid, errs)
}

fn set(volume: &Value, kind: &str) -> bool {
    volume.get(kind).is_some_and(|v| !v.is_null())
}

/// `validateVolumeSource` of the volume at `at` (`spec.volumes[i]`).
pub(crate) fn source(volume: &Value, at: &str, pod: PodOf<'_>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut found = 0;
    let name = s(volume, "name");
    for kind in GO_ORDER.iter().copied().filter(|k| set(volume, k)) {
        let src = &volume[kind];
        if found > 0 {
            // Go's paths, typos included
            let child = match kind {
                "cephfs" => "cephFS",
                "downwardAPI" => "downwarAPI",
                other => other,
            };
            errs.push(FieldError::forbidden(
                format!("{at}.{child}"),
                "may not specify more than 1 volume type",
            ));
        } else {
            found += 1;
            let child = match kind {
                "gcePersistentDisk" => "persistentDisk",
                other => other,
            };
            let src_at = format!("{at}.{child}");
            let own = volumes::check(kind, src, &src_at)
                .or_else(|| volume_plugins::check(kind, src, &src_at, pod.name.is_some()))
                .unwrap_or_default();
            errs.extend(own);
            if kind == "ephemeral"
                && let Some(pod_name) = pod.name.filter(|n| !n.is_empty())
                && !name.is_empty()
            {
                let claim = format!("{pod_name}-{name}");
                for msg in names::dns1123_subdomain(&claim) {
                    errs.push(FieldError::invalid(
                        format!("{at}.name"),
                        name,
                        format!("PVC name {}: {msg}", go_quote(&claim)),
                    ));
                }
            }
        }
        if kind == "iscsi"
            && src.get("initiatorName").is_some_and(|v| !v.is_null())
            && name.len() + 1 + s(src, "targetPortal").len() > 64
        {
            errs.push(FieldError::invalid(
                format!("{at}.name"),
                name,
                "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.",
            ));
        }
    }
    if found == 0 {
        errs.push(FieldError::required(at, "must specify a volume type"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    const POD: PodOf<'static> = PodOf { name: Some("web") };

    fn errs(list: Value, pod: PodOf<'_>) -> Vec<String> {
        texts(volumes(&json!({ "volumes": list }), "spec", pod).1)
    }

    /// `ValidateVolumes`: each volume's source errors come before its name errors, volume by
    /// volume.
    #[test]
    fn errors_come_per_volume() {
        assert_eq!(
            errs(
                json!([{"name": "A", "secret": {}}, {"name": "", "configMap": {}}]),
                POD
            ),
            [
                "spec.volumes[0].secret.secretName: Required value",
                "spec.volumes[0].name: Invalid value: \"A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.volumes[1].configMap.name: Required value",
                "spec.volumes[1].name: Required value",
            ]
        );
    }

    /// `ValidateVolumes`: only valid volumes are mountable and taken; a second volume of a
    /// name whose first volume was invalid is not a duplicate.
    #[test]
    fn only_valid_volumes_count() {
        let spec = json!({"volumes": [
            {"name": "a", "secret": {}},
            {"name": "a", "emptyDir": {}},
            {"name": "b", "nfs": {"server": "s", "path": "/x"}},
            {"name": "b", "emptyDir": {}},
        ]});
        let (valid, errs) = volumes(&spec, "spec", POD);
        assert_eq!(
            texts(errs),
            [
                "spec.volumes[0].secret.secretName: Required value",
                "spec.volumes[3].name: Duplicate value: \"b\"",
            ]
        );
        assert_eq!(
            valid,
            Volumes::from([("a".into(), "emptyDir"), ("b".into(), "nfs")])
        );
    }

    /// `validateVolumeSource`: every source after the first is refused at Go's path (with
    /// its typos), and none at all is required.
    #[test]
    fn one_source_per_volume() {
        assert_eq!(
            errs(
                json!([{"name": "a", "emptyDir": {}, "cephfs": {}, "downwardAPI": {}}, {"name": "b"}]),
                POD
            ),
            [
                "spec.volumes[0].cephFS: Forbidden: may not specify more than 1 volume type",
                "spec.volumes[0].downwarAPI: Forbidden: may not specify more than 1 volume type",
                "spec.volumes[1]: Required value: must specify a volume type",
            ]
        );
    }

    /// `ValidateVolumes` and `validateVolumeSource` on the claims of ephemeral volumes: the
    /// claim name must be valid, and no volume may name a claim an ephemeral volume creates
    /// (a Pod only: templates have no name yet).
    #[test]
    fn ephemeral_volume_claims() {
        let template = json!({"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}}});
        let list = json!([
            {"name": "scratch", "ephemeral": template},
            {"name": "other", "persistentVolumeClaim": {"claimName": "web-scratch"}},
        ]);
        assert_eq!(
            errs(list.clone(), POD),
            [
                "spec.volumes[1].persistentVolumeClaim.claimName: Invalid value: \"web-scratch\": must not reference a PVC that gets created for an ephemeral volume"
            ]
        );
        assert!(errs(list, PodOf { name: None }).is_empty());
        let long = "x".repeat(250);
        let got = errs(
            json!([{"name": "scratch", "ephemeral": template}]),
            PodOf { name: Some(&long) },
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with(&format!(
                "spec.volumes[0].name: Invalid value: \"scratch\": PVC name \"{long}-scratch\": must be no more than 253 characters"
            )),
            "{got:?}"
        );
    }
}
