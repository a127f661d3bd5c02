//! Retries end to end: what is repeated, what is not, and what the final error says.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use kubeset_config::Config;
use kubeset_transport::{RequestError, RetryPolicy, TransportOptions};

use crate::support::{Server, chain, get, json, send};

/// Answers `first` to the first `times` requests, then 200.
fn failing(times: usize, first: fn() -> Response<Full<Bytes>>) -> crate::support::Handler {
    let count = Arc::new(AtomicUsize::new(0));
    Arc::new(move |_| {
        if count.fetch_add(1, Ordering::SeqCst) < times {
            first()
        } else {
            json(StatusCode::OK, "{}")
        }
    })
}

fn too_many() -> Response<Full<Bytes>> {
    let mut response = json(
        StatusCode::TOO_MANY_REQUESTS,
        r#"{"kind":"Status","code":429}"#,
    );
    response
        .headers_mut()
        .insert("retry-after", "1".parse().unwrap());
    response
}

#[tokio::test]
async fn a_429_with_retry_after_waits_and_succeeds() {
    let server = Server::start(None, failing(1, too_many)).await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let started = std::time::Instant::now();
    let (response, _) = get(&service, "/api/v1/pods").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.seen().len(), 2);
    // Retry-After: 1 was honoured (a lower bound, not a speed assertion).
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn a_post_is_not_repeated_after_a_500_without_retry_after() {
    let server = Server::start(
        None,
        failing(1, || json(StatusCode::INTERNAL_SERVER_ERROR, "{}")),
    )
    .await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let request = Request::post("/api/v1/namespaces/default/pods")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    let (response, _) = send(&service, request).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_post_is_repeated_when_the_server_asks() {
    let server = Server::start(None, failing(1, too_many)).await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let request = Request::post("/api/v1/namespaces/default/configmaps")
        .body(Full::new(Bytes::from_static(b"{\"kind\":\"ConfigMap\"}")))
        .unwrap();
    let (response, _) = send(&service, request).await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body, "the body is sent again intact");
}

#[tokio::test]
async fn reads_are_retried_on_503() {
    let server = Server::start(
        None,
        failing(2, || json(StatusCode::SERVICE_UNAVAILABLE, "{}")),
    )
    .await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let (response, _) = get(&service, "/readyz").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn connection_refused_is_retried_and_the_error_counts_attempts() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut options = TransportOptions::default();
    options.retry = RetryPolicy::default();
    options.retry.max_attempts = 3;
    options.retry.initial_backoff = std::time::Duration::from_millis(10);
    let config = Config::new(format!("http://{addr}").parse().unwrap());
    let service = kubeset_transport::connect_with(&config, &options).unwrap();
    let err = get(&service, "/version").await.unwrap_err();
    let text = chain(&*err);
    match err.downcast_ref::<RequestError>() {
        Some(RequestError::RetriesExhausted { attempts: 3, .. }) => {}
        other => panic!("{other:?}: {text}"),
    }
    assert!(
        text.starts_with("gave up after 3 attempts | GET http://"),
        "{text}"
    );
    assert!(
        text.contains(&format!("could not connect to {addr}")),
        "{text}"
    );
}

/// A server that accepts connections, reads the request and never answers.
async fn silent_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (addr, task)
}

#[tokio::test]
async fn a_request_timeout_names_the_request_and_only_reads_are_retried() {
    let (addr, task) = silent_server().await;
    let mut options = TransportOptions::default();
    options.request_timeout = Some(std::time::Duration::from_millis(200));
    options.retry.max_attempts = 2;
    options.retry.initial_backoff = std::time::Duration::from_millis(10);
    let config = Config::new(format!("http://{addr}").parse().unwrap());
    let service = kubeset_transport::connect_with(&config, &options).unwrap();

    let err = get(&service, "/api/v1/pods").await.unwrap_err();
    let text = chain(&*err);
    assert_eq!(
        text,
        format!(
            "gave up after 2 attempts | GET http://{addr}/api/v1/pods: no response within 200ms"
        )
    );

    let request = Request::post("/api/v1/namespaces/default/pods")
        .body(Full::default())
        .unwrap();
    let err = send(&service, request).await.unwrap_err();
    assert!(matches!(
        err.downcast_ref::<RequestError>(),
        Some(RequestError::Timeout { .. })
    ));
    task.abort();
}

#[tokio::test]
async fn the_request_timeout_never_cuts_a_streaming_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A watch-like answer: headers at once, then events slower than the request timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await.unwrap();
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
            .await
            .unwrap();
        for event in [r#"{"type":"ADDED"}"#, r#"{"type":"MODIFIED"}"#] {
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            let chunk = format!("{:x}\r\n{event}\n\r\n", event.len() + 1);
            socket.write_all(chunk.as_bytes()).await.unwrap();
        }
        socket.write_all(b"0\r\n\r\n").await.unwrap();
    });
    let mut options = TransportOptions::default();
    options.request_timeout = Some(std::time::Duration::from_millis(200));
    let config = Config::new(format!("http://{addr}").parse().unwrap());
    let service = kubeset_transport::connect_with(&config, &options).unwrap();
    let (response, body) = get(&service, "/api/v1/pods?watch=true").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        &body[..],
        b"{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n"
    );
    task.await.unwrap();
}

#[tokio::test]
async fn retry_after_is_capped_by_the_policy() {
    fn an_hour() -> Response<Full<Bytes>> {
        let mut response = json(StatusCode::TOO_MANY_REQUESTS, "{}");
        response
            .headers_mut()
            .insert("retry-after", "3600".parse().unwrap());
        response
    }
    let server = Server::start(None, failing(1, an_hour)).await;
    let mut options = TransportOptions::default();
    options.retry.max_retry_after = std::time::Duration::from_millis(50);
    let service = kubeset_transport::connect_with(&Config::new(server.url()), &options).unwrap();
    // Without the cap this would wait an hour (and the harness would report a hung test).
    let result = tokio::time::timeout(std::time::Duration::from_secs(60), get(&service, "/")).await;
    let (response, _) = result.expect("the capped wait").unwrap();
    assert_eq!(response.status(), 200);
}
