//! The client certificate presented in TLS handshakes: from the config (files re-read when they
//! change) or from an exec plugin (replaced in place when the plugin runs again).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use kubeset_config::Material;
use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;

use crate::error::PemError;
use crate::pem::{self, FileStamp};

/// The client identity in use, swappable while connections are open (exec plugins and file
/// reloads write here); its generation tells the pool when connections must be replaced.
#[derive(Clone, Default)]
pub(crate) struct IdentitySlot(Arc<SlotInner>);

#[derive(Default)]
struct SlotInner {
    key: ArcSwapOption<CertifiedKey>,
    generation: AtomicU64,
}

impl IdentitySlot {
    /// Publishes a new identity; connections made with the old one should be retired.
    pub(crate) fn store(&self, key: CertifiedKey) {
        self.0.key.store(Some(Arc::new(key)));
        self.0.generation.fetch_add(1, Ordering::Release);
    }

    fn load_full(&self) -> Option<Arc<CertifiedKey>> {
        self.0.key.load_full()
    }

    /// Increases whenever the identity changes.
    pub(crate) fn generation(&self) -> u64 {
        self.0.generation.load(Ordering::Acquire)
    }
}

/// How often [`ClientIdentity::check`] stats the certificate files from the request path.
const CHECK_EVERY: Duration = Duration::from_secs(10);

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
    checked: Mutex<Instant>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("configured", &self.configured.is_some())
            .field("loaded", &self.current.load_full().is_some())
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
                slot.store(identity);
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
            checked: Mutex::new(Instant::now()),
        })
    }

    /// The identity's generation, after re-reading the configured files if they changed and
    /// were last checked more than a few seconds ago. Cheap: called for every request.
    pub(crate) fn check(&self) -> u64 {
        if self.configured.is_some()
            && let Ok(mut checked) = self.checked.try_lock()
            && checked.elapsed() >= CHECK_EVERY
        {
            *checked = Instant::now();
            drop(checked);
            self.refresh();
        }
        self.current.generation()
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
                self.current.store(identity);
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
