//! Protocols, pooling and the header-level layers, end to end.

use std::io::Write as _;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::Full;
use kubeset_config::{Config, Material};
use kubeset_transport::Warnings;
use tower::ServiceExt;

use crate::support::{Ca, Server, ServerTls, get, json, ok, write};

async fn tls_server(
    tls: fn(crate::support::Leaf) -> ServerTls,
) -> (Server, Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(Some(tls(ca.server(&["127.0.0.1"]))), ok()).await;
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path));
    (server, config, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_negotiated_and_100_concurrent_requests_share_one_connection() {
    let (server, config, _dir) = tls_server(ServerTls::h2).await;
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/warm-up").await.unwrap();
    let requests = (0..100).map(|i| {
        let service = service.clone();
        tokio::spawn(async move { get(&service, &format!("/api/v1/namespaces/ns-{i}")).await })
    });
    for request in requests {
        let (response, _) = request.await.unwrap().unwrap();
        assert_eq!(response.status(), 200);
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 101);
    assert!(seen.iter().all(|s| s.version == Version::HTTP_2));
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn http1_is_used_when_the_server_offers_only_http1() {
    let (server, config, _dir) = tls_server(ServerTls::http1).await;
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();
    get(&service, "/").await.unwrap();
    let seen = server.seen();
    assert!(seen.iter().all(|s| s.version == Version::HTTP_11));
    // The first connection, opened expecting HTTP/2, is dropped once ALPN says HTTP/1.1;
    // the request goes out on a new HTTP/1.1 connection, which is then reused.
    assert_eq!(server.connections(), 2);
    assert_eq!(
        seen[0].connection, seen[1].connection,
        "the HTTP/1.1 connection is reused"
    );
}

#[tokio::test]
async fn plain_http_servers_work_like_kubectl_proxy() {
    let server = Server::start(None, ok()).await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let (response, body) = get(&service, "/api").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(&body[..], br#"{"ok":true}"#);
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

fn gzip_handler() -> crate::support::Handler {
    Arc::new(|seen| {
        let wants_gzip = seen
            .header("accept-encoding")
            .is_some_and(|v| v.contains("gzip"));
        if wants_gzip {
            Response::builder()
                .header("content-encoding", "gzip")
                .body(Full::new(Bytes::from(gzip(r#"{"kind":"PodList"}"#))))
                .unwrap()
        } else {
            json(StatusCode::OK, r#"{"kind":"PodList"}"#)
        }
    })
}

#[tokio::test]
async fn gzip_responses_are_decoded_unless_compression_is_disabled() {
    let server = Server::start(None, gzip_handler()).await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let (_, body) = get(&service, "/api/v1/pods").await.unwrap();
    assert_eq!(&body[..], br#"{"kind":"PodList"}"#);
    assert_eq!(server.seen()[0].header("accept-encoding"), Some("gzip"));

    let mut config = Config::new(server.url());
    config.disable_compression = true;
    let service = kubeset_transport::connect(&config).unwrap();
    let (_, body) = get(&service, "/api/v1/pods").await.unwrap();
    assert_eq!(&body[..], br#"{"kind":"PodList"}"#);
    assert_eq!(server.seen()[1].header("accept-encoding"), None);
}

#[tokio::test]
async fn user_agent_impersonation_and_base_path_are_sent() {
    let server = Server::start(None, ok()).await;
    let mut config = Config::new(
        format!("http://{}/k8s/clusters/c-1", server.addr)
            .parse()
            .unwrap(),
    );
    config.impersonate.user = Some("jane".into());
    config.impersonate.uid = Some("1234".into());
    config.impersonate.groups = vec!["devs".into(), "ops".into()];
    config
        .impersonate
        .extra
        .insert("example.com/scopes".into(), vec!["view".into()]);
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/api/v1/pods?limit=1").await.unwrap();
    let seen = &server.seen()[0];
    assert_eq!(
        seen.uri.to_string(),
        "/k8s/clusters/c-1/api/v1/pods?limit=1"
    );
    assert_eq!(
        seen.header("user-agent"),
        Some(kubeset_transport::default_user_agent().as_str())
    );
    assert_eq!(seen.header("impersonate-user"), Some("jane"));
    assert_eq!(seen.header("impersonate-uid"), Some("1234"));
    let groups: Vec<_> = seen.headers.get_all("impersonate-group").iter().collect();
    assert_eq!(groups, ["devs", "ops"]);
    assert_eq!(
        seen.header("impersonate-extra-example.com%2fscopes"),
        Some("view")
    );

    let mut options = kubeset_transport::TransportOptions::default();
    options.user_agent = Some("provisioner/1.0".into());
    let service = kubeset_transport::connect_with(&Config::new(server.url()), &options).unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(
        server.seen()[1].header("user-agent"),
        Some("provisioner/1.0")
    );
}

#[tokio::test]
async fn warnings_reach_the_caller() {
    let server = Server::start(
        None,
        Arc::new(|_| {
            Response::builder()
                .header(
                    "warning",
                    r#"299 - "v1 ComponentStatus is deprecated in v1.19+""#,
                )
                .body(Full::default())
                .unwrap()
        }),
    )
    .await;
    let service = kubeset_transport::connect(&Config::new(server.url())).unwrap();
    let request = Request::get("/api/v1/componentstatuses")
        .body(Full::default())
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(
        response.extensions().get::<Warnings>(),
        Some(&Warnings(vec![
            "v1 ComponentStatus is deprecated in v1.19+".into()
        ]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_burst_of_requests_is_served_on_one_http2_connection() {
    let (server, config, _dir) = tls_server(ServerTls::h2).await;
    let service = kubeset_transport::connect(&config).unwrap();
    let requests: Vec<_> = (0..20)
        .map(|i| {
            let service = service.clone();
            tokio::spawn(async move { get(&service, &format!("/api/v1/namespaces/ns-{i}")).await })
        })
        .collect();
    for request in requests {
        request.await.unwrap().unwrap();
    }
    // The pool starts HTTP/2-only, so hyper opens one connection and queues the burst on it.
    // (Without that, each of the 20 requests opened its own connection.) Under heavy load hyper
    // has been seen, once, to give up a pool checkout and open a second connection, so the
    // bound is "a couple", not exactly one.
    let mut used: Vec<_> = server.seen().iter().map(|s| s.connection).collect();
    used.sort_unstable();
    used.dedup();
    let opened = server.connections();
    assert!(
        opened <= 2 && used.len() <= 2,
        "opened {opened}, used {used:?}"
    );
}

#[tokio::test]
async fn an_upgrade_goes_over_http1_on_its_own_connection_and_the_pool_stays_http2() {
    let (server, config, _dir) = tls_server(ServerTls::h2).await;
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/warm-up").await.unwrap();
    let upgrade = Request::get("/api/v1/namespaces/ns/pods/p/exec?command=true")
        .header(http::header::CONNECTION, "Upgrade")
        .header(http::header::UPGRADE, "websocket")
        .body(Full::default())
        .unwrap();
    let response = service.clone().oneshot(upgrade).await.unwrap();
    assert_eq!(response.status(), 200, "this server does not upgrade");
    get(&service, "/after").await.unwrap();
    let seen = server.seen();
    let versions: Vec<Version> = seen.iter().map(|s| s.version).collect();
    assert_eq!(
        versions,
        [Version::HTTP_2, Version::HTTP_11, Version::HTTP_2],
        "WebSocket upgrades need HTTP/1.1; everything else stays on HTTP/2"
    );
    assert_ne!(
        seen[1].connection, seen[0].connection,
        "a connection of its own"
    );
    assert_eq!(
        seen[2].connection, seen[0].connection,
        "the pool is unchanged"
    );
}
