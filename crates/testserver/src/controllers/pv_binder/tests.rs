//! The pure decisions: matching rules and reclaim outcomes, case by case.

use std::sync::Arc;

use serde_json::{Value, json};

use super::matching::{NodeView, best_match, find_matching, node_affinity_fits, unsatisfied};
use super::sync::{Step, sync_volume};
use super::world::World;
use crate::storage::{Key, Snapshot};

fn pv(name: &str, size: &str, modes: &[&str], extra: Value) -> Arc<Value> {
    let mut v = json!({"kind": "PersistentVolume", "metadata": {"name": name, "uid": format!("uid-{name}")},
        "spec": {"capacity": {"storage": size}, "accessModes": modes, "storageClassName": "c"},
        "status": {"phase": "Available"}});
    merge(&mut v, extra);
    Arc::new(v)
}

fn pvc(size: &str, modes: &[&str], extra: Value) -> Value {
    let mut c = json!({"kind": "PersistentVolumeClaim",
        "metadata": {"name": "claim", "namespace": "ns", "uid": "uid-claim"},
        "spec": {"accessModes": modes, "resources": {"requests": {"storage": size}}, "storageClassName": "c"}});
    merge(&mut c, extra);
    c
}

fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            match (b.get_mut(&k), v) {
                (Some(Value::Object(inner)), Value::Object(add)) => inner.extend(add),
                (_, v) => {
                    b.insert(k, v);
                }
            }
        }
    }
}

#[track_caller]
fn check_match(claim: Value, volumes: &[Arc<Value>], want: Option<&str>) {
    let refs: Vec<&Arc<Value>> = volumes.iter().collect();
    let got = best_match(&claim, &refs, false).unwrap();
    assert_eq!(
        got.map(|v| v["metadata"]["name"].as_str().unwrap()),
        want,
        "{claim}"
    );
}

#[test]
fn best_match_follows_the_controller() {
    let rwo = ["ReadWriteOnce"];
    let vols = [
        pv("big", "10Gi", &rwo, json!({})),
        pv("small", "1Gi", &rwo, json!({})),
        pv("mid", "3Gi", &rwo, json!({})),
        pv(
            "wide",
            "2Gi",
            &["ReadWriteOnce", "ReadWriteMany"],
            json!({}),
        ),
        pv(
            "other-class",
            "2Gi",
            &rwo,
            json!({"spec": {"storageClassName": "d"}}),
        ),
        pv(
            "bound",
            "2Gi",
            &rwo,
            json!({"spec": {"claimRef": {"namespace": "ns", "name": "x", "uid": "u"}}}),
        ),
        pv(
            "pending",
            "2Gi",
            &rwo,
            json!({"status": {"phase": "Pending"}}),
        ),
        pv(
            "labelled",
            "9Gi",
            &rwo,
            json!({"metadata": {"labels": {"tier": "gold"}}}),
        ),
    ];
    check_match(pvc("2Gi", &rwo, json!({})), &vols, Some("mid"));
    check_match(pvc("500Mi", &rwo, json!({})), &vols, Some("small"));
    check_match(pvc("11Gi", &rwo, json!({})), &vols, None);
    check_match(
        pvc("1Gi", &["ReadWriteMany"], json!({})),
        &vols,
        Some("wide"),
    );
    check_match(pvc("1Gi", &["ReadOnlyMany"], json!({})), &vols, None);
    check_match(
        pvc("1Gi", &rwo, json!({"spec": {"storageClassName": "d"}})),
        &vols,
        Some("other-class"),
    );
    check_match(
        pvc(
            "1Gi",
            &rwo,
            json!({"spec": {"selector": {"matchLabels": {"tier": "gold"}}}}),
        ),
        &vols,
        Some("labelled"),
    );
    check_match(
        pvc("1Gi", &rwo, json!({"spec": {"volumeMode": "Block"}})),
        &vols,
        None,
    );
    // the beta annotation wins over spec.storageClassName
    check_match(
        pvc(
            "1Gi",
            &rwo,
            json!({"metadata": {"annotations": {"volume.beta.kubernetes.io/storage-class": "d"}}}),
        ),
        &vols,
        Some("other-class"),
    );
    // pre-bound to this claim: taken first, even if larger, even when binding waits
    let pre = pv(
        "pre",
        "50Gi",
        &rwo,
        json!({"spec": {"claimRef": {"namespace": "ns", "name": "claim"}}}),
    );
    let with_pre: Vec<Arc<Value>> = vols.iter().cloned().chain([pre]).collect();
    check_match(pvc("1Gi", &rwo, json!({})), &with_pre, Some("pre"));
    let refs: Vec<&Arc<Value>> = with_pre.iter().collect();
    let delayed = best_match(&pvc("1Gi", &rwo, json!({})), &refs, true).unwrap();
    assert_eq!(
        delayed.map(|v| v["metadata"]["name"].clone()),
        Some(json!("pre"))
    );
    let refs: Vec<&Arc<Value>> = vols.iter().collect();
    assert!(
        best_match(&pvc("1Gi", &rwo, json!({})), &refs, true)
            .unwrap()
            .is_none()
    );
}

#[test]
fn node_affinity_operators() {
    let labels = json!({"kubernetes.io/hostname": "a", "zone": "z1", "cores": "8"});
    let node = NodeView {
        name: "a",
        labels: labels.as_object(),
    };
    let with = |terms: Value| {
        pv(
            "v",
            "1Gi",
            &[],
            json!({"spec": {"nodeAffinity": {"required": {"nodeSelectorTerms": terms}}}}),
        )
    };
    let expr = |key: &str, op: &str, values: &[&str]| json!([{"matchExpressions": [{"key": key, "operator": op, "values": values}]}]);
    let cases = [
        (expr("kubernetes.io/hostname", "In", &["a"]), true),
        (expr("kubernetes.io/hostname", "In", &["b"]), false),
        (expr("zone", "NotIn", &["z2"]), true),
        (expr("gpu", "Exists", &[]), false),
        (expr("gpu", "DoesNotExist", &[]), true),
        (expr("cores", "Gt", &["4"]), true),
        (expr("cores", "Lt", &["4"]), false),
        (
            json!([{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]}]}]),
            true,
        ),
        (json!([{}]), false),
        (
            json!([{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z9"]}]},
                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]),
            true,
        ),
    ];
    for (terms, want) in cases {
        assert_eq!(
            node_affinity_fits(&with(terms.clone()), node),
            want,
            "{terms}"
        );
    }
    assert!(node_affinity_fits(&pv("free", "1Gi", &[], json!({})), node));
    // the scheduler path checks affinity and access modes
    let vols = [
        with(expr("kubernetes.io/hostname", "In", &["b"])),
        pv("ok", "1Gi", &["ReadWriteOnce"], json!({})),
    ];
    let refs: Vec<&Arc<Value>> = vols.iter().collect();
    let got = find_matching(
        &pvc("1Gi", &["ReadWriteOnce"], json!({})),
        &refs,
        Some(node),
        true,
    )
    .unwrap();
    assert_eq!(
        got.map(|v| v["metadata"]["name"].clone()),
        Some(json!("ok"))
    );
}

#[test]
fn a_named_volume_that_does_not_fit_says_why() {
    let rwo = ["ReadWriteOnce"];
    let claim = pvc("2Gi", &rwo, json!({}));
    let cases = [
        (
            pv("v", "1Gi", &rwo, json!({})),
            Some("requested PV is too small"),
        ),
        (
            pv("v", "2Gi", &rwo, json!({"spec": {"storageClassName": "x"}})),
            Some("storageClassName does not match"),
        ),
        (
            pv("v", "2Gi", &rwo, json!({"spec": {"volumeMode": "Block"}})),
            Some("incompatible volumeMode"),
        ),
        (
            pv("v", "2Gi", &["ReadOnlyMany"], json!({})),
            Some("incompatible accessMode"),
        ),
        (
            pv(
                "v",
                "2Gi",
                &rwo,
                json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}),
            ),
            Some("the volume is marked for deletion \"v\""),
        ),
        (pv("v", "2Gi", &rwo, json!({})), None),
    ];
    for (v, want) in cases {
        assert_eq!(unsatisfied(&v, &claim).as_deref(), want);
    }
}

/// The steps for a volume whose claim is gone: (phase written, failure message if any).
#[track_caller]
fn check_reclaim(extra: Value, want: (&[&str], Option<&str>)) {
    let v = pv(
        "vol",
        "1Gi",
        &["ReadWriteOnce"],
        json!({"status": {"phase": "Bound"},
        "spec": {"claimRef": {"namespace": "ns", "name": "gone", "uid": "u1"}}}),
    );
    let mut v = (*v).clone();
    merge(&mut v, extra);
    let v = Arc::new(v);
    let mut map = imbl::OrdMap::new();
    map.insert(Key::new("/persistentvolumes", "", "vol"), v.clone());
    let world = World::new(Snapshot { revision: 1, map });
    let steps = sync_volume(&world, &v);
    let phases: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::VolumePhase { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    let message = steps.iter().find_map(|s| match s {
        Step::VolumePhase {
            phase: "Failed",
            message,
            ..
        } => Some(message.as_str()),
        _ => None,
    });
    let deleted = steps.iter().any(|s| matches!(s, Step::DeleteVolume { .. }));
    assert_eq!((phases.as_slice(), message), want, "{v}");
    assert_eq!(
        deleted,
        v.pointer("/spec/hostPath/path").and_then(Value::as_str) == Some("/tmp/data")
    );
}

#[test]
fn reclaim_policies_without_in_tree_deleters() {
    let policy = |p: &str| json!({"spec": {"persistentVolumeReclaimPolicy": p}});
    check_reclaim(policy("Retain"), (&["Released"], None));
    let no_plugin =
        "error getting deleter volume plugin for volume \"vol\": no volume plugin matched";
    check_reclaim(policy("Delete"), (&["Released", "Failed"], Some(no_plugin)));
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Delete", "nfs": {"server": "s", "path": "/x"}}}),
        (
            &["Released", "Failed"],
            Some(
                "error getting deleter volume plugin for volume \"vol\": no deletable volume plugin matched",
            ),
        ),
    );
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Delete", "hostPath": {"path": "/data"}}}),
        (
            &["Released", "Failed"],
            Some("host_path deleter only supports /tmp/.+ but received provided /data"),
        ),
    );
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Delete", "hostPath": {"path": "/tmp/data"}}}),
        (&["Released"], None),
    );
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Delete"},
               "metadata": {"annotations": {"pv.kubernetes.io/provisioned-by": "local-volume-provisioner"}}}),
        (&["Released"], None),
    );
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Delete"},
               "metadata": {"annotations": {"pv.kubernetes.io/provisioned-by": "kubernetes.io/aws-ebs"}}}),
        (
            &["Released", "Failed"],
            Some("no volume plugin matched name: kubernetes.io/aws-ebs"),
        ),
    );
    check_reclaim(
        policy("Recycle"),
        (
            &["Released", "Failed"],
            Some("No recycler plugin found for the volume!"),
        ),
    );
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Recycle", "nfs": {"server": "s", "path": "/x"}}}),
        (&["Released"], None),
    );
    // already Failed: not Released again, and the Failed step finds the phase set (no write)
    check_reclaim(
        json!({"spec": {"persistentVolumeReclaimPolicy": "Delete"}, "status": {"phase": "Failed"}}),
        (&["Failed"], Some(no_plugin)),
    );
}

#[test]
fn a_bound_claim_whose_volume_is_gone_or_elsewhere_is_lost() {
    use super::sync::sync_claim;
    let claim = Arc::new(pvc(
        "1Gi",
        &["ReadWriteOnce"],
        json!({"metadata": {"annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
               "spec": {"volumeName": "vol"}}),
    ));
    let elsewhere = pv(
        "vol",
        "1Gi",
        &[],
        json!({"spec": {"claimRef": {"namespace": "ns", "name": "claim", "uid": "other"}}}),
    );
    let mine = pv(
        "vol",
        "1Gi",
        &[],
        json!({"spec": {"claimRef": {"namespace": "ns", "name": "claim", "uid": "uid-claim"}}}),
    );
    let cases: [(Option<Arc<Value>>, Option<&str>); 3] = [
        (None, Some("ClaimLost")),
        (Some(elsewhere), Some("ClaimMisbound")),
        (Some(mine), None),
    ];
    for (volume, want) in cases {
        let mut map = imbl::OrdMap::new();
        if let Some(v) = volume {
            map.insert(Key::new("/persistentvolumes", "", "vol"), v);
        }
        let world = World::new(Snapshot { revision: 1, map });
        let steps = sync_claim(&world, &claim).unwrap();
        let lost = steps.iter().find_map(|s| match s {
            Step::ClaimPhase {
                phase: "Lost",
                note: Some(n),
                ..
            } => Some(n.reason),
            _ => None,
        });
        assert_eq!(lost, want);
    }
}
