//! The recorder on tokio's paused clock against the in-memory events API.

use std::sync::atomic::Ordering;
use std::time::Duration;

use k8s_openapi::api::core::v1::ObjectReference;
use serde_json::Value;

use super::fake::FakeEvents;
use crate::events::{EventRecorder, EventRecorderConfig, NewEvent, Reporter};

fn reporter() -> Reporter {
    Reporter::new("example.com/tester", "tester-0")
}

fn pod(name: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("Pod".into()),
        namespace: Some("apps".into()),
        name: Some(name.into()),
        uid: Some(format!("uid-{name}")),
        ..ObjectReference::default()
    }
}

fn count(object: &Value) -> Option<i64> {
    object.pointer("/series/count").and_then(Value::as_i64)
}

#[tokio::test(start_paused = true)]
async fn a_hundred_identical_events_become_one_object_with_a_series_count() {
    let fake = FakeEvents::default();
    let recorder = EventRecorder::new(fake.client(), reporter());
    for i in 0..100 {
        recorder.record(
            NewEvent::warning(pod("web-0"), "BackOff", "Restarting").note(format!("try {i}")),
        );
    }
    recorder.flush().await;
    let objects = fake.objects();
    assert_eq!(objects.len(), 1, "{objects:#?}");
    let (path, event) = &objects[0];
    assert!(
        path.starts_with("/apis/events.k8s.io/v1/namespaces/apps/events/web-0."),
        "{path}"
    );
    assert_eq!(count(event), Some(100));
    assert!(event.pointer("/series/lastObservedTime").is_some());
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "BackOff");
    assert_eq!(event["action"], "Restarting");
    assert_eq!(event["note"], "try 0"); // the series keeps the first note
    assert_eq!(event["regarding"]["name"], "web-0");
    assert_eq!(event["reportingController"], "example.com/tester");
    assert_eq!(event["reportingInstance"], "tester-0");
    assert!(event["eventTime"].is_string());
    // One create, the first repeat at once, the rest in one update.
    assert_eq!(fake.count("POST"), 1);
    assert_eq!(fake.count("PATCH"), 2);
    let stats = recorder.stats();
    assert_eq!(
        (stats.recorded, stats.dropped, stats.failed_writes),
        (100, 0, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn distinct_events_stay_distinct() {
    let fake = FakeEvents::default();
    let recorder = EventRecorder::new(fake.client(), reporter());
    let events = [
        NewEvent::normal(pod("a"), "Scheduled", "Binding"),
        NewEvent::warning(pod("a"), "Scheduled", "Binding"),
        NewEvent::normal(pod("a"), "Pulled", "Binding"),
        NewEvent::normal(pod("a"), "Scheduled", "Pulling"),
        NewEvent::normal(pod("b"), "Scheduled", "Binding"),
        NewEvent::normal(pod("a"), "Scheduled", "Binding").related(pod("node")),
    ];
    for event in &events {
        recorder.record(event.clone());
    }
    recorder.flush().await;
    let objects = fake.objects();
    assert_eq!(objects.len(), events.len(), "{objects:#?}");
    assert!(objects.iter().all(|(_, o)| count(o).is_none()));
    let related: Vec<_> = objects
        .iter()
        .filter(|(_, o)| o["related"]["name"] == "node")
        .collect();
    assert_eq!(related.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn without_events_k8s_io_events_are_written_as_core_v1() {
    let fake = FakeEvents::default();
    fake.no_events_v1.store(true, Ordering::SeqCst);
    let recorder = EventRecorder::new(fake.client(), reporter());
    for _ in 0..3 {
        recorder.record(NewEvent::normal(pod("web-0"), "Started", "Starting").note("up"));
    }
    recorder.flush().await;
    let objects = fake.objects();
    assert_eq!(objects.len(), 1, "{objects:#?}");
    let (path, event) = &objects[0];
    assert!(
        path.starts_with("/api/v1/namespaces/apps/events/web-0."),
        "{path}"
    );
    assert_eq!(event["involvedObject"]["name"], "web-0");
    assert_eq!(event["message"], "up");
    assert_eq!(event["reportingComponent"], "example.com/tester");
    assert_eq!(event["reportingInstance"], "tester-0");
    assert_eq!(event["action"], "Starting");
    assert_eq!(count(event), Some(3));
}

#[tokio::test(start_paused = true)]
async fn a_hanging_server_never_blocks_the_caller_and_the_queue_stays_bounded() {
    let fake = FakeEvents::default();
    fake.hanging.store(true, Ordering::SeqCst);
    let config = EventRecorderConfig::default().queue_capacity(8);
    let recorder = EventRecorder::with_config(fake.client(), reporter(), config.clone());
    // Let the task take the first event and hang on it.
    recorder.record(NewEvent::normal(pod("first"), "R", "A"));
    tokio::time::sleep(Duration::from_millis(1)).await;
    for i in 0..10_000 {
        // A synchronous call: it cannot wait for the server.
        recorder.record(NewEvent::normal(pod(&i.to_string()), "R", "A"));
    }
    let stats = recorder.stats();
    assert_eq!(stats.recorded, 1 + 8, "{stats:?}");
    assert_eq!(stats.dropped, 10_000 - 8, "{stats:?}");
    // The server recovers: the hung tries time out, and every queued event is written.
    fake.hanging.store(false, Ordering::SeqCst);
    recorder.flush().await;
    let stats = recorder.stats();
    assert_eq!((stats.writes, stats.failed_writes), (9, 0), "{stats:?}");
    assert_eq!(fake.objects().len(), 9);
    recorder.record(NewEvent::normal(pod("later"), "R", "A"));
    recorder.flush().await;
    assert_eq!(fake.objects().len(), 10);
}

#[tokio::test(start_paused = true)]
async fn a_failing_server_fails_no_caller_and_a_repeat_after_recovery_is_written() {
    let fake = FakeEvents::default();
    fake.failing.store(true, Ordering::SeqCst);
    let recorder = EventRecorder::new(fake.client(), reporter());
    recorder.record(NewEvent::warning(pod("web-0"), "Failed", "Syncing"));
    recorder.flush().await;
    let stats = recorder.stats();
    assert_eq!(stats.failed_writes, 1, "{stats:?}");
    assert!(fake.count("POST") >= 3, "retried: {}", fake.count("POST"));
    assert!(fake.objects().is_empty());
    fake.failing.store(false, Ordering::SeqCst);
    recorder.record(NewEvent::warning(pod("web-0"), "Failed", "Syncing"));
    recorder.flush().await;
    let objects = fake.objects();
    assert_eq!(objects.len(), 1);
    assert_eq!(count(&objects[0].1), Some(2));
}

#[tokio::test(start_paused = true)]
async fn the_series_cache_is_capped() {
    let fake = FakeEvents::default();
    let config = EventRecorderConfig::default()
        .cache_capacity(16)
        .queue_capacity(2_000);
    let recorder = EventRecorder::with_config(fake.client(), reporter(), config);
    for i in 0..1_000 {
        recorder.record(NewEvent::normal(pod(&format!("p{i}")), "R", "A"));
    }
    recorder.flush().await;
    assert_eq!(recorder.stats().series, 16);
    assert_eq!(fake.objects().len(), 1_000);
    // p0 was forgotten: its repeat starts a new object instead of a series.
    recorder.record(NewEvent::normal(pod("p0"), "R", "A"));
    // p999 was not: its repeat joins its series.
    recorder.record(NewEvent::normal(pod("p999"), "R", "A"));
    recorder.flush().await;
    let objects = fake.objects();
    let of = |name: &str| -> Vec<Option<i64>> {
        objects
            .iter()
            .filter(|(_, o)| o["regarding"]["name"] == name)
            .map(|(_, o)| count(o))
            .collect()
    };
    assert_eq!(of("p0"), vec![None, None]);
    assert_eq!(of("p999"), vec![Some(2)]);
}

#[tokio::test(start_paused = true)]
async fn a_repeat_after_the_window_starts_a_new_object() {
    let fake = FakeEvents::default();
    let recorder = EventRecorder::new(fake.client(), reporter());
    recorder.record(NewEvent::normal(pod("web-0"), "R", "A"));
    recorder.flush().await;
    tokio::time::sleep(Duration::from_secs(7 * 60)).await;
    recorder.record(NewEvent::normal(pod("web-0"), "R", "A"));
    recorder.flush().await;
    let objects = fake.objects();
    assert_eq!(objects.len(), 2);
    assert!(objects.iter().all(|(_, o)| count(o).is_none()));
}

#[tokio::test(start_paused = true)]
async fn counted_repeats_reach_the_server_within_the_refresh_period() {
    let fake = FakeEvents::default();
    let config = EventRecorderConfig::default();
    let recorder = EventRecorder::with_config(fake.client(), reporter(), config.clone());
    for _ in 0..5 {
        recorder.record(NewEvent::normal(pod("web-0"), "R", "A"));
    }
    let start = tokio::time::Instant::now();
    loop {
        let objects = fake.objects();
        if objects.first().and_then(|(_, o)| count(o)) == Some(5) {
            break;
        }
        assert!(
            start.elapsed() <= config.series_refresh,
            "no update within the refresh"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Not written at once: the first repeat (2) went out immediately, the rest waited.
    assert!(start.elapsed() >= config.series_refresh - Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn an_expired_event_object_is_created_again_with_its_series() {
    let fake = FakeEvents::default();
    let recorder = EventRecorder::new(fake.client(), reporter());
    for _ in 0..2 {
        recorder.record(NewEvent::normal(pod("web-0"), "R", "A"));
    }
    recorder.flush().await;
    fake.expire_all();
    recorder.record(NewEvent::normal(pod("web-0"), "R", "A"));
    recorder.flush().await;
    let objects = fake.objects();
    assert_eq!(objects.len(), 1, "{objects:#?}");
    assert_eq!(count(&objects[0].1), Some(3));
}
