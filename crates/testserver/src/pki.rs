//! The server's certificate authority, serving certificate and client certificates.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::Secret;
use crate::error::Error;

/// A client certificate and its key, PEM encoded.
#[derive(Debug, Clone)]
pub struct ClientCert {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// The private key (PKCS#8 PEM).
    pub key_pem: Secret,
}

/// The CA, the serving certificate and an issuer for client certificates.
pub(crate) struct Pki {
    pub(crate) ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    serving_der: CertificateDer<'static>,
    serving_key: Vec<u8>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

fn pki_err(what: &'static str) -> impl FnOnce(rcgen::Error) -> Error {
    move |source| Error::Certificate { what, source }
}

impl Pki {
    /// Generates a fresh CA and a serving certificate for loopback and the in-cluster names.
    pub(crate) fn generate() -> Result<Self, Error> {
        let ca_key = KeyPair::generate().map_err(pki_err("CA key"))?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(pki_err("CA"))?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name = DistinguishedName::new();
        ca.distinguished_name
            .push(DnType::CommonName, "kubeset-testserver-ca");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(pki_err("CA"))?;
        let issuer = Issuer::new(ca, ca_key);

        let names = [
            "localhost",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
        ];
        let mut serving =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .map_err(pki_err("serving certificate"))?;
        serving
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        serving
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        serving.distinguished_name = DistinguishedName::new();
        serving
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let serving_key = KeyPair::generate().map_err(pki_err("serving key"))?;
        let serving_cert = serving
            .signed_by(&serving_key, &issuer)
            .map_err(pki_err("serving certificate"))?;
        Ok(Pki {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().clone(),
            issuer,
            serving_der: serving_cert.der().clone(),
            serving_key: serving_key.serialize_der(),
        })
    }

    /// The CA certificate (DER).
    pub(crate) fn ca_der(&self) -> &CertificateDer<'static> {
        &self.ca_der
    }

    /// Issues a client certificate for `CN=user, O=groups...`.
    pub(crate) fn client_cert(&self, user: &str, groups: &[&str]) -> Result<ClientCert, Error> {
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(pki_err("client certificate"))?;
        params.distinguished_name = DistinguishedName::new();
        for g in groups {
            params.distinguished_name.push(DnType::OrganizationName, *g);
        }
        params.distinguished_name.push(DnType::CommonName, user);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().map_err(pki_err("client key"))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(pki_err("client certificate"))?;
        Ok(ClientCert {
            cert_pem: cert.pem(),
            key_pem: Secret::new(key.serialize_pem()),
        })
    }

    /// The rustls server configuration: HTTP/2 and HTTP/1.1, optional client certificates.
    pub(crate) fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, Error> {
        self.server_config_trusting(&[])
    }

    /// [`Pki::server_config`], also accepting client certificates of `client_cas` (the CAs
    /// served before a rotation).
    #[allow(
        deprecated,
        reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
    )]
    pub(crate) fn server_config_trusting(
        &self,
        client_cas: &[CertificateDer<'static>],
    ) -> Result<Arc<rustls::ServerConfig>, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for ca in std::iter::once(&self.ca_der).chain(client_cas) {
            roots
                .add(ca.clone())
                .map_err(|source| Error::Tls { what: "CA", source })?;
        }
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .allow_unauthenticated()
        .build()
        .map_err(|e| Error::Tls {
            what: "client verifier",
            source: rustls::Error::General(e.to_string()),
        })?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.serving_key.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|source| Error::Tls {
                what: "protocol versions",
                source,
            })?
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![self.serving_der.clone()], key)
            .map_err(|source| Error::Tls {
                what: "serving certificate",
                source,
            })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The subject of a verified client certificate: (common name, organizations).
pub(crate) fn subject_of(der: &[u8]) -> Option<(String, Vec<String>)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject();
    let cn = subject.iter_common_name().next()?.as_str().ok()?.to_owned();
    let orgs = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_owned))
        .collect();
    Some((cn, orgs))
}
