//! Measures listing N realistic pods from a canned HTTP/1.1 server on 127.0.0.1.
//!
//! ```text
//! cargo run --release -p kubeset-clientset --example list_bench -- streaming 10000
//! cargo run --release -p kubeset-clientset --example list_bench -- buffered 10000
//! ```
//!
//! `streaming` is `Api::list` (items found while the body arrives, decoded in parallel);
//! `buffered` is the usual way: collect the whole body, then one `serde_json::from_slice`.
//! Each run prints the best of 5 wall times and the process's peak RSS (`VmHWM`), which
//! includes the server's copy of the body in both modes. Run the modes as separate processes.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::{TokioExecutor, TokioIo};
use k8s_openapi::api::core::v1::Pod;
use kubeset_clientset::{Client, ListParams};
use kubeset_transport::RequestBody;
use serde_json::{Value, json};

fn pod_list(count: usize) -> Bytes {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testserver/tests/transcripts/pods-create-defaults.json"
    );
    let text = std::fs::read_to_string(path)
        .expect("transcript")
        .replace("\"<time>\"", "\"2026-05-01T10:00:00Z\"")
        .replace("\"<rv>\"", "\"4242\"");
    let transcript: Value = serde_json::from_str(&text).expect("json");
    let mut pod = transcript["steps"][2]["response"]["body"].clone();
    if let Some(object) = pod.as_object_mut() {
        object.remove("kind");
        object.remove("apiVersion");
    }
    pod["metadata"]["name"] = json!("NAME");
    pod["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration": "x".repeat(1200),
        "prometheus.io/scrape": "true", "prometheus.io/port": "9090",
    });
    pod["status"]["conditions"] = json!([
        {"type": "Initialized", "status": "True", "lastTransitionTime": "2026-05-01T10:00:00Z"},
        {"type": "Ready", "status": "True", "lastTransitionTime": "2026-05-01T10:00:00Z"},
        {"type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-05-01T10:00:00Z"},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-05-01T10:00:00Z"},
    ]);
    let template = serde_json::to_string(&pod).expect("encode");
    let mut body = String::from(
        r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":["#,
    );
    for i in 0..count {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&template.replace("\"NAME\"", &format!("\"pod-{i:06}\"")));
    }
    body.push_str("]}");
    Bytes::from(body)
}

async fn serve(body: Bytes) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        let chunks: Vec<Bytes> = (0..body.len())
                            .step_by(16 * 1024)
                            .map(|at| body.slice(at..(at + 16 * 1024).min(body.len())))
                            .collect();
                        let frames = futures_util::stream::iter(
                            chunks
                                .into_iter()
                                .map(|c| Ok::<_, Infallible>(Frame::data(c))),
                        );
                        Ok::<_, Infallible>(hyper::Response::new(StreamBody::new(frames)))
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn client(
    addr: std::net::SocketAddr,
) -> (
    Client,
    hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        RequestBody,
    >,
) {
    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build_http::<RequestBody>();
    let inner = http.clone();
    let service = tower::service_fn(move |mut req: http::Request<RequestBody>| {
        let http = inner.clone();
        async move {
            *req.uri_mut() = format!("http://{addr}{}", req.uri()).parse().expect("uri");
            http.request(req).await
        }
    });
    (Client::from_service(service), http)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "streaming".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let body = pod_list(count);
    let body_len = body.len();
    let addr = serve(body).await;
    let (client, http) = client(addr);
    // Count only what listing costs: reset the peak RSS after building the body.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let baseline = peak_rss_mib();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let items = match mode.as_str() {
            "streaming" => client
                .all_pods()
                .list(&ListParams::default())
                .await
                .expect("list")
                .items
                .len(),
            _ => {
                let uri: http::Uri = format!("http://{addr}/api/v1/pods").parse().expect("uri");
                let response = http
                    .request(
                        http::Request::get(uri)
                            .body(RequestBody::default())
                            .expect("req"),
                    )
                    .await
                    .expect("get");
                let bytes = response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes();
                serde_json::from_slice::<k8s_openapi::List<Pod>>(&bytes)
                    .expect("decode")
                    .items
                    .len()
            }
        };
        assert_eq!(items, count);
        best = best.min(start.elapsed());
    }
    println!(
        "{mode}: {count} pods, {:.1} MiB body ({:.0} B/pod): best {:.0} ms, peak RSS {:.0} MiB above {:.0} MiB before listing",
        body_len as f64 / 1048576.0,
        body_len as f64 / count as f64,
        best.as_secs_f64() * 1000.0,
        peak_rss_mib() - baseline,
        baseline
    );
}
