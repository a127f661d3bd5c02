//! Watches: events decoded line by line, bookmarks, ERROR as a typed error.

use bytes::Bytes;
use futures_util::TryStreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kubeset_clientset::{WatchEvent, WatchParams};
use serde_json::Value;

use crate::support::{chunked, recorded, serve};

const NS: &str = "t-watch-initial-events";

fn lines(events: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    for event in events.as_array().unwrap() {
        serde_json::to_writer(&mut out, event).unwrap();
        out.push(b'\n');
    }
    out
}

#[tokio::test]
async fn events_split_anywhere_decode_in_order() {
    let path = format!(
        "/api/v1/namespaces/{NS}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=w%3Dlist"
    );
    let events = recorded("watch-initial-events", "GET", &path);
    let body = lines(&events);
    for piece in [1, 7, 100, body.len()] {
        let chunks: Vec<Bytes> = body.chunks(piece).map(Bytes::copy_from_slice).collect();
        let server = serve(move |_| chunked(200, chunks.clone())).await;
        let wp = WatchParams::default().initial_events().labels("w=list");
        let stream = server.client.config_maps(NS).watch(&wp).await.unwrap();
        let got: Vec<WatchEvent<ConfigMap>> = stream.try_collect().await.unwrap();
        assert_eq!(server.one().uri, path);
        let names: Vec<String> = got
            .iter()
            .map(|e| match e {
                WatchEvent::Added(cm) => cm.metadata.name.clone().unwrap(),
                WatchEvent::Bookmark(b) => format!("bookmark end={}", b.is_initial_events_end()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["a", "b", "c", "bookmark end=true"], "piece {piece}");
    }
}

#[tokio::test]
async fn a_too_old_resource_version_is_a_gone_error() {
    let path = "/api/v1/namespaces/t-watch-too-old/configmaps?watch=1&resourceVersion=1";
    let events = recorded("watch-too-old", "GET", path);
    let body = lines(&events);
    let server = serve(move |_| chunked(200, vec![Bytes::from(body.clone())])).await;
    let mut stream = server
        .client
        .config_maps("t-watch-too-old")
        .watch(&WatchParams::default().from_version("1"))
        .await
        .unwrap();
    let err = stream.try_next().await.unwrap_err();
    assert!(err.is_gone(), "{err}");
    assert_eq!(err.api().unwrap().reason(), "Expired");
    assert!(
        err.to_string().contains("too old resource version"),
        "{err}"
    );
    assert!(stream.try_next().await.unwrap().is_none());
    assert_eq!(server.one().uri, path);
}

#[tokio::test]
async fn modified_deleted_and_a_final_line_without_newline() {
    let body = concat!(
        r#"{"type":"MODIFIED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"m"}}}"#,
        "\n\n",
        r#"{"type":"DELETED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"d"}}}"#
    );
    let server = serve(move |_| chunked(200, vec![Bytes::from_static(body.as_bytes())])).await;
    let got: Vec<_> = server
        .client
        .config_maps("a")
        .watch(&Default::default())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(
        matches!(&got[0], WatchEvent::Modified(cm) if cm.metadata.name.as_deref() == Some("m"))
    );
    assert!(matches!(&got[1], WatchEvent::Deleted(cm) if cm.metadata.name.as_deref() == Some("d")));
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn a_malformed_event_is_a_decode_error_naming_the_field() {
    let body = r#"{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":7}}}
"#;
    let server = serve(move |_| chunked(200, vec![Bytes::from_static(body.as_bytes())])).await;
    let mut stream = server
        .client
        .config_maps("a")
        .watch_metadata(&Default::default())
        .await
        .unwrap();
    let err = stream.try_next().await.unwrap_err();
    assert!(
        matches!(&err, kubeset_clientset::Error::Decode { path, .. } if path == "object.metadata.name"),
        "{err:?}"
    );
}
