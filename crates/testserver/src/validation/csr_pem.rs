//! PEM and PKCS#10 as kube-apiserver reads them for CertificateSigningRequests: Go's
//! `encoding/pem.Decode` (blocks found after any leading text, `Key: value` headers, the END
//! line checked), `certificates.ParseCSR` (the first block must be a `CERTIFICATE REQUEST`),
//! and `x509.CertificateRequest.CheckSignature`, each failing with Go's error text.
//!
//! What holds: a request Go accepts is accepted and one whose signature does not verify is
//! refused with Go's message for its key type, as long as `ring` can verify the algorithm
//! (RSA of 2048 bits and more with PKCS#1 v1.5 or PSS, ECDSA on P-256 and P-384, Ed25519); a
//! request signed otherwise (RSA-1024, P-521, ECDSA with SHA-1) is accepted unverified. A DER
//! body that does not parse is refused with Go's `asn1` text for the outer structure
//! (truncated, trailing data, wrong tag); malformed inner structures get a shorter
//! `asn1: structure error` text than Go's.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use x509_parser::error::X509Error;
use x509_parser::oid_registry::{self, Oid};
use x509_parser::prelude::{FromDer, X509CertificationRequest};
use x509_parser::public_key::PublicKey;

/// One PEM block (`pem.Block`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// The label of the BEGIN line, e.g. `CERTIFICATE`.
    pub(crate) label: String,
    /// Whether the block had `Key: value` header lines.
    pub(crate) has_headers: bool,
    /// The decoded body.
    pub(crate) bytes: Vec<u8>,
}

/// Go's `base64.StdEncoding`: padded, trailing bits tolerated.
const STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// `getLine`: the line without its `\n` (and `\r`), trailing spaces and tabs trimmed, and
/// the rest after it.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut end, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, &data[i + 1..]),
        None => (data.len(), &data[data.len()..]),
    };
    if end > 0 && end < data.len() && data[end - 1] == b'\r' {
        end -= 1;
    }
    let mut line = &data[..end];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, rest)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `pem.Decode`: the first block of `data` and what follows it, or `None` when there is none.
pub(crate) fn decode(data: &[u8]) -> Option<(Block, &[u8])> {
    const START: &[u8] = b"\n-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const DASHES: &[u8] = b"-----";
    let mut rest = data;
    loop {
        if rest.starts_with(&START[1..]) {
            rest = &rest[START.len() - 1..];
        } else if let Some(i) = find(rest, START) {
            rest = &rest[i + START.len()..];
        } else {
            return None;
        }
        let (type_line, after) = get_line(rest);
        rest = after;
        let Some(label) = type_line.strip_suffix(DASHES) else {
            continue;
        };
        let mut has_headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            has_headers = true;
            rest = next;
        }
        let (end_index, trailer_index) = if !has_headers && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            match find(rest, END) {
                Some(i) => (i, i + END.len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = label.len() + DASHES.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_line, rest_of_end_line) = trailer.split_at(trailer_len);
        if !end_line.starts_with(label) || !end_line.ends_with(DASHES) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        // base64 with spaces and tabs removed; Go's decoder skips `\r` and `\n` itself
        let body: Vec<u8> = rest[..end_index]
            .iter()
            .copied()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .collect();
        let Ok(bytes) = STD.decode(&body) else {
            continue;
        };
        let after_end = &rest[end_index + END.len() - 1..];
        let (_, rest) = get_line(after_end);
        let block = Block {
            label: String::from_utf8_lossy(label).into_owned(),
            has_headers,
            bytes,
        };
        return Some((block, rest));
    }
}

/// Go's `%#v` of a `[]byte`: `[]byte{0x2d, 0xa}`, or `[]byte(nil)` for a missing value.
pub(crate) fn go_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "[]byte(nil)".to_owned(),
        Some(bytes) => {
            let items: Vec<String> = bytes.iter().map(|b| format!("{b:#x}")).collect();
            format!("[]byte{{{}}}", items.join(", "))
        }
    }
}

/// Go's `asn1` error for a DER value that is not one complete SEQUENCE (what
/// `x509.ParseCertificateRequest` reports before looking inside), or `None`.
fn outer_der_error(der: &[u8]) -> Option<String> {
    let Some(&tag_byte) = der.first() else {
        return Some("asn1: syntax error: sequence truncated".to_owned());
    };
    let (class, compound, mut tag) = (
        tag_byte >> 6,
        tag_byte & 0x20 != 0,
        u64::from(tag_byte & 0x1f),
    );
    let mut offset = 1;
    if tag == 0x1f {
        tag = 0;
        loop {
            let Some(&b) = der.get(offset) else {
                return Some("asn1: syntax error: data truncated".to_owned());
            };
            offset += 1;
            tag = (tag << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let Some(&len_byte) = der.get(offset) else {
        return Some("asn1: syntax error: data truncated".to_owned());
    };
    offset += 1;
    let length = if len_byte & 0x80 == 0 {
        usize::from(len_byte)
    } else {
        let count = usize::from(len_byte & 0x7f);
        if count == 0 {
            return Some("asn1: syntax error: indefinite length found (not DER)".to_owned());
        }
        let mut n: usize = 0;
        for _ in 0..count {
            let Some(&b) = der.get(offset) else {
                return Some("asn1: syntax error: data truncated".to_owned());
            };
            offset += 1;
            n = n.checked_mul(256)?.checked_add(usize::from(b))?;
        }
        n
    };
    if der.len() - offset < length {
        return Some("asn1: syntax error: data truncated".to_owned());
    }
    if class != 0 || tag != 16 || !compound {
        return Some(format!(
            "asn1: structure error: tags don't match (16 vs {{class:{class} tag:{tag} length:{length} isCompound:{compound}}}) {{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}} certificateRequest @{offset}"
        ));
    }
    if der.len() > offset + length {
        return Some("asn1: syntax error: trailing data".to_owned());
    }
    None
}

/// `certificates.ParseCSR` on the PEM of `spec.request`: the DER of its first block.
///
/// # Errors
/// Go's text: no `CERTIFICATE REQUEST` block first, or the `asn1`/`x509` parse error.
fn parse_der(pem: &[u8]) -> Result<Vec<u8>, String> {
    let block = match decode(pem) {
        Some((block, _)) if block.label == "CERTIFICATE REQUEST" => block,
        _ => return Err("PEM block type must be CERTIFICATE REQUEST".to_owned()),
    };
    if let Some(e) = outer_der_error(&block.bytes) {
        return Err(e);
    }
    match X509CertificationRequest::from_der(&block.bytes) {
        Ok(_) => Ok(block.bytes),
        Err(e) => Err(format!("asn1: structure error: {e}")),
    }
}

/// The subject's organizations (`O=`) of the request in `pem` (`ParseCSR(...).Subject.Organization`).
///
/// # Errors
/// As `certificates.ParseCSR`.
pub(crate) fn organizations(pem: &[u8]) -> Result<Vec<String>, String> {
    let der = parse_der(pem)?;
    let (_, csr) = X509CertificationRequest::from_der(&der).map_err(|e| e.to_string())?;
    Ok(csr
        .certification_request_info
        .subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_owned))
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyAlgo {
    Rsa,
    Ecdsa,
    Ed25519,
}

impl KeyAlgo {
    fn name(self) -> &'static str {
        match self {
            KeyAlgo::Rsa => "RSA",
            KeyAlgo::Ecdsa => "ECDSA",
            KeyAlgo::Ed25519 => "Ed25519",
        }
    }

    fn go_type(self) -> &'static str {
        match self {
            KeyAlgo::Rsa => "*rsa.PublicKey",
            KeyAlgo::Ecdsa => "*ecdsa.PublicKey",
            KeyAlgo::Ed25519 => "ed25519.PublicKey",
        }
    }

    fn failure(self) -> &'static str {
        match self {
            KeyAlgo::Rsa => "crypto/rsa: verification error",
            KeyAlgo::Ecdsa => "x509: ECDSA verification failure",
            KeyAlgo::Ed25519 => "x509: Ed25519 verification failure",
        }
    }
}

/// What Go's `signatureAlgorithmDetails` say of a signature algorithm.
enum SignatureAlgo {
    /// Verifiable with a key of this algorithm.
    Known(KeyAlgo),
    /// `InsecureAlgorithmError` with Go's name of the algorithm.
    Insecure(&'static str),
    /// `ErrUnsupportedAlgorithm`.
    Unsupported,
}

fn signature_algo(oid: &Oid<'_>) -> SignatureAlgo {
    use oid_registry::*;
    let rsa = [
        OID_PKCS1_SHA1WITHRSA,
        OID_SHA1_WITH_RSA,
        OID_PKCS1_SHA256WITHRSA,
        OID_PKCS1_SHA384WITHRSA,
        OID_PKCS1_SHA512WITHRSA,
        OID_PKCS1_RSASSAPSS,
    ];
    let ecdsa = [
        OID_SIG_ECDSA_WITH_SHA256,
        OID_SIG_ECDSA_WITH_SHA384,
        OID_SIG_ECDSA_WITH_SHA512,
    ];
    if rsa.contains(oid) {
        SignatureAlgo::Known(KeyAlgo::Rsa)
    } else if ecdsa.contains(oid) || oid.to_id_string() == "1.2.840.10045.4.1" {
        SignatureAlgo::Known(KeyAlgo::Ecdsa)
    } else if *oid == OID_SIG_ED25519 {
        SignatureAlgo::Known(KeyAlgo::Ed25519)
    } else if *oid == OID_PKCS1_MD5WITHRSAENC {
        SignatureAlgo::Insecure("MD5-RSA")
    } else {
        SignatureAlgo::Unsupported
    }
}

/// `validateCSR`: `ParseCSR`, then `CheckSignature`.
///
/// # Errors
/// Go's text of the first failure.
pub(crate) fn check_request(pem: &[u8]) -> Result<(), String> {
    let der = parse_der(pem)?;
    let (_, csr) = X509CertificationRequest::from_der(&der).map_err(|e| e.to_string())?;
    let key = match csr.certification_request_info.subject_pki.parsed() {
        Ok(PublicKey::RSA(_)) => Some(KeyAlgo::Rsa),
        Ok(PublicKey::EC(_)) => Some(KeyAlgo::Ecdsa),
        _ if csr
            .certification_request_info
            .subject_pki
            .algorithm
            .algorithm
            == oid_registry::OID_SIG_ED25519 =>
        {
            Some(KeyAlgo::Ed25519)
        }
        _ => None,
    };
    let unsupported = "x509: cannot verify signature: algorithm unimplemented";
    let expected = match signature_algo(&csr.signature_algorithm.algorithm) {
        SignatureAlgo::Known(algo) => algo,
        SignatureAlgo::Insecure(name) => {
            return Err(format!(
                "x509: cannot verify signature: insecure algorithm {name}"
            ));
        }
        SignatureAlgo::Unsupported => return Err(unsupported.to_owned()),
    };
    let Some(key) = key else {
        return Err(unsupported.to_owned());
    };
    if key != expected {
        return Err(format!(
            "x509: signature algorithm specifies an {} public key, but have public key of type {}",
            expected.name(),
            key.go_type()
        ));
    }
    match csr.verify_signature() {
        Err(X509Error::SignatureVerificationError) => Err(key.failure().to_owned()),
        // what ring cannot check (RSA under 2048 bits, P-521, SHA-1 ECDSA) is let through
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
