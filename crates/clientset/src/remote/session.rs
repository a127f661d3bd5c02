//! The task that runs one exec or attach session: it moves stdin to the socket, the socket's
//! stdout and stderr to the caller's readers, resizes to the resize channel, and reads the
//! error channel's verdict.
//!
//! Guarantees: the readers see end-of-file when the session ends, however it ends; the verdict
//! is sent exactly once, after the readers have been closed; a reader the caller dropped is
//! skipped, never waited for.

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::RemoteError;
use super::connect::Socket;
use super::protocol::{self, ChannelProtocol, ExitStatus, Verdict};

/// Where the session's streams go, and who waits for its end.
pub(crate) struct Plumbing {
    pub(crate) stdin: Option<DuplexStream>,
    pub(crate) stdout: Option<DuplexStream>,
    pub(crate) stderr: Option<DuplexStream>,
    pub(crate) resize: Option<mpsc::Receiver<protocol::TerminalSize>>,
    pub(crate) done: oneshot::Sender<Result<ExitStatus, RemoteError>>,
}

/// Names for errors.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub(crate) pod: String,
    pub(crate) container: Option<String>,
}

/// Runs the session until the server closes it or the connection breaks.
pub(crate) async fn run(
    socket: Socket,
    protocol: ChannelProtocol,
    subject: Subject,
    mut plumbing: Plumbing,
) {
    let (mut sink, mut stream) = socket.split();
    let mut errors = Vec::new();
    let mut got_error_frame = false;
    let mut buf = vec![0u8; 32 * 1024];
    let mut broken = None;
    loop {
        tokio::select! {
            message = stream.next() => match message {
                Some(Ok(Message::Binary(data))) => {
                    let Some((&channel, payload)) = data.split_first() else { continue };
                    match channel {
                        protocol::STDOUT => deliver(&mut plumbing.stdout, payload).await,
                        protocol::STDERR => deliver(&mut plumbing.stderr, payload).await,
                        protocol::ERROR => {
                            got_error_frame = true;
                            errors.extend_from_slice(payload);
                        }
                        protocol::CLOSE if protocol.supports_close() => match payload.first() {
                            Some(&protocol::STDOUT) => finish(&mut plumbing.stdout).await,
                            Some(&protocol::STDERR) => finish(&mut plumbing.stderr).await,
                            _ => {}
                        },
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    broken = Some(err);
                    break;
                }
            },
            read = read_some(&mut plumbing.stdin, &mut buf) => match read {
                Some(0) | None => {
                    plumbing.stdin = None;
                    if protocol.supports_close() {
                        let close = Message::binary(vec![protocol::CLOSE, protocol::STDIN]);
                        if let Err(err) = sink.send(close).await {
                            broken = Some(err);
                            break;
                        }
                    }
                }
                Some(n) => {
                    let message = Message::binary(protocol::frame(protocol::STDIN, &buf[..n]));
                    if let Err(err) = sink.send(message).await {
                        broken = Some(err);
                        break;
                    }
                }
            },
            size = next_size(&mut plumbing.resize) => match size {
                None => plumbing.resize = None,
                Some(size) if protocol.supports_resize() => {
                    let message = Message::binary(protocol::resize_frame(size));
                    if let Err(err) = sink.send(message).await {
                        broken = Some(err);
                        break;
                    }
                }
                Some(_) => {}
            },
        }
    }
    finish(&mut plumbing.stdout).await;
    finish(&mut plumbing.stderr).await;
    // a normal-closure code: Go clients treat a close frame without one (1005) as an error
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
    let Subject { pod, container } = subject;
    let result = match (got_error_frame, broken) {
        (false, Some(source)) => Err(RemoteError::ConnectionLost {
            pod,
            container,
            source,
        }),
        (false, None) if protocol.status_is_json() => Err(RemoteError::Closed { pod, container }),
        _ => match protocol::verdict(protocol, &errors) {
            Verdict::Exit(status) => Ok(status),
            Verdict::Failure { message, reason } => Err(RemoteError::Failed {
                pod,
                container,
                message,
                reason,
            }),
        },
    };
    let _ = plumbing.done.send(result);
}

/// Writes to a reader's pipe; a reader that was dropped is forgotten.
async fn deliver(pipe: &mut Option<DuplexStream>, data: &[u8]) {
    if let Some(writer) = pipe
        && writer.write_all(data).await.is_err()
    {
        *pipe = None;
    }
}

/// Closes a reader's pipe: the reader sees end-of-file once it has read what is buffered.
async fn finish(pipe: &mut Option<DuplexStream>) {
    if let Some(mut writer) = pipe.take() {
        let _ = writer.shutdown().await;
    }
}

/// Reads from stdin, or waits forever when stdin is closed. `None` is an error (treated as
/// the end of stdin).
async fn read_some(stdin: &mut Option<DuplexStream>, buf: &mut [u8]) -> Option<usize> {
    match stdin {
        Some(reader) => reader.read(buf).await.ok(),
        None => std::future::pending().await,
    }
}

/// The next resize, or waits forever when there are no more.
async fn next_size(
    sizes: &mut Option<mpsc::Receiver<protocol::TerminalSize>>,
) -> Option<protocol::TerminalSize> {
    match sizes {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
