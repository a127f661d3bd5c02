//! Error types. Each `Display` says what failed at its own level and names the file, entry or
//! field; the underlying cause is in `source()`.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Which kind of kubeconfig entry an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Section {
    /// `clusters`.
    Cluster,
    /// `users`.
    User,
    /// `contexts`.
    Context,
    /// `extensions`.
    Extension,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Section::Cluster => "cluster",
            Section::User => "user",
            Section::Context => "context",
            Section::Extension => "extension",
        })
    }
}

/// A named kubeconfig entry and the file it came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRef {
    /// The kind of entry.
    pub section: Section,
    /// The entry's name.
    pub name: String,
    /// The file that defined it, when known.
    pub file: Option<PathBuf>,
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.section, self.name)?;
        if let Some(file) = &self.file {
            write!(f, " in {}", file.display())?;
        }
        Ok(())
    }
}

/// Loading or parsing a kubeconfig file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KubeconfigError {
    /// The kubeconfig file given explicitly does not exist.
    #[error("kubeconfig {} does not exist", path.display())]
    NotFound {
        /// The missing file.
        path: PathBuf,
    },
    /// A kubeconfig file exists but could not be read.
    #[error("failed to read kubeconfig {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file is not valid UTF-8.
    #[error("kubeconfig {} is not valid UTF-8", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The YAML is malformed or a field has the wrong type.
    #[error("invalid kubeconfig {}{}: {message}", path.display(), Position(*line, *column))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<u64>,
        /// 1-based column of the problem, when known.
        column: Option<u64>,
        /// What is wrong (never contains the document text around it).
        message: String,
    },
    /// `kind`/`apiVersion` are not `Config`/`v1`.
    #[error("{} is not a kubeconfig: kind {kind:?}, apiVersion {api_version:?} (want Config, v1)", path.display())]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// The `kind` found.
        kind: String,
        /// The `apiVersion` found.
        api_version: String,
    },
    /// Two entries in one file have the same name.
    #[error("duplicate {section} name {name:?} in {}", path.display())]
    DuplicateName {
        /// The file.
        path: PathBuf,
        /// Which list.
        section: Section,
        /// The repeated name.
        name: String,
    },
    /// A `*-data` field is not valid base64.
    #[error("invalid base64 in {field} of {entry}")]
    Base64 {
        /// The entry holding the field.
        entry: EntryRef,
        /// The field (`certificate-authority-data`, ...).
        field: &'static str,
        /// The decoding error.
        #[source]
        source: base64::DecodeError,
    },
}

/// A list of files for messages; "none" when empty.
struct Files<'a>(&'a [PathBuf]);

impl fmt::Display for Files<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no file");
        }
        for (index, file) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", file.display())?;
        }
        Ok(())
    }
}

struct Position(Option<u64>, Option<u64>);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(line), Some(column)) => write!(f, " at line {line} column {column}"),
            (Some(line), None) => write!(f, " at line {line}"),
            _ => Ok(()),
        }
    }
}

/// Turning a kubeconfig into a client [`Config`](crate::Config) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The context named by `--context` or `current-context` does not exist.
    #[error(
        "context {name:?} does not exist (named by {named_by}; kubeconfig: {})",
        Files(files)
    )]
    ContextNotFound {
        /// The missing context.
        name: String,
        /// Where the name came from (`current-context`, `--context`).
        named_by: String,
        /// The kubeconfig files searched.
        files: Vec<PathBuf>,
    },
    /// The cluster named by `--cluster` does not exist.
    #[error(
        "cluster {name:?} does not exist (named by --cluster; kubeconfig: {})",
        Files(files)
    )]
    ClusterNotFound {
        /// The missing cluster.
        name: String,
        /// The kubeconfig files searched.
        files: Vec<PathBuf>,
    },
    /// The user named by `--user` does not exist.
    #[error(
        "user {name:?} does not exist (named by --user; kubeconfig: {})",
        Files(files)
    )]
    UserNotFound {
        /// The missing user.
        name: String,
        /// The kubeconfig files searched.
        files: Vec<PathBuf>,
    },
    /// No server URL: no context, a context naming a missing cluster, or a cluster without
    /// `server`.
    #[error("no server configured: {reason} (kubeconfig: {})", Files(files))]
    NoServer {
        /// Why (which context/cluster was used).
        reason: NoServerReason,
        /// Whether the selected cluster entry exists. When it does not, the configuration is
        /// what client-go calls empty (see [`ResolveError::is_empty_config`]).
        cluster_defined: bool,
        /// The kubeconfig files read.
        files: Vec<PathBuf>,
    },
    /// A URL field does not parse.
    #[error("invalid {field} {value:?} in {entry}")]
    InvalidUrl {
        /// The entry (or the override) holding it.
        entry: String,
        /// The field (`server`, `proxy-url`).
        field: &'static str,
        /// The value.
        value: String,
        /// Why it does not parse.
        #[source]
        source: http::uri::InvalidUri,
    },
    /// A URL has a scheme that cannot be used there.
    #[error("unsupported scheme in {field} {value:?} of {entry}; want {want}")]
    UnsupportedScheme {
        /// The entry holding it.
        entry: String,
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
        /// The schemes allowed.
        want: &'static str,
    },
    /// `certificate-authority(-data)` together with `insecure-skip-tls-verify` (client-go
    /// rejects this).
    #[error("{entry} sets both a certificate authority and insecure-skip-tls-verify; choose one")]
    CaWithInsecure {
        /// The cluster.
        entry: EntryRef,
    },
    /// Basic auth together with a bearer token (client-go rejects this).
    #[error(
        "{entry} sets both a token and username/password; only one authentication method is allowed"
    )]
    TokenWithBasicAuth {
        /// The user.
        entry: EntryRef,
    },
    /// A client certificate without a key, or a key without a certificate.
    #[error("{entry} sets {present} without {missing}")]
    HalfClientCert {
        /// The user.
        entry: EntryRef,
        /// The field that is set.
        present: &'static str,
        /// The field that is missing.
        missing: &'static str,
    },
    /// exec `apiVersion` is not `client.authentication.k8s.io/v1` or `/v1beta1`.
    #[error(
        "exec plugin of {entry} has unsupported apiVersion {api_version:?}; want client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1"
    )]
    ExecApiVersion {
        /// The user.
        entry: EntryRef,
        /// The value found.
        api_version: String,
    },
    /// exec `interactiveMode` is unknown, or missing for `v1`.
    #[error(
        "exec plugin of {entry} has invalid interactiveMode {mode:?}; want Never, IfAvailable or Always"
    )]
    ExecInteractiveMode {
        /// The user.
        entry: EntryRef,
        /// The value found (empty when missing).
        mode: String,
    },
    /// exec together with `auth-provider` (client-go rejects this).
    #[error("{entry} sets both an exec plugin and an auth-provider; choose one")]
    ExecWithAuthProvider {
        /// The user.
        entry: EntryRef,
    },
    /// exec without `command`.
    #[error("exec plugin of {entry} has no command")]
    ExecNoCommand {
        /// The user.
        entry: EntryRef,
    },
    /// A file named by the kubeconfig cannot be read.
    #[error("cannot read {field} {} of {entry}", path.display())]
    File {
        /// The entry naming the file.
        entry: EntryRef,
        /// The field (`certificate-authority`, `client-key`, `tokenFile`, ...).
        field: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

impl ResolveError {
    /// True when the kubeconfig selects no cluster at all (no current context, or a context
    /// whose cluster does not exist) and no `--server` was given: client-go's "empty
    /// config", after which [`Config::infer`](crate::Config::infer) tries in-cluster
    /// configuration, as client-go's deferred loader does.
    pub fn is_empty_config(&self) -> bool {
        matches!(
            self,
            ResolveError::NoServer {
                cluster_defined: false,
                ..
            }
        )
    }
}

/// Why a kubeconfig selects no server ([`ResolveError::NoServer`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoServerReason {
    /// The kubeconfig has no contexts at all and no `current-context`.
    #[error("the kubeconfig has no contexts and no current-context")]
    NoContexts,
    /// There are contexts, but `current-context` is not set and `--context` was not given.
    #[error("current-context is not set")]
    NoCurrentContext,
    /// The selected context has no `cluster`.
    #[error("context {context:?} names no cluster")]
    ContextWithoutCluster {
        /// The context.
        context: String,
    },
    /// The selected context names a cluster entry that does not exist.
    #[error("context {context:?} names cluster {cluster:?}, which does not exist")]
    MissingCluster {
        /// The context.
        context: String,
        /// The missing cluster.
        cluster: String,
    },
    /// The selected cluster entry has no `server`.
    #[error("cluster {cluster:?} has no server")]
    ClusterWithoutServer {
        /// The cluster.
        cluster: String,
    },
}

/// Loading a kubeconfig and resolving it into a [`Config`](crate::Config) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KubeconfigConfigError {
    /// Loading or parsing a file failed.
    #[error("failed to load kubeconfig")]
    Load {
        /// What went wrong.
        #[from]
        source: KubeconfigError,
    },
    /// The loaded kubeconfig does not give a usable configuration.
    #[error("kubeconfig does not give a usable configuration")]
    Resolve {
        /// What went wrong.
        #[from]
        source: ResolveError,
    },
}

/// In-cluster configuration failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InClusterError {
    /// Not running in a pod: `KUBERNETES_SERVICE_HOST` or `KUBERNETES_SERVICE_PORT` is
    /// unset or empty.
    #[error("not running in a cluster: {missing} is not set")]
    NotInCluster {
        /// The variable(s) missing.
        missing: &'static str,
    },
    /// `KUBERNETES_SERVICE_HOST`/`_PORT` do not form a valid URL.
    #[error(
        "KUBERNETES_SERVICE_HOST {host:?} and KUBERNETES_SERVICE_PORT {port:?} do not form a valid URL"
    )]
    InvalidAddress {
        /// The host.
        host: String,
        /// The port.
        port: String,
    },
    /// The ServiceAccount token cannot be read.
    #[error("in a cluster, but cannot read the ServiceAccount token {}", path.display())]
    TokenRead {
        /// The token file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The ServiceAccount token file is empty (or only whitespace).
    #[error("in a cluster, but the ServiceAccount token {} is empty", path.display())]
    TokenEmpty {
        /// The token file.
        path: PathBuf,
    },
    /// The namespace file exists but cannot be read.
    #[error("cannot read the pod namespace file {}", path.display())]
    NamespaceRead {
        /// The namespace file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// [`Config::infer`](crate::Config::infer) found no usable configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InferError {
    /// A kubeconfig was found (`KUBECONFIG` set or the default file exists) but is broken.
    /// In-cluster configuration is not tried then: a broken kubeconfig must not silently send
    /// requests with another identity.
    #[error("failed to use kubeconfig ({found})")]
    Kubeconfig {
        /// Which kubeconfig was found (`KUBECONFIG=...` or the default path).
        found: String,
        /// Why it failed.
        #[source]
        source: Box<KubeconfigConfigError>,
    },
    /// No kubeconfig was found, and in-cluster configuration failed.
    #[error(
        "no configuration found: no kubeconfig ({kubeconfig}), and in-cluster configuration failed"
    )]
    Neither {
        /// What the kubeconfig attempt found (`KUBECONFIG unset and /home/me/.kube/config does not exist`).
        kubeconfig: String,
        /// Why in-cluster configuration failed.
        #[source]
        in_cluster: InClusterError,
    },
}

/// `--minify` or `--flatten` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// `--minify` without a current context.
    #[error("current-context must exist in order to minify")]
    NoCurrentContext,
    /// The context to minify to does not exist.
    #[error("cannot locate context {name}")]
    ContextNotFound {
        /// The context.
        name: String,
    },
    /// The current context names a cluster that does not exist.
    #[error("cannot locate cluster {name}")]
    ClusterNotFound {
        /// The cluster.
        name: String,
    },
    /// The current context names a user that does not exist.
    #[error("cannot locate user {name}")]
    UserNotFound {
        /// The user.
        name: String,
    },
    /// `--flatten` found both a file and inline data for one field.
    #[error("cannot have values for both path and contents: {field} of {entry}")]
    PathAndData {
        /// The entry.
        entry: EntryRef,
        /// The path field.
        field: &'static str,
    },
    /// `--flatten` cannot read a file to inline.
    #[error("cannot read {field} {} of {entry}", path.display())]
    File {
        /// The entry.
        entry: EntryRef,
        /// The path field.
        field: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}
