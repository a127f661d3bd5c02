//! Transport settings that are not part of the cluster configuration.
//!
//! Each option names its default and what client-go calls it.

use std::sync::Arc;
use std::time::Duration;

use kubeset_config::ExecConfig;

use crate::body_limit::BodyLimits;
use crate::retry::RetryPolicy;
use crate::warning::{LogWarnings, WarningHandler};

/// A client-side rate limit, as client-go's `rest.Config{QPS, Burst}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Qps {
    /// Sustained requests per second.
    pub qps: f64,
    /// Requests allowed at once before pacing starts.
    pub burst: u32,
}

/// How the transport behaves beyond what the [`Config`](kubeset_config::Config) says.
///
/// The defaults follow client-go where it has one: 30 s connect timeout and TCP keepalive,
/// HTTP/2 pings every 30 s when idle with a 15 s timeout, no per-request timeout, warnings
/// logged. Unlike client-go (5 QPS, burst 10) there is no client-side rate limit by default:
/// the server's API Priority and Fairness sheds load with `429`s, which are retried.
///
/// ```
/// use std::time::Duration;
/// use kubeset_transport::{Qps, TransportOptions};
///
/// let mut options = TransportOptions::default();
/// options.user_agent = Some("my-provisioner/0.3".into());
/// options.rate_limit = Some(Qps { qps: 20.0, burst: 40 });
/// options.request_timeout = Some(Duration::from_secs(60));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct TransportOptions {
    /// `User-Agent` for requests that set none. Default `None`: `kubeset/<version>
    /// (<os>/<arch>)`. client-go: `rest.Config.UserAgent`.
    pub user_agent: Option<String>,
    /// When failed requests are retried, and the retry budget shared by the client's clones.
    /// Default [`RetryPolicy::default`]: 5 attempts, 200 ms doubling to 10 s, a budget of 20 %
    /// of requests plus 10 retries a second. client-go has no equivalent; it retries only when
    /// the server sends `Retry-After` (`rest.Request.MaxRetries`, 10).
    pub retry: RetryPolicy,
    /// Client-side rate limit, a token bucket shared by the client's clones. Default `None`:
    /// requests are sent as fast as they are asked. client-go: `rest.Config.QPS` and `Burst`
    /// (default 5 and 10).
    pub rate_limit: Option<Qps>,
    /// Longest wait for response headers, per attempt (connecting included). Bodies (long lists,
    /// logs) are never cut off by it, and watches are exempt. Default `None`: no limit.
    /// client-go: `rest.Config.Timeout`, which also cuts off bodies and watches.
    pub request_timeout: Option<Duration>,
    /// Longest time to open a connection: TCP, proxy handshake and TLS together. Default 30 s.
    /// client-go: the `net.Dialer` timeout of its default transport (30 s).
    pub connect_timeout: Duration,
    /// TCP keepalive interval. Default 30 s, as client-go's dialer.
    pub tcp_keepalive: Duration,
    /// HTTP/2 ping interval; a connection whose ping is not answered in
    /// `http2_keepalive_timeout` is closed, so dead connections are noticed. Default 30 s.
    /// client-go: `ReadIdleTimeout` of its HTTP/2 transport (30 s).
    pub http2_keepalive_interval: Duration,
    /// How long an HTTP/2 ping may go unanswered. Default 15 s. client-go: `PingTimeout` (15 s).
    pub http2_keepalive_timeout: Duration,
    /// How long an idle pooled connection is kept. Default 90 s. client-go: `IdleConnTimeout`
    /// (90 s).
    pub pool_idle_timeout: Duration,
    /// How often a bearer token file is checked for a change (one `stat`); it is also re-read at
    /// least every minute and after a `401`. Default 1 s. client-go re-reads the file every
    /// minute.
    pub token_check_interval: Duration,
    /// An exec credential plugin to use instead of the config's `auth.exec` entry (for
    /// configurations built by hand); build one with [`ExecConfig::new`]. Default `None`.
    /// client-go: `rest.Config.ExecProvider`.
    pub exec: Option<ExecConfig>,
    /// Receives the server's `Warning` headers with the request they answered. Default
    /// [`LogWarnings`]: a `tracing` event at `warn`. client-go: `rest.Config.WarningHandler`
    /// (default `WarningLogger`).
    pub warning_handler: Arc<dyn WarningHandler>,
    /// Whether the handler sees each distinct warning text once per client (`true`, the
    /// default) or every warning of every response. client-go: `WarningWriterOptions.Deduplicate`
    /// (kubectl sets it).
    pub deduplicate_warnings: bool,
    /// Bounds on response bodies: total size (default 1 GiB), one watch event (64 MiB), idle
    /// time while a body is read (60 s); watches, log follows and upgrades are exempt from
    /// what they may rightly exceed. See [`BodyLimits`] for each default and client-go's
    /// equivalent (none of the three has a client-go limit).
    pub body_limits: BodyLimits,
    /// Log every request and response as kubectl does at `-v=N` (6: request lines with status
    /// and timing; 7: request headers; 8: response headers and bodies cut at 1 KiB; 9: curl
    /// lines and bodies cut at 10 KiB; 10: whole bodies), with credentials masked (and the
    /// bodies of Secrets, TokenRequests and TokenReviews shown only by length), as `tracing`
    /// events at `INFO` with target `kubeset_transport::http_log` ([`HttpLogLayer`](crate::HttpLogLayer)).
    /// Default `None`: nothing is logged. client-go: klog's `-v` through its debugging round
    /// tripper.
    pub http_log: Option<u8>,
}

impl std::fmt::Debug for TransportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportOptions")
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .field("http2_keepalive_interval", &self.http2_keepalive_interval)
            .field("http2_keepalive_timeout", &self.http2_keepalive_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("token_check_interval", &self.token_check_interval)
            .field("exec", &self.exec)
            .field("deduplicate_warnings", &self.deduplicate_warnings)
            .field("body_limits", &self.body_limits)
            .field("http_log", &self.http_log)
            .finish_non_exhaustive()
    }
}

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            user_agent: None,
            retry: RetryPolicy::default(),
            rate_limit: None,
            request_timeout: None,
            connect_timeout: Duration::from_secs(30),
            tcp_keepalive: Duration::from_secs(30),
            http2_keepalive_interval: Duration::from_secs(30),
            http2_keepalive_timeout: Duration::from_secs(15),
            pool_idle_timeout: Duration::from_secs(90),
            token_check_interval: crate::token_file::CHECK_EVERY,
            exec: None,
            warning_handler: Arc::new(LogWarnings),
            deduplicate_warnings: true,
            body_limits: BodyLimits::default(),
            http_log: None,
        }
    }
}
