//! The CertificateSigningRequest admission plugins kube-apiserver enables by default
//! (`plugin/pkg/admission/certificates`), all validating:
//!
//! - CertificateApproval: an update of `approval` needs `approve` on the synthetic
//!   `signers` resource named by the stored request's signer, or on `<domain>/*`;
//! - CertificateSigning: a `status` update that changes the certificate or the conditions
//!   needs `sign` on the signer, the same way;
//! - CertificateSubjectRestriction: a request for `kubernetes.io/kube-apiserver-client` may
//!   not ask for the `system:masters` organization.
//!
//! Writes without a user (the server's own) are never refused by the first two.

use serde_json::Value;

use super::{AdmissionError, Attributes, AuthzQuestion, Lookup, Operation, UserInfo, error};
use crate::validation::csr_pem;

const GROUP: &str = "certificates.k8s.io";
const RESOURCE: &str = "certificatesigningrequests";
/// `certificatesv1.KubeAPIServerClientSignerName`.
const KUBE_APISERVER_CLIENT: &str = "kubernetes.io/kube-apiserver-client";

fn signer_name(csr: &Value) -> &str {
    csr.pointer("/spec/signerName")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `IsAuthorizedForSignerName`: `verb` on `signers/<signerName>`, else on `<domain>/*`.
fn authorized(lookup: &dyn Lookup, user: &UserInfo<'_>, verb: &str, signer: &str) -> bool {
    let ask = |name: &str| {
        lookup.allows(
            user,
            &AuthzQuestion {
                verb,
                group: GROUP,
                resource: "signers",
                name,
                ..AuthzQuestion::default()
            },
        )
    };
    let domain = signer.split('/').next().unwrap_or("");
    ask(signer) || ask(&format!("{domain}/*"))
}

/// CertificateApproval and CertificateSigning (both judge by the stored request's signer).
///
/// # Errors
/// 403 when the user may not `approve` (approval) or `sign` (status) for the signer.
pub(super) fn validate_update(
    attrs: &Attributes<'_>,
    new: &Value,
    old: &Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if attrs.group != GROUP || attrs.resource != RESOURCE || attrs.operation != Operation::Update {
        return Ok(());
    }
    let Some(user) = &attrs.user else {
        return Ok(());
    };
    let signer = signer_name(old);
    let verb = match attrs.subresource {
        "approval" => "approve",
        "status" => {
            let unchanged = |path: &str| new.pointer(path) == old.pointer(path);
            if unchanged("/status/certificate") && unchanged("/status/conditions") {
                return Ok(());
            }
            "sign"
        }
        _ => return Ok(()),
    };
    if authorized(lookup, user, verb, signer) {
        return Ok(());
    }
    Err(error::forbidden(
        attrs,
        Some(new),
        format!(
            "user not permitted to {verb} requests with signerName {}",
            crate::validation::go_quote(signer)
        ),
    ))
}

/// CertificateSubjectRestriction, on creates of the main resource.
///
/// # Errors
/// 403 for a `system:masters` request to the kube-apiserver-client signer, or one whose
/// request does not parse.
pub(super) fn validate_create(attrs: &Attributes<'_>, csr: &Value) -> Result<(), AdmissionError> {
    if attrs.group != GROUP || attrs.resource != RESOURCE || !attrs.subresource.is_empty() {
        return Ok(());
    }
    if signer_name(csr) != KUBE_APISERVER_CLIENT {
        return Ok(());
    }
    use base64::Engine as _;
    let request = csr
        .pointer("/spec/request")
        .and_then(Value::as_str)
        .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .unwrap_or_default();
    let organizations = csr_pem::organizations(&request)
        .map_err(|e| error::forbidden(attrs, Some(csr), format!("failed to parse CSR: {e}")))?;
    if organizations.iter().any(|o| o == "system:masters") {
        return Err(error::forbidden(
            attrs,
            Some(csr),
            format!(
                "use of {KUBE_APISERVER_CLIENT} signer with system:masters group is not allowed"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
