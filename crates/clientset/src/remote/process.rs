//! [`AttachedProcess`]: a running exec or attach session, as readers and writers.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::RemoteError;
use super::protocol::{ChannelProtocol, ExitStatus, TerminalSize};
use crate::Error;

/// How much of each stream is buffered between the socket and the caller.
pub(crate) const PIPE_CAPACITY: usize = 64 * 1024;

/// A command running in a container (from [`Api::exec`](crate::Api::exec)) or a session
/// attached to one (from [`Api::attach`](crate::Api::attach)).
///
/// Take the streams you opened with [`stdin`](Self::stdin), [`stdout`](Self::stdout) and
/// [`stderr`](Self::stderr), then wait for [`status`](Self::status). Read stdout and stderr
/// while the command runs (each buffers 64 KiB, then the session waits for you); a stream you
/// drop or never take is discarded. Shutting down stdin (`AsyncWriteExt::shutdown`, or
/// dropping it) half-closes it when the server speaks `v5.channel.k8s.io`, so a command
/// reading to the end of its input sees it end. Dropping the `AttachedProcess` ends the session.
///
/// ```no_run
/// use kubeset_clientset::ExecParams;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let pods = client.pods("apps");
/// let mut process = pods.exec("web-0", &["wc", "-c"], &ExecParams::default().stdin()).await?;
/// let mut stdin = process.stdin().unwrap();
/// let mut stdout = process.stdout().unwrap();
/// stdin.write_all(b"hello").await?;
/// stdin.shutdown().await?;
/// let mut out = String::new();
/// stdout.read_to_string(&mut out).await?;
/// let status = process.status().await?;
/// println!("{} ({status})", out.trim());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AttachedProcess {
    stdin: Option<Stdin>,
    stdout: Option<Stdout>,
    stderr: Option<Stderr>,
    resize: Option<mpsc::Sender<TerminalSize>>,
    done: Option<oneshot::Receiver<Result<ExitStatus, RemoteError>>>,
    task: Option<JoinHandle<()>>,
    protocol: ChannelProtocol,
    pod: String,
}

impl AttachedProcess {
    #[allow(
        clippy::too_many_arguments,
        reason = "the session's ends, handed over once by exec.rs"
    )]
    pub(crate) fn new(
        stdin: Option<DuplexStream>,
        stdout: Option<DuplexStream>,
        stderr: Option<DuplexStream>,
        resize: Option<mpsc::Sender<TerminalSize>>,
        done: oneshot::Receiver<Result<ExitStatus, RemoteError>>,
        task: JoinHandle<()>,
        protocol: ChannelProtocol,
        pod: String,
    ) -> Self {
        Self {
            stdin: stdin.map(|inner| Stdin { inner }),
            stdout: stdout.map(|inner| Stdout { inner }),
            stderr: stderr.map(|inner| Stderr { inner }),
            resize,
            done: Some(done),
            task: Some(task),
            protocol,
            pod,
        }
    }

    /// The command's stdin (once; `None` when not opened or already taken).
    pub fn stdin(&mut self) -> Option<Stdin> {
        self.stdin.take()
    }

    /// The command's stdout (once; `None` when not opened or already taken).
    pub fn stdout(&mut self) -> Option<Stdout> {
        self.stdout.take()
    }

    /// The command's stderr (once; `None` when not opened, already taken, or under a
    /// terminal).
    pub fn stderr(&mut self) -> Option<Stderr> {
        self.stderr.take()
    }

    /// The channel protocol the server chose.
    pub fn protocol(&self) -> ChannelProtocol {
        self.protocol
    }

    /// A handle that resizes the terminal (`None` without a terminal, or when the protocol has
    /// no resize channel: before `v3.channel.k8s.io`).
    pub fn resizer(&self) -> Option<TerminalResizer> {
        self.resize.clone().map(|tx| TerminalResizer {
            tx,
            pod: self.pod.clone(),
        })
    }

    /// Waits for the session to end: the command's exit status (a non-zero code is `Ok`), or
    /// why the session failed ([`RemoteError`] inside [`Error::Remote`]).
    ///
    /// Streams not taken by then are discarded.
    pub async fn status(mut self) -> Result<ExitStatus, Error> {
        self.stdout = None;
        self.stderr = None;
        let pod = self.pod.clone();
        let Some(done) = self.done.take() else {
            return Err(RemoteError::Ended { pod }.into());
        };
        let result = done.await;
        // the task sent its verdict as its last act
        self.task = None;
        match result {
            Ok(result) => result.map_err(Error::from),
            Err(_) => Err(RemoteError::Ended { pod }.into()),
        }
    }
}

impl Drop for AttachedProcess {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Resizes a session's terminal; cheap to clone.
///
/// ```no_run
/// # async fn demo(process: kubeset_clientset::AttachedProcess) -> Result<(), kubeset_clientset::Error> {
/// use kubeset_clientset::TerminalSize;
///
/// if let Some(resizer) = process.resizer() {
///     resizer.resize(TerminalSize { width: 120, height: 40 }).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TerminalResizer {
    tx: mpsc::Sender<TerminalSize>,
    pod: String,
}

impl TerminalResizer {
    /// Sends a new terminal size (waits while earlier ones are still being sent).
    pub async fn resize(&self, size: TerminalSize) -> Result<(), Error> {
        self.tx.send(size).await.map_err(|_| {
            Error::from(RemoteError::Ended {
                pod: self.pod.clone(),
            })
        })
    }
}

macro_rules! reader {
    ($name:ident, $what:literal) => {
        #[doc = concat!("The ", $what, " of a remote command: an `AsyncRead` that ends when the session does.")]
        #[derive(Debug)]
        pub struct $name {
            inner: DuplexStream,
        }

        impl AsyncRead for $name {
            fn poll_read(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<std::io::Result<()>> {
                Pin::new(&mut self.inner).poll_read(cx, buf)
            }
        }
    };
}

reader!(Stdout, "stdout");
reader!(Stderr, "stderr");

/// The stdin of a remote command: an `AsyncWrite`; `shutdown` (or dropping it) ends the input.
#[derive(Debug)]
pub struct Stdin {
    inner: DuplexStream,
}

impl AsyncWrite for Stdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
