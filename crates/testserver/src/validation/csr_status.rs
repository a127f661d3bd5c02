//! The status rules of CertificateSigningRequest validation
//! (`pkg/apis/certificates/validation`): `validateConditions` (types and statuses, Approved and
//! Denied never together, no duplicate types), `validateCertificate` (`status.certificate` is
//! CERTIFICATE PEM blocks), and the update rules of `validateCertificateSigningRequestUpdate`:
//! no Approved/Denied/Failed condition removed, Approved and Denied added or changed only
//! through `approval` (a change is explained with go-cmp's diff, see
//! [`csr_diff`](super::csr_diff)), the certificate set only through `status`, once.
//!
//! The tolerances of stored data the rules would refuse today come in an
//! [`Options`](super::csr::Options), derived from the stored object as the real ones are.

use base64::Engine;
use serde_json::Value;

use super::csr::Options;
use super::csr_pem;
use super::{FieldError, go_quote};

fn all_conditions(csr: &Value) -> &[Value] {
    csr.pointer("/status/conditions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn ty(c: &Value) -> &str {
    c.get("type").and_then(Value::as_str).unwrap_or("")
}

/// `findConditions`.
fn find<'a>(csr: &'a Value, t: &str) -> Vec<&'a Value> {
    all_conditions(csr).iter().filter(|c| ty(c) == t).collect()
}

/// `allowBothApprovedAndDenied`'s test of the stored object.
pub(crate) fn has_both_approved_and_denied(csr: &Value) -> bool {
    !find(csr, "Approved").is_empty() && !find(csr, "Denied").is_empty()
}

/// `hasDuplicateConditionTypes`.
pub(crate) fn has_duplicate_types(csr: &Value) -> bool {
    let types: Vec<&str> = all_conditions(csr).iter().map(ty).collect();
    types
        .iter()
        .enumerate()
        .any(|(i, t)| types[..i].contains(t))
}

/// `hasEmptyConditionType`.
pub(crate) fn has_empty_type(csr: &Value) -> bool {
    all_conditions(csr).iter().any(|c| ty(c).is_empty())
}

/// `status.certificate`, base64-decoded (empty when absent).
pub(crate) fn certificate_bytes(csr: &Value) -> Vec<u8> {
    csr.pointer("/status/certificate")
        .and_then(Value::as_str)
        .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .unwrap_or_default()
}

/// `validateCertificate`: one or more CERTIFICATE PEM blocks without headers, each holding
/// certificates; nothing is fine too.
///
/// # Errors
/// Go's text of the first problem.
pub(crate) fn validate_certificate(pem: &[u8]) -> Result<(), String> {
    if pem.is_empty() {
        return Ok(());
    }
    let mut rest = pem;
    let mut blocks = 0;
    while let Some((block, remaining)) = csr_pem::decode(rest) {
        if block.label != "CERTIFICATE" {
            return Err(format!(
                "only CERTIFICATE PEM blocks are allowed, found {}",
                go_quote(&block.label)
            ));
        }
        if block.has_headers {
            return Err("no PEM block headers are permitted".to_owned());
        }
        blocks += 1;
        // x509.ParseCertificates: certificates back to back
        let mut der: &[u8] = &block.bytes;
        let mut count = 0;
        while !der.is_empty() {
            let (after, _) = x509_parser::parse_x509_certificate(der)
                .map_err(|_| "x509: malformed certificate".to_owned())?;
            der = after;
            count += 1;
        }
        if count == 0 {
            return Err("found CERTIFICATE PEM block containing 0 certificates".to_owned());
        }
        rest = remaining;
    }
    if blocks == 0 {
        return Err("must contain at least one CERTIFICATE PEM block".to_owned());
    }
    Ok(())
}

/// `validateConditions` at `status.conditions`.
pub(crate) fn conditions(csr: &Value, opts: &Options) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let (mut approved, mut denied) = (false, false);
    for (i, c) in all_conditions(csr).iter().enumerate() {
        let path = format!("status.conditions[{i}]");
        let t = ty(c);
        if !opts.allow_empty_condition_type && t.is_empty() {
            errs.push(FieldError::required(format!("{path}.type"), ""));
        }
        let status = c.get("status").and_then(Value::as_str).unwrap_or("");
        let allowed: &[&str] = if matches!(t, "Approved" | "Denied" | "Failed") {
            &["True"]
        } else {
            &["False", "True", "Unknown"]
        };
        if status.is_empty() {
            errs.push(FieldError::required(format!("{path}.status"), ""));
        } else if !allowed.contains(&status) {
            errs.push(FieldError::not_supported(
                format!("{path}.status"),
                status,
                allowed,
            ));
        }
        if !opts.allow_both_approved_and_denied {
            let exclusive = match t {
                "Approved" => {
                    approved = true;
                    denied
                }
                "Denied" => {
                    denied = true;
                    approved
                }
                _ => false,
            };
            if exclusive {
                errs.push(FieldError::invalid(
                    format!("{path}.type"),
                    t,
                    "Approved and Denied conditions are mutually exclusive",
                ));
            }
        }
        if !opts.allow_duplicate_condition_types {
            if seen.contains(&t) {
                errs.push(FieldError::duplicate(format!("{path}.type"), t));
            }
            seen.push(t);
        }
    }
    errs
}

/// The certificate rule of `validateCertificateSigningRequest`.
pub(crate) fn certificate(csr: &Value, opts: &Options) -> Vec<FieldError> {
    if opts.allow_arbitrary_certificate {
        return Vec::new();
    }
    match validate_certificate(&certificate_bytes(csr)) {
        Ok(()) => Vec::new(),
        Err(e) => vec![FieldError::invalid(
            "status.certificate",
            "<certificate data>",
            e,
        )],
    }
}

/// The update rules of `validateCertificateSigningRequestUpdate` (before the metadata rules).
pub(crate) fn transitions(new: &Value, old: &Value, opts: &Options) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for t in ["Approved", "Denied", "Failed"] {
        if find(new, t).len() < find(old, t).len() {
            errs.push(FieldError::forbidden(
                "status.conditions",
                format!("updates may not remove a condition of type {}", go_quote(t)),
            ));
        }
    }
    if !opts.allow_setting_approval_conditions {
        for t in ["Approved", "Denied"] {
            let (n, o) = (find(new, t), find(old, t));
            if n.len() > o.len() {
                errs.push(FieldError::forbidden(
                    "status.conditions",
                    format!("updates may not add a condition of type {}", go_quote(t)),
                ));
            } else if n.len() == o.len() && n != o {
                errs.push(FieldError::forbidden(
                    "status.conditions",
                    format!(
                        "updates may not modify a condition of type {}\n{}",
                        go_quote(t),
                        super::csr_diff::conditions(&o, &n)
                    ),
                ));
            }
        }
    }
    let (new_cert, old_cert) = (certificate_bytes(new), certificate_bytes(old));
    if new_cert != old_cert {
        if !opts.allow_setting_certificate {
            errs.push(FieldError::forbidden(
                "status.certificate",
                "updates may not set certificate content",
            ));
        } else if !old_cert.is_empty() {
            errs.push(FieldError::forbidden(
                "status.certificate",
                "updates may not modify existing certificate content",
            ));
        }
    }
    errs
}
