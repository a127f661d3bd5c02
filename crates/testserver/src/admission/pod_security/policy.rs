//! Pod Security levels, policy versions and the namespace labels that choose them
//! (`k8s.io/pod-security-admission/api`, `helpers.go` and `constants.go`, v0.36.2).
//!
//! Guarantees: a label that does not parse gives the field error the real plugin reports and
//! the value `PolicyToEvaluate` falls back to: an unknown `enforce` level enforces
//! `restricted` (fail closed), an unknown `audit` or `warn` level is `privileged` (fail
//! open), an unknown version is `latest`.

use std::fmt;

use serde_json::Value;

use crate::validation::FieldError;

/// The label prefix, also the prefix of the plugin's audit annotations.
pub(super) const PREFIX: &str = "pod-security.kubernetes.io/";

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// No restrictions.
    Privileged,
    /// Known privilege escalations prevented.
    Baseline,
    /// Hardening best practices.
    Restricted,
}

impl Level {
    fn parse(text: &str) -> Option<Level> {
        match text {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A policy version: `latest` or `v1.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// The newest rules the server has (always newer than any `v1.x`).
    Latest,
    /// `v1.<minor>`.
    Minor(i64),
}

impl Version {
    /// `ParseVersion`: `latest`, or `v1.` and a number without leading zeros that fits Go's
    /// `int`.
    fn parse(text: &str) -> Option<Version> {
        if text == "latest" {
            return Some(Version::Latest);
        }
        let digits = text.strip_prefix("v1.")?;
        let plain = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !plain {
            return None;
        }
        digits.parse().ok().map(Version::Minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Minor(m) => write!(f, "v1.{m}"),
        }
    }
}

/// A level at a version, printed `restricted:latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LevelVersion {
    /// The level.
    pub(crate) level: Level,
    /// The version of its rules.
    pub(crate) version: Version,
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level.as_str(), self.version)
    }
}

const PRIVILEGED_LATEST: LevelVersion = LevelVersion {
    level: Level::Privileged,
    version: Version::Latest,
};

/// The three modes' levels of a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Pods that violate it are refused.
    pub(crate) enforce: LevelVersion,
    /// Violations are recorded in the audit event.
    pub(crate) audit: LevelVersion,
    /// Violations are returned as `Warning`s.
    pub(crate) warn: LevelVersion,
}

impl Policy {
    /// The default configuration's policy: `privileged:latest` in every mode.
    pub(crate) const DEFAULT: Policy = Policy {
        enforce: PRIVILEGED_LATEST,
        audit: PRIVILEGED_LATEST,
        warn: PRIVILEGED_LATEST,
    };

    /// `FullyPrivileged`.
    pub(crate) fn fully_privileged(&self) -> bool {
        [self.enforce, self.audit, self.warn]
            .iter()
            .all(|lv| lv.level == Level::Privileged)
    }
}

/// `PolicyToEvaluate`: the policy a namespace's labels choose over [`Policy::DEFAULT`], with
/// the errors of the labels that do not parse.
pub(crate) fn policy_to_evaluate(labels: Option<&Value>) -> (Policy, Vec<FieldError>) {
    let mut p = Policy::DEFAULT;
    let mut errs = Vec::new();
    let label = |key: &str| {
        labels
            .and_then(|l| l.get(format!("{PREFIX}{key}")))
            .and_then(Value::as_str)
    };
    let level = |key: &str, fallback: Level, errs: &mut Vec<FieldError>| {
        label(key).map(|text| {
            Level::parse(text).ok_or_else(|| {
                errs.push(invalid(
                    key,
                    text,
                    "must be one of privileged, baseline, restricted",
                ));
                fallback
            })
        })
    };
    let enforce_level = level("enforce", Level::Restricted, &mut errs);
    if let Some(l) = enforce_level {
        p.enforce.level = l.unwrap_or_else(|fallback| fallback);
    }
    let version = |key: &str, errs: &mut Vec<FieldError>| {
        label(key).map(|text| {
            Version::parse(text).unwrap_or_else(|| {
                errs.push(invalid(key, text, "must be \"latest\" or \"v1.x\""));
                Version::Latest
            })
        })
    };
    if let Some(v) = version("enforce-version", &mut errs) {
        p.enforce.version = v;
    }
    if let Some(l) = level("audit", Level::Privileged, &mut errs) {
        p.audit.level = l.unwrap_or_else(|fallback| fallback);
    }
    if let Some(v) = version("audit-version", &mut errs) {
        p.audit.version = v;
    }
    let warn_level = level("warn", Level::Privileged, &mut errs);
    if let Some(l) = warn_level {
        p.warn.level = l.unwrap_or_else(|fallback| fallback);
    }
    let warn_version = version("warn-version", &mut errs);
    if let Some(v) = warn_version {
        p.warn.version = v;
    }
    // a valid enforce level above the warn level also warns, unless warn is labelled
    let has_enforce_level = matches!(enforce_level, Some(Ok(_)));
    if warn_level.is_none() && has_enforce_level && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if warn_version.is_none() {
            p.warn.version = p.enforce.version;
        }
    }
    (p, errs)
}

fn invalid(key: &str, value: &str, detail: &str) -> FieldError {
    FieldError::invalid(format!("metadata.labels[{PREFIX}{key}]"), value, detail)
}
