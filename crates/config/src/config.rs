//! The resolved client configuration: what the transport needs to reach one API server.
//!
//! This is the contract between `kubeset-config` (which produces it from in-cluster files or
//! kubeconfig) and `kubeset-transport` (which consumes it). Fields may be added; renaming one
//! is a breaking change for the transport.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::Secret;
use crate::provenance::Provenance;

/// A fully resolved configuration for one API server and one identity.
///
/// Equivalent to client-go's `rest.Config`. Build one with `Config::infer`, the in-cluster
/// loader or the kubeconfig loader, or by hand with [`Config::new`].
///
/// ```
/// use kubeset_config::Config;
///
/// let config = Config::new("https://127.0.0.1:6443".parse().unwrap());
/// assert_eq!(config.default_namespace, "default");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// The API server's base URL (`https://host:port`, possibly with a path prefix).
    pub cluster_url: http::Uri,
    /// The namespace namespaced requests use when the caller names none.
    pub default_namespace: String,
    /// How the server is verified and how the client proves its identity over TLS.
    pub tls: TlsConfig,
    /// Credentials sent in HTTP headers.
    pub auth: AuthConfig,
    /// Impersonation headers (`Impersonate-User`, `-Group`, `-Uid`, `-Extra-*`).
    pub impersonate: Impersonation,
    /// Proxy for every request (`proxy-url`); `None` means the environment decides
    /// (`HTTPS_PROXY`/`NO_PROXY`).
    pub proxy_url: Option<http::Uri>,
    /// Do not ask for compressed responses (`disable-compression`).
    pub disable_compression: bool,
    /// Where each value came from (file, entry, environment variable, override), with
    /// secrets redacted.
    pub provenance: Provenance,
}

impl Config {
    /// A configuration for `cluster_url` with no credentials, platform trust roots and the
    /// `default` namespace.
    pub fn new(cluster_url: http::Uri) -> Self {
        Self {
            cluster_url,
            default_namespace: String::from("default"),
            tls: TlsConfig::default(),
            auth: AuthConfig::default(),
            impersonate: Impersonation::default(),
            proxy_url: None,
            disable_compression: false,
            provenance: Provenance::default(),
        }
    }
}

/// Where a piece of PEM or token material lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Material {
    /// Read from this file (and re-read when it changes).
    File(PathBuf),
    /// Given inline (`*-data` fields), already base64-decoded. Redacted in `Debug`.
    Inline(Secret<Vec<u8>>),
}

impl Material {
    /// The bytes: read from the file now, or the inline data.
    ///
    /// ```
    /// use kubeset_config::{Material, Secret};
    ///
    /// let inline = Material::Inline(Secret::new(b"PEM".to_vec()));
    /// assert_eq!(inline.read().unwrap().expose(), b"PEM");
    /// assert!(Material::File("/nonexistent/ca.crt".into()).read().is_err());
    /// ```
    pub fn read(&self) -> std::io::Result<Secret<Vec<u8>>> {
        match self {
            Material::File(path) => std::fs::read(path).map(Secret::new),
            Material::Inline(data) => Ok(data.clone()),
        }
    }

    /// The file, when the material lives in one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Material::File(path) => Some(path),
            Material::Inline(_) => None,
        }
    }
}

/// TLS settings.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TlsConfig {
    /// CA bundle that verifies the server; `None` means the platform roots.
    pub root_certs: Option<Material>,
    /// Why the CA bundle could not be used when it was loaded, if it could not (client-go only
    /// warns about an unparseable in-cluster `ca.crt`); kept so a later TLS failure can say why.
    pub root_certs_problem: Option<String>,
    /// Name checked against the server certificate instead of the URL's host (`tls-server-name`).
    pub server_name: Option<String>,
    /// Skip server certificate verification (`insecure-skip-tls-verify`). Dangerous.
    pub danger_accept_invalid_certs: bool,
    /// Client certificate chain, PEM (`client-certificate(-data)`).
    pub client_cert: Option<Material>,
    /// Client private key, PEM (`client-key(-data)`).
    pub client_key: Option<Material>,
}

/// Credentials carried in HTTP headers.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AuthConfig {
    /// A bearer token, static or from a file that may rotate.
    pub bearer: Option<BearerToken>,
    /// HTTP basic authentication (old clusters).
    pub basic: Option<BasicAuth>,
    /// An exec credential plugin.
    pub exec: Option<ExecConfig>,
    /// A legacy `auth-provider` entry, parsed and kept (not run).
    pub auth_provider: Option<AuthProvider>,
}

/// A bearer token source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BearerToken {
    /// A fixed token (`token`).
    Static(Secret<String>),
    /// A token file, re-read when it rotates (`tokenFile`, the in-cluster projected token).
    File {
        /// The token file.
        path: PathBuf,
        /// The trimmed token read while resolving the configuration, if it was read.
        initial: Option<Secret<String>>,
    },
}

/// HTTP basic authentication credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicAuth {
    /// User name.
    pub username: String,
    /// Password, redacted in `Debug`.
    pub password: Secret<String>,
}

/// An exec credential plugin (`users[].user.exec`): the one description of a plugin, produced
/// by the kubeconfig loader or built by hand and run by the transport.
///
/// ```
/// use kubeset_config::{ExecConfig, InteractiveMode};
///
/// let mut plugin = ExecConfig::new("client.authentication.k8s.io/v1", "aws");
/// plugin.args = vec!["eks".into(), "get-token".into()];
/// assert_eq!(plugin.interactive_mode, InteractiveMode::IfAvailable);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecConfig {
    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    pub api_version: String,
    /// Command to run; resolved against the kubeconfig's directory when it contains a `/`.
    pub command: String,
    /// Arguments.
    pub args: Vec<String>,
    /// Extra environment variables, in order.
    pub env: Vec<(String, String)>,
    /// Text shown when the command cannot be found.
    pub install_hint: Option<String>,
    /// Pass cluster information in `KUBERNETES_EXEC_INFO`.
    pub provide_cluster_info: bool,
    /// Whether the plugin may use standard input.
    pub interactive_mode: InteractiveMode,
    /// The cluster the plugin authenticates to, as sent in `KUBERNETES_EXEC_INFO`
    /// (`spec.cluster`), when `provide_cluster_info` is set.
    pub cluster: Option<serde_json::Value>,
}

impl ExecConfig {
    /// An exec plugin running `command` with no arguments, speaking `api_version`, given the
    /// terminal when there is one (`interactiveMode: IfAvailable`, kubectl's default).
    pub fn new(api_version: impl Into<String>, command: impl Into<String>) -> Self {
        Self {
            api_version: api_version.into(),
            command: command.into(),
            args: Vec::new(),
            env: Vec::new(),
            install_hint: None,
            provide_cluster_info: false,
            interactive_mode: InteractiveMode::default(),
            cluster: None,
        }
    }
}

/// `exec.interactiveMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InteractiveMode {
    /// Never give the plugin standard input.
    Never,
    /// Give it standard input when there is a terminal.
    #[default]
    IfAvailable,
    /// The plugin needs standard input; fail without a terminal.
    Always,
}

/// A legacy `auth-provider` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthProvider {
    /// Provider name (`oidc`, `gcp`, `azure`, ...).
    pub name: String,
    /// Provider configuration; values may be secrets, so it is redacted in `Debug`.
    pub config: Secret<BTreeMap<String, String>>,
}

/// Impersonation settings; empty means no impersonation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Impersonation {
    /// `Impersonate-User` (`as`).
    pub user: Option<String>,
    /// `Impersonate-Uid` (`as-uid`).
    pub uid: Option<String>,
    /// `Impersonate-Group`, one header per group (`as-groups`).
    pub groups: Vec<String>,
    /// `Impersonate-Extra-<key>` (`as-user-extra`).
    pub extra: BTreeMap<String, Vec<String>>,
}

impl Impersonation {
    /// True when no impersonation header would be sent.
    pub fn is_empty(&self) -> bool {
        self.user.is_none() && self.uid.is_none() && self.groups.is_empty() && self.extra.is_empty()
    }
}
