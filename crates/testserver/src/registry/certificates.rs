//! certificates.k8s.io/v1 CertificateSigningRequests: the table columns
//! (`printCertificateSigningRequest`, `extractCSRStatus`); the age comes second.

use serde_json::Value;

use crate::registry::print::{self, items, text};
use crate::registry::printed::Printed;
use crate::registry::table::{Column, age_column, col, name_column};

/// `Pending`, `Approved` or `Denied`, then `,Failed` and `,Issued`.
fn condition(csr: &Value) -> String {
    let has = |ty: &str| {
        items(csr, "/status/conditions")
            .iter()
            .any(|c| text(c, "/type") == ty)
    };
    let mut status = if has("Denied") {
        "Denied"
    } else if has("Approved") {
        "Approved"
    } else {
        "Pending"
    }
    .to_owned();
    if has("Failed") {
        status.push_str(",Failed");
    }
    if !text(csr, "/status/certificate").is_empty() {
        status.push_str(",Issued");
    }
    status
}

fn certificate_signing_requests() -> Vec<Column> {
    vec![
        name_column(),
        age_column(),
        col(
            "SignerName",
            "Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`. If empty, it will be defaulted:\n 1. If it's a kubelet client certificate, it is assigned\n    \"kubernetes.io/kube-apiserver-client-kubelet\".\n 2. If it's a kubelet serving certificate, it is assigned\n    \"kubernetes.io/kubelet-serving\".\n 3. Otherwise, it is assigned \"kubernetes.io/legacy-unknown\".\nDistribution of trust for signers happens out of band. You can select on this field using `spec.signerName`.",
            0,
            |v| print::or(text(v, "/spec/signerName"), "<none>").into(),
        ),
        col("Requestor", "Base64-encoded PKCS#10 CSR data", 0, |v| {
            text(v, "/spec/username").into()
        }),
        col(
            "RequestedDuration",
            "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.",
            0,
            |v| {
                match v.pointer("/spec/expirationSeconds").and_then(Value::as_i64) {
                    Some(secs) => print::human_duration(secs),
                    None => "<none>".into(),
                }
                .into()
            },
        ),
        col(
            "Condition",
            "Conditions applied to the request, such as approval or denial.",
            0,
            |v| condition(v).into(),
        ),
    ]
}

/// certificates.k8s.io/v1 CertificateSigningRequests.
pub(crate) const CERTIFICATE_SIGNING_REQUESTS: Printed =
    Printed::columns(certificate_signing_requests);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintCertificateSigningRequest`.
    #[test]
    fn csr_cells() {
        let csr = json!({"spec": {"signerName": "example.com/s", "username": "alice",
            "expirationSeconds": 3600}, "status": {"conditions": [{"type": "Approved"}, {"type": "Failed"}],
            "certificate": "Y2VydA=="}});
        let cells: Vec<Value> = certificate_signing_requests()
            .iter()
            .map(|c| c.cell(&csr))
            .collect();
        assert_eq!(
            cells[2..].to_vec(),
            vec![
                json!("example.com/s"),
                json!("alice"),
                json!("60m"),
                json!("Approved,Failed,Issued")
            ]
        );
        assert_eq!(condition(&json!({})), "Pending");
    }
}
