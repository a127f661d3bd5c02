//! The kubelet's side of an exec or attach session over WebSocket.
//!
//! Frames from the client: stdin (0), resize (4, JSON `{"Width","Height"}`), and on
//! `v5.channel.k8s.io` the close signal `[255, 0]` that ends stdin. Frames to the client:
//! stdout (1), stderr (2), then the error channel (3): a `Status` on v4 and v5 (as the
//! kubelet's `remotecommand.ServeExec` writes it), plain text on older protocols (nothing on
//! success); then a close frame. [`Outcome::Disconnect`] drops the connection instead.

use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{ExecSession, Handler, Outcome};

/// The upgraded connection.
pub(crate) type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Channels.
const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// The exec and attach protocols, newest first.
pub(crate) const PROTOCOLS: [&str; 5] = [
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v3.channel.k8s.io",
    "v2.channel.k8s.io",
    "channel.k8s.io",
];

/// What the client asked for.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) namespace: String,
    pub(crate) pod: String,
    pub(crate) container: String,
    pub(crate) command: Vec<String>,
    pub(crate) stdin: bool,
    pub(crate) stdout: bool,
    pub(crate) stderr: bool,
    pub(crate) tty: bool,
    /// The agreed protocol (`channel.k8s.io` when the client named none).
    pub(crate) protocol: String,
}

/// Runs one session to its end.
pub(crate) async fn serve(socket: Socket, request: Request, handler: Handler) {
    let protocol = request.protocol.clone();
    let close_signal = protocol == PROTOCOLS[0];
    let json_status = close_signal || protocol == PROTOCOLS[1];
    let pipe = |open: bool| open.then(|| tokio::io::duplex(64 * 1024));
    let (stdin_agent, stdin_ours) = split(pipe(request.stdin));
    let (stdout_agent, mut stdout_ours) = split(pipe(request.stdout));
    let (stderr_agent, mut stderr_ours) = split(pipe(request.stderr && !request.tty));
    let (resize_tx, resizes) = mpsc::unbounded_channel();
    let session = ExecSession {
        namespace: request.namespace.clone(),
        pod: request.pod.clone(),
        container: request.container.clone(),
        command: request.command.clone(),
        tty: request.tty,
        protocol: protocol.clone(),
        stdin: stdin_agent,
        stdout: stdout_agent,
        stderr: stderr_agent,
        resizes,
    };
    let mut running = tokio::spawn(handler(session));
    let (mut sink, stream) = socket.split();
    // what the client sends is read by a task of its own, so a handler blocked on its output
    // never stops its input (a `cat` of more than the pipes hold)
    let mut inbound = tokio::spawn(inbound(stream, stdin_ours, resize_tx, close_signal));
    let mut outcome = None;
    let mut out_buf = vec![0u8; 32 * 1024];
    let mut err_buf = vec![0u8; 32 * 1024];
    loop {
        if outcome.is_some() && stdout_ours.is_none() && stderr_ours.is_none() {
            break;
        }
        tokio::select! {
            _ = &mut inbound => {
                // the client went away: the process loses its terminal
                running.abort();
                return;
            },
            read = read_some(&mut stdout_ours, &mut out_buf) => match read {
                0 => stdout_ours = None,
                n => {
                    if sink.send(Message::binary(frame(STDOUT, &out_buf[..n]))).await.is_err() {
                        running.abort();
                        inbound.abort();
                        return;
                    }
                }
            },
            read = read_some(&mut stderr_ours, &mut err_buf) => match read {
                0 => stderr_ours = None,
                n => {
                    if sink.send(Message::binary(frame(STDERR, &err_buf[..n]))).await.is_err() {
                        running.abort();
                        inbound.abort();
                        return;
                    }
                }
            },
            done = &mut running, if outcome.is_none() => {
                outcome = Some(done.unwrap_or_else(|e| Outcome::Error(format!("handler failed: {e}"))));
            }
        }
    }
    inbound.abort();
    let error = match outcome {
        Some(Outcome::Disconnect) | None => return,
        Some(Outcome::Exit(code)) => exit_report(&request, code, json_status),
        Some(Outcome::Error(message)) => error_report(&message, json_status),
    };
    if let Some(bytes) = error
        && sink
            .send(Message::binary(frame(ERROR, &bytes)))
            .await
            .is_err()
    {
        return;
    }
    // a normal-closure code: Go clients treat a close frame without one (1005) as an error
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
}

/// Reads the client's frames until it closes: stdin, resizes, the close signal.
async fn inbound(
    mut stream: futures_util::stream::SplitStream<Socket>,
    mut stdin: Option<DuplexStream>,
    resizes: mpsc::UnboundedSender<(u16, u16)>,
    close_signal: bool,
) {
    while let Some(Ok(message)) = stream.next().await {
        let Message::Binary(data) = message else {
            if matches!(message, Message::Close(_)) {
                return;
            }
            continue;
        };
        let Some((&channel, payload)) = data.split_first() else {
            continue;
        };
        match channel {
            STDIN => {
                if let Some(pipe) = stdin.as_mut()
                    && pipe.write_all(payload).await.is_err()
                {
                    stdin = None;
                }
            }
            RESIZE => {
                if let Ok(size) = serde_json::from_slice::<Value>(payload) {
                    let dim = |k: &str| size.get(k).and_then(Value::as_u64).unwrap_or(0);
                    let width = u16::try_from(dim("Width")).unwrap_or(u16::MAX);
                    let height = u16::try_from(dim("Height")).unwrap_or(u16::MAX);
                    let _ = resizes.send((width, height));
                }
            }
            CLOSE if close_signal && payload.first() == Some(&STDIN) => {
                if let Some(mut pipe) = stdin.take() {
                    let _ = pipe.shutdown().await;
                }
            }
            _ => {}
        }
    }
}

/// The error channel's bytes for an exit code (`None`: nothing is sent).
fn exit_report(request: &Request, code: i32, json_status: bool) -> Option<Vec<u8>> {
    let detail = format!(
        "error executing command [{}], exit code {code}",
        request.command.join(" ")
    );
    if json_status {
        let status = if code == 0 {
            json!({"metadata": {}, "status": "Success"})
        } else {
            json!({
                "metadata": {},
                "status": "Failure",
                "message": format!("command terminated with non-zero exit code: {detail}"),
                "reason": "NonZeroExitCode",
                "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
            })
        };
        return serde_json::to_vec(&status).ok();
    }
    (code != 0)
        .then(|| format!("command terminated with non-zero exit code: {detail}").into_bytes())
}

/// The error channel's bytes for a runtime failure.
fn error_report(message: &str, json_status: bool) -> Option<Vec<u8>> {
    if json_status {
        let status = json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("Internal error occurred: {message}"),
            "reason": "InternalError",
            "details": {"causes": [{"message": message}]},
            "code": 500,
        });
        return serde_json::to_vec(&status).ok();
    }
    Some(message.as_bytes().to_vec())
}

fn frame(channel: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1);
    out.push(channel);
    out.extend_from_slice(data);
    out
}

fn split(
    pair: Option<(DuplexStream, DuplexStream)>,
) -> (Option<DuplexStream>, Option<DuplexStream>) {
    match pair {
        Some((a, b)) => (Some(a), Some(b)),
        None => (None, None),
    }
}

/// Reads some output; 0 at its end (or on an error); waits forever for a closed output.
async fn read_some(pipe: &mut Option<DuplexStream>, buf: &mut [u8]) -> usize {
    match pipe {
        Some(reader) => reader.read(buf).await.unwrap_or(0),
        None => std::future::pending().await,
    }
}
