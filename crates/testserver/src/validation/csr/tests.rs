//! `pkg/apis/certificates/validation`, rule group by rule group.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::*;

const EC: &str = include_str!("../csr_pem/ec.csr.pem");
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBeTCCAR+gAwIBAgIUJ3C0K+xBpoK6Qj5Cts4A4Cs0e7owCgYIKoZIzj0EAwIw\nETEPMA0GA1UEAwwGaXNzdWVkMB4XDTI2MTIwNzAzNDkwMloXDTM2MTIwNTAzNDkw\nMlowETEPMA0GA1UEAwwGaXNzdWVkMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n";

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

/// A valid request: `spec` may be patched by the caller.
fn csr(spec: Value) -> Value {
    let mut obj = json!({"metadata": {"name": "c", "resourceVersion": "1"}, "spec": {
        "request": b64(EC), "signerName": "example.com/signer", "usages": ["client auth"]}});
    for (k, v) in spec.as_object().unwrap() {
        obj["spec"][k] = v.clone();
    }
    obj
}

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

/// `allValidUsages.List()` is sorted.
#[test]
fn usages_are_listed_sorted() {
    let mut sorted = USAGES.to_vec();
    sorted.sort_unstable();
    assert_eq!(sorted, USAGES);
}

#[test]
fn a_good_request_passes() {
    check(validate_create(&csr(json!({}))), &[]);
}

/// `validateCertificateSigningRequest`: the spec rules, in order.
#[test]
fn spec_rules_in_go_order() {
    let bad = csr(
        json!({"request": b64("nope"), "usages": ["client auth", "teleport", "client auth"],
        "signerName": "kubernetes.io/legacy-unknown", "expirationSeconds": 599}),
    );
    check(
        validate_create(&bad),
        &[
            "spec.request: Invalid value: []byte{0x6e, 0x6f, 0x70, 0x65}: PEM block type must be CERTIFICATE REQUEST",
            &format!(
                "spec.usages[1]: Unsupported value: \"teleport\": supported values: {}",
                USAGES
                    .iter()
                    .map(|u| format!("\"{u}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "spec.usages[2]: Duplicate value: \"client auth\"",
            "spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version",
            "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)",
        ],
    );
    let mut missing = csr(json!({"usages": []}));
    missing["spec"].as_object_mut().unwrap().remove("request");
    missing["spec"]
        .as_object_mut()
        .unwrap()
        .remove("signerName");
    check(
        validate_create(&missing),
        &[
            "spec.request: Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST",
            "spec.usages: Required value",
            "spec.signerName: Required value",
        ],
    );
}

/// `ValidateSignerName`.
#[test]
fn signer_names() {
    for (signer, expected) in [
        ("example.com/s", vec![]),
        (
            "nope",
            vec![
                "s: Invalid value: \"nope\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
            ],
        ),
        (
            "a/b/c",
            vec![
                "s: Invalid value: \"a/b/c\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
            ],
        ),
        (
            "example/s",
            vec![
                "s: Invalid value: \"example\": should be a domain with at least two segments separated by dots",
            ],
        ),
        (
            "Example.com/s_1",
            vec![
                "s: Invalid value: \"Example.com\": validating label \"Example\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "s: Invalid value: \"s_1\": validating label \"s_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ],
        ),
    ] {
        check(signer_name_errors("s", signer), &expected);
    }
}

/// `validateConditions`: statuses per type, Approved and Denied exclusive, no duplicates.
#[test]
fn conditions() {
    let mut obj = csr(json!({}));
    obj["status"] = json!({"conditions": [
        {"type": "Approved", "status": "False"},
        {"type": "Denied", "status": "True"},
        {"type": "Custom", "status": "Maybe"},
        {"type": "Custom", "status": ""},
        {"status": "True"}]});
    check(
        validate_create(&obj),
        &[
            "status.conditions[0].status: Unsupported value: \"False\": supported values: \"True\"",
            "status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive",
            "status.conditions[2].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"",
            "status.conditions[3].status: Required value",
            "status.conditions[3].type: Duplicate value: \"Custom\"",
            "status.conditions[4].type: Required value",
        ],
    );
}

fn with_conditions(conditions: Value) -> Value {
    let mut obj = csr(json!({}));
    obj["status"] = json!({"conditions": conditions});
    obj
}

/// `validateCertificateSigningRequestUpdate`: Approved and Denied only through `approval`,
/// and never removed.
#[test]
fn approval_conditions_only_through_approval() {
    let none = with_conditions(json!([]));
    let approved = with_conditions(json!([{"type": "Approved", "status": "True"}]));
    check(validate_update(&approved, &none, Writer::Approval), &[]);
    check(
        validate_update(&approved, &none, Writer::Status),
        &["status.conditions: Forbidden: updates may not add a condition of type \"Approved\""],
    );
    check(
        validate_update(&none, &approved, Writer::Approval),
        &["status.conditions: Forbidden: updates may not remove a condition of type \"Approved\""],
    );
    let changed = with_conditions(json!([{"type": "Approved", "status": "True", "reason": "x"}]));
    let errs = validate_update(&changed, &approved, Writer::Main);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].to_string().starts_with(
            "status.conditions: Forbidden: updates may not modify a condition of type \"Approved\"\n  []certificates.CertificateSigningRequestCondition{\n"
        ),
        "{}",
        errs[0]
    );
}

/// `getValidationOptions`: what the stored object already has is tolerated.
#[test]
fn stored_problems_are_tolerated() {
    let old = with_conditions(json!([
        {"type": "Approved", "status": "True"}, {"type": "Denied", "status": "True"}]));
    let mut old = old;
    old["spec"]["usages"] = json!(["teleport", "teleport"]);
    old["spec"]["signerName"] = json!("kubernetes.io/legacy-unknown");
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"a": "b"});
    check(validate_update(&new, &old, Writer::Main), &[]);
    check(
        validate_create(&new),
        &[
            "spec.usages[0]: Unsupported value: \"teleport\": supported values: \"any\", \"cert sign\", \"client auth\", \"code signing\", \"content commitment\", \"crl sign\", \"data encipherment\", \"decipher only\", \"digital signature\", \"email protection\", \"encipher only\", \"ipsec end system\", \"ipsec tunnel\", \"ipsec user\", \"key agreement\", \"key encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", \"s/mime\", \"server auth\", \"signing\", \"timestamping\"",
            "spec.usages[1]: Unsupported value: \"teleport\": supported values: \"any\", \"cert sign\", \"client auth\", \"code signing\", \"content commitment\", \"crl sign\", \"data encipherment\", \"decipher only\", \"digital signature\", \"email protection\", \"encipher only\", \"ipsec end system\", \"ipsec tunnel\", \"ipsec user\", \"key agreement\", \"key encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", \"s/mime\", \"server auth\", \"signing\", \"timestamping\"",
            "spec.usages[1]: Duplicate value: \"teleport\"",
            "spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version",
            "status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive",
        ],
    );
}

/// `validateCertificate` and the certificate rules of the update: PEM CERTIFICATE blocks,
/// set once, only through `status`.
#[test]
fn certificates_are_pem_set_once_through_status() {
    let with_cert = |pem: &str| {
        let mut obj = csr(json!({}));
        obj["status"] = json!({"certificate": b64(pem)});
        obj
    };
    let empty = csr(json!({}));
    let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    check(
        validate_update(&with_cert(key), &empty, Writer::Status),
        &[
            "status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are allowed, found \"PRIVATE KEY\"",
        ],
    );
    check(
        validate_update(&with_cert("junk"), &empty, Writer::Approval),
        &[
            "status.certificate: Invalid value: \"<certificate data>\": must contain at least one CERTIFICATE PEM block",
            "status.certificate: Forbidden: updates may not set certificate content",
        ],
    );
    let truncated = format!("{CERT}-----END CERTIFICATE-----\n");
    check(
        validate_update(&with_cert(&truncated), &empty, Writer::Status),
        &["status.certificate: Invalid value: \"<certificate data>\": x509: malformed certificate"],
    );
    let issued = with_cert(include_str!("../csr_pem/issued.crt.pem"));
    check(validate_update(&issued, &empty, Writer::Status), &[]);
    let other = with_cert(&format!(
        "{}{}",
        include_str!("../csr_pem/issued.crt.pem"),
        include_str!("../csr_pem/issued.crt.pem")
    ));
    check(
        validate_update(&other, &issued, Writer::Status),
        &["status.certificate: Forbidden: updates may not modify existing certificate content"],
    );
}

/// The metadata: any name is fine to `ValidateCertificateRequestName`, other rules apply.
#[test]
fn metadata_without_a_name_rule() {
    let mut obj = csr(json!({}));
    obj["metadata"] = json!({"name": "Not A Subdomain", "labels": {"-bad": "x"}});
    let errs = validate_create(&obj);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].field, "metadata.labels");
}
