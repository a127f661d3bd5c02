//! `kctl get --raw PATH`: GET any path with the resolved configuration and print the answer as
//! `kubectl get --raw PATH` does.
//!
//! - On success the body is copied to stdout byte for byte, as it streams in (so
//!   `--raw '/api/v1/pods?watch=1'` prints events as they come).
//! - On an error status, stderr gets what kubectl's `CheckErr` prints: `Error from server
//!   (REASON): MESSAGE` from the server's `Status`, or client-go's generic message for the HTTP
//!   code when the body is not a `Status` (`404 page not found` becomes `the server could not
//!   find the requested resource`), and `error: You must be logged in to the server (...)` for
//!   401.
//! - When no answer arrives (TLS, token file, exec plugin, connection), stderr names the cause.
//!
//! This file uses nothing from the rest of kctl, so the end-to-end tests include it with
//! `#[path]` and call [`resolve`] and [`get_raw`] directly.

use std::error::Error as StdError;
use std::io::Write;
use std::path::Path;

use http_body_util::BodyExt;
use kubeset::config::kubeconfig::Overrides;
use kubeset::config::{Config, Env, incluster};
use kubeset::transport::{BoxError, RequestBody};
use tower::ServiceExt;

/// client-go keeps at most this much of a non-`Status` error body.
const MAX_UNSTRUCTURED_TEXT: usize = 2048;

/// Why `get --raw` failed; `Display` is the line kubectl prints to stderr.
#[derive(Debug)]
pub(crate) enum RawError {
    /// No configuration could be resolved.
    Config {
        /// What the config crate reported.
        source: BoxError,
    },
    /// The transport could not be built (a CA or client certificate that does not load).
    Transport {
        /// What the transport reported.
        source: BoxError,
    },
    /// The path is not a valid request URI.
    Path {
        /// The path as given.
        path: String,
    },
    /// The API server refused the connection.
    Refused {
        /// `host:port` of the server.
        host: String,
    },
    /// No answer arrived: TLS, credentials (token file, exec plugin) or the connection failed.
    Unreachable {
        /// What the transport reported.
        source: BoxError,
    },
    /// The server answered with an error status.
    Server(ServerError),
    /// The answer broke off or could not be written out.
    Body {
        /// What failed.
        source: BoxError,
    },
}

impl std::fmt::Display for RawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawError::Config { source }
            | RawError::Transport { source }
            | RawError::Body { source } => write!(f, "error: {}", chain(source.as_ref())),
            RawError::Path { path } => write!(f, "error: {path:?} is not a valid request path"),
            RawError::Refused { host } => write!(
                f,
                "The connection to the server {host} was refused - did you specify the right host or port?"
            ),
            RawError::Unreachable { source } => {
                write!(
                    f,
                    "Unable to connect to the server: {}",
                    chain(source.as_ref())
                )
            }
            RawError::Server(error) => error.fmt(f),
        }
    }
}

impl StdError for RawError {}

/// An error answer, reduced to what kubectl shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerError {
    /// `Status.reason`, or the reason client-go derives from the HTTP code.
    pub(crate) reason: String,
    /// `Status.message`, or client-go's generic message for the HTTP code.
    pub(crate) message: String,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.reason.as_str() {
            "Unauthorized" => write!(
                f,
                "error: You must be logged in to the server ({})",
                self.message
            ),
            "" => write!(f, "Error from server: {}", self.message),
            reason => write!(f, "Error from server ({reason}): {}", self.message),
        }
    }
}

/// Where kubectl goes when neither a kubeconfig nor a pod's ServiceAccount names a server.
const LAST_RESORT_SERVER: &str = "http://localhost:8080";

/// Resolves the configuration as kubectl does with its global flags: the kubeconfig
/// (`--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`) with the overrides; when that
/// selects no cluster at all, the pod's ServiceAccount (client-go's deferred loader), and
/// failing that `http://localhost:8080`, as kubectl does.
pub(crate) fn resolve(
    kubeconfig: Option<&Path>,
    env: &dyn Env,
    overrides: &Overrides,
    service_account_dir: &Path,
) -> Result<Config, RawError> {
    match Config::from_kubeconfig_with(kubeconfig, env, overrides) {
        Ok(config) => Ok(config),
        // kubectl's last resort: the insecure local port of very old API servers.
        Err(error) if is_empty_config(&error) => Ok(incluster::load_from(env, service_account_dir)
            .unwrap_or_else(|_| Config::new(http::Uri::from_static(LAST_RESORT_SERVER)))),
        Err(error) => Err(RawError::Config {
            source: Box::new(error),
        }),
    }
}

fn is_empty_config(error: &kubeset::config::KubeconfigConfigError) -> bool {
    match error {
        kubeset::config::KubeconfigConfigError::Resolve { source } => source.is_empty_config(),
        _ => false,
    }
}

/// GETs `path` (with its query) from the server `config` names and copies a successful
/// answer's body to `out` as it arrives; `verbosity` is kubectl's `-v`.
pub(crate) async fn get_raw(
    config: &Config,
    verbosity: Option<u8>,
    path: &str,
    out: &mut (dyn Write + Send),
) -> Result<(), RawError> {
    let mut options = kubeset::transport::TransportOptions::default();
    options.http_log = verbosity;
    let service = kubeset::transport::connect_with(config, &options).map_err(|source| {
        RawError::Transport {
            source: Box::new(source),
        }
    })?;
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, "application/json, */*")
        .body(RequestBody::default())
        .map_err(|_| RawError::Path {
            path: path.to_owned(),
        })?;
    let response = service
        .oneshot(request)
        .await
        .map_err(|source| unreachable(config, source))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let mut body = response.into_body();
    if status.is_success() {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|source| RawError::Body { source })?;
            if let Ok(data) = frame.into_data() {
                out.write_all(&data)
                    .and_then(|()| out.flush())
                    .map_err(|source| RawError::Body {
                        source: Box::new(source),
                    })?;
            }
        }
        return Ok(());
    }
    let bytes = body
        .collect()
        .await
        .map_err(|source| RawError::Body { source })?
        .to_bytes();
    Err(RawError::Server(server_error(
        status.as_u16(),
        content_type.as_deref(),
        &bytes,
    )))
}

/// A transport failure: "connection refused" gets kubectl's own sentence, the rest the cause.
fn unreachable(config: &Config, source: BoxError) -> RawError {
    let mut current: Option<&(dyn StdError + 'static)> = Some(source.as_ref());
    while let Some(error) = current {
        if error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            let host = config
                .cluster_url
                .authority()
                .map(|a| a.to_string())
                .unwrap_or_else(|| config.cluster_url.to_string());
            return RawError::Refused { host };
        }
        current = error.source();
    }
    RawError::Unreachable { source }
}

/// What kubectl reports for an error answer: the `Status` in the body when there is one
/// (`kind: Status`, `status: Failure`), else client-go's generic message for the code.
pub(crate) fn server_error(code: u16, content_type: Option<&str>, body: &[u8]) -> ServerError {
    if let Ok(serde_json::Value::Object(status)) = serde_json::from_slice(body) {
        let text = |key: &str| status.get(key).and_then(|v| v.as_str()).unwrap_or("");
        if text("kind") == "Status" && text("status") == "Failure" {
            return ServerError {
                reason: text("reason").to_owned(),
                message: text("message").to_owned(),
            };
        }
    }
    // client-go reads the body as the server's message only when it is text (or untyped).
    let is_text = content_type.is_none_or(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|media| media.trim().to_ascii_lowercase().starts_with("text/"))
    });
    let server_message = if is_text {
        let cut = &body[..body.len().min(MAX_UNSTRUCTURED_TEXT)];
        String::from_utf8_lossy(cut).trim().to_owned()
    } else {
        String::from("unknown")
    };
    let (reason, message) = generic(code, server_message);
    ServerError {
        reason: reason.to_owned(),
        message,
    }
}

/// client-go's `NewGenericServerResponse`: the reason and message for a bare HTTP code.
fn generic(code: u16, server_message: String) -> (&'static str, String) {
    let keep_or = |fallback: &str| {
        if server_message.is_empty() || server_message == "unknown" {
            fallback.to_owned()
        } else {
            server_message.clone()
        }
    };
    match code {
        409 => ("Conflict", "the server reported a conflict".to_owned()),
        404 => (
            "NotFound",
            "the server could not find the requested resource".to_owned(),
        ),
        400 => (
            "BadRequest",
            "the server rejected our request for an unknown reason".to_owned(),
        ),
        401 => (
            "Unauthorized",
            "the server has asked for the client to provide credentials".to_owned(),
        ),
        403 => ("Forbidden", server_message.clone()),
        406 => (
            "NotAcceptable",
            keep_or("the server was unable to respond with a content type that the client supports"),
        ),
        415 => ("UnsupportedMediaType", server_message.clone()),
        405 => (
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".to_owned(),
        ),
        422 => (
            "Invalid",
            "the server rejected our request due to an error in our request".to_owned(),
        ),
        503 => (
            "ServiceUnavailable",
            "the server is currently unable to handle the request".to_owned(),
        ),
        504 => (
            "Timeout",
            "the server was unable to return a response in the time allotted, but may still be processing the request".to_owned(),
        ),
        429 => (
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later"
                .to_owned(),
        ),
        500.. => (
            "InternalError",
            format!("an error on the server ({server_message:?}) has prevented the request from succeeding"),
        ),
        // client-go's StatusReasonUnknown is the empty reason.
        _ => (
            "",
            format!("the server responded with the status code {code} but did not return more information"),
        ),
    }
}

/// An error and its causes, one level each, joined with `: `.
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some levels repeat their cause (`{failure}` plus the rustls error); print it once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
