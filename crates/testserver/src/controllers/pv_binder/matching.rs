//! Which volume fits which claim: `k8s.io/component-helpers/storage/volume` (`FindMatchingVolume`,
//! `IsVolumeBoundToClaim`, the class, mode and access-mode checks) and the binder's index
//! (`index.go`: volumes grouped by their set of access modes, the groups with the fewest modes
//! searched first). Pure functions over JSON objects.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::selector::LabelSelector;
use crate::shared::quantity::Quantity;

/// `volume.beta.kubernetes.io/storage-class`, which wins over `spec.storageClassName`.
const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// The access modes in the order `GetAccessModesAsString` writes them.
const MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];

/// Text at a JSON pointer, `""` when absent.
pub(super) fn s<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `metadata.annotations[key]`, if present.
pub(super) fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// `GetPersistentVolumeClaimClass` / `GetPersistentVolumeClass`: the beta annotation, else
/// `spec.storageClassName`, else `""`.
pub(super) fn class_of(obj: &Value) -> &str {
    annotation(obj, BETA_CLASS).unwrap_or_else(|| s(obj, "/spec/storageClassName"))
}

/// `PersistentVolumeClaimHasClass`: a class is named (even `""`), by annotation or spec.
pub(super) fn claim_has_class(claim: &Value) -> bool {
    annotation(claim, BETA_CLASS).is_some()
        || claim
            .pointer("/spec/storageClassName")
            .is_some_and(|v| !v.is_null())
}

fn modes(obj: &Value) -> Vec<&str> {
    obj.pointer("/spec/accessModes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// `CheckAccessModes`: the volume offers every mode the claim asks for.
pub(super) fn access_modes_fit(claim: &Value, volume: &Value) -> bool {
    let offered = modes(volume);
    modes(claim).iter().all(|m| offered.contains(m))
}

/// `CheckVolumeModeMismatches` (an unset mode is `Filesystem`).
pub(super) fn volume_mode_mismatch(claim: &Value, volume: &Value) -> bool {
    fn mode(o: &Value) -> &str {
        match s(o, "/spec/volumeMode") {
            "" => "Filesystem",
            m => m,
        }
    }
    mode(claim) != mode(volume)
}

fn vac(obj: &Value) -> &str {
    s(obj, "/spec/volumeAttributesClassName")
}

fn quantity(obj: &Value, pointer: &str) -> Quantity {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
        .unwrap_or(Quantity::ZERO)
}

fn requested(claim: &Value) -> Quantity {
    quantity(claim, "/spec/resources/requests/storage")
}

fn capacity(volume: &Value) -> Quantity {
    quantity(volume, "/spec/capacity/storage")
}

fn deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// `IsVolumeBoundToClaim`: the volume's claimRef names the claim (and its UID, if it has one).
pub(super) fn is_bound_to(volume: &Value, claim: &Value) -> bool {
    let Some(r) = volume.pointer("/spec/claimRef").filter(|r| r.is_object()) else {
        return false;
    };
    if s(r, "/name") != s(claim, "/metadata/name")
        || s(r, "/namespace") != s(claim, "/metadata/namespace")
    {
        return false;
    }
    let uid = s(r, "/uid");
    uid.is_empty() || uid == s(claim, "/metadata/uid")
}

/// Whether the volume has a claimRef at all.
pub(super) fn has_claim_ref(volume: &Value) -> bool {
    volume
        .pointer("/spec/claimRef")
        .is_some_and(Value::is_object)
}

/// `checkVolumeSatisfyClaim`: why a volume the claim names cannot be bound to it, with the
/// controller's texts.
pub(super) fn unsatisfied(volume: &Value, claim: &Value) -> Option<String> {
    if deleting(volume) {
        return Some(format!(
            "the volume is marked for deletion {}",
            crate::validation::go_quote(s(volume, "/metadata/name"))
        ));
    }
    if capacity(volume) < requested(claim) {
        return Some("requested PV is too small".into());
    }
    if class_of(volume) != class_of(claim) {
        return Some("storageClassName does not match".into());
    }
    if vac(volume) != vac(claim) {
        return Some("volumeAttributesClassName does not match".into());
    }
    if volume_mode_mismatch(claim, volume) {
        return Some("incompatible volumeMode".into());
    }
    if !access_modes_fit(claim, volume) {
        return Some("incompatible accessMode".into());
    }
    None
}

/// A node the scheduler's volume binder checks volumes against: its name and labels.
#[derive(Debug, Clone, Copy)]
pub(super) struct NodeView<'a> {
    /// `metadata.name`.
    pub(super) name: &'a str,
    /// `metadata.labels`.
    pub(super) labels: Option<&'a Map<String, Value>>,
}

/// `CheckNodeAffinity`: a volume without required node affinity fits every node; otherwise one
/// of its `nodeSelectorTerms` must match the node.
pub(super) fn node_affinity_fits(volume: &Value, node: NodeView<'_>) -> bool {
    let Some(terms) = volume
        .pointer("/spec/nodeAffinity/required/nodeSelectorTerms")
        .and_then(Value::as_array)
    else {
        return true;
    };
    terms.iter().any(|t| term_matches(t, node))
}

/// A term matches when it has requirements and all hold (an empty term matches nothing).
fn term_matches(term: &Value, node: NodeView<'_>) -> bool {
    let list = |k: &str| term.get(k).and_then(Value::as_array).cloned();
    let (exprs, fields) = (list("matchExpressions"), list("matchFields"));
    if exprs.as_ref().is_none_or(Vec::is_empty) && fields.as_ref().is_none_or(Vec::is_empty) {
        return false;
    }
    let label = |k: &str| node.labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let field = |k: &str| (k == "metadata.name").then_some(node.name);
    exprs
        .iter()
        .flatten()
        .all(|e| requirement_holds(e, label(s(e, "/key"))))
        && fields
            .iter()
            .flatten()
            .all(|e| requirement_holds(e, field(s(e, "/key"))))
}

fn requirement_holds(expr: &Value, value: Option<&str>) -> bool {
    let values: Vec<&str> = expr
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let number = |v: &str| v.parse::<i64>().ok();
    match s(expr, "/operator") {
        "In" => value.is_some_and(|v| values.contains(&v)),
        "NotIn" => value.is_none_or(|v| !values.contains(&v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(have), Some(want)) = (
                value.and_then(number),
                values.first().and_then(|v| number(v)),
            ) else {
                return false;
            };
            if s(expr, "/operator") == "Gt" {
                have > want
            } else {
                have < want
            }
        }
        _ => false,
    }
}

/// `FindMatchingVolume` over `volumes`: a volume pre-bound to the claim wins at once; else the
/// smallest `Available` volume of the claim's class that fits (on `node`, when the scheduler
/// asks). `delay_binding` (a `WaitForFirstConsumer` claim seen by the PV controller, no node)
/// returns only pre-bound volumes. `Err` carries a selector the controller cannot parse.
pub(super) fn find_matching<'a>(
    claim: &Value,
    volumes: &[&'a Arc<Value>],
    node: Option<NodeView<'_>>,
    delay_binding: bool,
) -> Result<Option<&'a Arc<Value>>, String> {
    let selector = match claim.pointer("/spec/selector").filter(|v| v.is_object()) {
        Some(sel) => Some(LabelSelector::from_object(sel).map_err(|e| {
            format!(
                "error creating internal label selector for claim: {}/{}: {e}",
                s(claim, "/metadata/namespace"),
                s(claim, "/metadata/name")
            )
        })?),
        None => None,
    };
    let want = requested(claim);
    let mut smallest: Option<(&'a Arc<Value>, Quantity)> = None;
    for &volume in volumes {
        if has_claim_ref(volume) && !is_bound_to(volume, claim) {
            continue;
        }
        let size = capacity(volume);
        if size < want || volume_mode_mismatch(claim, volume) || deleting(volume) {
            continue;
        }
        let affinity_ok = node.is_none_or(|n| node_affinity_fits(volume, n));
        if is_bound_to(volume, claim) {
            return Ok(affinity_ok.then_some(volume));
        }
        if node.is_none() && delay_binding {
            continue;
        }
        if s(volume, "/status/phase") != "Available"
            || selector
                .as_ref()
                .is_some_and(|sel| !sel.matches_object(volume))
            || class_of(volume) != class_of(claim)
            || vac(volume) != vac(claim)
            || !affinity_ok
            || (node.is_some() && !access_modes_fit(claim, volume))
        {
            continue;
        }
        if smallest.as_ref().is_none_or(|(_, q)| *q > size) {
            smallest = Some((volume, size));
        }
    }
    Ok(smallest.map(|(v, _)| v))
}

/// The binder's `findBestMatchForClaim`: volumes grouped by their access-mode set; the groups
/// offering every requested mode are searched with the fewest modes first.
pub(super) fn best_match<'a>(
    claim: &Value,
    volumes: &[&'a Arc<Value>],
    delay_binding: bool,
) -> Result<Option<&'a Arc<Value>>, String> {
    let mut groups: BTreeMap<Vec<&str>, Vec<&'a Arc<Value>>> = BTreeMap::new();
    for &v in volumes {
        let offered = modes(v);
        let set: Vec<&str> = MODES.into_iter().filter(|m| offered.contains(m)).collect();
        groups.entry(set).or_default().push(v);
    }
    let wanted = modes(claim);
    let mut fitting: Vec<(&Vec<&str>, &Vec<&'a Arc<Value>>)> = groups
        .iter()
        .filter(|(set, _)| !set.is_empty() && wanted.iter().all(|m| set.contains(m)))
        .collect();
    fitting.sort_by_key(|(set, _)| set.len());
    for (_, group) in fitting {
        if let Some(v) = find_matching(claim, group, None, delay_binding)? {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// `util.GetDefaultClass`: the newest class annotated as default (then by name).
pub(super) fn default_class(classes: &[Arc<Value>]) -> Option<&Arc<Value>> {
    let is_default = |c: &Value| {
        [
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ]
        .iter()
        .any(|a| annotation(c, a) == Some("true"))
    };
    let mut defaults: Vec<&Arc<Value>> = classes.iter().filter(|c| is_default(c)).collect();
    defaults.sort_by(|a, b| {
        s(b, "/metadata/creationTimestamp")
            .cmp(s(a, "/metadata/creationTimestamp"))
            .then_with(|| s(a, "/metadata/name").cmp(s(b, "/metadata/name")))
    });
    defaults.first().copied()
}
