//! Go's `pem.Decode`, `certificates.ParseCSR` and `CheckSignature` over requests made by
//! OpenSSL (`openssl req -new`), and the same requests damaged.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

const RSA: &str = include_str!("rsa.csr.pem");
const EC: &str = include_str!("ec.csr.pem");
const ED25519: &str = include_str!("ed25519.csr.pem");
const MASTERS: &str = include_str!("masters.csr.pem");

fn der(pem: &str) -> Vec<u8> {
    decode(pem.as_bytes()).unwrap().0.bytes
}

fn pem(label: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        STANDARD.encode(der)
    )
}

/// The request with the last byte of its signature changed.
fn tampered(request: &str) -> String {
    let mut der = der(request);
    let last = der.len() - 1;
    der[last] ^= 1;
    pem("CERTIFICATE REQUEST", &der)
}

/// `pem.Decode`: leading text is skipped, headers are noticed, the END line must match.
#[test]
fn pem_decode_as_go() {
    let with_text = format!("some text\n{EC}");
    let (block, rest) = decode(with_text.as_bytes()).unwrap();
    assert_eq!(block.label, "CERTIFICATE REQUEST");
    assert!(!block.has_headers);
    assert!(rest.is_empty());
    let headers = "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END X-----\n";
    assert!(decode(headers.as_bytes()).unwrap().0.has_headers);
    assert!(decode(b"-----BEGIN X-----\nAAAA\n-----END Y-----\n").is_none());
    assert!(decode(b"-----BEGIN X-----\n!!!!\n-----END X-----\n").is_none());
    assert!(decode(b"no pem at all").is_none());
    let two = format!("{EC}{RSA}");
    let (_, rest) = decode(two.as_bytes()).unwrap();
    assert_eq!(rest, RSA.as_bytes());
}

/// `validateCSR` accepts well-signed requests of each key type.
#[test]
fn good_requests_pass() {
    for request in [RSA, EC, ED25519, MASTERS] {
        assert_eq!(check_request(request.as_bytes()), Ok(()), "{request}");
    }
}

/// `CheckSignature`: each key type's verification failure text.
#[test]
fn bad_signatures_have_go_text() {
    for (request, message) in [
        (RSA, "crypto/rsa: verification error"),
        (EC, "x509: ECDSA verification failure"),
        (ED25519, "x509: Ed25519 verification failure"),
    ] {
        assert_eq!(
            check_request(tampered(request).as_bytes()),
            Err(message.to_owned())
        );
    }
}

/// `ParseCSR`: the first block must be a CERTIFICATE REQUEST; DER errors as `asn1` says.
#[test]
fn parse_errors_have_go_text() {
    let not_csr = "PEM block type must be CERTIFICATE REQUEST";
    for (input, message) in [
        ("".to_owned(), not_csr),
        ("hello".to_owned(), not_csr),
        (pem("CERTIFICATE", &der(EC)), not_csr),
        (
            pem("CERTIFICATE REQUEST", &[]),
            "asn1: syntax error: sequence truncated",
        ),
        (
            pem("CERTIFICATE REQUEST", &[0x30, 0x05, 0x01]),
            "asn1: syntax error: data truncated",
        ),
        (
            pem(
                "CERTIFICATE REQUEST",
                &[[0x30, 0x00].as_slice(), &[0]].concat(),
            ),
            "asn1: syntax error: trailing data",
        ),
        (
            pem("CERTIFICATE REQUEST", &[0x02, 0x01, 0x00]),
            "asn1: structure error: tags don't match (16 vs {class:0 tag:2 length:1 isCompound:false}) {optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} certificateRequest @2",
        ),
    ] {
        assert_eq!(
            check_request(input.as_bytes()),
            Err(message.to_owned()),
            "{input}"
        );
    }
}

/// `ParseCSR(...).Subject.Organization`.
#[test]
fn organizations_of_the_subject() {
    assert_eq!(
        organizations(MASTERS.as_bytes()),
        Ok(vec!["system:masters".to_owned()])
    );
    assert_eq!(organizations(EC.as_bytes()), Ok(vec![]));
}

/// Go's `%#v` of a byte slice.
#[test]
fn bytes_as_go_prints_them() {
    assert_eq!(go_bytes(None), "[]byte(nil)");
    assert_eq!(go_bytes(Some(b"")), "[]byte{}");
    assert_eq!(go_bytes(Some(b"-\n")), "[]byte{0x2d, 0xa}");
}
