//! The kubelet's side of a WebSocket port-forward session (`v4.channel.k8s.io` framing).
//!
//! Port `i` of the `ports` query has data channel `2i` and error channel `2i + 1`; the first
//! frame on each carries the port as a little-endian `u16`. Each port is one connection to its
//! [`PortTarget`]; a port without a target writes the kubelet's connection-refused error on its
//! error channel. The session ends when every port's connection has ended or the client goes
//! away.

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::session::Socket;
use super::{NodeAgent, PortTarget};

/// The pod whose ports are forwarded.
#[derive(Debug, Clone)]
pub(crate) struct Pod {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) uid: String,
}

/// Runs one port-forward session to its end.
pub(crate) async fn serve(socket: Socket, pod: Pod, ports: Vec<u16>, agent: NodeAgent) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(16);
    let mut inputs: Vec<Option<mpsc::Sender<Vec<u8>>>> = Vec::new();
    for (index, &port) in ports.iter().enumerate() {
        let data = (index * 2) as u8;
        let error = data + 1;
        let prefix = port.to_le_bytes();
        for channel in [data, error] {
            if sink
                .send(Message::binary(vec![channel, prefix[0], prefix[1]]))
                .await
                .is_err()
            {
                return;
            }
        }
        let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>(16);
        inputs.push(Some(in_tx));
        let target = agent.port_target(&pod.namespace, &pod.name, port);
        tokio::spawn(connect(
            target,
            port,
            pod.clone(),
            data,
            in_rx,
            out_tx.clone(),
        ));
    }
    drop(out_tx);
    // the client's frames are read while the ports' output is written by a task of its own,
    // so a port blocked on its output never stops its input (an echo of more than the
    // channels hold)
    let mut writer = tokio::spawn(async move {
        while let Some(bytes) = out_rx.recv().await {
            if sink.send(Message::binary(bytes)).await.is_err() {
                return;
            }
        }
        // every port's connection has ended; a normal-closure code: Go clients treat a close
        // frame without one (1005) as an error
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            })))
            .await;
    });
    loop {
        tokio::select! {
            message = stream.next() => match message {
                Some(Ok(Message::Binary(data))) => {
                    let Some((&channel, payload)) = data.split_first() else { continue };
                    if channel % 2 == 1 {
                        continue;
                    }
                    if let Some(slot) = inputs.get_mut(usize::from(channel / 2))
                        && let Some(tx) = slot
                        && tx.send(payload.to_vec()).await.is_err()
                    {
                        *slot = None;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = &mut writer => return,
        }
    }
    writer.abort();
}

/// One port's connection: frames in from `input`, frames out to `output`.
async fn connect(
    target: Option<PortTarget>,
    port: u16,
    pod: Pod,
    data: u8,
    mut input: mpsc::Receiver<Vec<u8>>,
    output: mpsc::Sender<Vec<u8>>,
) {
    match target {
        Some(PortTarget::Echo) => {
            while let Some(bytes) = input.recv().await {
                let mut out = vec![data];
                out.extend_from_slice(&bytes);
                if output.send(out).await.is_err() {
                    return;
                }
            }
        }
        Some(PortTarget::Tcp(address)) => {
            let Ok(tcp) = tokio::net::TcpStream::connect(address).await else {
                refuse(&pod, port, data, &output).await;
                return;
            };
            let (mut read, mut write) = tcp.into_split();
            let to_target = async move {
                while let Some(bytes) = input.recv().await {
                    if write.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
            };
            let from_target = async {
                let mut buf = vec![0u8; 32 * 1024];
                loop {
                    match read.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let mut out = vec![data];
                            out.extend_from_slice(&buf[..n]);
                            if output.send(out).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            };
            // the connection ends when the target closes it
            tokio::select! {
                _ = from_target => {}
                _ = async { to_target.await; std::future::pending::<()>().await } => {}
            }
        }
        None => refuse(&pod, port, data, &output).await,
    }
}

/// The kubelet's error when nothing listens on the port (containerd's text).
async fn refuse(pod: &Pod, port: u16, data: u8, output: &mpsc::Sender<Vec<u8>>) {
    let sandbox: String = pod.uid.chars().filter(|c| *c != '-').collect();
    let message = format!(
        "error forwarding port {port} to pod {sandbox}, uid : failed to execute portforward in \
         network namespace \"/var/run/netns/cni-{uid}\": failed to connect to localhost:{port} \
         inside namespace \"{sandbox}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection \
         refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused ",
        uid = pod.uid
    );
    let mut out = vec![data + 1];
    out.extend_from_slice(message.as_bytes());
    let _ = output.send(out).await;
}
