//! exec against scripted WebSocket servers on 127.0.0.1 (plain HTTP/1.1): protocol fallback,
//! the older protocols' error channel, handshake failures and refusals.

use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use http::{Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use kubeset_clientset::{ChannelProtocol, Client, ExecParams, RemoteError};
use kubeset_config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// What the server saw: the offered protocols; the script's frames come through a channel
/// once it is done.
#[derive(Debug, Default, Clone)]
struct Seen {
    offered: String,
}

/// The frames the script read from the client.
type Frames = tokio::sync::oneshot::Receiver<Vec<Vec<u8>>>;

/// Serves one WebSocket upgrade answering with `protocol`, then runs `script` on the socket
/// (it returns the frames it read). A `refusal` is answered instead of the upgrade.
async fn serve<F, Fut>(
    protocol: Option<&'static str>,
    refusal: Option<(u16, &'static str)>,
    script: F,
) -> (Client, Arc<Mutex<Seen>>, Frames)
where
    F: Fn(Socket) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Vec<Vec<u8>>> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let seen_server = seen.clone();
    let (frames_tx, frames_rx) = tokio::sync::oneshot::channel();
    let frames_tx = Arc::new(Mutex::new(Some(frames_tx)));
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            let seen = seen_server.clone();
            let frames_tx = frames_tx.clone();
            async move {
                let offered = req.headers()[header::SEC_WEBSOCKET_PROTOCOL]
                    .to_str()
                    .unwrap()
                    .to_owned();
                seen.lock().unwrap().offered = offered;
                if let Some((code, body)) = refusal {
                    let mut r = Response::new(Full::new(bytes::Bytes::from(body)));
                    *r.status_mut() = StatusCode::from_u16(code).unwrap();
                    return Ok::<_, Infallible>(r);
                }
                let key = req.headers()[header::SEC_WEBSOCKET_KEY].as_bytes().to_vec();
                let upgrade = hyper::upgrade::on(&mut req);
                tokio::spawn(async move {
                    let upgraded = upgrade.await.unwrap();
                    let socket = WebSocketStream::from_raw_socket(
                        TokioIo::new(upgraded),
                        Role::Server,
                        None,
                    )
                    .await;
                    let frames = script(socket).await;
                    if let Some(tx) = frames_tx.lock().unwrap().take() {
                        let _ = tx.send(frames);
                    }
                });
                let mut r = Response::new(Full::default());
                *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
                let h = r.headers_mut();
                h.insert(header::UPGRADE, "websocket".parse().unwrap());
                h.insert(header::CONNECTION, "Upgrade".parse().unwrap());
                h.insert(
                    header::SEC_WEBSOCKET_ACCEPT,
                    derive_accept_key(&key).parse().unwrap(),
                );
                if let Some(p) = protocol {
                    h.insert(header::SEC_WEBSOCKET_PROTOCOL, p.parse().unwrap());
                }
                Ok(r)
            }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tcp), service)
            .with_upgrades()
            .await;
    });
    let config = Config::new(format!("http://{addr}").parse().unwrap());
    (Client::new(config).unwrap(), seen, frames_rx)
}

/// Reads binary frames until `until` says stop or the client closes.
async fn read_frames(socket: &mut Socket, until: impl Fn(&[u8]) -> bool) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    while let Some(Ok(message)) = socket.next().await {
        match message {
            Message::Binary(data) => {
                let stop = until(&data);
                frames.push(data.to_vec());
                if stop {
                    break;
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    frames
}

async fn close(socket: &mut Socket) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
}

#[tokio::test]
async fn v4_is_spoken_when_the_server_picks_it() {
    let (client, seen, frames) = serve(Some("v4.channel.k8s.io"), None, |mut socket| async move {
        let mut frames = read_frames(&mut socket, |f| f == b"\0abc").await;
        socket.send(Message::binary(b"\x01ABC".to_vec())).await.unwrap();
        let status = br#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [tr], exit code 2","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"2"}]}}"#;
        let mut error = vec![3u8];
        error.extend_from_slice(status);
        socket.send(Message::binary(error)).await.unwrap();
        close(&mut socket).await;
        // whatever else the client sends before it closes
        frames.extend(read_frames(&mut socket, |_| false).await);
        frames
    })
    .await;
    let pods = client.pods("ns");
    let mut process = pods
        .exec("p", &["tr"], &ExecParams::default().stdin())
        .await
        .unwrap();
    assert_eq!(process.protocol(), ChannelProtocol::V4);
    let mut stdin = process.stdin().unwrap();
    stdin.write_all(b"abc").await.unwrap();
    stdin.shutdown().await.unwrap();
    let mut out = String::new();
    process
        .stdout()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    assert_eq!(out, "ABC");
    assert_eq!(process.status().await.unwrap().code(), 2);

    let offered = seen.lock().unwrap().offered.clone();
    assert_eq!(
        offered,
        "v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io",
        "newest first"
    );
    let frames = frames.await.unwrap();
    assert_eq!(frames.first().map(Vec::as_slice), Some(&b"\0abc"[..]));
    assert!(
        frames.iter().all(|f| f.first() != Some(&255)),
        "v4 has no close signal: {frames:?}"
    );
}

#[tokio::test]
async fn the_v1_error_channel_is_text() {
    let (client, _, _) = serve(Some("channel.k8s.io"), None, |mut socket| async move {
        socket
            .send(Message::binary(b"\x03something broke".to_vec()))
            .await
            .unwrap();
        close(&mut socket).await;
        Vec::new()
    })
    .await;
    let err = client
        .pods("ns")
        .exec_output("p", &["x"], &ExecParams::default().container("app"))
        .await
        .unwrap_err();
    match err.remote() {
        Some(RemoteError::Failed {
            message,
            reason,
            pod,
            container,
        }) => {
            assert_eq!(message, "something broke");
            assert_eq!(reason, &None);
            assert_eq!((pod.as_str(), container.as_deref()), ("ns/p", Some("app")));
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "running in pod ns/p (container app) failed: something broke"
    );
}

#[tokio::test]
async fn a_server_naming_no_protocol_speaks_v1_and_success_is_silent() {
    let (client, _, _) = serve(None, None, |mut socket| async move {
        socket
            .send(Message::binary(b"\x01done".to_vec()))
            .await
            .unwrap();
        close(&mut socket).await;
        Vec::new()
    })
    .await;
    let out = client
        .pods("ns")
        .exec_output("p", &["x"], &ExecParams::default())
        .await
        .unwrap();
    assert_eq!(out.stdout, b"done");
    assert!(out.status.success());
}

#[tokio::test]
async fn a_v5_session_closed_without_a_status_is_an_error() {
    let (client, _, _) = serve(Some("v5.channel.k8s.io"), None, |mut socket| async move {
        close(&mut socket).await;
        Vec::new()
    })
    .await;
    let err = client
        .pods("ns")
        .exec_output("p", &["x"], &ExecParams::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err.remote(), Some(RemoteError::Closed { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_protocol_that_was_not_offered_fails_the_handshake() {
    let (client, _, _) = serve(Some("v9.channel.k8s.io"), None, |_socket| async move {
        Vec::new()
    })
    .await;
    let err = client
        .pods("ns")
        .exec("p", &["x"], &ExecParams::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err.remote(), Some(RemoteError::Handshake { reason, .. }) if reason.contains("\"v9.channel.k8s.io\", which was not offered")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_upgrade_is_the_servers_status_explained_as_create() {
    let status = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: User \"bob\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"ns\"","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403}"#;
    let (client, _, _) = serve(
        None,
        Some((403, status)),
        |_socket| async move { Vec::new() },
    )
    .await;
    let err = client
        .pods("ns")
        .exec("p", &["x"], &ExecParams::default())
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    let api = err.api().unwrap();
    assert_eq!(api.method, http::Method::GET, "the method sent");
    let text = err.to_string();
    assert!(text.contains("denied: create pods/exec \"p\""), "{text}");
}
