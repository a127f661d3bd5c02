//! TLS: a rustls client configuration on the `ring` provider (never a process-global provider),
//! built from the config's [`TlsConfig`], plus the translation of handshake failures into
//! [`TlsFailure`]s a user can act on.

mod client_cert;
mod roots;

use std::sync::Arc;

use kubeset_config::TlsConfig;
use rustls::ClientConfig;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;

pub(crate) use client_cert::{ClientIdentity, IdentitySlot, certified_key};
use roots::{DangerAcceptAnyServerCert, ReloadingRoots};

use crate::error::{Error, TlsFailure};

/// The `ring` crypto provider, built per client rather than installed globally.
///
/// rustls 0.23.48 deprecated this constructor because ring has no post-quantum key exchange
/// (X25519MLKEM768). The workspace stays on ring by policy; kube-apiserver still offers the
/// classical groups (X25519, P-256, P-384), which are what this client negotiates.
#[allow(
    deprecated,
    reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
)]
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A built TLS configuration and what it needs to explain failures.
#[derive(Debug, Clone)]
pub(crate) struct Tls {
    /// The rustls configuration (ALPN is set by the connector).
    pub(crate) config: ClientConfig,
    /// The reloading trust roots, unless verification is disabled.
    roots: Option<Arc<ReloadingRoots>>,
    /// The client certificate resolver (also asked by the pool whether to reconnect).
    pub(crate) identity: Arc<ClientIdentity>,
}

impl Tls {
    /// Builds the rustls configuration for `tls`; `identity` is shared with any exec plugin.
    pub(crate) fn new(tls: &TlsConfig, identity: IdentitySlot) -> Result<Self, Error> {
        let provider = provider();
        let (verifier, roots): (Arc<dyn ServerCertVerifier>, _) = if tls.danger_accept_invalid_certs
        {
            tracing::warn!(
                "insecure-skip-tls-verify is set: the API server's certificate is NOT verified, so \
                 anyone on the network path can impersonate it"
            );
            (
                Arc::new(DangerAcceptAnyServerCert::new(provider.clone())),
                None,
            )
        } else {
            let roots = Arc::new(ReloadingRoots::new(
                tls.root_certs.as_ref(),
                tls.root_certs_problem.as_deref(),
                provider.clone(),
            )?);
            (roots.clone(), Some(roots))
        };
        let identity = Arc::new(ClientIdentity::new(
            tls.client_cert.as_ref(),
            tls.client_key.as_ref(),
            identity,
            provider.clone(),
        )?);
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|source| Error::Tls { source })?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_cert_resolver(identity.clone());
        Ok(Self {
            config,
            roots,
            identity,
        })
    }

    /// Explains a handshake failure.
    pub(crate) fn explain(&self, err: &rustls::Error) -> TlsFailure {
        use rustls::CertificateError as C;
        match err {
            rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
                TlsFailure::UnknownCa {
                    trusted: self
                        .roots
                        .as_ref()
                        .map_or_else(|| String::from("anything"), |r| r.describe()),
                    ca_problem: self.roots.as_ref().and_then(|r| r.problem()),
                }
            }
            rustls::Error::InvalidCertificate(C::NotValidForNameContext {
                expected,
                presented,
            }) => TlsFailure::NameMismatch {
                expected: server_name_text(expected),
                presented: presented.iter().map(|p| unwrap_debug(p)).collect(),
            },
            rustls::Error::InvalidCertificate(C::NotValidForName) => TlsFailure::NameMismatch {
                expected: String::from("the requested host"),
                presented: Vec::new(),
            },
            rustls::Error::InvalidCertificate(C::ExpiredContext { not_after, .. }) => {
                TlsFailure::Expired {
                    not_after: Some(not_after.as_secs()),
                }
            }
            rustls::Error::InvalidCertificate(C::Expired) => {
                TlsFailure::Expired { not_after: None }
            }
            rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
                TlsFailure::NotYetValid
            }
            rustls::Error::PeerIncompatible(
                rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13,
            )
            | rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion) => {
                TlsFailure::OldProtocol
            }
            rustls::Error::AlertReceived(alert) => {
                use rustls::AlertDescription as A;
                match alert {
                    A::BadCertificate
                    | A::CertificateRequired
                    | A::UnknownCA
                    | A::CertificateExpired
                    | A::CertificateUnknown
                    | A::AccessDenied
                    | A::DecryptError => TlsFailure::ClientCertRejected {
                        alert: format!("{alert:?}"),
                    },
                    other => TlsFailure::Other {
                        detail: format!("the server sent the TLS alert {other:?}"),
                    },
                }
            }
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                TlsFailure::NotTls
            }
            other => TlsFailure::Other {
                detail: other.to_string(),
            },
        }
    }
}

fn server_name_text(name: &rustls_pki_types::ServerName<'_>) -> String {
    match name {
        rustls_pki_types::ServerName::DnsName(dns) => dns.as_ref().to_owned(),
        rustls_pki_types::ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// `DnsName("x")` (how rustls lists presented names) as `x`.
fn unwrap_debug(text: &str) -> String {
    text.split_once("(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .unwrap_or(text)
        .to_owned()
}

/// Finds a rustls error in `err`'s source chain, looking inside `io::Error`s too.
pub(crate) fn find_rustls_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // `io::Error::source` skips the wrapped error itself, so step into it explicitly.
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}
