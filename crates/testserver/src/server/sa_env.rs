//! The files and variables a pod gets for in-cluster configuration.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::Secret;
use crate::api::App;
use crate::auth::ISSUER;
use crate::auth::token::{TokenSpec, mint};
use crate::clock;
use crate::error::Error;
use crate::storage::Key;

/// A ServiceAccount's in-cluster environment: the directory that stands in for
/// `/var/run/secrets/kubernetes.io/serviceaccount` and the two environment variables.
#[derive(Debug)]
pub struct ServiceAccountEnv {
    dir: tempfile::TempDir,
    host: String,
    port: String,
    token: Secret,
    app: Arc<App>,
    namespace: String,
    name: String,
    uid: String,
}

impl ServiceAccountEnv {
    /// The directory holding `token`, `ca.crt` and `namespace`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `KUBERNETES_SERVICE_HOST`.
    pub fn service_host(&self) -> &str {
        &self.host
    }

    /// `KUBERNETES_SERVICE_PORT`.
    pub fn service_port(&self) -> &str {
        &self.port
    }

    /// The current token.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// Mints a new token and replaces the `token` file atomically (as the kubelet rotates it).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn rotate_token(&mut self) -> Result<(), Error> {
        self.token = token(&self.app, &self.namespace, &self.name, &self.uid);
        write_atomic(&self.dir.path().join("token"), self.token.expose())
    }
}

fn token(app: &App, namespace: &str, name: &str, uid: &str) -> Secret {
    let audiences = [ISSUER.to_owned()];
    let spec = TokenSpec {
        namespace,
        name,
        uid,
        audiences: &audiences,
        expiration_seconds: 3607,
        binding: None,
        now: clock::unix_now(),
    };
    Secret::new(mint(&app.signer, &spec).0)
}

fn write_atomic(path: &Path, content: &str) -> Result<(), Error> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content).map_err(|source| Error::Write {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })
}

pub(super) async fn create(
    app: &Arc<App>,
    addr: SocketAddr,
    namespace: &str,
    name: &str,
) -> Result<ServiceAccountEnv, Error> {
    let key = Key::new("/serviceaccounts", namespace, name);
    let mut sa = None;
    for _ in 0..100 {
        if let Some(found) = app.store.get(&key) {
            sa = Some(found);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dir_err = |source| Error::Write {
        path: PathBuf::from(format!("serviceaccount {namespace}/{name}")),
        source,
    };
    let sa = sa.ok_or_else(|| {
        dir_err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "ServiceAccount not found",
        ))
    })?;
    let uid = sa
        .pointer("/metadata/uid")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    let dir = tempfile::tempdir().map_err(dir_err)?;
    let token = token(app, namespace, name, &uid);
    write_atomic(&dir.path().join("token"), token.expose())?;
    write_atomic(&dir.path().join("ca.crt"), &app.pki.ca_pem)?;
    write_atomic(&dir.path().join("namespace"), namespace)?;
    Ok(ServiceAccountEnv {
        dir,
        host: addr.ip().to_string(),
        port: addr.port().to_string(),
        token,
        app: app.clone(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        uid,
    })
}
