//! PriorityLevelConfigurations (`ValidatePriorityLevelConfiguration`: the type, limited and
//! exempt settings, queuing with the shuffle-sharding entropy limit, the mandatory levels'
//! fixed specs) and their v1 defaults.

use serde_json::{Map, Value, json};

use super::bootstrap::mandatory_priority_level;
use super::{int, name, normalized, set, spec};
use crate::validation::admission_rules::opt_str;
use crate::validation::{FieldError, NameRule, object_meta, policy_status};

const MAX_QUEUES: i64 = 10_000_000;
/// `shufflesharding.MaxHashBits`.
const MAX_HASH_BITS: f64 = 60.0;

/// `ValidatePriorityLevelConfiguration` (also `...Update`), with zero nominal concurrency
/// shares allowed (v1.30 and later).
pub(crate) fn priority_level(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    let (spec, name) = (spec(obj), name(obj));
    let ty = opt_str(spec, "type").unwrap_or("");
    if (name == "exempt") != (ty == "Exempt") {
        errs.push(FieldError::invalid(
            "spec.type",
            ty,
            "type must be 'Exempt' if and only if name is 'exempt'",
        ));
    }
    match ty {
        "Exempt" => {
            if set(spec, "limited").is_some() {
                errs.push(FieldError::forbidden(
                    "spec.limited",
                    "must be nil if the type is not Limited",
                ));
            }
            if let Some(exempt) = set(spec, "exempt") {
                errs.extend(exempt_level(exempt, "spec.exempt"));
            }
        }
        "Limited" => {
            if set(spec, "exempt").is_some() {
                errs.push(FieldError::forbidden(
                    "spec.exempt",
                    "must be nil if the type is Limited",
                ));
            }
            match set(spec, "limited") {
                None => errs.push(FieldError::required(
                    "spec.limited",
                    "must not be empty when type is Limited",
                )),
                Some(limited) => errs.extend(limited_level(limited)),
            }
        }
        _ => errs.push(FieldError::not_supported(
            "spec.type",
            ty,
            &["Exempt", "Limited"],
        )),
    }
    if let Some(fixed) = mandatory_priority_level(name) {
        let mut have = spec.clone();
        if name == "exempt"
            && let (Some(have), Some(exempt)) = (have.as_object_mut(), fixed.get("exempt"))
        {
            have.insert("exempt".into(), exempt.clone());
        }
        if normalized(&have) != normalized(fixed) {
            let detail = if name == "exempt" {
                "spec of 'exempt' except the 'spec.exempt' field must equal the fixed value"
                    .to_owned()
            } else {
                format!("spec of '{name}' must equal the fixed value")
            };
            errs.push(FieldError::invalid(
                "spec",
                super::go_spec::priority_level(spec),
                detail,
            ));
        }
    }
    errs.extend(policy_status::flow_control(obj, obj));
    errs
}

/// `ValidateExemptPriorityLevelConfiguration`.
fn exempt_level(level: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(shares) = set(level, "nominalConcurrencyShares").and_then(Value::as_i64)
        && shares < 0
    {
        errs.push(FieldError::invalid(
            format!("{path}.nominalConcurrencyShares"),
            shares,
            "must be a non-negative integer",
        ));
    }
    if let Some(percent) = set(level, "lendablePercent").and_then(Value::as_i64)
        && !(0..=100).contains(&percent)
    {
        errs.push(FieldError::invalid(
            format!("{path}.lendablePercent"),
            percent,
            "must be between 0 and 100, inclusive",
        ));
    }
    errs
}

/// `ValidateLimitedPriorityLevelConfiguration` and `ValidateLimitResponse`.
fn limited_level(limited: &Value) -> Vec<FieldError> {
    let path = "spec.limited";
    let mut errs = Vec::new();
    let shares = int(limited, "/nominalConcurrencyShares");
    if shares < 0 {
        errs.push(FieldError::invalid(
            format!("{path}.nominalConcurrencyShares"),
            shares,
            "must be a non-negative integer",
        ));
    }
    let response = limited.get("limitResponse").unwrap_or(&Value::Null);
    let response_path = format!("{path}.limitResponse");
    match opt_str(response, "type").unwrap_or("") {
        "Reject" => {
            if set(response, "queuing").is_some() {
                errs.push(FieldError::forbidden(
                    format!("{response_path}.queuing"),
                    "must be nil if limited.limitResponse.type is not Limited",
                ));
            }
        }
        "Queue" => match set(response, "queuing") {
            None => errs.push(FieldError::required(
                format!("{response_path}.queuing"),
                "must not be empty if limited.limitResponse.type is Limited",
            )),
            Some(queuing) => {
                errs.extend(self::queuing(queuing, &format!("{response_path}.queuing")))
            }
        },
        other => errs.push(FieldError::not_supported(
            format!("{response_path}.type"),
            other,
            &["Queue", "Reject"],
        )),
    }
    if let Some(percent) = set(limited, "lendablePercent").and_then(Value::as_i64)
        && !(0..=100).contains(&percent)
    {
        errs.push(FieldError::invalid(
            format!("{path}.lendablePercent"),
            percent,
            "must be between 0 and 100, inclusive",
        ));
    }
    if let Some(percent) = set(limited, "borrowingLimitPercent").and_then(Value::as_i64)
        && percent < 0
    {
        errs.push(FieldError::invalid(
            format!("{path}.borrowingLimitPercent"),
            percent,
            "if specified, must be a non-negative integer",
        ));
    }
    errs
}

/// `ValidatePriorityLevelQueuingConfiguration`.
fn queuing(queuing: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let limit = int(queuing, "/queueLengthLimit");
    if limit <= 0 {
        errs.push(FieldError::invalid(
            format!("{path}.queueLengthLimit"),
            limit,
            "must be positive",
        ));
    }
    let queues = int(queuing, "/queues");
    if queues <= 0 {
        errs.push(FieldError::invalid(
            format!("{path}.queues"),
            queues,
            "must be positive",
        ));
    } else if queues > MAX_QUEUES {
        errs.push(FieldError::invalid(
            format!("{path}.queues"),
            queues,
            format!("must not be greater than {MAX_QUEUES}"),
        ));
    }
    let hand = int(queuing, "/handSize");
    let at = format!("{path}.handSize");
    if hand <= 0 {
        errs.push(FieldError::invalid(at, hand, "must be positive"));
    } else if hand > queues {
        errs.push(FieldError::invalid(
            at,
            hand,
            format!("should not be greater than queues ({queues})"),
        ));
    } else if ((queues as f64).log2() * hand as f64).ceil() > MAX_HASH_BITS {
        errs.push(FieldError::invalid(
            at,
            hand,
            format!(
                "required entropy bits of deckSize {queues} and handSize {hand} should not be greater than {MAX_HASH_BITS}"
            ),
        ));
    }
    errs
}

/// The v1 defaults of a priority level: limited shares 30 and lending 0, exempt shares and
/// lending 0, queuing 64 queues, hands of 8, queues of 50.
pub(crate) fn priority_level_defaults(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let default_to = |map: &mut Map<String, Value>, key: &str, value: i64, zero_too: bool| {
        let unset = match map.get(key) {
            None | Some(Value::Null) => true,
            Some(v) => zero_too && v.as_i64() == Some(0),
        };
        if unset {
            map.insert(key.into(), json!(value));
        }
    };
    if let Some(exempt) = spec.get_mut("exempt").and_then(Value::as_object_mut) {
        default_to(exempt, "nominalConcurrencyShares", 0, false);
        default_to(exempt, "lendablePercent", 0, false);
    }
    if let Some(limited) = spec.get_mut("limited").and_then(Value::as_object_mut) {
        default_to(limited, "nominalConcurrencyShares", 30, false);
        default_to(limited, "lendablePercent", 0, false);
        if let Some(queuing) = limited
            .get_mut("limitResponse")
            .and_then(|r| r.get_mut("queuing"))
            .and_then(Value::as_object_mut)
        {
            default_to(queuing, "handSize", 8, true);
            default_to(queuing, "queues", 64, true);
            default_to(queuing, "queueLengthLimit", 50, true);
        }
    }
}
