//! Server verification: the configured CA bundle (re-read when its file changes), or the
//! platform roots; and the dangerous verifier that accepts anything.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use kubeset_config::Material;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::error::PemError;
use crate::pem::{self, FileStamp};

/// Where the trust roots come from.
#[derive(Debug, Clone)]
enum RootSource {
    /// The operating system's store (or the bundled Mozilla roots when it is empty).
    Platform,
    /// Inline PEM.
    Inline(kubeset_config::Secret<Vec<u8>>),
    /// A PEM file, re-read when it changes.
    File(PathBuf),
}

/// The loaded state: the verifier to delegate to and what the file looked like.
struct Loaded {
    verifier: Arc<WebPkiServerVerifier>,
    stamp: Option<FileStamp>,
}

/// A server certificate verifier whose CA bundle follows its file.
///
/// Each new TLS handshake stats the CA file (cheap; handshakes are rare with pooled HTTP/2
/// connections); when it changed, the bundle is re-read. A bundle that fails to load keeps the
/// last good one and is remembered, so an "unknown CA" failure can say why.
pub(crate) struct ReloadingRoots {
    source: RootSource,
    provider: Arc<CryptoProvider>,
    loaded: ArcSwap<Loaded>,
    /// Why the configured CA could not be used (last reload failure, or the config's note).
    problem: Mutex<Option<String>>,
    reload: Mutex<()>,
}

impl std::fmt::Debug for ReloadingRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReloadingRoots")
            .field("trusted", &self.describe())
            .finish_non_exhaustive()
    }
}

impl ReloadingRoots {
    /// Loads the roots named by the config; a CA that cannot be loaded is an error now.
    pub(crate) fn new(
        material: Option<&Material>,
        config_problem: Option<&str>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, PemError> {
        let source = match material {
            None => RootSource::Platform,
            Some(Material::Inline(bytes)) => RootSource::Inline(bytes.clone()),
            Some(Material::File(path)) => RootSource::File(path.clone()),
        };
        let (verifier, stamp) = load(&source, &provider)?;
        Ok(Self {
            source,
            provider,
            loaded: ArcSwap::from_pointee(Loaded { verifier, stamp }),
            problem: Mutex::new(config_problem.map(str::to_owned)),
            reload: Mutex::new(()),
        })
    }

    /// What is trusted, for messages: `CA file /x`, `inline CA data` or `the platform roots`.
    pub(crate) fn describe(&self) -> String {
        match &self.source {
            RootSource::Platform => String::from("the platform roots"),
            RootSource::Inline(_) => String::from("inline CA data"),
            RootSource::File(path) => format!("CA file {}", path.display()),
        }
    }

    /// Why the configured CA could not be used, if it could not.
    pub(crate) fn problem(&self) -> Option<String> {
        self.problem.lock().ok().and_then(|p| p.clone())
    }

    /// The verifier for the next handshake, re-reading the CA file first if it changed.
    fn current(&self) -> Arc<WebPkiServerVerifier> {
        if let RootSource::File(path) = &self.source {
            let stamp = FileStamp::of(path);
            if stamp != self.loaded.load().stamp {
                self.reload(path, stamp);
            }
        }
        self.loaded.load().verifier.clone()
    }

    fn reload(&self, path: &std::path::Path, stamp: Option<FileStamp>) {
        let Ok(_guard) = self.reload.lock() else {
            return;
        };
        if stamp == self.loaded.load().stamp {
            return;
        }
        match load(&self.source, &self.provider) {
            Ok((verifier, stamp)) => {
                self.loaded.store(Arc::new(Loaded { verifier, stamp }));
                if let Ok(mut problem) = self.problem.lock() {
                    *problem = None;
                }
                tracing::info!(path = %path.display(), "reloaded the cluster CA bundle");
                metrics::counter!("kubeset_ca_reloads_total", "result" => "success").increment(1);
            }
            Err(err) => {
                let text = crate::error_chain(&err);
                tracing::warn!(path = %path.display(), error = %text, "could not reload the cluster CA bundle; keeping the last good one");
                metrics::counter!("kubeset_ca_reloads_total", "result" => "error").increment(1);
                if let Ok(mut problem) = self.problem.lock() {
                    *problem = Some(text);
                }
                // Remember the stamp so a broken file is not re-read on every handshake.
                let verifier = self.loaded.load().verifier.clone();
                self.loaded.store(Arc::new(Loaded { verifier, stamp }));
            }
        }
    }
}

fn load(
    source: &RootSource,
    provider: &Arc<CryptoProvider>,
) -> Result<(Arc<WebPkiServerVerifier>, Option<FileStamp>), PemError> {
    let mut store = RootCertStore::empty();
    let stamp = match source {
        RootSource::Platform => {
            add_platform_roots(&mut store);
            None
        }
        RootSource::Inline(bytes) => {
            add_pem(&mut store, bytes.expose(), "inline data")?;
            None
        }
        RootSource::File(path) => {
            let stamp = FileStamp::of(path);
            let bytes = pem::read(&Material::File(path.clone()), "CA certificate")?;
            add_pem(&mut store, &bytes, &path.display().to_string())?;
            stamp
        }
    };
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
        .build()
        .map_err(|err| PemError::BadCa {
            origin: String::from("the trust store"),
            source: rustls::Error::General(err.to_string()),
        })?;
    Ok((verifier, stamp))
}

fn add_pem(store: &mut RootCertStore, pem: &[u8], origin: &str) -> Result<(), PemError> {
    for cert in pem::parse_certs(pem, "CA certificate", origin)? {
        store.add(cert).map_err(|source| PemError::BadCa {
            origin: origin.to_owned(),
            source,
        })?;
    }
    Ok(())
}

fn add_platform_roots(store: &mut RootCertStore) {
    let found = rustls_native_certs::load_native_certs();
    for err in &found.errors {
        tracing::debug!(error = %err, "skipping a platform root certificate source");
    }
    let (added, _ignored) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        tracing::debug!("no platform root certificates found; using the bundled Mozilla roots");
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
}

impl ServerCertVerifier for ReloadingRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.current().verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current().verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current().verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.loaded.load().verifier.supported_verify_schemes()
    }
}

/// Accepts any server certificate (`insecure-skip-tls-verify`), still checking that the server
/// holds the key of the certificate it sent.
#[derive(Debug)]
pub(crate) struct DangerAcceptAnyServerCert {
    provider: Arc<CryptoProvider>,
}

impl DangerAcceptAnyServerCert {
    pub(crate) fn new(provider: Arc<CryptoProvider>) -> Self {
        Self { provider }
    }
}

impl ServerCertVerifier for DangerAcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
