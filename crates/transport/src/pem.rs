//! Certificates and keys from PEM: parsing is pure, reading a [`Material`] file is the only I/O.

use std::path::Path;
use std::time::SystemTime;

use kubeset_config::Material;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::PemError;

/// Identity of a file's content as seen by `stat`: when it changes, the file is re-read.
///
/// Kubernetes swaps projected volumes with a symlink rename, which changes the inode and mtime
/// of the resolved file, so this catches rotations as well as in-place writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    inode: u64,
}

impl FileStamp {
    /// Stats `path` (following symlinks); `None` when it cannot be stat'ed.
    pub(crate) fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Self {
            modified: meta.modified().ok(),
            len: meta.len(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        })
    }
}

/// Where a piece of material came from, for messages.
pub(crate) fn origin(material: &Material) -> String {
    match material {
        Material::File(path) => path.display().to_string(),
        Material::Inline(_) => String::from("inline data"),
    }
}

/// Reads the bytes of `material` (`what` names it in errors).
pub(crate) fn read(material: &Material, what: &'static str) -> Result<Vec<u8>, PemError> {
    match material {
        Material::File(path) => std::fs::read(path).map_err(|source| PemError::Read {
            what,
            path: path.clone(),
            source,
        }),
        Material::Inline(bytes) => Ok(bytes.expose().clone()),
    }
}

/// Every `CERTIFICATE` block in `pem`.
pub(crate) fn parse_certs(
    pem: &[u8],
    what: &'static str,
    origin: &str,
) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| PemError::Parse {
            what,
            origin: origin.to_owned(),
            source,
        })?;
    if certs.is_empty() {
        return Err(PemError::Empty {
            what,
            origin: origin.to_owned(),
            expected: "CERTIFICATE",
        });
    }
    Ok(certs)
}

/// The first private key in `pem`: PKCS#1 (`RSA PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`) or SEC1
/// (`EC PRIVATE KEY`).
pub(crate) fn parse_key(pem: &[u8], origin: &str) -> Result<PrivateKeyDer<'static>, PemError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|source| match source {
        rustls_pki_types::pem::Error::NoItemsFound => PemError::Empty {
            what: "client key",
            origin: origin.to_owned(),
            expected: "PRIVATE KEY",
        },
        source => PemError::Parse {
            what: "client key",
            origin: origin.to_owned(),
            source,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_key(pem: &str, expect_ok: bool) {
        assert_eq!(
            parse_key(pem.as_bytes(), "test").is_ok(),
            expect_ok,
            "{pem}"
        );
    }

    #[test]
    fn keys_in_every_encoding_parse() {
        let ec = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        check_key(&ec.serialize_pem(), true);
        check_key("", false);
        check_key(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            false,
        );
        check_key(
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n",
            false,
        );
    }

    #[test]
    fn empty_bundle_is_an_error_naming_its_origin() {
        let err = parse_certs(b"nothing here", "CA certificate", "/etc/ca.crt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "CA certificate from /etc/ca.crt holds no CERTIFICATE PEM block"
        );
    }
}
