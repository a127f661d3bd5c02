//! `Api<Pod>::exec`, `attach` and `exec_output`.

use k8s_openapi::api::core::v1::Pod;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, oneshot};

use super::process::{AttachedProcess, PIPE_CAPACITY};
use super::protocol::{ChannelProtocol, ExitStatus};
use super::session::{self, Plumbing, Subject};
use super::{ExecParams, connect};
use crate::query::Query;
use crate::{Api, Error};

/// What [`Api::exec_output`] collected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecOutput {
    /// Everything the command wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr (empty under a terminal).
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: ExitStatus,
}

impl Api<Pod> {
    /// Runs `command` in a container of pod `name` (`pods/exec`), with the streams `ep` opens.
    ///
    /// Offers `v5.channel.k8s.io` down to `channel.k8s.io` and speaks the one the server picks
    /// ([`AttachedProcess::protocol`]). Needs `create` on `pods/exec` (checked by the server
    /// for WebSocket upgrades since Kubernetes 1.35). The session runs on a task of its own
    /// until the server closes it.
    ///
    /// ```no_run
    /// use kubeset_clientset::ExecParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let process = client.pods("apps").exec("web-0", &["pg_dump", "app"], &ExecParams::default()).await?;
    /// let status = process.status().await?;
    /// assert!(status.success());
    /// # Ok(()) }
    /// ```
    pub async fn exec(
        &self,
        name: &str,
        command: &[&str],
        ep: &ExecParams,
    ) -> Result<AttachedProcess, Error> {
        let mut query = Query::new(self.item_path(name, Some("exec"))?);
        ep.write(&mut query, command);
        self.start(name, query.finish(), ep).await
    }

    /// Attaches to the running main process of a container of pod `name` (`pods/attach`).
    ///
    /// As [`exec`](Self::exec), without a command. Needs `create` on `pods/attach`.
    ///
    /// ```no_run
    /// use kubeset_clientset::ExecParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let mut process = client.pods("apps").attach("web-0", &ExecParams::default()).await?;
    /// let stdout = process.stdout();
    /// # let _ = stdout;
    /// # Ok(()) }
    /// ```
    pub async fn attach(&self, name: &str, ep: &ExecParams) -> Result<AttachedProcess, Error> {
        let mut query = Query::new(self.item_path(name, Some("attach"))?);
        ep.write(&mut query, &[]);
        self.start(name, query.finish(), ep).await
    }

    /// Runs `command` and collects its output and exit status (stdin is not opened).
    ///
    /// ```no_run
    /// use kubeset_clientset::ExecParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let out = client.pods("apps").exec_output("web-0", &["cat", "/etc/hostname"], &ExecParams::default()).await?;
    /// println!("{} ({})", String::from_utf8_lossy(&out.stdout).trim(), out.status);
    /// # Ok(()) }
    /// ```
    pub async fn exec_output(
        &self,
        name: &str,
        command: &[&str],
        ep: &ExecParams,
    ) -> Result<ExecOutput, Error> {
        let ep = ExecParams {
            stdin: false,
            ..ep.clone()
        };
        let mut process = self.exec(name, command, &ep).await?;
        let read_all = |reader: Option<Box<dyn tokio::io::AsyncRead + Send + Unpin>>| async move {
            let mut bytes = Vec::new();
            if let Some(mut reader) = reader {
                // a pipe fails only when the session's task is gone; the status says why
                let _ = reader.read_to_end(&mut bytes).await;
            }
            bytes
        };
        let stdout = process
            .stdout()
            .map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Send + Unpin>);
        let stderr = process
            .stderr()
            .map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Send + Unpin>);
        let (stdout, stderr) = tokio::join!(read_all(stdout), read_all(stderr));
        let status = process.status().await?;
        Ok(ExecOutput {
            stdout,
            stderr,
            status,
        })
    }

    async fn start(
        &self,
        name: &str,
        url: String,
        ep: &ExecParams,
    ) -> Result<AttachedProcess, Error> {
        let offered: Vec<&str> = ChannelProtocol::ALL.iter().map(|p| p.name()).collect();
        let (socket, chosen) = connect::open(&self.client, &url, &offered).await?;
        // a server that names no protocol speaks the first one
        let protocol = chosen
            .as_deref()
            .and_then(ChannelProtocol::from_name)
            .unwrap_or(ChannelProtocol::V1);
        let pod = match &self.base.namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_owned(),
        };
        let pipe = |open: bool| open.then(|| tokio::io::duplex(PIPE_CAPACITY));
        let stdin = pipe(ep.stdin);
        let stdout = pipe(ep.stdout);
        let stderr = pipe(ep.stderr && !ep.tty);
        let resize = (ep.tty && protocol.supports_resize()).then(|| mpsc::channel(8));
        let (done_tx, done_rx) = oneshot::channel();
        let (stdin_user, stdin_task) = split(stdin);
        let (stdout_user, stdout_task) = split(stdout);
        let (stderr_user, stderr_task) = split(stderr);
        let (resize_tx, resize_rx) = match resize {
            Some((tx, rx)) => (Some(tx), Some(rx)),
            None => (None, None),
        };
        let plumbing = Plumbing {
            stdin: stdin_task,
            stdout: stdout_task,
            stderr: stderr_task,
            resize: resize_rx,
            done: done_tx,
        };
        let subject = Subject {
            pod: pod.clone(),
            container: ep.container.clone(),
        };
        let task = tokio::spawn(session::run(socket, protocol, subject, plumbing));
        Ok(AttachedProcess::new(
            stdin_user,
            stdout_user,
            stderr_user,
            resize_tx,
            done_rx,
            task,
            protocol,
            pod,
        ))
    }
}

fn split<T>(pair: Option<(T, T)>) -> (Option<T>, Option<T>) {
    match pair {
        Some((a, b)) => (Some(a), Some(b)),
        None => (None, None),
    }
}
