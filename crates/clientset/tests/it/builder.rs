//! `Client::builder` options reach the wire: each test drives the full transport stack over a
//! `tower::service_fn` fake (`build_with_service`), timing on tokio's paused clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use kubeset_clientset::{Client, ClientBuilder, WatchParams};
use kubeset_config::{Config, ExecConfig};
use kubeset_transport::{CollectWarnings, ExecError, RequestError, RetryPolicy};
use tokio::time::Instant;

/// What the fake saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    method: String,
    uri: String,
    user_agent: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A config for a server that only the fake answers.
fn config() -> Config {
    Config::new("https://10.96.0.1:443".parse().unwrap())
}

const CONFIG_MAP: &str = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#;

/// Builds `builder` over a fake answering every request with `status` and `warning` headers,
/// recording what it saw.
fn over_fake(
    builder: ClientBuilder,
    status: u16,
    warnings: &'static [&'static str],
) -> (Client, Log) {
    let log = Log::default();
    let seen = log.clone();
    let fake = tower::service_fn(move |request: Request<kubeset_transport::RequestBody>| {
        seen.lock().unwrap().push(Seen {
            at: Instant::now(),
            method: request.method().to_string(),
            uri: request.uri().to_string(),
            user_agent: request
                .headers()
                .get(http::header::USER_AGENT)
                .map(|v| v.to_str().unwrap().to_owned()),
        });
        async move {
            let mut response = Response::builder().status(status);
            for warning in warnings {
                response = response.header(http::header::WARNING, *warning);
            }
            let body = if status == 200 {
                CONFIG_MAP.to_owned()
            } else {
                format!(
                    r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":{status}}}"#
                )
            };
            Ok::<_, std::convert::Infallible>(response.body(Full::new(Bytes::from(body))).unwrap())
        }
    });
    (builder.build_with_service(fake).unwrap(), log)
}

#[tokio::test]
async fn the_user_agent_reaches_the_wire() {
    let (client, log) = over_fake(
        Client::builder(config()).user_agent("node-provisioner/0.4"),
        200,
        &[],
    );
    client.config_maps("a").get("c").await.unwrap();
    let (default, default_log) = over_fake(Client::builder(config()), 200, &[]);
    default.config_maps("a").get("c").await.unwrap();

    let seen = &log.lock().unwrap()[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.user_agent.as_deref(), Some("node-provisioner/0.4"));
    assert_eq!(
        seen.uri,
        "https://10.96.0.1:443/api/v1/namespaces/a/configmaps/c"
    );
    assert_eq!(
        default_log.lock().unwrap()[0].user_agent.as_deref(),
        Some(kubeset_transport::default_user_agent().as_str())
    );
}

#[tokio::test]
async fn the_config_default_namespace_is_kept() {
    let mut config = config();
    config.default_namespace = String::from("team-a");
    let (client, log) = over_fake(Client::builder(config).user_agent("x/1"), 200, &[]);
    assert_eq!(client.default_namespace(), "team-a");
    client.default_config_maps().get("c").await.unwrap();
    assert_eq!(
        log.lock().unwrap()[0].uri,
        "https://10.96.0.1:443/api/v1/namespaces/team-a/configmaps/c"
    );
}

/// Sends `n` GETs at once and returns when the fake saw each, relative to the start.
async fn arrivals(client: &Client, log: &Log, n: usize) -> Vec<Duration> {
    let start = Instant::now();
    let api = client.config_maps("a");
    let gets = (0..n).map(|_| api.get("c"));
    for result in futures_util::future::join_all(gets).await {
        result.unwrap();
    }
    let mut times: Vec<_> = log.lock().unwrap().iter().map(|s| s.at - start).collect();
    times.sort();
    times
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_spaces_requests_after_the_burst() {
    let (client, log) = over_fake(Client::builder(config()).rate_limit(4.0, 2), 200, &[]);
    let times = arrivals(&client, &log, 6).await;
    // A burst of 2 at once, then one every 250 ms (the timer wheel may round up by a tick).
    let expected = [0, 0, 250, 500, 750, 1000].map(Duration::from_millis);
    for (got, want) in times.iter().zip(expected) {
        assert!(
            *got >= want && *got <= want + Duration::from_millis(5),
            "{times:?}"
        );
    }

    // Without the option every request goes out at once.
    let (unlimited, log) = over_fake(Client::builder(config()), 200, &[]);
    let times = arrivals(&unlimited, &log, 6).await;
    assert!(times.iter().all(Duration::is_zero), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn the_timeout_fires_on_a_stalled_fake_but_spares_watches() {
    let stalled = tower::service_fn(|_: Request<kubeset_transport::RequestBody>| {
        std::future::pending::<Result<Response<Full<Bytes>>, std::convert::Infallible>>()
    });
    let client = Client::builder(config())
        .timeout(Duration::from_secs(10))
        .retry(RetryPolicy::never())
        .build_with_service(stalled)
        .unwrap();
    let start = Instant::now();
    let err = client.config_maps("a").get("c").await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    assert!(err.is_request_timeout(), "{err:?}");
    assert!(!err.is_connect() && !err.is_config(), "{err:?}");
    assert!(
        matches!(err.request_error(), Some(RequestError::Timeout { after, .. }) if *after == Duration::from_secs(10)),
        "{err:?}"
    );

    // A watch may wait for its headers as long as the server likes.
    let api = client.config_maps("a");
    let params = WatchParams::default();
    let watch = api.watch(&params);
    let waited = tokio::time::timeout(Duration::from_secs(3600), watch).await;
    assert!(
        waited.is_err(),
        "the watch was cut off by the request timeout"
    );

    // Reads are retried after a timeout; the predicate sees through the retry wrapper.
    let mut policy = RetryPolicy::default();
    policy.max_attempts = 3;
    let client = Client::builder(config())
        .timeout(Duration::from_secs(10))
        .retry(policy)
        .build_with_service(stalled)
        .unwrap();
    let err = client.config_maps("a").get("c").await.unwrap_err();
    assert!(err.is_request_timeout(), "{err:?}");
    assert!(
        matches!(
            err.request_error(),
            Some(RequestError::RetriesExhausted { attempts: 3, .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn warnings_reach_the_handler_once_per_client_with_their_request() {
    const OLD: &str = r#"299 - "batch/v1beta1 CronJob is deprecated in v1.21+""#;
    let collected = CollectWarnings::default();
    let (client, _) = over_fake(
        Client::builder(config()).warning_handler(collected.clone()),
        200,
        &[OLD],
    );
    client.config_maps("a").get("c").await.unwrap();
    client.config_maps("b").get("c").await.unwrap();
    let warnings = collected.take();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code, 299);
    assert_eq!(warnings[0].agent, "-");
    assert_eq!(
        warnings[0].text,
        "batch/v1beta1 CronJob is deprecated in v1.21+"
    );
    assert_eq!(warnings[0].method, http::Method::GET);
    assert_eq!(warnings[0].path, "/api/v1/namespaces/a/configmaps/c");

    // Another client reports the same text again; error answers carry warnings too.
    let (other, _) = over_fake(
        Client::builder(config())
            .warning_handler(collected.clone())
            .deduplicate_warnings(false),
        404,
        &[OLD],
    );
    for _ in 0..2 {
        let err = other.config_maps("a").get("c").await.unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
    }
    assert_eq!(collected.take().len(), 2);
}

#[tokio::test]
async fn a_failing_exec_plugin_is_matchable() {
    let mut config = config();
    let mut plugin = ExecConfig::new(
        "client.authentication.k8s.io/v1",
        "kubeset-test-no-such-credential-plugin",
    );
    plugin.install_hint = Some(String::from("install it"));
    config.auth.exec = Some(plugin);
    let (client, log) = over_fake(Client::builder(config), 200, &[]);
    let err = client.config_maps("a").get("c").await.unwrap_err();
    assert!(err.is_exec(), "{err:?}");
    assert!(
        !err.is_connect() && !err.is_tls() && err.api().is_none(),
        "{err:?}"
    );
    assert!(
        matches!(err.exec_error(), Some(ExecError::NotFound { command, .. }) if command == "kubeset-test-no-such-credential-plugin"),
        "{err:?}"
    );
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing is sent without credentials"
    );
}
