//! The watcher's state machine driven through a scripted fake API server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use http::{Request, Response};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use k8s_openapi::api::core::v1::ConfigMap;
use kubeset_transport::{BoxError, RequestBody};
use serde_json::{Value, json};

use super::*;
use crate::{Client, Error};

type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// One scripted answer.
enum Answer {
    /// A JSON body with this status.
    Json(u16, Value),
    /// A watch: these events, then a clean end (`false`) or a broken connection (`true`).
    Watch(Vec<Value>, bool),
    /// A watch that sends nothing and ends cleanly after this long (a server's timeout).
    QuietWatch(Duration),
}

/// A fake server answering requests in order from a script; once the script is used up,
/// every request gets a watch that never ends.
#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Answer>>>,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Fake {
    fn new(script: Vec<Answer>) -> Self {
        Self {
            script: Arc::new(Mutex::new(script.into())),
            seen: Arc::default(),
        }
    }

    fn client(&self) -> Client {
        let fake = self.clone();
        Client::from_service(tower::service_fn(move |req: Request<RequestBody>| {
            let fake = fake.clone();
            async move { Ok::<_, BoxError>(fake.answer(&req)) }
        }))
    }

    fn answer(&self, req: &Request<RequestBody>) -> Response<Body> {
        let accept = req
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        self.seen
            .lock()
            .unwrap()
            .push((req.uri().to_string(), accept));
        let next = self.script.lock().unwrap().pop_front();
        let (status, body): (u16, Body) = match next {
            Some(Answer::Json(status, value)) => {
                let bytes = Bytes::from(serde_json::to_vec(&value).unwrap());
                (
                    status,
                    http_body_util::Full::new(bytes)
                        .map_err(|e| match e {})
                        .boxed_unsync(),
                )
            }
            Some(Answer::Watch(events, broken)) => {
                let lines = events.into_iter().map(|e| {
                    let mut line = serde_json::to_vec(&e).unwrap();
                    line.push(b'\n');
                    Ok::<_, BoxError>(Frame::data(Bytes::from(line)))
                });
                let end = broken.then(|| Err::<Frame<Bytes>, BoxError>("connection reset".into()));
                let frames = stream::iter(lines.chain(end));
                (200, StreamBody::new(frames).boxed_unsync())
            }
            Some(Answer::QuietWatch(lasts)) => {
                let end = stream::once(tokio::time::sleep(lasts))
                    .filter_map(|()| std::future::ready(None::<Result<Frame<Bytes>, BoxError>>));
                (200, StreamBody::new(end).boxed_unsync())
            }
            None => (200, StreamBody::new(stream::pending()).boxed_unsync()),
        };
        Response::builder().status(status).body(body).unwrap()
    }

    /// The URIs requested so far.
    fn uris(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(u, _)| u.clone())
            .collect()
    }
}

fn cm(name: &str, rv: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "ns", "resourceVersion": rv}})
}

fn list(rv: &str, items: &[Value], cont: Option<&str>) -> Answer {
    let mut meta = json!({"resourceVersion": rv});
    if let Some(c) = cont {
        meta["continue"] = c.into();
    }
    Answer::Json(
        200,
        json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": meta, "items": items}),
    )
}

fn event(kind: &str, object: Value) -> Value {
    json!({"type": kind, "object": object})
}

fn bookmark(rv: &str, end: bool) -> Value {
    let mut meta = json!({"resourceVersion": rv});
    if end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    event(
        "BOOKMARK",
        json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta}),
    )
}

fn status(code: u16, reason: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code, "message": reason})
}

fn config() -> WatcherConfig {
    WatcherConfig::default().page_size(2).backoff(
        Backoff::default()
            .min(Duration::from_millis(1))
            .max(Duration::from_millis(2))
            .without_jitter(),
    )
}

/// A short text for each of the next `n` items: `Init`, `InitApply a@1`, `Err 500`, ...
async fn take(
    events: impl Stream<Item = Result<Event<ConfigMap>, Error>>,
    n: usize,
) -> Vec<String> {
    let events = events.take(n).map(|item| match item {
        Ok(Event::Init) => "Init".to_owned(),
        Ok(Event::InitDone) => "InitDone".to_owned(),
        Ok(Event::InitApply(k)) => format!("InitApply {}", id(&k)),
        Ok(Event::Apply(k)) => format!("Apply {}", id(&k)),
        Ok(Event::Delete(k)) => format!("Delete {}", id(&k)),
        Err(err) => format!(
            "Err {}",
            err.code()
                .map_or_else(|| "transport".to_owned(), |c| c.to_string())
        ),
    });
    let collected = tokio::time::timeout(Duration::from_secs(10), events.collect::<Vec<_>>());
    collected.await.expect("the watcher stalled")
}

fn id(k: &ConfigMap) -> String {
    format!(
        "{}@{}",
        k.name().unwrap_or("?"),
        k.resource_version().unwrap_or("?")
    )
}

#[track_caller]
fn check(got: &[String], expected: &[&str]) {
    assert_eq!(got, expected, "events");
}

#[track_caller]
fn check_uris(fake: &Fake, expected: &[&str]) {
    let uris = fake.uris();
    let path = "/api/v1/namespaces/ns/configmaps";
    let queries: Vec<String> = uris
        .iter()
        .map(|u| u.strip_prefix(path).unwrap_or(u).to_owned())
        .collect();
    assert_eq!(queries, expected, "requests");
}

fn watch_from(rv: &str) -> String {
    format!("?watch=1&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=290")
}

#[tokio::test]
async fn pages_then_watches_and_resumes_from_the_last_version_seen() {
    let fake = Fake::new(vec![
        list("10", &[cm("a", "5"), cm("b", "6")], Some("tok")),
        list("10", &[cm("c", "7")], None),
        Answer::Watch(
            vec![
                event("ADDED", cm("d", "11")),
                event("MODIFIED", cm("a", "12")),
                bookmark("15", false),
            ],
            false,
        ),
        Answer::Watch(vec![event("DELETED", cm("b", "16"))], false),
    ]);
    let events = watcher(fake.client().config_maps("ns"), config());
    let got = take(events, 8).await;
    check(
        &got,
        &[
            "Init",
            "InitApply a@5",
            "InitApply b@6",
            "InitApply c@7",
            "InitDone",
            "Apply d@11",
            "Apply a@12",
            "Delete b@16",
        ],
    );
    check_uris(
        &fake,
        &[
            "?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            "?limit=2&continue=tok",
            &watch_from("10"),
            &watch_from("15"),
        ],
    );
}

#[tokio::test]
async fn a_gone_watch_lists_again_from_the_most_recent_state() {
    let fake = Fake::new(vec![
        list("10", &[cm("a", "5")], None),
        Answer::Watch(vec![event("ERROR", status(410, "Expired"))], false),
        list("20", &[cm("b", "18")], None),
        Answer::Json(410, status(410, "Expired")),
        list("30", &[], None),
        Answer::Watch(vec![event("ADDED", cm("c", "31"))], false),
    ]);
    let events = watcher(fake.client().config_maps("ns"), config());
    let got = take(events, 9).await;
    check(
        &got,
        &[
            "Init",
            "InitApply a@5",
            "InitDone", // first list
            "Init",
            "InitApply b@18",
            "InitDone", // after the ERROR event
            "Init",
            "InitDone", // after the 410 answer
            "Apply c@31",
        ],
    );
    check_uris(
        &fake,
        &[
            "?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            &watch_from("10"),
            "?limit=2",
            &watch_from("20"),
            "?limit=2",
            &watch_from("30"),
        ],
    );
}

#[tokio::test]
async fn a_broken_connection_resumes_without_listing_again() {
    let fake = Fake::new(vec![
        list("10", &[], None),
        Answer::Watch(vec![event("ADDED", cm("a", "11"))], true),
        Answer::Json(500, status(500, "InternalError")),
        Answer::Watch(vec![event("MODIFIED", cm("a", "12"))], false),
    ]);
    let events = watcher(fake.client().config_maps("ns"), config());
    let got = take(events, 6).await;
    check(
        &got,
        &[
            "Init",
            "InitDone",
            "Apply a@11",
            "Err transport",
            "Err 500",
            "Apply a@12",
        ],
    );
    check_uris(
        &fake,
        &[
            "?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            &watch_from("10"),
            &watch_from("11"),
            &watch_from("11"),
        ],
    );
}

#[tokio::test]
async fn an_expired_continue_token_falls_back_to_one_full_list() {
    let fake = Fake::new(vec![
        list("10", &[cm("a", "5"), cm("b", "6")], Some("tok")),
        Answer::Json(410, status(410, "Expired")),
        list("20", &[cm("a", "5"), cm("c", "19")], None),
    ]);
    let events = watcher(fake.client().config_maps("ns"), config());
    let got = take(events, 7).await;
    check(
        &got,
        &[
            "Init",
            "InitApply a@5",
            "InitApply b@6",
            "Init",
            "InitApply a@5",
            "InitApply c@19",
            "InitDone",
        ],
    );
    check_uris(
        &fake,
        &[
            "?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            "?limit=2&continue=tok",
            "",
        ],
    );
}

#[tokio::test]
async fn a_failed_list_is_retried_and_reported() {
    let fake = Fake::new(vec![
        Answer::Json(503, status(503, "ServiceUnavailable")),
        list("10", &[], None),
    ]);
    let events = watcher(fake.client().config_maps("ns"), config());
    check(&take(events, 3).await, &["Err 503", "Init", "InitDone"]);
}

#[tokio::test]
async fn a_streaming_list_brackets_the_initial_events() {
    let fake = Fake::new(vec![Answer::Watch(
        vec![
            event("ADDED", cm("a", "5")),
            bookmark("8", false),
            event("ADDED", cm("b", "7")),
            bookmark("10", true),
            event("MODIFIED", cm("a", "11")),
        ],
        false,
    )]);
    let config = config().initial_list(InitialList::Streaming);
    let events = watcher(fake.client().config_maps("ns"), config);
    check(
        &take(events, 5).await,
        &[
            "Init",
            "InitApply a@5",
            "InitApply b@7",
            "InitDone",
            "Apply a@11",
        ],
    );
    // It ended cleanly after the last event: the next watch resumes from there.
    check_uris(
        &fake,
        &[
            "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=290",
        ],
    );
}

#[tokio::test]
async fn a_rejected_streaming_list_falls_back_to_lists_for_good() {
    let fake = Fake::new(vec![
        Answer::Json(422, status(422, "Invalid")),
        list("10", &[cm("a", "5")], None),
        Answer::Watch(vec![event("ERROR", status(410, "Expired"))], false),
        list("20", &[], None),
    ]);
    let config = config().initial_list(InitialList::Streaming);
    let events = watcher(fake.client().config_maps("ns"), config);
    check(
        &take(events, 5).await,
        &["Init", "InitApply a@5", "InitDone", "Init", "InitDone"],
    );
    let uris = fake.uris();
    assert!(uris[0].contains("sendInitialEvents=true"), "{uris:?}");
    assert!(
        uris.iter()
            .skip(1)
            .all(|u| !u.contains("sendInitialEvents")),
        "{uris:?}"
    );
}

#[tokio::test]
async fn an_interrupted_streaming_list_starts_over() {
    let fake = Fake::new(vec![
        Answer::Watch(vec![event("ADDED", cm("a", "5"))], false),
        Answer::Watch(
            vec![event("ADDED", cm("a", "5")), bookmark("9", true)],
            false,
        ),
    ]);
    let config = config().initial_list(InitialList::Streaming);
    let events = watcher(fake.client().config_maps("ns"), config);
    check(
        &take(events, 5).await,
        &["Init", "InitApply a@5", "Init", "InitApply a@5", "InitDone"],
    );
}

#[tokio::test]
async fn the_metadata_watcher_asks_for_partial_metadata() {
    let fake = Fake::new(vec![
        list("10", &[cm("a", "5")], None),
        Answer::Watch(vec![event("DELETED", cm("a", "11"))], false),
    ]);
    let events = metadata_watcher(fake.client().config_maps("ns"), config());
    let got: Vec<_> = events.take(4).collect().await;
    let names: Vec<_> = got
        .iter()
        .map(|e| {
            e.as_ref()
                .unwrap()
                .object()
                .and_then(|m| m.name().map(str::to_owned))
        })
        .collect();
    assert_eq!(
        names,
        [None, Some("a".to_owned()), None, Some("a".to_owned())]
    );
    assert!(matches!(got[3], Ok(Event::Delete(_))));
    let seen = fake.seen.lock().unwrap().clone();
    assert!(
        seen[0]
            .1
            .starts_with("application/json;as=PartialObjectMetadataList"),
        "{seen:?}"
    );
    assert!(
        seen[1]
            .1
            .starts_with("application/json;as=PartialObjectMetadata;"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn an_informer_reports_what_a_relist_changed() {
    let fake = Fake::new(vec![
        list("10", &[cm("a", "5"), cm("b", "6")], None),
        Answer::Watch(vec![event("ERROR", status(410, "Expired"))], false),
        // While the watcher could not see it: b was deleted, a changed, c was created.
        list("20", &[cm("a", "15"), cm("c", "19")], None),
    ]);
    let informer = Informer::new(fake.client().config_maps("ns"), config());
    let store = informer.store();
    let changes = informer.changes().take(5).map(|c| match c.unwrap() {
        Change::Added(k) => format!("Added {}", id(&k)),
        Change::Updated { old, new } => format!("Updated {} -> {}", id(&old), id(&new)),
        Change::Deleted(k) => format!("Deleted {}", id(&k)),
    });
    let mut got: Vec<String> = tokio::time::timeout(Duration::from_secs(10), changes.collect())
        .await
        .unwrap();
    got[..2].sort();
    got[2..].sort();
    assert_eq!(
        got,
        [
            "Added a@5",
            "Added b@6",
            "Added c@19",
            "Deleted b@6",
            "Updated a@5 -> a@15"
        ]
    );
    assert!(store.is_ready());
    let mut names: Vec<String> = store.list().iter().map(|k| id(k)).collect();
    names.sort();
    assert_eq!(names, ["a@15", "c@19"]);
    assert_eq!(
        store.get(Some("ns"), "c").map(|k| id(&k)).as_deref(),
        Some("c@19")
    );
    assert!(store.get(Some("ns"), "b").is_none());
    assert!(store.get(None, "c").is_none());
}

mod timing;
