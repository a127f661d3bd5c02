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
///
/// The directory is laid out as the kubelet writes a projected volume: `token`, `ca.crt` and
/// `namespace` are symlinks into `..data`, itself a symlink to the current version's
/// directory, swapped atomically on each rotation.
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
    ca_pem: String,
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

    /// Mints a new token and swaps it in atomically, as the kubelet rotates it (a new
    /// version of the files behind the `..data` symlink).
    ///
    /// # Errors
    /// The files cannot be written.
    pub fn rotate_token(&mut self) -> Result<(), Error> {
        self.token = token(&self.app, &self.namespace, &self.name, &self.uid);
        self.app.faults.count_token_rotation();
        self.write()
    }

    /// Replaces `ca.crt` with `pem` atomically, as the kubelet updates the projected
    /// `kube-root-ca.crt` (e.g. with the bundle of a CA rotation,
    /// [`FaultInjector::stage_ca`](crate::FaultInjector::stage_ca)).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// let mut env = server.service_account_env("default", "default").await?;
    /// env.write_ca(&server.faults().stage_ca()?)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The files cannot be written.
    pub fn write_ca(&mut self, pem: &str) -> Result<(), Error> {
        pem.clone_into(&mut self.ca_pem);
        self.write()
    }

    fn write(&self) -> Result<(), Error> {
        write_files(
            self.dir.path(),
            self.token.expose(),
            &self.ca_pem,
            &self.namespace,
        )
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

fn write_files(dir: &Path, token: &str, ca_pem: &str, namespace: &str) -> Result<(), Error> {
    let files: [(&str, &[u8]); 3] = [
        ("token", token.as_bytes()),
        ("ca.crt", ca_pem.as_bytes()),
        ("namespace", namespace.as_bytes()),
    ];
    crate::faults::write_projected(dir, &files).map_err(|source| Error::Write {
        path: dir.to_owned(),
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
    write_files(dir.path(), token.expose(), &app.pki.ca_pem, namespace)?;
    Ok(ServiceAccountEnv {
        dir,
        host: addr.ip().to_string(),
        port: addr.port().to_string(),
        token,
        app: app.clone(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        uid,
        ca_pem: app.pki.ca_pem.clone(),
    })
}
