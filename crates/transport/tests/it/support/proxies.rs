//! Proxies on loopback for the proxy tests: HTTP CONNECT and SOCKS5, each recording the targets
//! it was asked for.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::{Leaf, ServerTls};

/// An HTTP CONNECT proxy on loopback that records the targets it was asked for.
pub struct ConnectProxy {
    pub addr: SocketAddr,
    pub targets: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ConnectProxy {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A proxy spoken to over TLS (`https://` proxy URLs) with `leaf` as its certificate.
    pub async fn start_tls(leaf: Leaf) -> Self {
        let mut tls = ServerTls::http1(leaf);
        tls.alpn = Vec::new();
        Self::start_with(Some(tls.acceptor())).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let targets = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn({
            let targets = targets.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let (targets, tls) = (targets.clone(), tls.clone());
                    tokio::spawn(async move {
                        match tls {
                            None => proxy_session(client, targets).await,
                            Some(acceptor) => {
                                if let Ok(client) = acceptor.accept(client).await {
                                    proxy_session(client, targets).await;
                                }
                            }
                        }
                    });
                }
            }
        });
        Self {
            addr,
            targets,
            task,
        }
    }
}

async fn proxy_session<S>(mut client: S, targets: Arc<Mutex<Vec<String>>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read_exact(&mut byte).await.is_err() {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        // A forwarded plain-HTTP request: record its absolute-form target and answer it here.
        let target = head.split_whitespace().nth(1).unwrap_or_default();
        let auth = head
            .lines()
            .find_map(|l| l.strip_prefix("proxy-authorization: "))
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        targets
            .lock()
            .unwrap()
            .push(format!("forward {target}{auth}"));
        let _ = client
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nforwarded",
            )
            .await;
        return;
    };
    let auth = head
        .lines()
        .find_map(|l| l.strip_prefix("Proxy-Authorization: "))
        .map(|v| format!(" ({v})"))
        .unwrap_or_default();
    targets.lock().unwrap().push(format!("{target}{auth}"));
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    let _ = client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await;
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// A SOCKS5 proxy on loopback (no auth, or user/password when `credentials` is set) that
/// records the targets it was asked for.
pub struct Socks5Proxy {
    pub addr: SocketAddr,
    pub targets: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for Socks5Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Socks5Proxy {
    pub async fn start(credentials: Option<(&'static str, &'static str)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let targets = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn({
            let targets = targets.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let targets = targets.clone();
                    tokio::spawn(async move {
                        let _ = socks5_session(client, credentials, targets).await;
                    });
                }
            }
        });
        Self {
            addr,
            targets,
            task,
        }
    }
}

async fn socks5_session(
    mut client: TcpStream,
    credentials: Option<(&str, &str)>,
    targets: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    client.read_exact(&mut head).await?;
    let mut methods = vec![0u8; usize::from(head[1])];
    client.read_exact(&mut methods).await?;
    let wanted = if credentials.is_some() { 2 } else { 0 };
    if !methods.contains(&wanted) {
        client.write_all(&[5, 0xff]).await?;
        return Ok(());
    }
    client.write_all(&[5, wanted]).await?;
    if let Some((user, pass)) = credentials {
        let mut ver_len = [0u8; 2];
        client.read_exact(&mut ver_len).await?;
        let mut got_user = vec![0u8; usize::from(ver_len[1])];
        client.read_exact(&mut got_user).await?;
        let mut plen = [0u8; 1];
        client.read_exact(&mut plen).await?;
        let mut got_pass = vec![0u8; usize::from(plen[0])];
        client.read_exact(&mut got_pass).await?;
        let ok = got_user == user.as_bytes() && got_pass == pass.as_bytes();
        client.write_all(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            return Ok(());
        }
    }
    let mut request = [0u8; 4];
    client.read_exact(&mut request).await?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).await?;
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        }
    };
    let port = {
        let mut port = [0u8; 2];
        client.read_exact(&mut port).await?;
        u16::from_be_bytes(port)
    };
    targets.lock().unwrap().push(format!("{host}:{port}"));
    let ip = if host == "localhost" {
        "127.0.0.1".to_owned()
    } else {
        host
    };
    let mut upstream = TcpStream::connect(format!("{ip}:{port}")).await?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}
