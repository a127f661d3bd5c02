//! In-cluster configuration, as client-go's `rest.InClusterConfig()`.
//!
//! The pure core ([`server_url`], [`InCluster::into_config`]) does no I/O; [`load`] and
//! [`load_from`] read the environment and the ServiceAccount directory.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::{BearerToken, Config, Material};
use crate::error::InClusterError;
use crate::provenance::{REDACTED, Source};
use crate::{Env, ProcessEnv, Secret};

/// Where the ServiceAccount volume is mounted in a pod.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// The API server host variable the kubelet injects.
pub const HOST_ENV: &str = "KUBERNETES_SERVICE_HOST";
/// The API server port variable the kubelet injects.
pub const PORT_ENV: &str = "KUBERNETES_SERVICE_PORT";
/// Overrides the namespace file, as clientcmd does.
pub const NAMESPACE_ENV: &str = "POD_NAMESPACE";

/// `https://host:port`, with an IPv6 host in brackets.
///
/// ```
/// use kubeset_config::incluster::server_url;
///
/// assert_eq!(server_url("10.96.0.1", "443").unwrap().to_string(), "https://10.96.0.1:443/");
/// assert_eq!(server_url("fd00::1", "443").unwrap().to_string(), "https://[fd00::1]:443/");
/// ```
pub fn server_url(host: &str, port: &str) -> Result<http::Uri, InClusterError> {
    let invalid = || InClusterError::InvalidAddress {
        host: host.to_string(),
        port: port.to_string(),
    };
    if port.parse::<u16>().is_err() {
        return Err(invalid());
    }
    let host_part = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let uri: http::Uri = format!("https://{host_part}:{port}/")
        .parse()
        .map_err(|_| invalid())?;
    // A host with a path, query or user info in it is not a host.
    if uri.path() != "/"
        || uri.query().is_some()
        || uri.authority().is_some_and(|a| a.as_str().contains('@'))
    {
        return Err(invalid());
    }
    Ok(uri)
}

/// The inputs of in-cluster configuration, already read: the pure core.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct InCluster {
    /// `KUBERNETES_SERVICE_HOST`.
    pub host: Option<String>,
    /// `KUBERNETES_SERVICE_PORT`.
    pub port: Option<String>,
    /// `POD_NAMESPACE`.
    pub pod_namespace: Option<String>,
    /// The ServiceAccount directory.
    pub dir: PathBuf,
    /// The content of `token` (redacted in `Debug`), or why it could not be read.
    pub token: Option<Result<Secret<String>, io::ErrorKind>>,
    /// The content of `ca.crt`, or why it could not be read.
    pub ca: Option<Result<Vec<u8>, io::ErrorKind>>,
    /// The content of `namespace`, when the file exists.
    pub namespace: Option<String>,
}

impl InCluster {
    /// Builds the configuration from already-read inputs (no I/O).
    pub fn into_config(self) -> Result<Config, InClusterError> {
        let host = self.host.filter(|h| !h.is_empty());
        let port = self.port.filter(|p| !p.is_empty());
        let (host, port) = match (host, port) {
            (Some(host), Some(port)) => (host, port),
            (None, Some(_)) => return Err(InClusterError::NotInCluster { missing: HOST_ENV }),
            (Some(_), None) => return Err(InClusterError::NotInCluster { missing: PORT_ENV }),
            (None, None) => {
                return Err(InClusterError::NotInCluster {
                    missing: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT",
                });
            }
        };
        let url = server_url(&host, &port)?;
        let token_path = self.dir.join("token");
        let token = match self.token {
            Some(Ok(token)) => token.expose().trim().to_owned(),
            Some(Err(kind)) => {
                return Err(InClusterError::TokenRead {
                    path: token_path,
                    source: kind.into(),
                });
            }
            None => {
                return Err(InClusterError::TokenRead {
                    path: token_path,
                    source: io::ErrorKind::NotFound.into(),
                });
            }
        };
        if token.is_empty() {
            return Err(InClusterError::TokenEmpty { path: token_path });
        }

        let mut config = Config::new(url.clone());
        config.provenance.record(
            "server",
            url.to_string(),
            Source::EnvVar {
                name: "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT",
            },
        );
        config.provenance.record(
            "token",
            format!("{REDACTED} (re-read when it rotates)"),
            Source::File {
                path: token_path.clone(),
            },
        );
        config.auth.bearer = Some(BearerToken::File {
            path: token_path,
            initial: Some(Secret::new(token)),
        });

        let ca_path = self.dir.join("ca.crt");
        match self.ca.map(|ca| ca.map(|bytes| check_pem_certs(&bytes))) {
            Some(Ok(Ok(()))) => {
                config.provenance.record(
                    "certificate-authority",
                    ca_path.display().to_string(),
                    Source::File {
                        path: ca_path.clone(),
                    },
                );
                config.tls.root_certs = Some(Material::File(ca_path));
            }
            other => {
                let problem = match other {
                    Some(Ok(Err(problem))) => problem,
                    Some(Err(kind)) => io::Error::from(kind).to_string(),
                    _ => String::from("file not found"),
                };
                // client-go logs this and goes on with the platform roots.
                tracing::warn!(path = %ca_path.display(), %problem, "cannot load in-cluster CA bundle; using platform roots");
                let problem = format!("cannot use CA bundle {}: {problem}", ca_path.display());
                config.provenance.record(
                    "certificate-authority",
                    format!("platform roots ({problem})"),
                    Source::File { path: ca_path },
                );
                config.tls.root_certs_problem = Some(problem);
            }
        }

        let namespace_path = self.dir.join("namespace");
        let (namespace, source) = match (
            self.pod_namespace.filter(|ns| !ns.is_empty()),
            self.namespace
                .map(|ns| ns.trim().to_string())
                .filter(|ns| !ns.is_empty()),
        ) {
            (Some(ns), _) => (
                ns,
                Source::EnvVar {
                    name: NAMESPACE_ENV,
                },
            ),
            (None, Some(ns)) => (
                ns,
                Source::File {
                    path: namespace_path,
                },
            ),
            (None, None) => (String::from("default"), Source::Default),
        };
        config.default_namespace = namespace.clone();
        config.provenance.record("namespace", namespace, source);
        Ok(config)
    }
}

/// Checks that `bytes` hold at least one PEM certificate (what client-go's `certutil.NewPool`
/// needs); the DER inside is checked later, when the TLS client is built.
fn check_pem_certs(bytes: &[u8]) -> Result<(), String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(bytes) {
        cert.map_err(|error| format!("invalid PEM: {error}"))?;
        count += 1;
    }
    if count == 0 {
        return Err(String::from("no PEM certificate found"));
    }
    Ok(())
}

/// In-cluster configuration from the process environment and the standard ServiceAccount
/// directory.
///
/// ```no_run
/// let config = kubeset_config::incluster::load()?;
/// println!("{} in namespace {}", config.cluster_url, config.default_namespace);
/// # Ok::<(), kubeset_config::InClusterError>(())
/// ```
pub fn load() -> Result<Config, InClusterError> {
    load_from(&ProcessEnv, Path::new(SERVICE_ACCOUNT_DIR))
}

/// In-cluster configuration from `env` and the ServiceAccount files under `dir` (for tests
/// and non-standard mounts).
pub fn load_from(env: &dyn Env, dir: &Path) -> Result<Config, InClusterError> {
    let host = env.non_empty(HOST_ENV);
    let port = env.non_empty(PORT_ENV);
    let mut inputs = InCluster {
        host,
        port,
        pod_namespace: env.non_empty(NAMESPACE_ENV),
        dir: dir.to_path_buf(),
        ..InCluster::default()
    };
    // Check the environment before touching files, so "not in a cluster" stays cheap and
    // distinct from "cannot read the token".
    if inputs.host.is_none() || inputs.port.is_none() {
        return inputs.into_config();
    }
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|error| error.kind());
    inputs.token =
        Some(read("token").map(|bytes| Secret::new(String::from_utf8_lossy(&bytes).into_owned())));
    inputs.ca = Some(read("ca.crt"));
    let namespace_path = dir.join("namespace");
    inputs.namespace = match std::fs::read(&namespace_path) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            // A namespace file that exists but cannot be read is worth saying out loud.
            if inputs.pod_namespace.is_none() {
                return Err(InClusterError::NamespaceRead {
                    path: namespace_path,
                    source,
                });
            }
            None
        }
    };
    inputs.into_config()
}
