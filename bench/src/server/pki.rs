//! A fresh CA and a serving certificate for 127.0.0.1, and the kubeconfig that trusts it.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The bearer token the server accepts.
pub const TOKEN: &str = "kubeset-bench-token-4f9c2a7e1b3d5f8a";

/// The CA (PEM) clients trust and the server's TLS configuration.
pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Pki {
    /// A CA and a serving certificate for 127.0.0.1 and localhost, offering h2 and http/1.1.
    pub fn generate() -> Result<Self, BoxError> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name = DistinguishedName::new();
        ca.distinguished_name
            .push(DnType::CommonName, "kubeset-bench-ca");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);

        let mut serving = CertificateParams::new(vec!["localhost".to_string()])?;
        serving
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        serving.distinguished_name = DistinguishedName::new();
        serving
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        let serving_key = KeyPair::generate()?;
        let serving_cert = serving.signed_by(&serving_key, &issuer)?;

        #[allow(
            deprecated,
            reason = "ring, as kubeset and kube-rs use it; deprecated only for lacking post-quantum kx"
        )]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(serving_key.serialize_der()));
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![CertificateDer::from(serving_cert.der().to_vec())], key)?;
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Pki {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        })
    }

    /// A kubeconfig for `https://127.0.0.1:{port}` with the bearer token.
    pub fn kubeconfig(&self, port: u16) -> String {
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: https://127.0.0.1:{port}\n    certificate-authority-data: {ca}\nusers:\n- name: bench\n  user:\n    token: {TOKEN}\ncontexts:\n- name: bench\n  context:\n    cluster: bench\n    user: bench\n    namespace: {ns}\ncurrent-context: bench\n",
            ns = crate::pods::NAMESPACE
        )
    }
}
