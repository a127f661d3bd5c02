//! certificates.k8s.io/v1 CertificateSigningRequests
//! (`pkg/registry/certificates/certificates/strategy.go`): a new request's `spec.username`,
//! `uid`, `groups` and `extra` are the requester's (whatever the body said) and its status is
//! empty; a request is immutable after creation except through its subresources. `status`
//! (the signer) keeps the spec and the Approved/Denied conditions and may set the certificate;
//! `approval` (the approver) may change only the conditions; both fill in the conditions'
//! missing timestamps. Validation is `validation::csr` (the spec, the conditions, the
//! certificate, what each endpoint may change); who may approve and sign is admission's
//! (`admission/certificates.rs`). The table columns are `printCertificateSigningRequest`'s
//! (`extractCSRStatus`); the age comes second. Names are checked only as URL path segments
//! (`ValidateCertificateRequestName` accepts any name, the generic store then checks the
//! path-segment rule, on create only when the request's own checks passed).

use serde_json::{Value, json};

use crate::admission::UserInfo;
use crate::registry::ResourceType;
use crate::registry::print::{self, items, text};
use crate::registry::strategy::{self, Checks, Strategy, keep};
use crate::registry::table::{Column, age_column, col, name_column};
use crate::validation::csr::{self, Writer};
use crate::validation::{Invalid, NameRule, object_meta, object_meta_update};

/// The CertificateSigningRequest strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CertificateSigningRequests;

fn conditions_mut(csr: &mut Value) -> Option<&mut Vec<Value>> {
    csr.pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
}

fn ty(c: &Value) -> Option<&str> {
    c.get("type").and_then(Value::as_str)
}

/// `preserveConditionInstances`: when the write neither adds nor removes conditions of type
/// `t`, those of the stored object replace them, in order.
fn preserve_instances(new: &mut Value, old: &Value, t: &str) {
    let stored: Vec<Value> = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| ty(c) == Some(t))
        .cloned()
        .collect();
    let Some(list) = conditions_mut(new) else {
        return;
    };
    let positions: Vec<usize> = (0..list.len())
        .filter(|i| ty(&list[*i]) == Some(t))
        .collect();
    if positions.len() != stored.len() {
        return;
    }
    for (i, c) in positions.into_iter().zip(stored) {
        list[i] = c;
    }
}

/// `populateConditionTimestamps`: a missing `lastUpdateTime` is now; a missing
/// `lastTransitionTime` is that of the stored condition of the same type and status, or now.
fn populate_timestamps(new: &mut Value, old: &Value, now: &str) {
    let stored: Vec<Value> = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let Some(list) = conditions_mut(new) else {
        return;
    };
    let unset = |c: &serde_json::Map<String, Value>, k: &str| {
        c.get(k)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
    };
    for c in list.iter_mut().filter_map(Value::as_object_mut) {
        if unset(c, "lastUpdateTime") {
            c.insert("lastUpdateTime".into(), json!(now));
        }
        if unset(c, "lastTransitionTime") {
            let same = stored.iter().find_map(|o| {
                let matches = o.get("type") == c.get("type") && o.get("status") == c.get("status");
                o.get("lastTransitionTime")
                    .filter(|t| matches && t.as_str().is_some_and(|s| !s.is_empty()))
                    .cloned()
            });
            c.insert(
                "lastTransitionTime".into(),
                same.unwrap_or_else(|| json!(now)),
            );
        }
    }
}

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

impl Strategy for CertificateSigningRequests {
    /// Users cannot create pre-approved requests: the status starts empty.
    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_status(obj, json!({}));
    }

    /// The requester's identity replaces whatever the body said.
    fn prepare_for_create_by(&self, obj: &mut Value, user: Option<&UserInfo<'_>>) {
        let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
            return;
        };
        for key in ["username", "uid", "groups", "extra"] {
            spec.remove(key);
        }
        let Some(user) = user else {
            return;
        };
        if !user.name.is_empty() {
            spec.insert("username".into(), json!(user.name));
        }
        if !user.uid.is_empty() {
            spec.insert("uid".into(), json!(user.uid));
        }
        if !user.groups.is_empty() {
            spec.insert("groups".into(), json!(user.groups));
        }
        if !user.extra.is_empty() {
            spec.insert("extra".into(), json!(user.extra));
        }
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        match subresource {
            // the stored status was kept by the pipeline
            "" => keep(new, old, "spec"),
            "status" => {
                keep(new, old, "spec");
                preserve_instances(new, old, "Approved");
                preserve_instances(new, old, "Denied");
                populate_timestamps(new, old, now);
            }
            "approval" => {
                let conditions = new.pointer("/status/conditions").cloned();
                keep(new, old, "spec");
                keep(new, old, "status");
                if let Some(conditions) = conditions {
                    let status = new
                        .as_object_mut()
                        .map(|o| o.entry("status").or_insert_with(|| json!({})));
                    if let Some(Value::Object(status)) = status {
                        status.insert("conditions".into(), conditions);
                    }
                } else if let Some(status) = new.get_mut("status").and_then(Value::as_object_mut) {
                    status.remove("conditions");
                }
                populate_timestamps(new, old, now);
            }
            _ => {}
        }
    }

    /// `Validate`, then (only when it passed) the generic store's path-segment name rule.
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: NameRule::PathSegment,
        };
        let errs = csr::validate_create(obj);
        if !errs.is_empty() {
            return c.result(obj, errs);
        }
        c.result(obj, object_meta(obj, false, NameRule::PathSegment))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: NameRule::PathSegment,
        };
        let writer = match subresource {
            "status" => Writer::Status,
            "approval" => Writer::Approval,
            _ => Writer::Main,
        };
        // validateCommonFields, then the subresource's own ValidateUpdate
        let mut errs = object_meta(new, false, NameRule::PathSegment);
        errs.extend(object_meta_update(new, old));
        errs.extend(csr::validate_update(new, old, writer));
        c.result(new, errs)
    }

    fn columns(&self) -> Vec<Column> {
        certificate_signing_requests()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `csrStatusStrategy.PrepareForUpdate`: the signer cannot touch the spec or the approval.
    #[test]
    fn status_writes_keep_spec_and_approval() {
        let old = json!({"spec": {"signerName": "a/b"}, "status": {"conditions": [
            {"type": "Approved", "status": "True", "reason": "ok",
                "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}});
        let mut new = json!({"spec": {"signerName": "x/y"}, "status": {"certificate": "Y2VydA==",
            "conditions": [{"type": "Approved", "status": "True", "reason": "changed"},
                {"type": "Failed", "status": "True"}]}});
        CertificateSigningRequests.prepare_for_update("status", &mut new, &old, "NOW");
        assert_eq!(new["spec"], old["spec"]);
        assert_eq!(
            new["status"]["conditions"][0],
            old["status"]["conditions"][0]
        );
        assert_eq!(
            new["status"]["conditions"][1],
            json!({"type": "Failed", "status": "True", "lastUpdateTime": "NOW",
                "lastTransitionTime": "NOW"})
        );
        assert_eq!(new["status"]["certificate"], "Y2VydA==");
    }

    /// `csrStrategy.PrepareForCreate`: the requester's identity, never the body's.
    #[test]
    fn the_requester_fills_in_the_spec() {
        let body = || {
            json!({"spec": {"username": "mallory", "uid": "u", "groups": ["system:masters"],
                "extra": {"k": ["v"]}, "signerName": "a.b/c"}, "status": {"certificate": "eA=="}})
        };
        let extra = std::collections::BTreeMap::from([("x".to_owned(), vec!["1".to_owned()])]);
        let groups = ["dev".to_owned(), "system:authenticated".to_owned()];
        let alice = UserInfo {
            name: "alice",
            uid: "",
            groups: &groups,
            extra: &extra,
        };
        let mut csr = body();
        CertificateSigningRequests.prepare_for_create(&mut csr, "NOW");
        CertificateSigningRequests.prepare_for_create_by(&mut csr, Some(&alice));
        assert_eq!(
            csr,
            json!({"spec": {"username": "alice", "groups": ["dev", "system:authenticated"],
                "extra": {"x": ["1"]}, "signerName": "a.b/c"}, "status": {}})
        );
        let mut csr = body();
        CertificateSigningRequests.prepare_for_create_by(&mut csr, None);
        assert_eq!(csr["spec"], json!({"signerName": "a.b/c"}));
    }

    /// `csrApprovalStrategy.PrepareForUpdate`: only the conditions change.
    #[test]
    fn approval_writes_change_only_conditions() {
        let old = json!({"spec": {"signerName": "a/b"}, "status": {"certificate": "Y2VydA=="}});
        let mut new = json!({"spec": {}, "status": {"conditions": [
            {"type": "Approved", "status": "True"}]}});
        CertificateSigningRequests.prepare_for_update("approval", &mut new, &old, "NOW");
        assert_eq!(
            new,
            json!({"spec": {"signerName": "a/b"}, "status": {"certificate": "Y2VydA==",
                "conditions": [{"type": "Approved", "status": "True",
                    "lastUpdateTime": "NOW", "lastTransitionTime": "NOW"}]}})
        );
    }

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
