//! The client certificate presented in TLS handshakes: from the config (files re-read when they
//! change) or from an exec plugin (replaced in place when the plugin runs again).

use std::sync::{Arc, Mutex};

use arc_swap::ArcSwapOption;
use kubeset_config::Material;
use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;

use crate::error::PemError;
use crate::pem::{self, FileStamp};

/// A client identity that can be swapped while connections are open; exec plugins write here.
pub(crate) type IdentitySlot = Arc<ArcSwapOption<CertifiedKey>>;

/// Parses a certificate chain and key (PEM) into a rustls identity, checking that they match.
pub(crate) fn certified_key(
    cert_pem: &[u8],
    cert_origin: &str,
    key_pem: &[u8],
    key_origin: &str,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, PemError> {
    let chain = pem::parse_certs(cert_pem, "client certificate", cert_origin)?;
    let key = pem::parse_key(key_pem, key_origin)?;
    CertifiedKey::from_der(chain, key, provider).map_err(|source| PemError::BadKey {
        origin: key_origin.to_owned(),
        source,
    })
}

/// Stamps of the certificate and key files when they were last loaded.
type Stamps = (Option<FileStamp>, Option<FileStamp>);

/// Certificate and key from the config.
struct Configured {
    cert: Material,
    key: Material,
    stamps: Mutex<Stamps>,
}

/// Resolves the client certificate for each handshake.
pub(crate) struct ClientIdentity {
    configured: Option<Configured>,
    current: IdentitySlot,
    provider: Arc<CryptoProvider>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("configured", &self.configured.is_some())
            .field("loaded", &self.current.load().is_some())
            .finish()
    }
}

impl ClientIdentity {
    /// Loads the configured certificate and key (both or neither), sharing `slot` with any exec
    /// plugin that may later provide one.
    pub(crate) fn new(
        cert: Option<&Material>,
        key: Option<&Material>,
        slot: IdentitySlot,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, PemError> {
        let configured = match (cert, key) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(PemError::Incomplete {
                    present: "certificate",
                });
            }
            (None, Some(_)) => return Err(PemError::Incomplete { present: "key" }),
            (Some(cert), Some(key)) => {
                let stamps = (stamp(cert), stamp(key));
                let identity = load(cert, key, &provider)?;
                slot.store(Some(Arc::new(identity)));
                Some(Configured {
                    cert: cert.clone(),
                    key: key.clone(),
                    stamps: Mutex::new(stamps),
                })
            }
        };
        Ok(Self {
            configured,
            current: slot,
            provider,
        })
    }

    /// Re-reads the configured files if either changed; a failed reload keeps the old identity.
    fn refresh(&self) {
        let Some(configured) = &self.configured else {
            return;
        };
        let now = (stamp(&configured.cert), stamp(&configured.key));
        let Ok(mut stamps) = configured.stamps.lock() else {
            return;
        };
        if *stamps == now {
            return;
        }
        *stamps = now;
        match load(&configured.cert, &configured.key, &self.provider) {
            Ok(identity) => {
                self.current.store(Some(Arc::new(identity)));
                tracing::info!(cert = %pem::origin(&configured.cert), "reloaded the client certificate");
            }
            Err(err) => {
                tracing::warn!(error = %crate::error_chain(&err), "could not reload the client certificate; keeping the last good one");
            }
        }
    }
}

fn stamp(material: &Material) -> Option<FileStamp> {
    match material {
        Material::File(path) => FileStamp::of(path),
        Material::Inline(_) => None,
    }
}

fn load(
    cert: &Material,
    key: &Material,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, PemError> {
    let cert_pem = pem::read(cert, "client certificate")?;
    let key_pem = kubeset_config::Secret::new(pem::read(key, "client key")?);
    certified_key(
        &cert_pem,
        &pem::origin(cert),
        key_pem.expose(),
        &pem::origin(key),
        provider,
    )
}

impl ResolvesClientCert for ClientIdentity {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.refresh();
        self.current.load_full()
    }

    fn has_certs(&self) -> bool {
        // An exec plugin may fill the slot later, so always offer to look.
        true
    }
}
