//! The admin kubeconfig (embedded CA, client certificate and key).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::pki::ClientCert;

/// A kubeconfig for `server` authenticating with the client certificate.
pub(crate) fn render(server: &str, ca_pem: &str, cert: &ClientCert, user: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: kubeset-testserver\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\ncontexts:\n- name: kubeset-testserver\n  context:\n    cluster: kubeset-testserver\n    user: {user}\n    namespace: default\ncurrent-context: kubeset-testserver\nusers:\n- name: {user}\n  user:\n    client-certificate-data: {crt}\n    client-key-data: {key}\npreferences: {{}}\n",
        ca = STANDARD.encode(ca_pem),
        crt = STANDARD.encode(&cert.cert_pem),
        key = STANDARD.encode(cert.key_pem.expose()),
    )
}
