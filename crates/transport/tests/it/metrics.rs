//! Metrics through the `metrics` facade, seen by a recording test recorder.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use http::StatusCode;
use kubeset_config::{BearerToken, Config};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

use crate::support::{Server, get, json, write};

/// Records every operation as `kind name{labels} value`.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

struct Handle {
    kind: &'static str,
    key: String,
    log: Log,
}

impl Handle {
    fn push(&self, value: String) {
        self.log
            .0
            .lock()
            .unwrap()
            .push(format!("{} {} {value}", self.kind, self.key));
    }
}

impl metrics::CounterFn for Handle {
    fn increment(&self, value: u64) {
        self.push(format!("+{value}"));
    }

    fn absolute(&self, value: u64) {
        self.push(format!("={value}"));
    }
}

impl metrics::GaugeFn for Handle {
    fn increment(&self, value: f64) {
        self.push(format!("+{value}"));
    }

    fn decrement(&self, value: f64) {
        self.push(format!("-{value}"));
    }

    fn set(&self, value: f64) {
        self.push(format!("={value}"));
    }
}

impl metrics::HistogramFn for Handle {
    fn record(&self, _value: f64) {
        self.push(String::from("recorded"));
    }
}

impl Log {
    fn handle(&self, kind: &'static str, key: &Key) -> Arc<Handle> {
        let labels: Vec<_> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        Arc::new(Handle {
            kind,
            key: format!("{}{{{}}}", key.name(), labels.join(",")),
            log: self.clone(),
        })
    }
}

impl Recorder for Log {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.handle("counter", key))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.handle("gauge", key))
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.handle("histogram", key))
    }
}

fn jwt(exp: i64) -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.signature",
        enc(r#"{"alg":"RS256"}"#),
        enc(&format!(r#"{{"iat":1700000000,"exp":{exp}}}"#))
    )
}

#[test]
fn requests_tokens_and_refreshes_are_measured() {
    let log = Log::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let first = jwt(1_800_000_000);
    let second = jwt(1_800_003_600);
    metrics::with_local_recorder(&log, || {
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let path = write(dir.path(), "token", &first);
            let accepted = format!("Bearer {second}");
            let server = Server::start(
                None,
                Arc::new(move |seen| {
                    if seen.header("authorization") == Some(accepted.as_str()) {
                        json(StatusCode::OK, "{}")
                    } else {
                        json(StatusCode::UNAUTHORIZED, "{}")
                    }
                }),
            )
            .await;
            let mut config = Config::new(server.url());
            config.auth.bearer = Some(BearerToken::File {
                path,
                initial: None,
            });
            // Never checked for changes: only the 401 makes the transport re-read the file.
            let mut options = kubeset_transport::TransportOptions::default();
            options.token_check_interval = std::time::Duration::from_secs(3600);
            let service = kubeset_transport::connect_with(&config, &options).unwrap();
            let (response, _) = get(&service, "/api").await.unwrap();
            assert_eq!(response.status(), 401, "the first token is refused");
            write(dir.path(), "token", &second);
            let (response, _) = get(&service, "/api").await.unwrap();
            assert_eq!(response.status(), 200, "the rotated token is accepted");
        });
    });
    let log = log.0.lock().unwrap().clone();
    let has = |line: &str| log.iter().any(|l| l == line);
    for expected in [
        "counter kubeset_token_reloads_total{result=success} +1",
        "gauge kubeset_token_issued_timestamp_seconds{source=file} =1700000000",
        "gauge kubeset_token_expiry_timestamp_seconds{source=file} =1800003600",
        "counter kubeset_unauthorized_refreshes_total{result=unchanged} +1",
        "counter kubeset_unauthorized_refreshes_total{result=retried} +1",
        "counter kubeset_requests_total{method=GET,code=401} +1",
        "counter kubeset_requests_total{method=GET,code=200} +1",
        "histogram kubeset_request_duration_seconds{method=GET,code=200} recorded",
    ] {
        assert!(has(expected), "missing {expected:?} in {log:#?}");
    }
}

#[test]
fn the_client_side_rate_limit_paces_requests() {
    let log = Log::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&log, || {
        runtime.block_on(async {
            let server = Server::start(None, crate::support::ok()).await;
            let mut options = kubeset_transport::TransportOptions::default();
            // One request a second: the second request must wait for its token (unless the
            // first took a whole second, which a loopback request does not).
            options.rate_limit = Some(kubeset_transport::Qps { qps: 1.0, burst: 1 });
            let service =
                kubeset_transport::connect_with(&Config::new(server.url()), &options).unwrap();
            for _ in 0..2 {
                get(&service, "/").await.unwrap();
            }
        });
    });
    let log = log.0.lock().unwrap().clone();
    let paced = log
        .iter()
        .filter(|l| l.starts_with("counter kubeset_rate_limited_requests_total"))
        .count();
    assert_eq!(paced, 1, "{log:#?}");
}
