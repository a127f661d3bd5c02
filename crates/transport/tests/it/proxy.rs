//! Proxies, end to end (routing decisions and NO_PROXY are unit-tested in the crate).

use kubeset_config::{Config, Material};

use crate::support::{Ca, ConnectProxy, Server, ServerTls, Socks5Proxy, chain, get, ok, write};

#[tokio::test]
async fn https_goes_through_a_connect_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(ca.server(&["127.0.0.1"]))), ok()).await;
    let proxy = ConnectProxy::start().await;
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path));
    config.proxy_url = Some(format!("http://{}", proxy.addr).parse().unwrap());
    let service = kubeset_transport::connect(&config).unwrap();
    let (response, _) = get(&service, "/version").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(*proxy.targets.lock().unwrap(), [server.addr.to_string()]);
}

#[tokio::test]
async fn a_dead_proxy_is_named_in_the_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = listener.local_addr().unwrap();
    drop(listener);
    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.proxy_url = Some(format!("http://user:hunter2@{dead}").parse().unwrap());
    let mut options = kubeset_transport::TransportOptions::default();
    options.retry = kubeset_transport::RetryPolicy::never();
    let service = kubeset_transport::connect_with(&config, &options).unwrap();
    let err = get(&service, "/").await.unwrap_err();
    let text = crate::support::chain(&*err);
    assert!(text.contains(&format!("proxy http://{dead}/")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn plain_http_is_forwarded_in_absolute_form_through_an_http_proxy() {
    let proxy = ConnectProxy::start().await;
    let mut config = Config::new("http://api.example.invalid:8080".parse().unwrap());
    config.proxy_url = Some(format!("http://kube:pw@{}", proxy.addr).parse().unwrap());
    let service = kubeset_transport::connect(&config).unwrap();
    let (response, body) = get(&service, "/api/v1/pods?limit=1").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(&body[..], b"forwarded");
    assert_eq!(
        *proxy.targets.lock().unwrap(),
        ["forward http://api.example.invalid:8080/api/v1/pods?limit=1 (Basic a3ViZTpwdw==)"]
    );
}

#[tokio::test]
async fn socks5_proxies_carry_tls_with_and_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(ca.server(&["localhost"]))), ok()).await;
    let port = server.addr.port();
    for (credentials, userinfo) in [(None, ""), (Some(("kube", "s3cret")), "kube:s3cret@")] {
        let proxy = Socks5Proxy::start(credentials).await;
        // A host name, so the proxy (not the client) resolves it, as with client-go.
        let mut config = Config::new(format!("https://localhost:{port}").parse().unwrap());
        config.tls.root_certs = Some(Material::File(ca_path.clone()));
        config.proxy_url = Some(
            format!("socks5://{userinfo}{}", proxy.addr)
                .parse()
                .unwrap(),
        );
        let service = kubeset_transport::connect(&config).unwrap();
        let (response, _) = get(&service, "/version").await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            *proxy.targets.lock().unwrap(),
            [format!("localhost:{port}")]
        );
    }
}

#[tokio::test]
async fn https_proxies_with_credentials_tunnel_tls_inside_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(ca.server(&["127.0.0.1"]))), ok()).await;
    // As in client-go, the proxy is verified with the cluster's trust roots.
    let proxy = ConnectProxy::start_tls(ca.server(&["127.0.0.1"])).await;
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path));
    config.proxy_url = Some(
        format!("https://kube:p%40ss@{}", proxy.addr)
            .parse()
            .unwrap(),
    );
    let service = kubeset_transport::connect(&config).unwrap();
    let (response, _) = get(&service, "/version").await.unwrap();
    assert_eq!(response.status(), 200);
    // base64("kube:p@ss")
    assert_eq!(
        *proxy.targets.lock().unwrap(),
        [format!("{} (Basic a3ViZTpwQHNz)", server.addr)]
    );
}

#[tokio::test]
async fn a_failed_socks5_handshake_names_the_proxy_and_keeps_the_cause() {
    // A "proxy" that hangs up at once.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            drop(conn);
        }
    });
    let mut config = Config::new("https://localhost:6443".parse().unwrap());
    config.proxy_url = Some(format!("socks5://kube:s3cret@{addr}").parse().unwrap());
    let service = kubeset_transport::connect(&config).unwrap();
    let err = get(&service, "/version").await.unwrap_err();
    let text = chain(&*err);
    assert!(text.contains(&format!("proxy socks5://{addr}")), "{text}");
    assert!(
        text.contains("could not open a connection to localhost:6443"),
        "{text}"
    );
    assert!(text.contains("SOCKS error"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}
