//! `Client::from_service` with a `tower_test` mock: no sockets at all.

use bytes::Bytes;
use http::Response;
use http_body_util::Full;
use kubeset_clientset::Client;
use kubeset_transport::RequestBody;

#[tokio::test]
async fn a_mock_service_sees_origin_form_requests() {
    let (service, mut handle) =
        tower_test::mock::pair::<http::Request<RequestBody>, Response<Full<Bytes>>>();
    let client = Client::from_service(service);
    let server = tokio::spawn(async move {
        let (request, respond) = handle.next_request().await.unwrap();
        assert_eq!(request.method(), "GET");
        assert_eq!(request.uri(), "/api/v1/namespaces/default/configmaps/c");
        assert!(
            request.uri().authority().is_none(),
            "the transport adds the server"
        );
        respond.send_response(
            Response::builder()
                .status(200)
                .body(Full::new(Bytes::from_static(
                    br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}"#,
                )))
                .unwrap(),
        );
    });
    let cm = client.default_config_maps().get("c").await.unwrap();
    assert_eq!(cm.data.unwrap()["k"], "v");
    server.await.unwrap();
}

#[tokio::test]
async fn a_service_error_is_a_transport_error() {
    let (service, mut handle) =
        tower_test::mock::pair::<http::Request<RequestBody>, Response<Full<Bytes>>>();
    let client = Client::from_service(service);
    tokio::spawn(async move {
        let (_, respond) = handle.next_request().await.unwrap();
        respond.send_error(std::io::Error::other("connection reset by test"));
    });
    let err = client.nodes().list(&Default::default()).await.unwrap_err();
    assert!(
        matches!(err, kubeset_clientset::Error::Transport { .. }),
        "{err:?}"
    );
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(source, "connection reset by test");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_one_client_across_concurrent_requests_over_http2() {
    let server = crate::support::serve(|seen| {
        let name = seen.uri.rsplit('/').next().unwrap().to_owned();
        crate::support::json(
            200,
            &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}),
        )
    })
    .await;
    let client = crate::support::client_with(server.addr, true);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let cms = client.config_maps("a");
            tokio::spawn(async move { cms.get(&format!("c{i}")).await })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let cm = task.await.unwrap().unwrap();
        assert_eq!(cm.metadata.name, Some(format!("c{i}")));
    }
    assert_eq!(server.seen().len(), 64);
}
