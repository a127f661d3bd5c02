//! The one error type of the clientset.

use http::Method;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kubeset_transport::BoxError;

use crate::forbidden::Denial;

/// Everything that can go wrong when talking to the API server.
///
/// API errors carry the server's decoded [`Status`]; ask them with the `is_*` predicates,
/// which look through every variant so `err.is_not_found()` works without a `match`.
/// Failures below HTTP are asked the same way: [`is_config`](Error::is_config),
/// [`is_connect`](Error::is_connect), [`is_tls`](Error::is_tls), [`is_exec`](Error::is_exec),
/// [`is_request_timeout`](Error::is_request_timeout), with accessors returning the transport's
/// typed errors ([`connect_error`](Error::connect_error), [`tls_failure`](Error::tls_failure),
/// [`exec_error`](Error::exec_error), ...). They look through the whole `source()` chain,
/// past the transport's retry wrapper. Which typed error sits where:
///
/// - [`Error::Config`]: the source is the loader's error, `kubeset_config::InferError` (from
///   [`Client::infer`](crate::Client::infer) or `Config::infer()?`), `KubeconfigConfigError`
///   (`Config::from_kubeconfig(..)?`) or `InClusterError` (`incluster::load()?`); downcast
///   `err.source()` to read it. The `From` impls let `?` turn each into this `Error`.
/// - [`Error::Connect`]: the source is a `kubeset_transport::Error` (the transport could not
///   be built: a CA file that does not load, a bad URL).
/// - [`Error::Transport`]: a `RequestError`, `ConnectError` (with its `TlsFailure`) or
///   `AuthError` (with its `ExecError`) from the transport, reached with the accessors; any
///   other error from a service given to [`Client::from_service`](crate::Client::from_service).
///
/// ```no_run
/// # async fn demo() {
/// use kubeset_clientset::{Client, Error};
///
/// async fn version() -> Result<String, Error> {
///     let client = Client::infer().await?;
///     Ok(client.apiserver_version().await?.git_version)
/// }
///
/// match version().await {
///     Ok(version) => println!("server {version}"),
///     Err(err) if err.is_config() => eprintln!("fix the kubeconfig: {err}"),
///     Err(err) if err.is_tls() => eprintln!("TLS failed: {}", err.tls_failure().unwrap()),
///     Err(err) if err.is_connect() => eprintln!("could not connect: {err}"),
///     Err(err) if err.is_exec() => eprintln!("the credential plugin failed: {err}"),
///     Err(err) if err.api().is_some() => eprintln!("the server said no: {err}"),
///     Err(err) => eprintln!("{err}"),
/// }
/// # }
/// ```
///
/// ```no_run
/// # async fn demo(client: kubeset_clientset::Client) {
/// match client.pods("default").get("web-0").await {
///     Ok(pod) => println!("found {:?}", pod.metadata.name),
///     Err(err) if err.is_not_found() => println!("no such pod"),
///     Err(err) => eprintln!("{err}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API server answered with an error status (decoded into a `Status`).
    #[error("{error}")]
    Api {
        /// The decoded answer, with the request it belongs to.
        error: Box<ApiError>,
    },
    /// The request never got an answer: connection, TLS or authentication layer failure.
    ///
    /// From the standard transport the source is a `kubeset_transport::RequestError` or
    /// `AuthError`; ask with [`Error::is_connect`], [`Error::is_tls`], [`Error::is_exec`] and
    /// their accessors.
    #[error("failed to send {method} {url}")]
    Transport {
        /// The request method.
        method: Method,
        /// The request path and query.
        url: String,
        /// What the transport reported.
        #[source]
        source: BoxError,
    },
    /// The answer's body broke off or could not be read.
    #[error("failed to read the response body of {url}")]
    ReadBody {
        /// The request path and query.
        url: String,
        /// What the body reported.
        #[source]
        source: BoxError,
    },
    /// The answer was not the JSON the caller's type expects.
    #[error("failed to decode {type_name} from {url} at `{path}` near `{excerpt}`")]
    Decode {
        /// The Rust type being decoded.
        type_name: &'static str,
        /// The request path and query.
        url: String,
        /// Where in the document decoding failed (`items[3].spec.containers[0].name`).
        path: String,
        /// A short, printable excerpt of the body around the failure, string values masked.
        excerpt: String,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },
    /// A thread decoding part of a list failed (it panicked or was cancelled).
    #[error("a decoding task for {url} failed")]
    DecodeTask {
        /// The request path and query.
        url: String,
        /// What tokio reported.
        #[source]
        source: tokio::task::JoinError,
    },
    /// A request body could not be encoded as JSON.
    #[error("failed to encode {type_name} as a request body")]
    Encode {
        /// The Rust type being encoded.
        type_name: &'static str,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },
    /// A protobuf answer could not be decoded as the caller's type.
    #[error("failed to decode {type_name} from the protobuf answer of {url}")]
    ProtobufDecode {
        /// The Rust type being decoded.
        type_name: &'static str,
        /// The request path and query.
        url: String,
        /// What the codec reported (with the message and field path).
        #[source]
        source: kubeset_protobuf::Error,
    },
    /// A request body could not be encoded as protobuf.
    #[error("failed to encode {type_name} as a protobuf request body")]
    ProtobufEncode {
        /// The Rust type being encoded.
        type_name: &'static str,
        /// What the codec reported (with the message and field path).
        #[source]
        source: kubeset_protobuf::Error,
    },
    /// A resource name cannot be used in a URL path.
    #[error(
        "resource name {name:?} is not valid in a URL path (empty, `.`, `..`, or contains `/`, `%`, `?` or `#`)"
    )]
    InvalidName {
        /// The rejected name.
        name: String,
    },
    /// The request could not be built (a header or URL the `http` crate rejects).
    #[error("failed to build the request {url}")]
    BuildRequest {
        /// The request path and query.
        url: String,
        /// What the `http` crate reported.
        #[source]
        source: http::Error,
    },
    /// A dynamic handle was asked for a scope its resource does not have.
    #[error("{kind} is {actual}, so it has no {requested} handle")]
    WrongScope {
        /// The resource kind.
        kind: String,
        /// The scope the resource has (`namespaced` or `cluster-scoped`).
        actual: &'static str,
        /// The scope the caller asked for.
        requested: &'static str,
    },
    /// Discovery found no resource matching the request.
    #[error("the API server offers no resource {what}")]
    UnknownResource {
        /// What was looked for (`apps/v1 Deployment`).
        what: String,
    },
    /// Aggregated discovery listed a group-version as stale: the API server could not reach
    /// the aggregated API that serves it.
    #[error("the API server's discovery of {group_version} is stale")]
    StaleDiscovery {
        /// The group-version (`metrics.k8s.io/v1beta1`).
        group_version: String,
    },
    /// The client configuration could not be resolved (in-cluster files or kubeconfig).
    #[error("failed to resolve the client configuration")]
    Config {
        /// What the configuration loader reported: a `kubeset_config::InferError`,
        /// `KubeconfigConfigError` or `InClusterError` (downcast to read it).
        #[source]
        source: BoxError,
    },
    /// The transport could not be built for the configured server (a CA or client certificate
    /// that does not load, a bad proxy URL); nothing was sent.
    #[error("failed to build the transport for {url}")]
    Connect {
        /// The server's URL.
        url: String,
        /// What the transport reported: a `kubeset_transport::Error` (downcast to read it).
        #[source]
        source: BoxError,
    },
    /// An exec, attach or port-forward session failed after the server accepted it.
    #[error(transparent)]
    Remote {
        /// What went wrong in the session.
        #[from]
        source: crate::remote::RemoteError,
    },
    /// A local address for port forwarding could not be bound.
    #[error("failed to listen on {address}")]
    Bind {
        /// The address.
        address: std::net::SocketAddr,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// Copying a forwarded connection failed.
    #[error("failed to forward a connection to port {port}")]
    Forward {
        /// The pod's port.
        port: u16,
        /// What the copy reported.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The session error, when an exec, attach or port-forward session failed.
    pub fn remote(&self) -> Option<&crate::remote::RemoteError> {
        match self {
            Error::Remote { source } => Some(source),
            _ => None,
        }
    }

    /// The API server's answer, when this is an API error.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api { error } => Some(error),
            _ => None,
        }
    }

    /// The decoded `Status`, when this is an API error.
    pub fn status(&self) -> Option<&Status> {
        self.api().map(|e| &e.status)
    }

    /// The HTTP status code of an API error.
    pub fn code(&self) -> Option<u16> {
        self.api().map(|e| e.code)
    }

    /// 404 / `NotFound`.
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "NotFound")
    }
    /// 409 / `AlreadyExists` (create of an existing name).
    pub fn is_already_exists(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "AlreadyExists")
    }
    /// 409 / `Conflict` (stale resourceVersion, failed precondition).
    pub fn is_conflict(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "Conflict")
    }
    /// 403 / `Forbidden`.
    pub fn is_forbidden(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "Forbidden")
    }
    /// 401 / `Unauthorized`.
    pub fn is_unauthorized(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "Unauthorized")
    }
    /// 410: `Gone` or `Expired` (a watch or continue token too old; relist).
    pub fn is_gone(&self) -> bool {
        self.api()
            .is_some_and(|e| e.code == 410 || matches!(e.reason(), "Gone" | "Expired"))
    }
    /// 422 / `Invalid`: see `Status.details.causes` for the fields.
    pub fn is_invalid(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "Invalid")
    }
    /// 400 / `BadRequest`.
    pub fn is_bad_request(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "BadRequest")
    }
    /// 405 / `MethodNotAllowed`.
    pub fn is_method_not_allowed(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "MethodNotAllowed")
    }
    /// 429 / `TooManyRequests` (also an eviction blocked by a PodDisruptionBudget).
    pub fn is_too_many_requests(&self) -> bool {
        self.api().is_some_and(|e| e.reason() == "TooManyRequests")
    }
    /// 504 or `Timeout`/`ServerTimeout`.
    pub fn is_timeout(&self) -> bool {
        self.api()
            .is_some_and(|e| matches!(e.reason(), "Timeout" | "ServerTimeout"))
    }
    /// 5xx / `InternalError` / `ServiceUnavailable`.
    pub fn is_server_error(&self) -> bool {
        self.api().is_some_and(|e| e.code >= 500)
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api {
            error: Box::new(error),
        }
    }
}

/// An error answer of the API server: its `Status` and the request it answers.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The decoded `Status` (synthesized from the HTTP code when the body was not a `Status`).
    pub status: Status,
    /// The HTTP status code.
    pub code: u16,
    /// The request method.
    pub method: Method,
    /// The request path and query.
    pub url: String,
    /// For a 403: who was denied what, and the RBAC rule that would allow it.
    pub denial: Option<Box<Denial>>,
}

impl ApiError {
    /// The `Status.reason`, or the reason client-go derives from the HTTP code when the server
    /// gave none.
    pub fn reason(&self) -> &str {
        match self.status.reason.as_deref() {
            Some(reason) if !reason.is_empty() => reason,
            _ => reason_for_code(self.code),
        }
    }

    /// The server's message (`Status.message`).
    pub fn message(&self) -> &str {
        self.status.message.as_deref().unwrap_or("")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = self.message();
        if message.is_empty() {
            write!(f, "{} {}", self.code, self.reason())?;
        } else {
            write!(f, "{message} ({} {})", self.code, self.reason())?;
        }
        write!(f, " on {} {}", self.method, self.url)?;
        if let Some(denial) = &self.denial {
            write!(f, "\n{denial}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The reason client-go's `StatusError` derives from a bare HTTP code.
pub(crate) fn reason_for_code(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Gone",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}
