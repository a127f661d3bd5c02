//! watch: events from a resourceVersion, selectors, bookmarks, the initial-events bookmark,
//! 410 Gone as a typed error, metadata-only watches.
//!
//! Every wait for an event is bounded (10 s): a missing event fails the test instead of
//! hanging it. No test sleeps.

use std::time::Duration;

use futures_util::Stream;
use k8s_openapi::api::core::v1::ConfigMap;
use kubeset::clientset::{
    DeleteParams, Error, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use serde_json::json;

use crate::support::objects::config_map;
use crate::support::setup;

const WAIT: Duration = Duration::from_secs(10);

/// The next item of `stream`, failing the test when none comes within [`WAIT`].
async fn next<T>(
    stream: &mut (impl Stream<Item = Result<T, Error>> + Unpin),
) -> Option<Result<T, Error>> {
    match tokio::time::timeout(WAIT, futures_util::StreamExt::next(stream)).await {
        Ok(item) => item,
        Err(_) => panic!("no watch event within {WAIT:?}"),
    }
}

/// The next event that is not a bookmark.
async fn next_change(
    stream: &mut (impl Stream<Item = Result<WatchEvent<ConfigMap>, Error>> + Unpin),
) -> WatchEvent<ConfigMap> {
    loop {
        match next(stream).await {
            Some(Ok(WatchEvent::Bookmark(_))) => continue,
            Some(Ok(event)) => return event,
            Some(Err(err)) => panic!("watch error: {err}"),
            None => panic!("the watch ended"),
        }
    }
}

#[track_caller]
fn check(event: &WatchEvent<ConfigMap>, kind: &str, name: &str, value: Option<&str>) {
    let (got_kind, cm) = match event {
        WatchEvent::Added(cm) => ("ADDED", cm),
        WatchEvent::Modified(cm) => ("MODIFIED", cm),
        WatchEvent::Deleted(cm) => ("DELETED", cm),
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!((got_kind, cm.metadata.name.as_deref()), (kind, Some(name)));
    if let Some(value) = value {
        assert_eq!(
            cm.data
                .as_ref()
                .and_then(|d| d.get("v"))
                .map(String::as_str),
            Some(value)
        );
    }
}

#[tokio::test]
async fn watch_from_a_version_sees_added_modified_deleted_in_order() {
    let ctx = setup("watch-order").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    cms.create(
        &PostParams::default(),
        &config_map("before", &[("w", "1")], &[("v", "0")]),
    )
    .await
    .unwrap();
    let rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .resource_version()
        .unwrap()
        .to_owned();
    let mut events = cms
        .watch(&WatchParams::default().labels("w=1").from_version(&rv))
        .await
        .unwrap();

    cms.create(
        &PostParams::default(),
        &config_map("cm", &[("w", "1")], &[("v", "1")]),
    )
    .await
    .unwrap();
    cms.create(
        &PostParams::default(),
        &config_map("unwatched", &[("w", "0")], &[]),
    )
    .await
    .unwrap();
    cms.patch(
        "cm",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    cms.delete("cm", &DeleteParams::default()).await.unwrap();

    check(&next_change(&mut events).await, "ADDED", "cm", Some("1"));
    check(&next_change(&mut events).await, "MODIFIED", "cm", Some("2"));
    check(&next_change(&mut events).await, "DELETED", "cm", Some("2"));
}

#[tokio::test]
async fn a_watch_without_a_version_starts_with_the_current_objects() {
    let ctx = setup("watch-initial").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    cms.create(
        &PostParams::default(),
        &config_map("existing", &[("w", "1")], &[]),
    )
    .await
    .unwrap();
    let mut events = cms
        .watch(&WatchParams::default().labels("w=1"))
        .await
        .unwrap();
    check(&next_change(&mut events).await, "ADDED", "existing", None);
}

#[tokio::test]
async fn initial_events_end_with_a_bookmark() {
    let ctx = setup("watch-bookmark").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    for name in ["a", "b"] {
        cms.create(
            &PostParams::default(),
            &config_map(name, &[("w", "1")], &[]),
        )
        .await
        .unwrap();
    }
    let mut events = cms
        .watch(&WatchParams::default().labels("w=1").initial_events())
        .await
        .unwrap();
    let mut added = Vec::new();
    let bookmark = loop {
        match next(&mut events).await {
            Some(Ok(WatchEvent::Added(cm))) => added.push(cm.metadata.name.unwrap_or_default()),
            Some(Ok(WatchEvent::Bookmark(b))) if b.is_initial_events_end() => break b,
            Some(Ok(WatchEvent::Bookmark(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    added.sort();
    assert_eq!(added, ["a", "b"]);
    assert!(!bookmark.resource_version.is_empty());

    // Changes after the bookmark keep coming on the same stream.
    cms.create(&PostParams::default(), &config_map("c", &[("w", "1")], &[]))
        .await
        .unwrap();
    check(&next_change(&mut events).await, "ADDED", "c", None);
}

#[tokio::test]
async fn a_too_old_version_is_a_typed_gone_error() {
    let ctx = setup("watch-gone").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    // "1" is older than any history a server keeps (the real one compacts every 5 min; the
    // test server's history starts after its bootstrap objects).
    let result = cms.watch(&WatchParams::default().from_version("1")).await;
    let err = match result {
        // The real server sends 410 as an ERROR event on a 200 stream.
        Ok(mut events) => match next(&mut events).await {
            Some(Err(err)) => err,
            other => panic!("expected a 410 ERROR event, got {other:?}"),
        },
        Err(err) => err,
    };
    assert!(err.is_gone(), "{err}");
    assert_eq!(err.code(), Some(410), "{err}");
}

#[tokio::test]
async fn the_stream_ends_when_the_server_times_the_watch_out() {
    let ctx = setup("watch-timeout").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let mut events = cms
        .watch(&WatchParams::default().labels("none=here").timeout(1))
        .await
        .unwrap();
    loop {
        match next(&mut events).await {
            None => break,
            Some(Ok(WatchEvent::Bookmark(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn metadata_only_watch() {
    let ctx = setup("watch-metadata").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let rv = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .resource_version()
        .unwrap()
        .to_owned();
    let mut events = cms
        .watch_metadata(&WatchParams::default().from_version(&rv).labels("w=1"))
        .await
        .unwrap();
    cms.create(
        &PostParams::default(),
        &config_map("m", &[("w", "1")], &[("v", "big")]),
    )
    .await
    .unwrap();
    loop {
        match next(&mut events).await {
            Some(Ok(WatchEvent::Added(meta))) => {
                assert_eq!(meta.metadata.name.as_deref(), Some("m"));
                assert_eq!(meta.kind, "PartialObjectMetadata");
                break;
            }
            Some(Ok(WatchEvent::Bookmark(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}
