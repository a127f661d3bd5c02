//! Errors the transport reports: while it is built, while it connects, and while it sends.

use std::path::PathBuf;
use std::time::Duration;

use crate::body::BoxError;

/// The transport could not be built from a [`kubeset_config::Config`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The cluster URL is not an absolute `http://` or `https://` URL.
    #[error("cluster URL {url} must be an absolute http:// or https:// URL")]
    ClusterUrl {
        /// The URL as configured.
        url: String,
    },
    /// The proxy URL has a scheme other than `http`, `https`, `socks5` or `socks5h`, or no host.
    #[error("proxy URL {url} is not supported (use http://, https://, socks5:// or socks5h://)")]
    ProxyUrl {
        /// The proxy URL, with any credentials removed.
        url: String,
    },
    /// `tls-server-name` is neither a DNS name nor an IP address.
    #[error("tls-server-name {name:?} is not a valid DNS name or IP address")]
    ServerName {
        /// The configured name.
        name: String,
    },
    /// A PEM file or inline PEM block could not be read or parsed.
    #[error(transparent)]
    Pem(#[from] PemError),
    /// The rustls configuration was refused (no usable protocol versions, bad key type, ...).
    #[error("could not build the TLS configuration")]
    Tls {
        /// What rustls refused.
        #[source]
        source: rustls::Error,
    },
    /// A credential could not be turned into an HTTP header (a token with a newline, say).
    #[error("the {field} credential is not a valid HTTP header value")]
    InvalidCredential {
        /// Which configuration field held it (`token`, `username/password`).
        field: &'static str,
    },
    /// An impersonation value cannot be sent as an HTTP header.
    #[error("impersonation {header} value is not a valid HTTP header value")]
    InvalidImpersonation {
        /// The header it was meant for.
        header: String,
    },
    /// The configured User-Agent is not a valid HTTP header value.
    #[error("user agent {user_agent:?} is not a valid HTTP header value")]
    InvalidUserAgent {
        /// The rejected text.
        user_agent: String,
    },
}

/// A certificate or key could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PemError {
    /// The file could not be read.
    #[error("could not read {what} file {path}")]
    Read {
        /// What the file should hold (`CA certificate`, `client certificate`, `client key`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// The PEM text is malformed.
    #[error("{what} from {origin} is not valid PEM")]
    Parse {
        /// What the PEM should hold.
        what: &'static str,
        /// Where it came from: a file path or `inline data`.
        origin: String,
        /// The parser's complaint.
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    /// The PEM text holds no block of the expected kind.
    #[error("{what} from {origin} holds no {expected} PEM block")]
    Empty {
        /// What the PEM should hold.
        what: &'static str,
        /// Where it came from: a file path or `inline data`.
        origin: String,
        /// The PEM label expected (`CERTIFICATE`, `PRIVATE KEY`).
        expected: &'static str,
    },
    /// A certificate in the bundle was refused by the trust store.
    #[error("CA certificate from {origin} was rejected")]
    BadCa {
        /// Where it came from.
        origin: String,
        /// Why webpki refused it.
        #[source]
        source: rustls::Error,
    },
    /// The client key does not load or does not match the client certificate.
    #[error("client key from {origin} does not load or does not match the client certificate")]
    BadKey {
        /// Where the key came from.
        origin: String,
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
    /// Only one of the client certificate and key is configured.
    #[error("a client certificate needs both a certificate and a key; only the {present} is set")]
    Incomplete {
        /// The half that is set.
        present: &'static str,
    },
}

/// Opening a connection to the API server (or its proxy) failed.
///
/// The request never reached the server, so it is always safe to retry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The TCP connection could not be opened.
    #[error("could not connect to {address}")]
    Tcp {
        /// `host:port` dialled.
        address: String,
        /// The socket error.
        #[source]
        source: BoxError,
    },
    /// The proxy refused or failed the tunnel.
    #[error("proxy {proxy} could not open a connection to {address}")]
    Proxy {
        /// The proxy URL, without credentials.
        proxy: String,
        /// `host:port` asked for.
        address: String,
        /// What went wrong.
        #[source]
        source: BoxError,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {address} failed: {failure}")]
    Tls {
        /// `host:port` of the server.
        address: String,
        /// What failed, in the user's terms.
        failure: TlsFailure,
        /// The rustls error, when there is one.
        #[source]
        source: BoxError,
    },
    /// The server negotiated HTTP/1.1 where HTTP/2 was expected; the transport falls back to
    /// HTTP/1.1 by itself, so this is only seen if that fallback fails too.
    #[error("{address} does not offer HTTP/2")]
    Http2Unavailable {
        /// `host:port` of the server.
        address: String,
    },
    /// Connecting took longer than the connect timeout.
    #[error("connecting to {address} timed out after {after:?}")]
    Timeout {
        /// `host:port` dialled.
        address: String,
        /// The connect timeout.
        after: Duration,
    },
}

impl ConnectError {
    /// The TLS failure, if this is one.
    pub fn tls_failure(&self) -> Option<&TlsFailure> {
        match self {
            Self::Tls { failure, .. } => Some(failure),
            _ => None,
        }
    }
}

/// Why a TLS handshake failed, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server certificate is not signed by a trusted CA.
    UnknownCa {
        /// What was trusted: `CA file /path`, `inline CA data` or `the platform roots`.
        trusted: String,
        /// Why the configured CA could not be used, if it could not (then the platform roots
        /// were tried instead, or the last good CA was kept).
        ca_problem: Option<String>,
    },
    /// The server certificate is not valid for the name the client checked.
    NameMismatch {
        /// The name checked (the URL's host, or `tls-server-name`).
        expected: String,
        /// The names the certificate holds.
        presented: Vec<String>,
    },
    /// The server certificate has expired.
    Expired {
        /// Its `notAfter`, seconds since the Unix epoch, if known.
        not_after: Option<u64>,
    },
    /// The server certificate is not valid yet.
    NotYetValid,
    /// The server refused the client certificate (or wanted one and got none).
    ClientCertRejected {
        /// The TLS alert the server sent.
        alert: String,
    },
    /// The server does not speak TLS on this port (a plain HTTP server, say).
    NotTls,
    /// The server offers only TLS 1.1 or older (or refused TLS 1.2 and 1.3 with a
    /// `protocol_version` alert); those versions are never used.
    OldProtocol,
    /// Anything else rustls reported.
    Other {
        /// rustls's description.
        detail: String,
    },
}

impl std::fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownCa {
                trusted,
                ca_problem,
            } => {
                write!(
                    f,
                    "the server certificate is signed by an unknown certificate authority (trusted: {trusted})"
                )?;
                if let Some(problem) = ca_problem {
                    write!(f, "; the configured CA could not be used: {problem}")?;
                }
                Ok(())
            }
            Self::NameMismatch {
                expected,
                presented,
            } => write!(
                f,
                "the server certificate is valid for [{}], not for {expected}",
                presented.join(", ")
            ),
            Self::Expired { not_after: Some(t) } => {
                let when = jiff::Timestamp::from_second(i64::try_from(*t).unwrap_or(i64::MAX))
                    .map(|t| t.to_string())
                    .unwrap_or_else(|_| format!("{t}s after the epoch"));
                write!(f, "the server certificate expired at {when}")
            }
            Self::Expired { not_after: None } => f.write_str("the server certificate has expired"),
            Self::NotYetValid => f.write_str("the server certificate is not valid yet"),
            Self::ClientCertRejected { alert } => {
                write!(f, "the server rejected the client certificate ({alert})")
            }
            Self::NotTls => {
                f.write_str("the server did not answer with TLS (is it plain http://?)")
            }
            Self::OldProtocol => {
                f.write_str("the server offers only TLS versions older than 1.2, which are refused")
            }
            Self::Other { detail } => f.write_str(detail),
        }
    }
}

/// A request failed below HTTP: no response was received.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// No connection could be opened; the request was never sent.
    #[error("{method} {url}: could not connect")]
    Connect {
        /// The request method.
        method: http::Method,
        /// The request URL without its query.
        url: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// The connection failed while the request was sent or the response awaited; the server may
    /// have seen the request.
    #[error("{method} {url}: connection failed")]
    Send {
        /// The request method.
        method: http::Method,
        /// The request URL without its query.
        url: String,
        /// Why.
        #[source]
        source: BoxError,
    },
    /// No response headers arrived within the request timeout (the request may have been seen).
    #[error("{method} {url}: no response within {after:?}")]
    Timeout {
        /// The request method.
        method: http::Method,
        /// The request URL without its query.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// Every attempt failed; this is the last attempt's error.
    #[error("gave up after {attempts} attempts")]
    RetriesExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's error.
        #[source]
        source: BoxError,
    },
}

impl RequestError {
    /// True when the request provably never reached the server.
    pub fn is_connect(&self) -> bool {
        match self {
            Self::Connect { .. } => true,
            Self::RetriesExhausted { source, .. } => source
                .downcast_ref::<RequestError>()
                .is_some_and(RequestError::is_connect),
            _ => false,
        }
    }

    /// The connection failure behind this error, if it is one (a TLS failure, say).
    pub fn connect_error(&self) -> Option<&ConnectError> {
        find_connect_error(self)
    }
}

/// A response body broke one of the transport's [`BodyLimits`](crate::BodyLimits); nothing
/// more is read from it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body holds more bytes than `max_response_bytes`.
    #[error("{method} {url}: the response body exceeds {limit} bytes (max_response_bytes)")]
    TooLarge {
        /// The request method.
        method: http::Method,
        /// The request URL without its query.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// One event of a watch stream holds more bytes than `max_watch_event_bytes` (a line that
    /// never ends).
    #[error(
        "{method} {url}: a watch event exceeds {limit} bytes without a newline (max_watch_event_bytes)"
    )]
    EventTooLarge {
        /// The request method.
        method: http::Method,
        /// The request URL without its query.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The server sent nothing for `body_idle_timeout` while the body was read.
    #[error("{method} {url}: the server sent no body data for {after:?} (body_idle_timeout)")]
    Stalled {
        /// The request method.
        method: http::Method,
        /// The request URL without its query.
        url: String,
        /// The timeout.
        after: Duration,
    },
}

/// Finds the [`ConnectError`] in an error's source chain, e.g. to ask for its
/// [`TlsFailure`] when a request fails.
pub fn find_connect_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a ConnectError> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<ConnectError>() {
            return Some(found);
        }
        if let Some(found) = e
            .downcast_ref::<crate::client::ConnectErrorRef>()
            .and_then(crate::client::ConnectErrorRef::inner)
        {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// Credentials could not be obtained for a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token file could not be read and no earlier token is known.
    #[error("could not read token file {path}")]
    TokenFile {
        /// The token file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The token file is empty.
    #[error("token file {path} is empty")]
    EmptyTokenFile {
        /// The token file.
        path: PathBuf,
    },
    /// The token is not a valid HTTP header value.
    #[error("the token from {origin} is not a valid HTTP header value")]
    InvalidToken {
        /// Where the token came from.
        origin: String,
    },
    /// The exec credential plugin failed.
    #[error(transparent)]
    Exec(#[from] crate::exec::ExecError),
}
