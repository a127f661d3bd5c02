//! Asking an [`Error`] what failed below HTTP: the configuration, the connection, TLS, the
//! exec plugin, a client-side timeout (see the type's documentation for which typed error sits
//! where).
//!
//! One way throughout: a predicate (`is_*`) answers the question, an accessor returns the
//! config or transport crate's typed error to read the details from. They look through the
//! whole `source()` chain, past the transport's retry wrapper, so they answer the same whether
//! a request failed once or after several attempts.

use std::error::Error as StdError;

use kubeset_config::{InClusterError, InferError, KubeconfigConfigError};
use kubeset_transport::{AuthError, ConnectError, ExecError, RequestError, TlsFailure};

use crate::Error;

impl Error {
    /// The configuration is unusable: it could not be resolved ([`Error::Config`]: a broken
    /// kubeconfig, or none and not in a cluster), or it names something the transport cannot
    /// use ([`Error::Connect`]: a CA or client certificate that does not load, a bad server or
    /// proxy URL, a bad User-Agent).
    ///
    /// ```
    /// use kubeset_clientset::Error;
    /// use kubeset_config::Config;
    ///
    /// let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    /// config.tls.root_certs = Some(kubeset_config::Material::File("/no/such/ca.crt".into()));
    /// let err = kubeset_clientset::Client::new(config).unwrap_err();
    /// assert!(err.is_config());
    /// ```
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config { .. } | Error::Connect { .. })
    }

    /// The transport's [`RequestError`] for a request that got no answer: could not connect,
    /// the connection failed, no answer within the timeout, or every retry failed.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.get_raw("/version").await
    ///     && let Some(request) = err.request_error()
    /// {
    ///     eprintln!("no answer: {request}");
    /// }
    /// # }
    /// ```
    pub fn request_error(&self) -> Option<&RequestError> {
        self.transport_chain()
            .find_map(|e| e.downcast_ref::<RequestError>())
    }

    /// The transport's [`ConnectError`] when no connection could be opened: TCP, proxy, TLS or
    /// the connect timeout.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.get_raw("/version").await
    ///     && let Some(connect) = err.connect_error()
    /// {
    ///     eprintln!("could not connect: {connect}");
    /// }
    /// # }
    /// ```
    pub fn connect_error(&self) -> Option<&ConnectError> {
        match self {
            Error::Transport { source, .. } => kubeset_transport::find_connect_error(&**source),
            _ => None,
        }
    }

    /// No connection to the API server could be opened (refused, unreachable, DNS, proxy, TLS,
    /// connect timeout): the request never reached the server. TLS failures are connection
    /// failures too; ask [`is_tls`](Self::is_tls) first to tell them apart.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// match client.get_raw("/version").await {
    ///     Err(err) if err.is_tls() => eprintln!("TLS failed: {:?}", err.tls_failure()),
    ///     Err(err) if err.is_connect() => eprintln!("is the server up? {err}"),
    ///     _ => {}
    /// }
    /// # }
    /// ```
    pub fn is_connect(&self) -> bool {
        self.connect_error().is_some() || self.request_error().is_some_and(RequestError::is_connect)
    }

    /// Why the TLS handshake failed, in terms a user can act on (unknown CA, name mismatch,
    /// expired certificate, client certificate rejected, ...).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// use kubeset_transport::TlsFailure;
    /// if let Err(err) = client.get_raw("/version").await
    ///     && let Some(TlsFailure::UnknownCa { trusted, .. }) = err.tls_failure()
    /// {
    ///     eprintln!("the server's certificate is not signed by {trusted}");
    /// }
    /// # }
    /// ```
    pub fn tls_failure(&self) -> Option<&TlsFailure> {
        self.connect_error().and_then(ConnectError::tls_failure)
    }

    /// The TLS handshake with the API server failed.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.get_raw("/version").await {
    ///     assert_eq!(err.is_tls(), err.tls_failure().is_some());
    /// }
    /// # }
    /// ```
    pub fn is_tls(&self) -> bool {
        self.tls_failure().is_some()
    }

    /// The transport's [`AuthError`] when no credential could be obtained (an unreadable token
    /// file, a failing exec plugin).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.get_raw("/version").await
    ///     && let Some(auth) = err.auth_error()
    /// {
    ///     eprintln!("no credentials: {auth}");
    /// }
    /// # }
    /// ```
    pub fn auth_error(&self) -> Option<&AuthError> {
        self.transport_chain()
            .find_map(|e| e.downcast_ref::<AuthError>())
    }

    /// The exec credential plugin's failure (not found, exited non-zero, printed no valid
    /// `ExecCredential`, ...).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// use kubeset_transport::ExecError;
    /// if let Err(err) = client.get_raw("/version").await
    ///     && let Some(ExecError::NotFound { command, .. }) = err.exec_error()
    /// {
    ///     eprintln!("install {command}");
    /// }
    /// # }
    /// ```
    pub fn exec_error(&self) -> Option<&ExecError> {
        match self.auth_error() {
            Some(AuthError::Exec(exec)) => Some(exec),
            _ => None,
        }
    }

    /// The exec credential plugin failed, so the request was not sent.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.get_raw("/version").await
    ///     && err.is_exec()
    /// {
    ///     eprintln!("log in again: {err}");
    /// }
    /// # }
    /// ```
    pub fn is_exec(&self) -> bool {
        self.exec_error().is_some()
    }

    /// No answer arrived within the client's [`timeout`](crate::ClientBuilder::timeout) (on
    /// the last attempt). A server-side timeout is an API error: see
    /// [`is_timeout`](Self::is_timeout).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// if let Err(err) = client.get_raw("/version").await
    ///     && err.is_request_timeout()
    /// {
    ///     eprintln!("the server is slow: {err}");
    /// }
    /// # }
    /// ```
    pub fn is_request_timeout(&self) -> bool {
        self.transport_chain().any(|e| {
            matches!(
                e.downcast_ref::<RequestError>(),
                Some(RequestError::Timeout { .. })
            )
        })
    }

    /// The sources of a [`Error::Transport`], outermost first.
    fn transport_chain(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        let first: Option<&(dyn StdError + 'static)> = match self {
            Error::Transport { source, .. } => Some(&**source),
            _ => None,
        };
        std::iter::successors(first, |e: &&(dyn StdError + 'static)| (*e).source())
    }
}

/// So `Client::builder(Config::infer()?)` works in a function returning this crate's `Error`.
impl From<InferError> for Error {
    fn from(source: InferError) -> Self {
        Error::Config {
            source: Box::new(source),
        }
    }
}

/// So `Client::builder(Config::from_kubeconfig(&overrides)?)` works in a function returning
/// this crate's `Error`.
impl From<KubeconfigConfigError> for Error {
    fn from(source: KubeconfigConfigError) -> Self {
        Error::Config {
            source: Box::new(source),
        }
    }
}

/// So `Client::builder(incluster::load()?)` works in a function returning this crate's `Error`.
impl From<InClusterError> for Error {
    fn from(source: InClusterError) -> Self {
        Error::Config {
            source: Box::new(source),
        }
    }
}
