//! CertificateSigningRequest update rules (`validateCertificateSigningRequestUpdate` of
//! `pkg/apis/certificates/validation`, the status part) for the `status` and `approval`
//! subresources: the conditions' types and statuses, Approved and Denied never together, no
//! Approved/Denied/Failed condition removed, Approved and Denied set only through `approval`,
//! and `status.certificate` set only through `status`, once, as CERTIFICATE PEM blocks.
//!
//! The options that tolerate stored data the rules would refuse today
//! (`getValidationOptions`: duplicate or empty condition types, both Approved and Denied, an
//! unparsable stored certificate) come from the stored object, as the real ones do.

use base64::Engine;
use serde_json::Value;

use super::{FieldError, go_quote};

/// Which subresource writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    /// `status`: may set the certificate.
    Status,
    /// `approval`: may add Approved and Denied conditions.
    Approval,
}

fn conditions(csr: &Value) -> &[Value] {
    csr.pointer("/status/conditions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn ty(c: &Value) -> &str {
    c.get("type").and_then(Value::as_str).unwrap_or("")
}

/// `findConditions`.
fn find<'a>(csr: &'a Value, t: &str) -> Vec<&'a Value> {
    conditions(csr).iter().filter(|c| ty(c) == t).collect()
}

fn has_duplicate_types(csr: &Value) -> bool {
    let types: Vec<&str> = conditions(csr).iter().map(ty).collect();
    types
        .iter()
        .enumerate()
        .any(|(i, t)| types[..i].contains(t))
}

fn certificate(csr: &Value) -> Option<Vec<u8>> {
    let text = csr.pointer("/status/certificate").and_then(Value::as_str)?;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// `validateCertificate`: one or more CERTIFICATE PEM blocks without headers, each holding
/// certificates; nothing is fine too.
fn validate_certificate(pem: &[u8]) -> Result<(), String> {
    if pem.is_empty() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(pem);
    let mut rest: &str = &text;
    let mut blocks = 0;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            break;
        };
        let body = &body_start[..body_end];
        rest = &body_start[body_end + end_marker.len()..];
        if label != "CERTIFICATE" {
            return Err(format!(
                "only CERTIFICATE PEM blocks are allowed, found {}",
                go_quote(label)
            ));
        }
        if body.lines().any(|l| l.contains(':')) {
            return Err("no PEM block headers are permitted".to_owned());
        }
        let b64: String = body.split_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| e.to_string())?;
        x509_parser::parse_x509_certificate(&der).map_err(|e| format!("x509: {e}"))?;
        blocks += 1;
    }
    if blocks == 0 {
        return Err("must contain at least one CERTIFICATE PEM block".to_owned());
    }
    Ok(())
}

/// `validateConditions` with the stored object's tolerances.
fn condition_rules(new: &Value, old: &Value) -> Vec<FieldError> {
    let path = "status.conditions";
    let allow_empty_type = conditions(old).iter().any(|c| ty(c).is_empty());
    let allow_duplicates = has_duplicate_types(old);
    let allow_both = !find(old, "Approved").is_empty() && !find(old, "Denied").is_empty();
    let mut errs = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let (mut approved, mut denied) = (false, false);
    for (i, c) in conditions(new).iter().enumerate() {
        let t = ty(c);
        if !allow_empty_type && t.is_empty() {
            errs.push(FieldError::required(format!("{path}[{i}].type"), ""));
        }
        let status = c.get("status").and_then(Value::as_str).unwrap_or("");
        let allowed: &[&str] = if matches!(t, "Approved" | "Denied" | "Failed") {
            &["True"]
        } else {
            &["False", "True", "Unknown"]
        };
        if status.is_empty() {
            errs.push(FieldError::required(format!("{path}[{i}].status"), ""));
        } else if !allowed.contains(&status) {
            errs.push(FieldError::not_supported(
                format!("{path}[{i}].status"),
                status,
                allowed,
            ));
        }
        if !allow_both {
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
                    path,
                    t,
                    "Approved and Denied conditions are mutually exclusive",
                ));
            }
        }
        if !allow_duplicates {
            if seen.contains(&t) {
                errs.push(FieldError::duplicate(format!("{path}[{i}].type"), t));
            }
            seen.push(t);
        }
    }
    errs
}

/// The status part of `validateCertificateSigningRequestUpdate` for a write through `writer`.
pub(crate) fn update(new: &Value, old: &Value, writer: Writer) -> Vec<FieldError> {
    let mut errs = condition_rules(new, old);
    let new_cert = certificate(new).unwrap_or_default();
    let old_cert = certificate(old).unwrap_or_default();
    let arbitrary = new_cert == old_cert || validate_certificate(&old_cert).is_err();
    if !arbitrary && let Err(e) = validate_certificate(&new_cert) {
        errs.push(FieldError::invalid(
            "status.certificate",
            "<certificate data>",
            e,
        ));
    }
    for t in ["Approved", "Denied", "Failed"] {
        if find(new, t).len() < find(old, t).len() {
            errs.push(FieldError::forbidden(
                "status.conditions",
                format!("updates may not remove a condition of type {}", go_quote(t)),
            ));
        }
    }
    if writer != Writer::Approval {
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
                    format!("updates may not modify a condition of type {}", go_quote(t)),
                ));
            }
        }
    }
    if new_cert != old_cert {
        if writer != Writer::Status {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn csr(conditions: Value) -> Value {
        json!({"status": {"conditions": conditions}})
    }

    fn texts(errs: Vec<FieldError>) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    /// The approval/status split of `validateCertificateSigningRequestUpdate`.
    #[test]
    fn approval_conditions_only_through_approval() {
        let approved = csr(json!([{"type": "Approved", "status": "True"}]));
        assert!(update(&approved, &csr(json!([])), Writer::Approval).is_empty());
        assert_eq!(
            texts(update(&approved, &csr(json!([])), Writer::Status)),
            ["status.conditions: Forbidden: updates may not add a condition of type \"Approved\""]
        );
        assert_eq!(
            texts(update(&csr(json!([])), &approved, Writer::Approval)),
            [
                "status.conditions: Forbidden: updates may not remove a condition of type \"Approved\""
            ]
        );
    }

    /// `validateConditions`.
    #[test]
    fn condition_statuses_and_exclusivity() {
        let new = csr(json!([
            {"type": "Approved", "status": "False"},
            {"type": "Denied", "status": "True"},
            {"type": "Custom", "status": "Maybe"},
            {"type": "Custom", "status": ""}]));
        assert_eq!(
            texts(update(&new, &csr(json!([])), Writer::Approval)),
            [
                "status.conditions[0].status: Unsupported value: \"False\": supported values: \"True\"",
                "status.conditions: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive",
                "status.conditions[2].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"",
                "status.conditions[3].status: Required value",
                "status.conditions[3].type: Duplicate value: \"Custom\"",
            ]
        );
    }

    #[test]
    fn certificates_are_pem_set_once_through_status() {
        let with_cert = |pem: &str| json!({"status": {"certificate": base64::engine::general_purpose::STANDARD.encode(pem)}});
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            texts(update(&with_cert(key), &json!({}), Writer::Status)),
            [
                "status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are allowed, found \"PRIVATE KEY\""
            ]
        );
        assert_eq!(
            texts(update(&with_cert("junk"), &json!({}), Writer::Approval)),
            [
                "status.certificate: Invalid value: \"<certificate data>\": must contain at least one CERTIFICATE PEM block",
                "status.certificate: Forbidden: updates may not set certificate content",
            ]
        );
    }
}
