//! [`ClientBuilder`]: a [`Client`] with transport options (client-go's `rest.Config` knobs).
//!
//! Every option is one field of the transport's [`TransportOptions`]; the builder only names
//! them. The client keeps the configuration's default namespace.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use kubeset_config::Config;
use kubeset_transport::{
    BodyLimits, BoxError, Qps, RequestBody, RetryPolicy, TransportOptions, WarningHandler,
};
use tower::Service;

use crate::{Client, Error};

/// Builds a [`Client`] with options; made by [`Client::builder`].
///
/// Each option names its default and client-go's name for it. [`Client::new`] is this builder
/// with every default.
///
/// ```no_run
/// use std::time::Duration;
/// use kubeset_clientset::Client;
/// use kubeset_config::Config;
/// use kubeset_transport::CollectWarnings;
///
/// # async fn demo() -> Result<(), kubeset_clientset::Error> {
/// let warnings = CollectWarnings::default();
/// let client = Client::builder(Config::infer()?)
///     .user_agent("node-provisioner/0.4")
///     .timeout(Duration::from_secs(30))
///     .rate_limit(50.0, 100)
///     .warning_handler(warnings.clone())
///     .build()?;
/// client.nodes().list(&Default::default()).await?;
/// for warning in warnings.take() {
///     eprintln!("Warning: {}", warning.text);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    config: Config,
    options: TransportOptions,
    protobuf: bool,
}

impl ClientBuilder {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            options: TransportOptions::default(),
            protobuf: false,
        }
    }

    /// The `User-Agent` of every request. Default `kubeset/<version> (<os>/<arch>)`.
    /// client-go: `rest.Config.UserAgent`.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let builder = kubeset_clientset::Client::builder(config).user_agent("my-operator/1.2");
    /// # let _ = builder;
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.options.user_agent = Some(user_agent.into());
        self
    }

    /// Longest wait for an answer's headers, per attempt, connecting included; a read that
    /// times out is retried under the [retry policy](Self::retry). Bodies (long lists, logs)
    /// are never cut off, and watches are exempt. Default: no limit. client-go:
    /// `rest.Config.Timeout`, which also cuts off bodies and watches.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// use std::time::Duration;
    /// let builder = kubeset_clientset::Client::builder(config).timeout(Duration::from_secs(30));
    /// # let _ = builder;
    /// ```
    pub fn timeout(mut self, after: Duration) -> Self {
        self.options.request_timeout = Some(after);
        self
    }

    /// Longest time to open a connection: TCP, proxy and TLS handshakes together. Default
    /// 30 s. client-go: the dialer timeout of its default transport (30 s).
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// use std::time::Duration;
    /// let builder =
    ///     kubeset_clientset::Client::builder(config).connect_timeout(Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn connect_timeout(mut self, after: Duration) -> Self {
        self.options.connect_timeout = after;
        self
    }

    /// A client-side rate limit: `qps` requests a second on average, `burst` at once, shared by
    /// every clone of the client (retries are paced too). Default: none; the server's API
    /// Priority and Fairness answers overload with `429`, which is retried. client-go:
    /// `rest.Config.QPS` and `Burst` (default 5 and 10). A `qps` that is not a positive number
    /// is taken as 1, a `burst` of 0 as 1.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let builder = kubeset_clientset::Client::builder(config).rate_limit(20.0, 40);
    /// # let _ = builder;
    /// ```
    pub fn rate_limit(mut self, qps: f64, burst: u32) -> Self {
        self.options.rate_limit = Some(Qps { qps, burst });
        self
    }

    /// When failed requests are retried, and the retry budget (retries as a share of requests)
    /// that stops a client from multiplying load on a struggling server. Default
    /// [`RetryPolicy::default`]: 5 attempts, backoff from 200 ms doubling to 10 s, a budget of
    /// 20 % of requests plus 10 retries a second, `Retry-After` honoured up to a minute.
    /// client-go retries only answers with `Retry-After` (`rest.Request.MaxRetries`, 10).
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// use kubeset_transport::RetryPolicy;
    /// let builder = kubeset_clientset::Client::builder(config).retry(RetryPolicy::never());
    /// # let _ = builder;
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = policy;
        self
    }

    /// Who receives the server's `Warning` headers (deprecated APIs, unknown fields,
    /// webhooks), with the request each answered. Default
    /// [`LogWarnings`](kubeset_transport::LogWarnings): a `tracing` event at `warn`;
    /// [`CollectWarnings`](kubeset_transport::CollectWarnings) keeps them. client-go:
    /// `rest.Config.WarningHandler`.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// use kubeset_transport::Warning;
    /// let builder = kubeset_clientset::Client::builder(config)
    ///     .warning_handler(|w: &Warning| eprintln!("Warning: {} ({} {})", w.text, w.method, w.path));
    /// # let _ = builder;
    /// ```
    pub fn warning_handler(mut self, handler: impl WarningHandler) -> Self {
        self.options.warning_handler = Arc::new(handler);
        self
    }

    /// Whether the warning handler sees each distinct text once per client (`true`, the
    /// default) or every warning of every answer. client-go: `WarningWriterOptions.Deduplicate`.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let builder = kubeset_clientset::Client::builder(config).deduplicate_warnings(false);
    /// # let _ = builder;
    /// ```
    pub fn deduplicate_warnings(mut self, deduplicate: bool) -> Self {
        self.options.deduplicate_warnings = deduplicate;
        self
    }

    /// Bounds on what a server may send: a response's total size, one watch event, and how
    /// long a body may go quiet (watches, log follows and upgrades exempt where they must
    /// be). Defaults: 1 GiB, 64 MiB, 60 s; client-go has none of them. A body that breaks one
    /// fails with [`Error::ReadBody`] holding a `kubeset_transport::BodyError` that names the
    /// request and the limit.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let mut limits = kubeset_transport::BodyLimits::default();
    /// limits.max_response_bytes = Some(4 << 30); // unpaged lists of a very large cluster
    /// let builder = kubeset_clientset::Client::builder(config).body_limits(limits);
    /// # let _ = builder;
    /// ```
    pub fn body_limits(mut self, limits: BodyLimits) -> Self {
        self.options.body_limits = limits;
        self
    }

    /// Logs every request as kubectl does at `-v=level` (6 to 10; credentials masked), as
    /// `tracing` events at `INFO` with target `kubeset_transport::http_log`. client-go: klog's
    /// `-v`.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let builder = kubeset_clientset::Client::builder(config).http_log(8);
    /// # let _ = builder;
    /// ```
    pub fn http_log(mut self, level: u8) -> Self {
        self.options.http_log = Some(level);
        self
    }

    /// Replaces every transport option at once, for the rarely changed ones (keepalives, pool,
    /// token file checks, an exec plugin for a hand-built config). The setters above change
    /// fields of the same [`TransportOptions`], so call this first.
    ///
    /// ```
    /// # let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// use std::time::Duration;
    /// let mut options = kubeset_transport::TransportOptions::default();
    /// options.pool_idle_timeout = Duration::from_secs(30);
    /// let builder = kubeset_clientset::Client::builder(config)
    ///     .transport_options(options)
    ///     .user_agent("my-operator/1.2");
    /// # let _ = builder;
    /// ```
    pub fn transport_options(mut self, options: TransportOptions) -> Self {
        self.options = options;
        self
    }

    /// Speak protobuf (`application/vnd.kubernetes.protobuf`) for built-in types, as client-go
    /// controllers do (`ContentType`/`AcceptContentTypes`): gets and lists ask for protobuf with
    /// JSON as the fallback, creates and updates are sent in protobuf, and answers are decoded
    /// by their `Content-Type`. Lists decode several times faster than from JSON. Custom
    /// resources, patches, watches and metadata or Table reads stay JSON. Off by default.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), kubeset_clientset::Error> {
    /// let config = kubeset_config::Config::infer()?;
    /// let client = kubeset_clientset::Client::builder(config).protobuf(true).build()?;
    /// assert!(client.protobuf());
    /// # Ok(()) }
    /// ```
    pub fn protobuf(mut self, protobuf: bool) -> Self {
        self.protobuf = protobuf;
        self
    }

    /// Builds the client: the CA bundle and client certificate are loaded now (a broken file is
    /// [`Error::Connect`], naming it); connections, token files and exec plugins are used on
    /// the first request.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), kubeset_clientset::Error> {
    /// let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let client = kubeset_clientset::Client::builder(config).build()?;
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let service = crate::wiring::connect(&self.config, &self.options)?;
        Ok(
            Client::from_box_service(service, self.config.default_namespace)
                .with_protobuf(self.protobuf),
        )
    }

    /// Builds the client over `service` instead of a network connection, with every option
    /// applied: for tests (a `tower::service_fn` sees what would go on the wire) and custom
    /// connections. `service` gets absolute URIs with the cluster URL; the config's TLS and
    /// proxy settings are unused.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), kubeset_clientset::Error> {
    /// use http_body_util::Full;
    /// use kubeset_transport::RequestBody;
    ///
    /// let fake = tower::service_fn(|request: http::Request<RequestBody>| async move {
    ///     assert_eq!(request.headers()["user-agent"], "my-operator/1.2");
    ///     let body = r#"{"major":"1","minor":"34","gitVersion":"v1.34.0","gitCommit":"","gitTreeState":"","buildDate":"","goVersion":"","compiler":"","platform":"linux/amd64"}"#;
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(bytes::Bytes::from(body))))
    /// });
    /// let config = kubeset_config::Config::new("https://10.96.0.1".parse().unwrap());
    /// let client = kubeset_clientset::Client::builder(config)
    ///     .user_agent("my-operator/1.2")
    ///     .build_with_service(fake)?;
    /// assert_eq!(client.apiserver_version().await?.git_version, "v1.34.0");
    /// # Ok(()) }
    /// ```
    pub fn build_with_service<S, B>(self, service: S) -> Result<Client, Error>
    where
        S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError> + Send + 'static,
    {
        let service = crate::wiring::connect_over(&self.config, &self.options, service)?;
        Ok(
            Client::from_box_service(service, self.config.default_namespace)
                .with_protobuf(self.protobuf),
        )
    }
}
