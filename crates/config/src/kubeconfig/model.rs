//! The kubeconfig data model after loading: clientcmd's `api.Config`.
//!
//! Names are map keys (sorted, as kubectl prints them). As in clientcmd, an empty string or
//! an empty list means "not set": `token: ""` and no `token` are the same thing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::Secret;

/// Extensions (`extensions: [{name, extension}]`), kept as JSON values by name.
pub type Extensions = BTreeMap<String, serde_json::Value>;

/// A loaded (and possibly merged) kubeconfig.
///
/// ```
/// use kubeset_config::kubeconfig::Kubeconfig;
///
/// let yaml = "current-context: dev\ncontexts:\n- name: dev\n  context: {cluster: c, user: u}\n";
/// let config = Kubeconfig::from_yaml(yaml, "/home/me/.kube/config".as_ref()).unwrap();
/// assert_eq!(config.current_context, "dev");
/// assert_eq!(config.contexts["dev"].cluster, "c");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Kubeconfig {
    /// `preferences`.
    pub preferences: Preferences,
    /// `clusters`, by name.
    pub clusters: BTreeMap<String, Cluster>,
    /// `users`, by name (clientcmd calls them auth infos).
    pub users: BTreeMap<String, AuthInfo>,
    /// `contexts`, by name.
    pub contexts: BTreeMap<String, Context>,
    /// `current-context`; empty when unset.
    pub current_context: String,
    /// The file that set `current-context`; never printed.
    pub current_context_origin: Option<PathBuf>,
    /// Top-level `extensions`.
    pub extensions: Extensions,
    /// The files this was loaded from, in precedence order; never printed.
    pub files: Vec<PathBuf>,
}

/// `preferences`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Preferences {
    /// `colors`.
    pub colors: bool,
    /// `extensions`.
    pub extensions: Extensions,
}

/// `clusters[].cluster`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Cluster {
    /// `server`.
    pub server: String,
    /// `tls-server-name`.
    pub tls_server_name: String,
    /// `insecure-skip-tls-verify`.
    pub insecure_skip_tls_verify: bool,
    /// `certificate-authority`: a path, relative to the file that set it.
    pub certificate_authority: String,
    /// `certificate-authority-data`, base64-decoded.
    pub certificate_authority_data: Vec<u8>,
    /// `proxy-url`.
    pub proxy_url: String,
    /// `disable-compression`.
    pub disable_compression: bool,
    /// `extensions`.
    pub extensions: Extensions,
    /// The file this entry came from (clientcmd's `LocationOfOrigin`); never printed.
    pub origin: Option<PathBuf>,
}

/// `users[].user`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AuthInfo {
    /// `client-certificate`: a path.
    pub client_certificate: String,
    /// `client-certificate-data`, base64-decoded.
    pub client_certificate_data: Vec<u8>,
    /// `client-key`: a path.
    pub client_key: String,
    /// `client-key-data`, base64-decoded.
    pub client_key_data: Secret<Vec<u8>>,
    /// `token`.
    pub token: Secret<String>,
    /// `tokenFile`: a path.
    pub token_file: String,
    /// `as`: the user to impersonate.
    pub impersonate: String,
    /// `as-uid`.
    pub impersonate_uid: String,
    /// `as-groups`.
    pub impersonate_groups: Vec<String>,
    /// `as-user-extra`; a `None` value is an explicit `null` (kubectl prints it back).
    pub impersonate_user_extra: BTreeMap<String, Option<Vec<String>>>,
    /// `username`.
    pub username: String,
    /// `password`.
    pub password: Secret<String>,
    /// `auth-provider`.
    pub auth_provider: Option<AuthProviderConfig>,
    /// `exec`.
    pub exec: Option<ExecSpec>,
    /// `extensions`.
    pub extensions: Extensions,
    /// The file this entry came from; never printed.
    pub origin: Option<PathBuf>,
}

/// `users[].user.auth-provider`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AuthProviderConfig {
    /// `name`.
    pub name: String,
    /// `config`; `None` when absent (kubectl prints `null`). Values may be secrets.
    pub config: Option<Secret<BTreeMap<String, String>>>,
}

/// `users[].user.exec`, as written (validated only when a client is built).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ExecSpec {
    /// `command`.
    pub command: String,
    /// `args`; `None` when absent (kubectl prints `null`).
    pub args: Option<Vec<String>>,
    /// `env`; `None` when absent.
    pub env: Option<Vec<ExecEnvVar>>,
    /// `apiVersion`.
    pub api_version: String,
    /// `installHint`.
    pub install_hint: String,
    /// `provideClusterInfo`.
    pub provide_cluster_info: bool,
    /// `interactiveMode` as written (`Never`, `IfAvailable`, `Always`, or empty).
    pub interactive_mode: String,
}

/// One `exec.env` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecEnvVar {
    /// `name`.
    pub name: String,
    /// `value`.
    pub value: String,
}

/// `contexts[].context`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Context {
    /// `cluster`: the cluster entry's name.
    pub cluster: String,
    /// `user`: the user entry's name.
    pub user: String,
    /// `namespace`.
    pub namespace: String,
    /// `extensions`.
    pub extensions: Extensions,
    /// The file this entry came from; never printed.
    pub origin: Option<PathBuf>,
}
