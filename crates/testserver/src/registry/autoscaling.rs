//! autoscaling HorizontalPodAutoscalers (v1 and v2), one stored object served in two
//! versions (`pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go`).
//!
//! Guarantees:
//! - objects are stored once, as autoscaling/v2 (the storage version); autoscaling/v1 reads,
//!   lists and watches the same objects converted (`convert`), and a write through either
//!   version is seen by both;
//! - each write is defaulted as its version's decoding defaults it (`defaults`), and the
//!   round-trip annotations are dropped from what is stored;
//! - the strategy's steps see the stored form: `PrepareForCreate` resets the status and sets
//!   `metadata.generation` 1 (`HPAGeneration` is on), a main update keeps the status and bumps
//!   the generation when the spec changes, and validation (`validation::autoscaling`) checks
//!   the v2 form, so both versions report v2's paths, as the real server does;
//! - both versions print the same table (`printHorizontalPodAutoscaler`, `formatHPAMetrics`).

use serde_json::{Value, json};

use crate::admission::defaults::DecodeError;
use crate::registry::print::{self, int, items, text};
use crate::registry::status_types::{self, StatusType};
use crate::registry::strategy::{StoredAs, Strategy};
use crate::registry::table::{self, Column, col};
use crate::registry::wrapper;
use crate::validation::autoscaling as checks;

mod convert;
mod defaults;
mod gojson;
mod metrics;

/// The metrics as autoscaling/v2 has them; a v1 object's CPU target becomes a resource
/// metric, as the conversion to the internal type does.
fn metrics(hpa: &Value) -> (Vec<Value>, Vec<Value>) {
    if let Some(specs) = hpa.pointer("/spec/metrics").and_then(Value::as_array) {
        return (specs.clone(), items(hpa, "/status/currentMetrics").to_vec());
    }
    let Some(target) = hpa.pointer("/spec/targetCPUUtilizationPercentage") else {
        return (Vec::new(), Vec::new());
    };
    let spec = json!({"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": target}}});
    let status = match hpa.pointer("/status/currentCPUUtilizationPercentage") {
        Some(current) => vec![json!({"type": "Resource", "resource": {"name": "cpu",
            "current": {"averageUtilization": current}}})],
        None => Vec::new(),
    };
    (vec![spec], status)
}

/// `formatHPAMetrics`: `current/target` of the first two metrics, then `+ N more...`.
fn targets(hpa: &Value) -> String {
    const MAX: usize = 2;
    let (specs, statuses) = metrics(hpa);
    if specs.is_empty() {
        return "<none>".into();
    }
    let q = |v: &Value, p: &str| print::quantity(v, p);
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let source = match text(spec, "/type") {
                "External" => "external",
                "Pods" => "pods",
                "Object" => "object",
                "Resource" => "resource",
                "ContainerResource" => "containerResource",
                _ => return "<unknown type>".into(),
            };
            let status = statuses
                .get(i)
                .and_then(|s| s.get(source))
                .filter(|s| s.is_object());
            let target = &spec[source]["target"];
            let current = |key: &str| {
                status
                    .filter(|s| s["current"].get(key).is_some_and(|c| !c.is_null()))
                    .map_or_else(
                        || "<unknown>".to_owned(),
                        |s| q(&s["current"], &format!("/{key}")),
                    )
            };
            let has_average = target.get("averageValue").is_some_and(|a| !a.is_null());
            match source {
                "external" | "object" if has_average => format!(
                    "{}/{} (avg)",
                    current("averageValue"),
                    q(target, "/averageValue")
                ),
                "external" | "object" => {
                    let now =
                        status.map_or_else(|| "<unknown>".into(), |s| q(&s["current"], "/value"));
                    format!("{now}/{}", q(target, "/value"))
                }
                "pods" => {
                    let now = status
                        .map_or_else(|| "<unknown>".into(), |s| q(&s["current"], "/averageValue"));
                    format!("{now}/{}", q(target, "/averageValue"))
                }
                _ => {
                    let name = text(&spec[source], "/name");
                    if has_average {
                        let now = status.map_or_else(
                            || "<unknown>".into(),
                            |s| q(&s["current"], "/averageValue"),
                        );
                        format!("{name}: {now}/{}", q(target, "/averageValue"))
                    } else {
                        let now = status
                            .and_then(|s| s.pointer("/current/averageUtilization"))
                            .and_then(Value::as_i64)
                            .map_or_else(|| "<unknown>".into(), |u| format!("{u}%"));
                        let goal = target
                            .get("averageUtilization")
                            .and_then(Value::as_i64)
                            .map_or_else(|| "<auto>".into(), |u| format!("{u}%"));
                        format!("{name}: {now}/{goal}")
                    }
                }
            }
        })
        .collect();
    let shown = list[..list.len().min(MAX)].join(", ");
    if list.len() > MAX {
        format!("{shown} + {} more...", list.len() - MAX)
    } else {
        shown
    }
}

fn horizontal_pod_autoscalers() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Reference",
                "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
                0,
                |v| {
                    format!(
                        "{}/{}",
                        text(v, "/spec/scaleTargetRef/kind"),
                        text(v, "/spec/scaleTargetRef/name")
                    )
                    .into()
                },
            ),
            col(
                "Targets",
                "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.",
                0,
                |v| targets(v).into(),
            ),
            col(
                "MinPods",
                "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.",
                0,
                |v| {
                    match v.pointer("/spec/minReplicas").and_then(Value::as_i64) {
                        Some(n) => n.to_string(),
                        None => "<unset>".into(),
                    }
                    .into()
                },
            ),
            col(
                "MaxPods",
                "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.",
                0,
                |v| int(v, "/spec/maxReplicas").into(),
            ),
            col(
                "Replicas",
                "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.",
                0,
                |v| int(v, "/status/currentReplicas").into(),
            ),
        ],
        Vec::new(),
    )
}

/// What both versions share: the status strategy, the spec checks, the generation and the
/// table.
const BASE: StatusType = StatusType {
    columns: horizontal_pod_autoscalers,
    spec: checks::horizontal_pod_autoscaler,
    spec_update: Some(checks::horizontal_pod_autoscaler_update),
    generation: true,
    ..status_types::HORIZONTAL_POD_AUTOSCALERS
};

/// The HorizontalPodAutoscaler strategy of one served version: its decoding defaults and,
/// for v1, where its objects are stored; everything else is [`BASE`]'s.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HorizontalPodAutoscalers {
    /// The version's `SetDefaults_HorizontalPodAutoscaler`, on the stored form.
    defaults: fn(&mut Value),
    /// `None` for v2, the storage version.
    stored_as: Option<StoredAs>,
}

/// autoscaling/v2 HorizontalPodAutoscalers, the stored form.
pub(crate) const HORIZONTAL_POD_AUTOSCALERS: HorizontalPodAutoscalers = HorizontalPodAutoscalers {
    defaults: defaults::v2,
    stored_as: None,
};

/// autoscaling/v1 HorizontalPodAutoscalers, stored as v2.
pub(crate) const HORIZONTAL_POD_AUTOSCALERS_V1: HorizontalPodAutoscalers =
    HorizontalPodAutoscalers {
        defaults: defaults::min_replicas,
        stored_as: Some(StoredAs {
            group: "autoscaling",
            version: "v2",
            plural: "horizontalpodautoscalers",
            to_stored: convert::to_v2,
            from_stored: convert::to_v1,
        }),
    };

impl wrapper::Wrapper for HorizontalPodAutoscalers {
    fn base(&self) -> &dyn Strategy {
        &BASE
    }

    /// The version's defaults on the stored form; a v2 body's round-trip annotations go, as
    /// its conversion to the internal type drops them (a v1 body's went in `to_stored`).
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        convert::drop_round_trip(obj);
        (self.defaults)(obj);
        Ok(())
    }

    fn stored_as(&self) -> Option<StoredAs> {
        self.stored_as
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod table_tests {
    use super::*;

    /// Cases of `TestPrintHPA`.
    #[test]
    fn targets_cell() {
        let hpa = json!({"spec": {"metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
            {"type": "Pods", "pods": {"target": {"averageValue": "100m"}}},
            {"type": "External", "external": {"target": {"value": "2"}}}]},
            "status": {"currentMetrics": [{"type": "Resource", "resource": {"current": {"averageUtilization": 50}}}]}});
        assert_eq!(targets(&hpa), "cpu: 50%/80%, <unknown>/100m + 1 more...");
        assert_eq!(targets(&json!({"spec": {}})), "<none>");
        let v1 = json!({"spec": {"targetCPUUtilizationPercentage": 70}});
        assert_eq!(targets(&v1), "cpu: <unknown>/70%");
        let cells: Vec<Value> = horizontal_pod_autoscalers()
            .iter()
            .map(|c| c.cell(&json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5}})))
            .collect();
        assert_eq!(
            cells[1..6].to_vec(),
            vec![
                json!("Deployment/web"),
                json!("<none>"),
                json!("<unset>"),
                json!(5),
                json!(0)
            ]
        );
    }
}
