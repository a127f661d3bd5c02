//! The controller's retry and requeue timing with tokio's paused clock, against an
//! in-memory API server (a paused clock and real sockets do not mix).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use http::{Request, Response};
use http_body_util::{BodyExt, Full, StreamBody};
use k8s_openapi::api::core::v1::Secret;
use kubeset_clientset::{Api, Client};
use kubeset_runtime::WatcherConfig;
use kubeset_runtime::controller::{Action, Controller};
use kubeset_transport::{BoxError, RequestBody};
use serde_json::json;
use tokio::time::Instant;

type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// Lists answer one Secret `t/s`; watches never end and never say anything.
fn fake_client() -> Client {
    Client::from_service(tower::service_fn(|req: Request<RequestBody>| async move {
        let watch = req.uri().query().is_some_and(|q| q.contains("watch=1"));
        let body: Body = if watch {
            StreamBody::new(stream::pending()).boxed_unsync()
        } else {
            let list = json!({
                "kind": "SecretList", "apiVersion": "v1",
                "metadata": {"resourceVersion": "10"},
                "items": [{"metadata": {"name": "s", "namespace": "t", "resourceVersion": "10"}}],
            });
            Full::new(Bytes::from(serde_json::to_vec(&list).unwrap()))
                .map_err(|e| match e {})
                .boxed_unsync()
        };
        Ok::<_, BoxError>(Response::builder().status(200).body(body).unwrap())
    }))
}

#[derive(Debug, thiserror::Error)]
#[error("a planned failure")]
struct Planned;

#[tokio::test(start_paused = true)]
async fn backoff_after_errors_and_requeue_after_success_keep_their_times() {
    let secrets: Api<Secret> = Api::namespaced(fake_client(), "t");
    let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let results = Controller::new(secrets, WatcherConfig::default()).run(
        |_s: Arc<Secret>, times: Arc<Mutex<Vec<Instant>>>| async move {
            let n = {
                let mut times = times.lock().unwrap();
                times.push(Instant::now());
                times.len()
            };
            // three failures, a success coming back after 10 s, a failure, a success
            if n <= 3 || n == 5 {
                Err(Planned)
            } else {
                Ok(Action::requeue(Duration::from_secs(10)))
            }
        },
        |_, _, _| Action::backoff(),
        Arc::clone(&times),
    );
    let mut results = std::pin::pin!(results);
    for _ in 0..6 {
        results.next().await.unwrap().ok();
    }
    let times = times.lock().unwrap();
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let ms = Duration::from_millis;
    // client-go's default per-key backoff: 5, 10, 20 ms; then the requeue; the success
    // started the backoff over, so the next failure waits 5 ms again
    assert_eq!(gaps, [ms(5), ms(10), ms(20), ms(10_000), ms(5)]);
}

#[tokio::test(start_paused = true)]
async fn a_failing_key_backs_off_exponentially_to_the_cap() {
    let secrets: Api<Secret> = Api::namespaced(fake_client(), "t");
    let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let config = kubeset_runtime::controller::ControllerConfig::default().rate_limiter(
        kubeset_runtime::queue::RateLimiter::default()
            .per_key(Duration::from_secs(1), Duration::from_secs(8)),
    );
    let results = Controller::new(secrets, WatcherConfig::default())
        .with_config(config)
        .run(
            |_s: Arc<Secret>, times: Arc<Mutex<Vec<Instant>>>| async move {
                times.lock().unwrap().push(Instant::now());
                Err::<Action, _>(Planned)
            },
            |_, _, _| Action::backoff(),
            Arc::clone(&times),
        );
    let mut results = std::pin::pin!(results);
    for _ in 0..7 {
        assert!(results.next().await.unwrap().is_err());
    }
    let times = times.lock().unwrap();
    let gaps: Vec<u64> = times.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
    assert_eq!(gaps, [1, 2, 4, 8, 8, 8]);
}
