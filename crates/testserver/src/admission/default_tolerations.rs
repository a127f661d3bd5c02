//! The DefaultTolerationSeconds plugin: pods tolerate `not-ready` and `unreachable` nodes for
//! 300 s unless they say otherwise.

use serde_json::{Value, json};

use super::{Attributes, Operation};
use crate::shared::json::{object_at, str_at};

/// Seconds a pod stays bound to a not-ready or unreachable node.
pub(crate) const DEFAULT_TOLERATION_SECONDS: i64 = 300;

const NOT_READY: &str = "node.kubernetes.io/not-ready";
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// Adds the two NoExecute tolerations a pod lacks (create and update).
pub(super) fn admit(attrs: &Attributes<'_>, pod: &mut Value) {
    if !attrs.is("", "pods") || !matches!(attrs.operation, Operation::Create | Operation::Update) {
        return;
    }
    let Some(spec) = object_at(pod, &["spec"]) else {
        return;
    };
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    if !tolerations.is_array() {
        *tolerations = json!([]);
    }
    let Some(list) = tolerations.as_array_mut() else {
        return;
    };
    let tolerates = |key: &str| {
        list.iter().any(|t| {
            let k = str_at(t, &["key"]).unwrap_or("");
            let effect = str_at(t, &["effect"]).unwrap_or("");
            (k == key || k.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        })
    };
    let (not_ready, unreachable) = (tolerates(NOT_READY), tolerates(UNREACHABLE));
    for (key, present) in [(NOT_READY, not_ready), (UNREACHABLE, unreachable)] {
        if !present {
            list.push(json!({
                "key": key,
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": DEFAULT_TOLERATION_SECONDS
            }));
        }
    }
}
