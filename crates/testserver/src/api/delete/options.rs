//! DeleteOptions as kube-apiserver reads them: from the body when there is one, otherwise from
//! the query string, then validated.

use bytes::Bytes;
use serde_json::Value;

use crate::api::Ctx;
use crate::api::body::decode_delete_options;
use crate::api::query::{Query, dry_run};
use crate::api::status::{ApiError, Cause};

/// `propagationPolicy`: what happens to the dependents of a deleted object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Propagation {
    /// The garbage collector strips the owner from its dependents (`orphan` finalizer).
    Orphan,
    /// The object goes at once; the garbage collector deletes dependents afterwards.
    Background,
    /// The object waits (`foregroundDeletion` finalizer) until blocking dependents are gone.
    Foreground,
}

impl Propagation {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "Orphan" => Some(Propagation::Orphan),
            "Background" => Some(Propagation::Background),
            "Foreground" => Some(Propagation::Foreground),
            _ => None,
        }
    }
}

/// Parsed DeleteOptions.
#[derive(Debug, Default, Clone)]
pub(crate) struct DeleteOptions {
    /// `gracePeriodSeconds`.
    pub(crate) grace: Option<i64>,
    /// `preconditions.uid`.
    pub(crate) uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub(crate) resource_version: Option<String>,
    /// `dryRun: [All]`.
    pub(crate) dry_run: bool,
    /// `propagationPolicy`.
    pub(crate) propagation: Option<Propagation>,
    /// The legacy `orphanDependents`.
    pub(crate) orphan_dependents: Option<bool>,
}

impl DeleteOptions {
    /// Options a controller deletes with: a propagation policy and a UID precondition.
    pub(crate) fn for_controller(propagation: Propagation, uid: &str) -> Self {
        DeleteOptions {
            propagation: Some(propagation),
            uid: Some(uid.to_owned()),
            ..DeleteOptions::default()
        }
    }
}

/// Reads the options of a DELETE: the body if it has one, else the query string (the real
/// handler never merges the two).
pub(crate) fn parse(ctx: &Ctx, body: &Bytes) -> Result<DeleteOptions, ApiError> {
    let raw = if body.iter().all(u8::is_ascii_whitespace) {
        from_query(&ctx.query)?
    } else {
        from_body(&decode_delete_options(body)?)?
    };
    validate(&raw)?;
    Ok(DeleteOptions {
        grace: raw.grace,
        uid: raw.uid,
        resource_version: raw.resource_version,
        dry_run: raw.dry_run,
        propagation: raw.propagation.as_deref().and_then(Propagation::parse),
        orphan_dependents: raw.orphan_dependents,
    })
}

/// The options before validation (the policy still as text).
#[derive(Debug, Default)]
struct Raw {
    grace: Option<i64>,
    uid: Option<String>,
    resource_version: Option<String>,
    dry_run: bool,
    propagation: Option<String>,
    orphan_dependents: Option<bool>,
}

fn from_query(q: &Query) -> Result<Raw, ApiError> {
    let orphan_dependents = match q.get("orphanDependents") {
        None => None,
        Some(_) => Some(q.bool("orphanDependents")?),
    };
    Ok(Raw {
        grace: q.int("gracePeriodSeconds")?,
        uid: None,
        resource_version: None,
        dry_run: dry_run(q, "DeleteOptions")?,
        propagation: q.get("propagationPolicy").map(str::to_owned),
        orphan_dependents,
    })
}

fn from_body(b: &Value) -> Result<Raw, ApiError> {
    let text = |p: &str| b.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let dry_run = match b.get("dryRun").and_then(Value::as_array) {
        None => false,
        Some(values) => {
            for v in values {
                let v = v.as_str().unwrap_or("");
                if v != "All" {
                    return Err(ApiError::invalid_options(
                        "DeleteOptions",
                        vec![Cause::new(
                            "FieldValueNotSupported",
                            "dryRun",
                            format!(
                                "Unsupported value: []string{{\"{v}\"}}: supported values: \"All\""
                            ),
                        )],
                    ));
                }
            }
            !values.is_empty()
        }
    };
    Ok(Raw {
        grace: b.get("gracePeriodSeconds").and_then(Value::as_i64),
        uid: text("/preconditions/uid"),
        resource_version: text("/preconditions/resourceVersion"),
        dry_run,
        propagation: text("/propagationPolicy"),
        orphan_dependents: b.get("orphanDependents").and_then(Value::as_bool),
    })
}

/// `ValidateDeleteOptions`: not both `orphanDependents` and `propagationPolicy`; a known policy.
fn validate(raw: &Raw) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if let (Some(_), Some(p)) = (raw.orphan_dependents, &raw.propagation) {
        causes.push(Cause::new(
            "FieldValueInvalid",
            "propagationPolicy",
            format!(
                "Invalid value: \"{p}\": orphanDependents and deletionPropagation cannot be both set"
            ),
        ));
    }
    if let Some(p) = &raw.propagation
        && Propagation::parse(p).is_none()
    {
        causes.push(Cause::new(
            "FieldValueNotSupported",
            "propagationPolicy",
            format!(
                "Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            ),
        ));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_options("DeleteOptions", causes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(raw: Raw, expected: Option<&str>) {
        let got = validate(&raw).err().map(|e| e.message);
        assert_eq!(got.as_deref(), expected);
    }

    #[test]
    fn validation_messages() {
        check(Raw::default(), None);
        check(
            Raw {
                propagation: Some("Sometimes".into()),
                ..Raw::default()
            },
            Some(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sometimes\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
            ),
        );
        check(
            Raw {
                propagation: Some("Foreground".into()),
                orphan_dependents: Some(false),
                ..Raw::default()
            },
            Some(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"Foreground\": orphanDependents and deletionPropagation cannot be both set",
            ),
        );
    }

    #[test]
    fn the_body_carries_policy_and_preconditions() {
        let raw = from_body(&serde_json::json!({
            "propagationPolicy": "Orphan",
            "preconditions": {"uid": "u"},
            "orphanDependents": true,
            "dryRun": ["All"],
        }))
        .unwrap();
        assert_eq!(raw.propagation.as_deref(), Some("Orphan"));
        assert_eq!(raw.uid.as_deref(), Some("u"));
        assert_eq!(raw.orphan_dependents, Some(true));
        assert!(raw.dry_run);
    }

    #[test]
    fn the_query_carries_legacy_orphan_dependents() {
        let raw = from_query(&Query::parse(Some("orphanDependents=false"))).unwrap();
        assert_eq!(raw.orphan_dependents, Some(false));
        let e = from_query(&Query::parse(Some("orphanDependents=maybe"))).unwrap_err();
        assert_eq!(e.code, 400);
    }
}
