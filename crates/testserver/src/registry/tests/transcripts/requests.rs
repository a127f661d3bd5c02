//! The transcripts' request-level checks: option validation, type mismatches and review bodies.

use serde_json::Value;

use super::{Outcome, Target, check};
use crate::validation::{self, Invalid, ListOptions, PodLogOptions};

fn kind_of(group: &str, resource: &str) -> Option<(String, &'static str)> {
    if !super::super::VALIDATED.contains(&(group, resource)) {
        return None;
    }
    Some((super::find_type(group, resource)?.kind.clone(), "v1"))
}

/// Runs the option and body checks for a step; `true` when the step was fully handled here.
#[allow(clippy::too_many_arguments, reason = "a test helper fed from one step")]
pub(super) fn check_request(
    what: &str,
    method: &str,
    t: &Target,
    content_type: &str,
    body: &Value,
    status: u64,
    expected: &Value,
    outcome: &mut Outcome,
    prefixes: &[String],
) -> bool {
    let q = |k: &str| t.query.get(k).map(String::as_str);
    let result: Option<Result<(), Invalid>> = match method {
        "GET" if t.name.is_empty() || t.subresource.is_empty() && t.name.is_empty() => {
            let watch = matches!(q("watch"), Some("1" | "true"));
            Some(validation::list_options(&ListOptions {
                watch,
                resource_version: q("resourceVersion"),
                resource_version_match: q("resourceVersionMatch"),
                send_initial_events: q("sendInitialEvents").map(|v| v == "true"),
                continue_token: q("continue"),
            }))
        }
        "GET" if t.subresource == "log" => Some(validation::pod_log_options(
            &t.name,
            &PodLogOptions {
                tail_lines: q("tailLines").and_then(|v| v.parse().ok()),
                limit_bytes: q("limitBytes").and_then(|v| v.parse().ok()),
                since_seconds: q("sinceSeconds").and_then(|v| v.parse().ok()),
                since_time: q("sinceTime").is_some(),
                stream: q("stream"),
            },
        )),
        "DELETE" => {
            let policy = q("propagationPolicy")
                .or_else(|| body.get("propagationPolicy").and_then(Value::as_str));
            Some(validation::delete_options(
                policy,
                body.get("orphanDependents").and_then(Value::as_bool),
                &[],
            ))
        }
        "PATCH" => {
            let is_apply = content_type == "application/apply-patch+yaml";
            let force = q("force").map(|v| v == "true");
            Some(validation::patch_options(
                is_apply,
                q("fieldManager").unwrap_or(""),
                force,
                (&[], None),
            ))
        }
        "POST" if t.subresource == "token" => Some(validation::token_request(body)),
        "POST" if t.subresource.is_empty() && body.is_object() => {
            if let Some((kind, version)) = kind_of(&t.group, &t.resource)
                && let Some(message) =
                    validation::type_meta_mismatch(&t.group, version, &kind, body)
            {
                outcome.checked += 1;
                if status != 400 || expected["message"] != message.as_str() {
                    outcome.failures.push(format!(
                        "{what} (type mismatch): expected {expected}, got {message}"
                    ));
                }
                return true;
            }
            None
        }
        _ => None,
    };
    match (result, status) {
        (Some(Err(invalid)), 422) => {
            check(
                outcome,
                &format!("{what} (options)"),
                invalid.status(),
                expected.clone(),
                prefixes,
            );
            true
        }
        (Some(Err(invalid)), _) => {
            outcome.failures.push(format!(
                "{what}: options refused ({status} recorded): {invalid}"
            ));
            true
        }
        _ => false,
    }
}
