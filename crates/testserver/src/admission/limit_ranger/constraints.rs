//! The constraint checks of LimitRanger (`minConstraint`, `maxConstraint`,
//! `maxRequestConstraint`, `limitRequestRatioConstraint`) and a pod's totals (`podRequests`,
//! `podLimits`), with the real messages.
//!
//! Guarantees: amounts compare as Go compares them (`requestLimitEnforcedValues`: in
//! thousandths, rounded up, unless a value is too large for that, then in units); amounts in
//! messages print canonical, ratios with six decimals (`%f`); the resource names of one
//! LimitRange item are checked in name order (Go walks a map).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::admission::resource_quota::usage::Amount;
use crate::shared::quantity::Quantity;

/// A resource list: name -> (amount, the amount's text).
pub(super) type List = BTreeMap<String, (Quantity, String)>;

/// `resource.MaxMilliValue`: the largest value whose thousandths fit an `int64`.
const MAX_MILLI_VALUE: i64 = i64::MAX / 1000;

/// Reads a `resources.requests`/`limits`-shaped object; unparsable amounts are left out.
pub(super) fn resource_list(list: Option<&Value>) -> List {
    list.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let text = v.as_str()?;
            Some((k.clone(), (Quantity::parse(text)?, text.to_owned())))
        })
        .collect()
}

/// `Quantity.String()`: the canonical text.
fn text(amount: &(Quantity, String)) -> String {
    Quantity::canonical(&amount.1).unwrap_or_else(|| amount.1.clone())
}

/// `requestLimitEnforcedValues`: the three values at a common precision.
fn common(request: Quantity, limit: Quantity, enforced: Quantity) -> (i64, i64, i64) {
    let units = (request.value(), limit.value(), enforced.value());
    if units.0 <= MAX_MILLI_VALUE && units.1 <= MAX_MILLI_VALUE && units.2 <= MAX_MILLI_VALUE {
        (
            request.milli_value(),
            limit.milli_value(),
            enforced.milli_value(),
        )
    } else {
        units
    }
}

/// The amount of `name` in `list` (zero when absent, as Go's zero `Quantity`).
fn amount(list: &List, name: &str) -> Quantity {
    list.get(name).map_or(Quantity::ZERO, |(q, _)| *q)
}

/// Checks one LimitRange item of a pod or container type: `min`, then `max`, then
/// `maxLimitRequestRatio`, each in resource-name order.
pub(super) fn check_item(
    item: &Value,
    type_: &str,
    requests: &List,
    limits: &List,
    errors: &mut Vec<String>,
) {
    for (name, enforced) in resource_list(item.get("min")) {
        errors.extend(min(type_, &name, &enforced, requests, limits));
    }
    for (name, enforced) in resource_list(item.get("max")) {
        errors.extend(max(type_, &name, &enforced, requests, limits));
    }
    for (name, enforced) in resource_list(item.get("maxLimitRequestRatio")) {
        errors.extend(ratio(type_, &name, &enforced, requests, limits));
    }
}

/// Checks one `PersistentVolumeClaim` item: `min` against the requests, `max` against the
/// requests alone (`maxRequestConstraint`).
pub(super) fn check_claim_item(
    item: &Value,
    requests: &List,
    limits: &List,
    errors: &mut Vec<String>,
) {
    const TYPE: &str = "PersistentVolumeClaim";
    for (name, enforced) in resource_list(item.get("min")) {
        errors.extend(min(TYPE, &name, &enforced, requests, limits));
    }
    for (name, enforced) in resource_list(item.get("max")) {
        let Some(req) = requests.get(&name) else {
            errors.push(format!(
                "maximum {name} usage per {TYPE} is {}.  No request is specified",
                text(&enforced)
            ));
            continue;
        };
        let (observed, _, bound) = common(req.0, Quantity::ZERO, enforced.0);
        if observed > bound {
            errors.push(format!(
                "maximum {name} usage per {TYPE} is {}, but request is {}",
                text(&enforced),
                text(req)
            ));
        }
    }
}

/// `minConstraint`.
fn min(
    type_: &str,
    name: &str,
    enforced: &(Quantity, String),
    requests: &List,
    limits: &List,
) -> Option<String> {
    let (req, lim) = (amount(requests, name), amount(limits, name));
    let (req_v, lim_v, bound) = common(req, lim, enforced.0);
    let enforced = text(enforced);
    let Some(req_text) = requests.get(name) else {
        return Some(format!(
            "minimum {name} usage per {type_} is {enforced}.  No request is specified"
        ));
    };
    if req_v < bound {
        return Some(format!(
            "minimum {name} usage per {type_} is {enforced}, but request is {}",
            text(req_text)
        ));
    }
    match limits.get(name) {
        Some(lim_text) if lim_v < bound => Some(format!(
            "minimum {name} usage per {type_} is {enforced}, but limit is {}",
            text(lim_text)
        )),
        _ => None,
    }
}

/// `maxConstraint`.
fn max(
    type_: &str,
    name: &str,
    enforced: &(Quantity, String),
    requests: &List,
    limits: &List,
) -> Option<String> {
    let (req, lim) = (amount(requests, name), amount(limits, name));
    let (req_v, lim_v, bound) = common(req, lim, enforced.0);
    let enforced = text(enforced);
    let Some(lim_text) = limits.get(name) else {
        return Some(format!(
            "maximum {name} usage per {type_} is {enforced}.  No limit is specified"
        ));
    };
    if lim_v > bound {
        return Some(format!(
            "maximum {name} usage per {type_} is {enforced}, but limit is {}",
            text(lim_text)
        ));
    }
    match requests.get(name) {
        Some(req_text) if req_v > bound => Some(format!(
            "maximum {name} usage per {type_} is {enforced}, but request is {}",
            text(req_text)
        )),
        _ => None,
    }
}

/// `limitRequestRatioConstraint`.
fn ratio(
    type_: &str,
    name: &str,
    enforced: &(Quantity, String),
    requests: &List,
    limits: &List,
) -> Option<String> {
    let (req, lim) = (amount(requests, name), amount(limits, name));
    let (req_v, lim_v, _) = common(req, lim, enforced.0);
    let bound_text = text(enforced);
    if !requests.contains_key(name) || req_v == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {type_} is {bound_text}, but no request is specified or request is 0"
        ));
    }
    if !limits.contains_key(name) || lim_v == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {type_} is {bound_text}, but no limit is specified or limit is 0"
        ));
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "Go divides the two int64 values as float64"
    )]
    let (observed, mut compared, mut bound) = {
        let observed = lim_v as f64 / req_v as f64;
        (observed, observed, enforced.0.value() as f64)
    };
    if enforced.0.value() <= MAX_MILLI_VALUE {
        compared *= 1000.0;
        #[allow(clippy::cast_precision_loss, reason = "as Go's float64 conversion")]
        {
            bound = enforced.0.milli_value() as f64;
        }
    }
    (compared > bound).then(|| {
        format!(
            "{name} max limit to request ratio per {type_} is {bound_text}, but provided ratio is {observed:.6}"
        )
    })
}

/// `utilerrors.NewAggregate(errs).Error()`: one message as it is, several distinct ones in
/// brackets; `None` for none.
pub(super) fn aggregate(errors: &[String]) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for e in errors {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    match seen.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

/// The resources a pod may set at pod level (`supportedPodLevelResources`).
const POD_LEVEL: [&str; 2] = ["cpu", "memory"];

/// `podRequests` of the plugin: containers summed, each init container (plus the sidecars
/// started before it) as a floor, sidecars summed in; pod-level amounts replace the sums
/// (the `PodLevelResources` gate is on in v1.36).
pub(super) fn pod_requests(pod: &Value) -> List {
    pod_totals(pod, "requests")
}

/// `podLimits` of the plugin, as [`pod_requests`].
pub(super) fn pod_limits(pod: &Value) -> List {
    pod_totals(pod, "limits")
}

/// An amount with Go's format rule (binary `Ki`/`Mi` or decimal), for sums.
fn amount_of((q, text): &(Quantity, String)) -> Amount {
    Amount {
        q: *q,
        binary: text.trim().ends_with('i'),
    }
}

/// `addResourceList`: a sum keeps its first term's format (`Quantity.Add`).
fn add_into(total: &mut List, list: &List) {
    for (k, v) in list {
        let sum = match total.get(k) {
            Some(t) => {
                let sum = amount_of(t).add(amount_of(v));
                (sum.q, sum.text())
            }
            None => v.clone(),
        };
        total.insert(k.clone(), sum);
    }
}

/// `maxResourceList`.
fn max_into(total: &mut List, list: &List) {
    for (k, v) in list {
        if total.get(k).is_none_or(|(t, _)| v.0 > *t) {
            total.insert(k.clone(), v.clone());
        }
    }
}

fn pod_totals(pod: &Value, field: &str) -> List {
    let containers = |key: &str| {
        pod.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    let own = |c: &Value| resource_list(c.pointer(&format!("/resources/{field}")));
    let mut total = List::new();
    for c in containers("containers") {
        add_into(&mut total, &own(c));
    }
    let mut sidecars = List::new();
    let mut init_floor = List::new();
    for c in containers("initContainers") {
        if c.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
            add_into(&mut total, &own(c));
            add_into(&mut sidecars, &own(c));
            max_into(&mut init_floor, &sidecars);
        } else {
            let mut need = own(c);
            add_into(&mut need, &sidecars);
            max_into(&mut init_floor, &need);
        }
    }
    max_into(&mut total, &init_floor);
    let pod_level = resource_list(pod.pointer(&format!("/spec/resources/{field}")));
    for (k, v) in pod_level {
        if POD_LEVEL.contains(&k.as_str()) {
            total.insert(k, v);
        }
    }
    total
}
