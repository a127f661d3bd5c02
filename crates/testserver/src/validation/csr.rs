//! CertificateSigningRequest validation (`pkg/apis/certificates/validation`):
//! `ValidateCertificateSigningRequestCreate` and the `Update`, `StatusUpdate` and
//! `ApprovalUpdate` variants, which all run the create rules on the new object with the
//! tolerances `getValidationOptions` derives from the stored one, then the update rules
//! ([`csr_status`](super::csr_status)), then `ValidateObjectMetaUpdate`.
//!
//! The spec rules, in Go's order: `spec.request` is a signed PKCS#10 request in PEM
//! ([`csr_pem`](super::csr_pem)), `spec.usages` is not empty and holds known, distinct usages,
//! `spec.signerName` is `domain/path` (`ValidateSignerName`) and not the legacy signer,
//! `spec.expirationSeconds` is at least 600. `ValidateCertificateRequestName` accepts every
//! name, so the object metadata here is checked without a name rule (the generic path-segment
//! rule is the strategy's, see `registry/certificates.rs`).

use serde_json::Value;

use super::csr_pem::{self, go_bytes};
use super::csr_status::{self, certificate_bytes};
use super::{BadValue, ErrorKind, FieldError, NameRule, names, object_meta, object_meta_update};

/// `LegacyUnknownSignerName`.
const LEGACY_SIGNER: &str = "kubernetes.io/legacy-unknown";

/// `allValidUsages`, sorted as `sets.String.List()` gives them.
const USAGES: &[&str] = &[
    "any",
    "cert sign",
    "client auth",
    "code signing",
    "content commitment",
    "crl sign",
    "data encipherment",
    "decipher only",
    "digital signature",
    "email protection",
    "encipher only",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "key agreement",
    "key encipherment",
    "microsoft sgc",
    "netscape sgc",
    "ocsp signing",
    "s/mime",
    "server auth",
    "signing",
    "timestamping",
];

/// Which endpoint writes (the three update validations differ only in what they allow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    /// The main resource (`ValidateCertificateSigningRequestUpdate`).
    Main,
    /// `status`: may set the certificate.
    Status,
    /// `approval`: may add Approved and Denied conditions.
    Approval,
}

/// `certificateValidationOptions`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// Approved/Denied conditions may be added or changed (`approval`).
    pub(crate) allow_setting_approval_conditions: bool,
    /// `status.certificate` may be set (`status`).
    pub(crate) allow_setting_certificate: bool,
    /// The stored object has both Approved and Denied.
    pub(crate) allow_both_approved_and_denied: bool,
    /// The stored object has the legacy signer.
    pub(crate) allow_legacy_signer_name: bool,
    /// The stored object has two conditions of one type.
    pub(crate) allow_duplicate_condition_types: bool,
    /// The stored object has a condition without a type.
    pub(crate) allow_empty_condition_type: bool,
    /// The certificate is unchanged, or the stored one is not valid PEM.
    pub(crate) allow_arbitrary_certificate: bool,
    /// The stored object has an unknown usage.
    pub(crate) allow_unknown_usages: bool,
    /// The stored object has a usage twice.
    pub(crate) allow_duplicate_usages: bool,
}

fn usages(csr: &Value) -> Vec<&str> {
    csr.pointer("/spec/usages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|u| u.as_str().unwrap_or(""))
        .collect()
}

fn signer_name(csr: &Value) -> &str {
    csr.pointer("/spec/signerName")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `getValidationOptions(new, old)`; `old` is `None` on create.
fn options(new: &Value, old: Option<&Value>, writer: Writer) -> Options {
    let Some(old) = old else {
        return Options::default();
    };
    let old_usages = usages(old);
    let new_cert = certificate_bytes(new);
    let old_cert = certificate_bytes(old);
    Options {
        allow_setting_approval_conditions: writer == Writer::Approval,
        allow_setting_certificate: writer == Writer::Status,
        allow_both_approved_and_denied: csr_status::has_both_approved_and_denied(old),
        allow_legacy_signer_name: signer_name(old) == LEGACY_SIGNER,
        allow_duplicate_condition_types: csr_status::has_duplicate_types(old),
        allow_empty_condition_type: csr_status::has_empty_type(old),
        allow_arbitrary_certificate: new_cert == old_cert
            || csr_status::validate_certificate(&old_cert).is_err(),
        allow_unknown_usages: old_usages.iter().any(|u| !USAGES.contains(u)),
        allow_duplicate_usages: old_usages
            .iter()
            .enumerate()
            .any(|(i, u)| old_usages[..i].contains(u)),
    }
}

/// `ValidateSignerName` at `spec.signerName`.
pub(crate) fn signer_name_errors(path: &str, signer: &str) -> Vec<FieldError> {
    if signer.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let segments: Vec<&str> = signer.split('/').collect();
    let [domain, rest] = segments.as_slice() else {
        return vec![FieldError::invalid(
            path,
            signer,
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        )];
    };
    let mut errs = Vec::new();
    if domain.len() > 253 {
        errs.push(FieldError::too_long(path, 253));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        let problems = names::dns1123_label(label);
        if !problems.is_empty() {
            for p in problems {
                errs.push(FieldError::invalid(
                    path,
                    *domain,
                    format!("validating label {}: {p}", super::go_quote(label)),
                ));
            }
            break;
        }
    }
    if labels.len() < 2 {
        errs.push(FieldError::invalid(
            path,
            *domain,
            "should be a domain with at least two segments separated by dots",
        ));
    }
    for label in rest.split('.') {
        let problems = names::dns1123_subdomain(label);
        if !problems.is_empty() {
            for p in problems {
                errs.push(FieldError::invalid(
                    path,
                    *rest,
                    format!("validating label {}: {p}", super::go_quote(label)),
                ));
            }
            break;
        }
    }
    let max = 253 + (253 + 63 + 1) + 1;
    if signer.len() > max {
        errs.push(FieldError::too_long(path, max));
    }
    errs
}

/// The request's bytes (`spec.request` base64-decoded), `None` when it is absent.
fn request_bytes(csr: &Value) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let text = csr.pointer("/spec/request").and_then(Value::as_str)?;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap_or_default(),
    )
}

/// `ValidateObjectMeta` with `ValidateCertificateRequestName` (which accepts any name).
fn metadata(csr: &Value) -> Vec<FieldError> {
    object_meta(csr, false, NameRule::PathSegment)
        .into_iter()
        .filter(|e| {
            !(e.kind == ErrorKind::Invalid
                && matches!(e.field.as_str(), "metadata.name" | "metadata.generateName"))
        })
        .collect()
}

/// `validateCertificateSigningRequest(csr, opts)`.
fn validate(csr: &Value, opts: &Options) -> Vec<FieldError> {
    let mut errs = metadata(csr);
    let request = request_bytes(csr);
    if let Err(e) = csr_pem::check_request(request.as_deref().unwrap_or_default()) {
        errs.push(FieldError::invalid(
            "spec.request",
            BadValue::Raw(go_bytes(request.as_deref())),
            e,
        ));
    }
    let usages = usages(csr);
    if usages.is_empty() {
        errs.push(FieldError::required("spec.usages", ""));
    }
    if !opts.allow_unknown_usages {
        for (i, usage) in usages.iter().enumerate() {
            if !USAGES.contains(usage) {
                errs.push(FieldError::not_supported(
                    format!("spec.usages[{i}]"),
                    *usage,
                    USAGES,
                ));
            }
        }
    }
    if !opts.allow_duplicate_usages {
        for (i, usage) in usages.iter().enumerate() {
            if usages[..i].contains(usage) {
                errs.push(FieldError::duplicate(format!("spec.usages[{i}]"), *usage));
            }
        }
    }
    let signer = signer_name(csr);
    if !opts.allow_legacy_signer_name && signer == LEGACY_SIGNER {
        errs.push(FieldError::invalid(
            "spec.signerName",
            signer,
            "the legacy signerName is not allowed via this API version",
        ));
    } else {
        errs.extend(signer_name_errors("spec.signerName", signer));
    }
    if let Some(seconds) = csr
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .filter(|s| *s < 600)
    {
        errs.push(FieldError::invalid(
            "spec.expirationSeconds",
            seconds,
            "may not specify a duration less than 600 seconds (10 minutes)",
        ));
    }
    errs.extend(csr_status::conditions(csr, opts));
    errs.extend(csr_status::certificate(csr, opts));
    errs
}

/// `ValidateCertificateSigningRequestCreate`.
pub(crate) fn validate_create(csr: &Value) -> Vec<FieldError> {
    validate(csr, &options(csr, None, Writer::Main))
}

/// `ValidateCertificateSigningRequest{,Status,Approval}Update` for a write through `writer`.
pub(crate) fn validate_update(new: &Value, old: &Value, writer: Writer) -> Vec<FieldError> {
    let opts = options(new, Some(old), writer);
    let mut errs = validate(new, &opts);
    errs.extend(csr_status::transitions(new, old, &opts));
    errs.extend(object_meta_update(new, old));
    errs
}

#[cfg(test)]
mod tests;
