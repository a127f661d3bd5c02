//! The recorder against the test server: what it writes is read back through the API.

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::events::v1::Event;
use kubeset_clientset::{Api, ListParams, PostParams};

use crate::events::{EventRecorder, NewEvent, Reporter, reference_to};
use crate::leader::tests::server::cluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_identical_events_are_read_back_as_one_event_with_a_series_count() {
    let cluster = cluster("events").await;
    let client = cluster.client.clone();
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some("settings".into());
    let cm = client
        .config_maps("events")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    let recorder = EventRecorder::new(
        client.clone(),
        Reporter::new("example.com/tester", "tester-0"),
    );
    for i in 0..100 {
        recorder.record(
            NewEvent::warning(reference_to(&cm), "InvalidSetting", "Validating")
                .note(format!("attempt {i}")),
        );
    }
    for reason in ["Created", "Updated", "Deleted"] {
        recorder.record(NewEvent::normal(reference_to(&cm), reason, "Syncing"));
    }
    recorder.flush().await;
    assert_eq!(recorder.stats().failed_writes, 0, "{:?}", recorder.stats());

    let events: Api<Event> = Api::namespaced(client.clone(), "events");
    let list = events.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(list.len(), 4, "{list:#?}");
    let repeated: Vec<_> = list
        .iter()
        .filter(|e| e.reason.as_deref() == Some("InvalidSetting"))
        .collect();
    assert_eq!(repeated.len(), 1);
    let event = repeated[0];
    assert_eq!(event.series.as_ref().map(|s| s.count), Some(100));
    assert_eq!(event.type_.as_deref(), Some("Warning"));
    assert_eq!(event.note.as_deref(), Some("attempt 0"));
    assert_eq!(
        event.reporting_controller.as_deref(),
        Some("example.com/tester")
    );
    let regarding = event.regarding.as_ref().unwrap();
    assert_eq!(regarding.uid, cm.metadata.uid);
    assert_eq!(regarding.kind.as_deref(), Some("ConfigMap"));
    for reason in ["Created", "Updated", "Deleted"] {
        let one: Vec<_> = list
            .iter()
            .filter(|e| e.reason.as_deref() == Some(reason))
            .collect();
        assert_eq!(one.len(), 1, "{reason}");
        assert!(one[0].series.is_none());
    }
    // The core/v1 view of the same objects (kubectl get events).
    let core = client
        .events("events")
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    assert_eq!(core.len(), 4);
    let core_repeated = core
        .iter()
        .find(|e| e.reason.as_deref() == Some("InvalidSetting"))
        .unwrap();
    assert_eq!(
        core_repeated.series.as_ref().and_then(|s| s.count),
        Some(100)
    );
    assert_eq!(
        core_repeated.involved_object.name.as_deref(),
        Some("settings")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_test_server_does_not_block_or_fail_the_caller() {
    let cluster = cluster("failing").await;
    let recorder = EventRecorder::new(
        cluster.client.clone(),
        Reporter::new("example.com/tester", "t"),
    );
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some("c".into());
    cm.metadata.namespace = Some("failing".into());
    cluster.server.faults().fail_next(1_000, 500);
    for i in 0..2_000 {
        recorder.record(NewEvent::normal(
            reference_to(&cm),
            format!("Reason{i}"),
            "Acting",
        ));
    }
    let stats = recorder.stats();
    assert_eq!(stats.recorded + stats.dropped, 2_000);
    assert!(stats.dropped > 0, "{stats:?}");
    // The server recovers: what was queued is written, and so is what comes next.
    cluster.server.faults().fail_next(0, 500);
    recorder.flush().await;
    recorder.record(NewEvent::normal(
        reference_to(&cm),
        "AfterRecovery",
        "Acting",
    ));
    recorder.flush().await;
    let list = cluster
        .client
        .events("failing")
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    assert!(
        list.iter()
            .any(|e| e.reason.as_deref() == Some("AfterRecovery")),
        "{list:#?}"
    );
}
