//! Validation of request options (query parameters and option bodies): `ListOptions`,
//! `DeleteOptions`, `PatchOptions`, `CreateOptions`/`UpdateOptions` and `PodLogOptions`. Each
//! returns the real `Invalid` (group `meta.k8s.io` for the generic options), its errors in the
//! order the real validation finds them.
//!
//! These are the only implementations: `api/query.rs` (list and watch), `api/pods/log.rs`
//! and the write handlers call them after converting the query. (The SelfSubjectAccessReview
//! spec is checked with the other reviews' in `rbac/reviews/access.rs`.)

use super::field_error::BadValue;
use super::{FieldError, Invalid};

const META: &str = "meta.k8s.io";

fn result(group: &str, kind: &str, name: &str, errors: Vec<FieldError>) -> Result<(), Invalid> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid::new(group, kind, name, errors))
    }
}

/// The list/watch query parameters that validation looks at (`None` when absent).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ListOptions<'a> {
    /// `watch=true`/`1`.
    pub(crate) watch: bool,
    /// `resourceVersion`.
    pub(crate) resource_version: Option<&'a str>,
    /// `resourceVersionMatch`.
    pub(crate) resource_version_match: Option<&'a str>,
    /// `sendInitialEvents`.
    pub(crate) send_initial_events: Option<bool>,
    /// `continue`.
    pub(crate) continue_token: Option<&'a str>,
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

/// `ValidateListOptions` (with the WatchList feature on, as in v1.36).
///
/// # Errors
/// `ListOptions.meta.k8s.io "" is invalid: ...`.
pub(crate) fn list_options(o: &ListOptions<'_>) -> Result<(), Invalid> {
    let mut errs = Vec::new();
    let path = "resourceVersionMatch";
    let matching = non_empty(o.resource_version_match);
    let continuing = non_empty(o.continue_token).is_some();
    if o.watch {
        if o.send_initial_events.is_some() && matching != Some("NotOlderThan") {
            errs.push(FieldError::forbidden(
                path,
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            ));
        }
        if let Some(m) = matching {
            if o.send_initial_events != Some(true) {
                errs.push(FieldError::forbidden(path, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
            }
            if m != "NotOlderThan" {
                errs.push(FieldError::not_supported(path, m, &["NotOlderThan"]));
            }
            if continuing {
                errs.push(FieldError::forbidden(
                    path,
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
        }
    } else {
        if let Some(m) = matching {
            if non_empty(o.resource_version).is_none() {
                errs.push(FieldError::forbidden(
                    path,
                    "resourceVersionMatch is forbidden unless resourceVersion is provided",
                ));
            }
            if continuing {
                errs.push(FieldError::forbidden(
                    path,
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
            if m != "Exact" && m != "NotOlderThan" {
                errs.push(FieldError::not_supported(
                    path,
                    m,
                    &["Exact", "NotOlderThan", ""],
                ));
            }
            if m == "Exact" && o.resource_version == Some("0") {
                errs.push(FieldError::forbidden(
                    path,
                    "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
                ));
            }
        }
        if o.send_initial_events.is_some() {
            errs.push(FieldError::forbidden(
                "sendInitialEvents",
                "sendInitialEvents is forbidden for list",
            ));
        }
    }
    result(META, "ListOptions", "", errs)
}

/// `ValidateDryRun`: one error showing the whole list (`%#v` of the `[]string`).
fn dry_run(values: &[&str]) -> Vec<FieldError> {
    if values.iter().all(|v| *v == "All") {
        return Vec::new();
    }
    let quoted: Vec<String> = values.iter().map(|v| super::go_quote(v)).collect();
    vec![FieldError::not_supported(
        "dryRun",
        BadValue::Raw(format!("[]string{{{}}}", quoted.join(", "))),
        &["All"],
    )]
}

/// `ValidateDeleteOptions`.
///
/// # Errors
/// `DeleteOptions.meta.k8s.io "" is invalid: ...`.
pub(crate) fn delete_options(
    propagation_policy: Option<&str>,
    orphan_dependents: Option<bool>,
    dry_run_values: &[&str],
) -> Result<(), Invalid> {
    let mut errs = Vec::new();
    if let Some(policy) = propagation_policy {
        if orphan_dependents.is_some() {
            errs.push(FieldError::invalid(
                "propagationPolicy",
                policy,
                "orphanDependents and deletionPropagation cannot be both set",
            ));
        }
        if !["Foreground", "Background", "Orphan"].contains(&policy) {
            errs.push(FieldError::not_supported(
                "propagationPolicy",
                policy,
                &["Foreground", "Background", "Orphan", "nil"],
            ));
        }
    }
    errs.extend(dry_run(dry_run_values));
    result(META, "DeleteOptions", "", errs)
}

/// `ValidateFieldManager`: at most 128 bytes, printable characters only (one error per
/// character, `%#U` and its byte position).
fn field_manager(manager: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if manager.len() > 128 {
        errs.push(FieldError::too_long("fieldManager", 128));
    }
    for (at, c) in manager.char_indices().filter(|(_, c)| c.is_control()) {
        errs.push(FieldError::invalid(
            "fieldManager",
            manager,
            format!(
                "invalid character U+{:04X} (at position {at})",
                u32::from(c)
            ),
        ));
    }
    errs
}

/// `ValidateFieldValidation`: the values of `allowedFieldValidationValues`, listed sorted.
fn field_validation(value: Option<&str>) -> Vec<FieldError> {
    value
        .filter(|v| !["", "Ignore", "Warn", "Strict"].contains(v))
        .map(|v| FieldError::not_supported("fieldValidation", v, &["", "Ignore", "Strict", "Warn"]))
        .into_iter()
        .collect()
}

/// `ValidatePatchOptions`: apply needs a field manager, `force` is for apply only.
///
/// # Errors
/// `PatchOptions.meta.k8s.io "" is invalid: ...`.
pub(crate) fn patch_options(
    is_apply: bool,
    manager: &str,
    force: Option<bool>,
    (dry_run_values, validation): (&[&str], Option<&str>),
) -> Result<(), Invalid> {
    let mut errs = Vec::new();
    if !is_apply {
        if force.is_some() {
            errs.push(FieldError::forbidden(
                "force",
                "may not be specified for non-apply patch",
            ));
        }
    } else if manager.is_empty() {
        errs.push(FieldError::required(
            "fieldManager",
            "is required for apply patch",
        ));
    }
    errs.extend(field_manager(manager));
    errs.extend(dry_run(dry_run_values));
    errs.extend(field_validation(validation));
    result(META, "PatchOptions", "", errs)
}

/// `ValidateCreateOptions`/`ValidateUpdateOptions` (`kind` is `CreateOptions` or
/// `UpdateOptions`).
///
/// # Errors
/// `CreateOptions.meta.k8s.io "" is invalid: ...`.
pub(crate) fn write_options(
    kind: &str,
    manager: &str,
    field_validation: Option<&str>,
    dry_run_values: &[&str],
) -> Result<(), Invalid> {
    let mut errs = field_manager(manager);
    errs.extend(dry_run(dry_run_values));
    errs.extend(self::field_validation(field_validation));
    result(META, kind, "", errs)
}

/// The `pods/log` query parameters validation looks at.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PodLogOptions<'a> {
    /// `tailLines`.
    pub(crate) tail_lines: Option<i64>,
    /// `limitBytes`.
    pub(crate) limit_bytes: Option<i64>,
    /// `sinceSeconds`.
    pub(crate) since_seconds: Option<i64>,
    /// Whether `sinceTime` is given.
    pub(crate) since_time: bool,
    /// `stream` (`All`, `Stdout`, `Stderr`).
    pub(crate) stream: Option<&'a str>,
}

/// `ValidatePodLogOptions`.
///
/// # Errors
/// `PodLogOptions "<pod>" is invalid: ...`.
pub(crate) fn pod_log_options(pod: &str, o: &PodLogOptions<'_>) -> Result<(), Invalid> {
    let mut errs = Vec::new();
    if let Some(t) = o.tail_lines.filter(|t| *t < 0) {
        errs.push(FieldError::invalid(
            "tailLines",
            t,
            "must be greater than or equal to 0",
        ));
    }
    if let Some(l) = o.limit_bytes.filter(|l| *l < 1) {
        errs.push(FieldError::invalid(
            "limitBytes",
            l,
            "must be greater than 0",
        ));
    }
    match (o.since_seconds, o.since_time) {
        (Some(_), true) => errs.push(FieldError::forbidden(
            "",
            "at most one of `sinceTime` or `sinceSeconds` may be specified",
        )),
        (Some(s), false) if s < 1 => errs.push(FieldError::invalid(
            "sinceSeconds",
            s,
            "must be greater than 0",
        )),
        _ => {}
    }
    // `stream` may be absent: defaulting does not apply when no parameter is given
    if let Some(stream) = o.stream {
        if !["All", "Stdout", "Stderr"].contains(&stream) {
            // the order of `validLogStreams.UnsortedList()` the transcripts show
            errs.push(FieldError::not_supported(
                "stream",
                stream,
                &["All", "Stdout", "Stderr"],
            ));
        }
        if stream != "All" && o.tail_lines.is_some() {
            errs.push(FieldError::forbidden(
                "",
                "`tailLines` and specific `stream` are mutually exclusive for now",
            ));
        }
    }
    result("", "PodLogOptions", pod, errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(result: Result<(), Invalid>, message: &str) {
        assert_eq!(result.unwrap_err().to_string(), message);
    }

    #[test]
    fn option_messages() {
        check(
            list_options(&ListOptions {
                resource_version_match: Some("Exact"),
                ..Default::default()
            }),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
        );
        check(
            list_options(&ListOptions {
                watch: true,
                send_initial_events: Some(true),
                ..Default::default()
            }),
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        );
        check(
            delete_options(Some("Sometimes"), None, &[]),
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sometimes\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
        );
        check(
            patch_options(true, "", None, (&[], None)),
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        );
        // ValidatePatchOptions: force, fieldManager (ValidateFieldManager), dryRun,
        // fieldValidation (allowedFieldValidationValues.List(), sorted), in that order
        check(
            patch_options(false, "a\u{7}b", Some(true), (&[], Some("Loose"))),
            "PatchOptions.meta.k8s.io \"\" is invalid: [force: Forbidden: may not be specified for non-apply patch, fieldManager: Invalid value: \"a\\ab\": invalid character U+0007 (at position 1), fieldValidation: Unsupported value: \"Loose\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"]",
        );
        check(
            write_options("CreateOptions", &"m".repeat(129), Some("warn"), &[]),
            "CreateOptions.meta.k8s.io \"\" is invalid: [fieldManager: Too long: may not be more than 128 bytes, fieldValidation: Unsupported value: \"warn\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"]",
        );
        check(
            pod_log_options(
                "p1",
                &PodLogOptions {
                    tail_lines: Some(-1),
                    ..Default::default()
                },
            ),
            "PodLogOptions \"p1\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0",
        );
        assert!(
            list_options(&ListOptions {
                watch: true,
                send_initial_events: Some(true),
                resource_version_match: Some("NotOlderThan"),
                ..Default::default()
            })
            .is_ok()
        );
    }
}
