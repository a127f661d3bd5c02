//! What a protobuf client puts on the wire and how it reads answers, against a fake server.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, header};
use http_body_util::{BodyExt, Full};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kubeset_transport::RequestBody;
use serde_json::json;

use crate::{Client, ListParams, PostParams};

type Seen = Arc<Mutex<Vec<(String, Option<String>, Bytes)>>>;

/// A client whose server answers every request with `answer` (protobuf when it has the
/// `k8s\0` prefix, else JSON) and records
/// each request's `Accept`, `Content-Type` and body.
fn fake(protobuf: bool, answer: Vec<u8>) -> (Client, Seen) {
    let seen: Seen = Arc::default();
    let record = Arc::clone(&seen);
    let answer = Bytes::from(answer);
    let content_type = if answer.starts_with(b"k8s\0") {
        "application/vnd.kubernetes.protobuf"
    } else {
        "application/json"
    };
    let service = tower::service_fn(move |request: Request<RequestBody>| {
        let record = Arc::clone(&record);
        let answer = answer.clone();
        async move {
            let header = |name| {
                request
                    .headers()
                    .get(name)
                    .and_then(|v: &http::HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let (accept, sent_type) = (header(header::ACCEPT), header(header::CONTENT_TYPE));
            let body = request.into_body().collect().await.unwrap().to_bytes();
            record
                .lock()
                .unwrap()
                .push((accept.unwrap_or_default(), sent_type, body));
            let mut response = Response::new(Full::new(answer));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                http::HeaderValue::from_static(content_type),
            );
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    (Client::from_service(service).with_protobuf(protobuf), seen)
}

fn pods(n: usize) -> serde_json::Value {
    let items: Vec<_> = (0..n)
        .map(|i| {
            json!({"metadata": {"name": format!("p{i}"), "namespace": "ns"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
        })
        .collect();
    json!({"metadata": {"resourceVersion": "42", "continue": "next"}, "items": items})
}

#[tokio::test]
async fn creates_are_sent_in_protobuf_and_answers_read_by_content_type() {
    let cm = ConfigMap {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some("c".into()),
            ..Default::default()
        },
        data: Some([("k".to_owned(), "v".to_owned())].into()),
        ..Default::default()
    };
    let stored = kubeset_protobuf::to_vec(&cm, "v1", "ConfigMap").unwrap();
    let (client, seen) = fake(true, stored);
    let back = client
        .config_maps("ns")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    assert_eq!(back, cm);
    let seen = seen.lock().unwrap();
    let (accept, sent_type, body) = &seen[0];
    assert_eq!(
        accept,
        "application/vnd.kubernetes.protobuf, application/json"
    );
    assert_eq!(
        sent_type.as_deref(),
        Some("application/vnd.kubernetes.protobuf")
    );
    assert_eq!(kubeset_protobuf::from_slice::<ConfigMap>(body).unwrap(), cm);
}

#[tokio::test]
async fn lists_decode_from_protobuf_in_parallel_batches_and_from_a_json_fallback() {
    // More items than are decoded inline, so the batches go to blocking threads.
    let list = pods(1000);
    let bytes = kubeset_protobuf::to_vec(&list, "v1", "PodList").unwrap();
    let (client, seen) = fake(true, bytes);
    let decoded = client
        .pods("ns")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(decoded.items.len(), 1000);
    assert_eq!(decoded.kind, "PodList");
    assert_eq!(decoded.resource_version(), Some("42"));
    assert_eq!(decoded.continue_token(), Some("next"));
    let names: Vec<_> = decoded
        .items
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    let want: Vec<_> = (0..1000).map(|i| format!("p{i}")).collect();
    assert_eq!(names, want, "items keep the server's order");
    assert_eq!(seen.lock().unwrap()[0].0, super::ACCEPT);

    // A server that answers JSON anyway is understood.
    let mut json_list = pods(3);
    json_list["apiVersion"] = "v1".into();
    json_list["kind"] = "PodList".into();
    let (client, _) = fake(true, serde_json::to_vec(&json_list).unwrap());
    let decoded = client
        .pods("ns")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(decoded.items.len(), 3);
}

#[tokio::test]
async fn without_the_option_or_for_custom_types_requests_stay_json() {
    let (client, seen) = fake(false, br#"{"metadata":{"name":"p"}}"#.to_vec());
    let _: Pod = client.pods("ns").get("p").await.unwrap();
    assert_eq!(seen.lock().unwrap()[0].0, "application/json");

    // A kind the protobuf table does not know (a custom resource) is JSON on a protobuf client.
    let (client, seen) = fake(true, br#"{"metadata":{"name":"w"}}"#.to_vec());
    let resource = crate::ApiResource::new("example.com", "v1", "Widget", "widgets", true);
    let _ = crate::Api::<serde_json::Value>::dynamic_namespaced(client, &resource, "ns")
        .unwrap()
        .get("w")
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap()[0].0, "application/json");
}

/// A protobuf response body arriving in pieces of `piece` bytes.
fn streamed(bytes: &[u8], piece: usize) -> (HeaderMap, kubeset_transport::ResponseBody) {
    let frames: Vec<Result<http_body::Frame<Bytes>, kubeset_transport::BoxError>> = bytes
        .chunks(piece)
        .map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    let body = http_body_util::StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static(super::CONTENT_TYPE),
    );
    (headers, body)
}

#[tokio::test]
async fn a_list_streamed_in_pieces_decodes_in_order_across_batches() {
    // About 700 KB: several batches, each decoded on a blocking thread while the rest of the
    // body is still being fed.
    let list = pods(8000);
    let bytes = kubeset_protobuf::to_vec(&list, "v1", "PodList").unwrap();
    assert!(bytes.len() > 2 * 256 * 1024, "{} bytes", bytes.len());
    for piece in [997, 16 * 1024] {
        let (headers, body) = streamed(&bytes, piece);
        let (decoded, last) = super::read_list::<Pod>(&headers, body, "https://fake/pods", true)
            .await
            .unwrap();
        let names: Vec<_> = decoded
            .items
            .iter()
            .map(|p| p.metadata.name.clone().unwrap())
            .collect();
        let want: Vec<_> = (0..8000).map(|i| format!("p{i}")).collect();
        assert_eq!(names, want, "pieces of {piece} bytes");
        assert_eq!(decoded.resource_version(), Some("42"));
        assert_eq!(last.as_deref(), Some("ns/p7999"));
    }
}

#[tokio::test]
async fn a_list_cut_short_is_an_error_naming_the_url() {
    let bytes = kubeset_protobuf::to_vec(&pods(50), "v1", "PodList").unwrap();
    let (headers, body) = streamed(&bytes[..bytes.len() / 2], 100);
    let err = super::read_list::<Pod>(&headers, body, "https://fake/pods", false)
        .await
        .unwrap_err();
    assert!(
        matches!(err, crate::Error::ProtobufDecode { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("https://fake/pods"), "{err}");
}
