//! The Pod Security Standards checks and the registry that picks them for a level and version
//! (`k8s.io/pod-security-admission/policy`, v0.36.2: `checks.go`, `registry.go`,
//! `visitor.go`, `helpers.go`; one file per level here).
//!
//! Guarantees, as `checkRegistry.EvaluatePod`: `privileged` runs no check; `baseline` runs
//! the baseline checks, `restricted` the restricted ones and every baseline check a restricted
//! one does not override; each check in the revision for the version asked (a version newer
//! than the newest revision gets the newest, as does `latest`), baseline checks first, each
//! group in the byte order of the check IDs, which fixes the order of the reasons.

mod baseline;
mod restricted;

use std::collections::BTreeSet;

use serde_json::Value;

use super::policy::{Level, LevelVersion, Version};

/// Why a check refused a pod: `ForbiddenReason` and the optional `ForbiddenDetail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Forbidden {
    /// Short, always shown, e.g. `host namespaces`.
    pub(crate) reason: &'static str,
    /// The values at fault, shown for a single pod, e.g. `hostNetwork=true`.
    pub(crate) detail: String,
}

/// A check of one pod: its metadata and spec (either may be `Value::Null`).
type CheckFn = fn(&Value, &Value) -> Option<Forbidden>;

/// One revision of a check, applying from `v1.<since>` until the next revision.
struct Revision {
    since: i64,
    check: CheckFn,
    /// Baseline checks this (restricted) revision replaces.
    overrides: &'static [&'static str],
}

/// A check and its revisions, oldest first.
struct Check {
    id: &'static str,
    level: Level,
    revisions: &'static [Revision],
}

/// The newest `MinimumVersion` of any check revision of v0.36.2: newer versions, and
/// `latest`, get these rules (v1.36's `latest`).
const NEWEST: i64 = 35;

/// The results of every check run: `AggregateCheckResult`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Aggregate {
    /// The refusals, in check order.
    pub(crate) forbidden: Vec<Forbidden>,
}

impl Aggregate {
    /// Whether every check allowed the pod.
    pub(crate) fn allowed(&self) -> bool {
        self.forbidden.is_empty()
    }

    /// `ForbiddenReason`: the reasons, comma-separated.
    pub(crate) fn reason(&self) -> String {
        let reasons: Vec<&str> = self.forbidden.iter().map(|f| f.reason).collect();
        reasons.join(", ")
    }

    /// `ForbiddenDetail`: each reason with its detail in parentheses, comma-separated.
    pub(crate) fn detail(&self) -> String {
        let parts: Vec<String> = self
            .forbidden
            .iter()
            .map(|f| {
                if f.detail.is_empty() {
                    f.reason.to_owned()
                } else {
                    format!("{} ({})", f.reason, f.detail)
                }
            })
            .collect();
        parts.join(", ")
    }
}

fn all_checks() -> impl Iterator<Item = &'static Check> {
    baseline::CHECKS.iter().chain(restricted::CHECKS)
}

/// The revision of `check` that applies at `minor`, if the check exists then.
fn revision(check: &Check, minor: i64) -> Option<&'static Revision> {
    check.revisions.iter().rev().find(|r| r.since <= minor)
}

/// Runs the checks of `lv` on a pod (`meta` and `spec` of a pod or pod template).
pub(crate) fn evaluate(lv: LevelVersion, meta: &Value, spec: &Value) -> Aggregate {
    let minor = match lv.version {
        Version::Latest => NEWEST,
        Version::Minor(m) => m.min(NEWEST),
    };
    let mut overridden = BTreeSet::new();
    if lv.level == Level::Restricted {
        for check in restricted::CHECKS {
            if let Some(r) = revision(check, minor) {
                overridden.extend(r.overrides.iter().copied());
            }
        }
    }
    let mut out = Aggregate::default();
    for check in all_checks() {
        let runs = match check.level {
            Level::Baseline => lv.level != Level::Privileged && !overridden.contains(check.id),
            _ => lv.level == Level::Restricted,
        };
        if !runs {
            continue;
        }
        if let Some(r) = revision(check, minor)
            && let Some(forbidden) = (r.check)(meta, spec)
        {
            out.forbidden.push(forbidden);
        }
    }
    out
}

/// `visitContainers`: init containers, containers, then ephemeral containers.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |key| {
            spec.get(key)
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
        })
}

/// A container's (or any object's) `name`.
fn name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

/// The value at `path` below `v`, absent when any step is missing or `null`.
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(v, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

/// The boolean at `path`, when set.
fn flag(v: &Value, path: &[&str]) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

/// The string at `path`, `""` when unset.
fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    at(v, path).and_then(Value::as_str).unwrap_or("")
}

/// `joinQuote`: `"a", "b"`, without escaping.
fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let inner: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", inner.join("\", \""))
}

/// `pluralize`.
fn pluralize(singular: &'static str, plural: &'static str, count: usize) -> &'static str {
    if count == 1 { singular } else { plural }
}

/// `container "a"` / `containers "a", "b"`.
fn containers_named<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Whether the pod is Windows (`spec.os.name: windows`), which some restricted checks exempt.
fn windows(spec: &Value) -> bool {
    text(spec, &["os", "name"]) == "windows"
}

/// `relaxPolicyForUserNamespacePod`: `hostUsers: false`.
fn user_namespace(spec: &Value) -> bool {
    flag(spec, &["hostUsers"]) == Some(false)
}

/// The IDs of `level`'s checks, in their order.
#[cfg(test)]
fn ids(level: Level) -> Vec<&'static str> {
    all_checks()
        .filter(|c| c.level == level)
        .map(|c| c.id)
        .collect()
}

#[cfg(test)]
mod tests;
