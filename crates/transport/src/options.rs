//! Transport settings that are not part of the cluster configuration.

use std::time::Duration;

use kubeset_config::ExecConfig;

use crate::retry::RetryPolicy;

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
/// The defaults follow client-go: 30 s connect timeout and TCP keepalive, HTTP/2 pings every
/// 30 s when idle with a 15 s timeout, no client-side rate limit and no per-request timeout
/// (watches stay open as long as the server keeps them).
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
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransportOptions {
    /// `User-Agent` for requests that set none; `None` means `kubeset/<version> (<os>/<arch>)`.
    pub user_agent: Option<String>,
    /// When failed requests are retried.
    pub retry: RetryPolicy,
    /// Client-side rate limit; `None` (the default) sends as fast as asked.
    pub rate_limit: Option<Qps>,
    /// Longest wait for response headers, per attempt. Bodies (watch streams, long lists) are
    /// never cut off by it.
    pub request_timeout: Option<Duration>,
    /// Longest time to open a connection: TCP, proxy handshake and TLS together.
    pub connect_timeout: Duration,
    /// TCP keepalive interval.
    pub tcp_keepalive: Duration,
    /// HTTP/2 ping interval; a connection whose ping is not answered in
    /// `http2_keepalive_timeout` is closed, so dead connections are noticed.
    pub http2_keepalive_interval: Duration,
    /// How long an HTTP/2 ping may go unanswered.
    pub http2_keepalive_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// How often a bearer token file is checked for a change (one `stat`); it is also re-read at
    /// least every minute and after a `401`.
    pub token_check_interval: Duration,
    /// An exec credential plugin to use instead of the config's `auth.exec` entry (for
    /// configurations built by hand); build one with [`ExecConfig::new`].
    pub exec: Option<ExecConfig>,
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
        }
    }
}
