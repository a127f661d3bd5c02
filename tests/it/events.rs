//! Events: one stored object served as core/v1 and as events.k8s.io/v1 (reads, lists, field
//! selectors, watches, every patch type, server-side apply, managedFields and validation in
//! the version addressed), as kube-apiserver serves it.
//!
//! Every wait for a watch event is bounded (10 s). No test sleeps.

use k8s_openapi::api::core::v1::Event as CoreEvent;
use k8s_openapi::api::events::v1::Event as NewEvent;
use kubeset::clientset::{
    Api, Error, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::watch_events::next_change;
use crate::support::{Ctx, setup};

const CONTROLLER: &str = "kubeset.test/events-e2e";

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// An old-style core/v1 Event about pod `pod`, as client-go's recorder writes it.
fn core_event(ctx: &Ctx, name: &str, pod: &str) -> CoreEvent {
    typed(json!({
        "metadata": {"name": name},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ctx.ns},
        "reason": "Scheduled", "message": "hello", "type": "Normal",
        "source": {"component": "kubeset-e2e"},
        "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:00Z", "count": 1,
    }))
}

/// A new-style events.k8s.io/v1 Event about pod `pod`.
fn new_event(ctx: &Ctx, name: &str, pod: &str) -> NewEvent {
    typed(json!({
        "metadata": {"name": name},
        "eventTime": "2024-01-01T00:00:00.000001Z",
        "reportingController": CONTROLLER, "reportingInstance": "instance-1",
        "action": "Binding", "reason": "Scheduled", "type": "Normal", "note": "bound",
        "regarding": {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ctx.ns},
        "related": {"apiVersion": "v1", "kind": "Node", "name": "node-1"},
    }))
}

/// Writes as `manager`.
fn by(manager: &str) -> PostParams {
    PostParams::default().field_manager(manager)
}

/// Patches as `manager`.
fn patch_by(manager: &str) -> PatchParams {
    PatchParams::default().field_manager(manager)
}

fn apis(ctx: &Ctx) -> (Api<CoreEvent>, Api<NewEvent>) {
    (
        ctx.client.events(&ctx.ns),
        Api::namespaced(ctx.client.clone(), &ctx.ns),
    )
}

/// The `(apiVersion, fieldsV1 keys)` of `manager`'s entry.
fn managed(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    manager: &str,
) -> (String, Vec<String>) {
    let entry = meta
        .managed_fields
        .iter()
        .flatten()
        .find(|e| e.manager.as_deref() == Some(manager))
        .unwrap_or_else(|| panic!("no entry of {manager}: {:?}", meta.managed_fields));
    let fields = entry
        .fields_v1
        .as_ref()
        .and_then(|f| f.0.as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    (entry.api_version.clone().unwrap_or_default(), fields)
}

#[tokio::test]
async fn a_core_event_reads_and_lists_as_an_events_v1_event() {
    let ctx = setup("events-core-read").await;
    let (core, new) = apis(&ctx);
    core.create(&by("core-writer"), &core_event(&ctx, "old.1", "pod-a"))
        .await
        .unwrap();
    let ev = new.get("old.1").await.unwrap();
    assert_eq!(ev.note.as_deref(), Some("hello"));
    assert_eq!(ev.reason.as_deref(), Some("Scheduled"));
    assert_eq!(ev.deprecated_count, Some(1));
    assert_eq!(
        ev.deprecated_source
            .as_ref()
            .and_then(|s| s.component.as_deref()),
        Some("kubeset-e2e")
    );
    assert!(ev.deprecated_first_timestamp.is_some());
    assert!(ev.event_time.is_none());
    let regarding = ev.regarding.unwrap();
    assert_eq!(
        (regarding.kind.as_deref(), regarding.name.as_deref()),
        (Some("Pod"), Some("pod-a"))
    );
    // the core writer's entry keeps its own version, in both versions' reads
    assert_eq!(managed(&ev.metadata, "core-writer").0, "v1");

    let names = |list: Vec<NewEvent>| -> Vec<String> {
        list.into_iter().filter_map(|e| e.metadata.name).collect()
    };
    let by = |selector: &str| ListParams::default().fields(selector);
    for selector in [
        "regarding.name=pod-a",
        "regarding.kind=Pod,reason=Scheduled,type=Normal",
        "source=kubeset-e2e",
    ] {
        let list = new.list(&by(selector)).await.unwrap();
        assert_eq!(names(list.items), ["old.1"], "{selector}");
    }
    assert!(
        new.list(&by("regarding.name=pod-b"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // each version has its own field labels
    let err = new
        .list(&by("involvedObject.name=pod-a"))
        .await
        .unwrap_err();
    assert!(err.is_bad_request(), "{err}");
    assert_eq!(
        err.api().unwrap().message(),
        "field label not supported: involvedObject.name"
    );
    let err = core.list(&by("regarding.name=pod-a")).await.unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        "field label not supported: regarding.name"
    );
}

#[tokio::test]
async fn an_events_v1_event_reads_as_a_core_event_with_its_managed_fields() {
    let ctx = setup("events-new-read").await;
    let (core, new) = apis(&ctx);
    let created = new
        .create(&by("new-writer"), &new_event(&ctx, "new.1", "pod-a"))
        .await
        .unwrap();
    let (version, fields) = managed(&created.metadata, "new-writer");
    assert_eq!(version, "events.k8s.io/v1");
    for field in [
        "f:note",
        "f:regarding",
        "f:reportingController",
        "f:eventTime",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }

    let ev = core.get("new.1").await.unwrap();
    assert_eq!(ev.message.as_deref(), Some("bound"));
    assert_eq!(ev.reporting_component.as_deref(), Some(CONTROLLER));
    assert_eq!(ev.reporting_instance.as_deref(), Some("instance-1"));
    assert_eq!(ev.action.as_deref(), Some("Binding"));
    assert_eq!(ev.involved_object.name.as_deref(), Some("pod-a"));
    assert_eq!(ev.related.and_then(|r| r.name).as_deref(), Some("node-1"));
    assert_eq!(ev.event_time, created.event_time);
    assert!(ev.count.is_none() && ev.first_timestamp.is_none());
    // a core read shows the entry as it was written: events.k8s.io/v1 fields
    assert_eq!(managed(&ev.metadata, "new-writer"), (version, fields));

    // core field labels select it; `source` falls back to the reporting controller
    for selector in [
        "involvedObject.name=pod-a",
        &format!("reportingComponent={CONTROLLER}"),
        &format!("source={CONTROLLER}"),
    ] {
        let list = core
            .list(&ListParams::default().fields(selector))
            .await
            .unwrap();
        assert_eq!(list.items.len(), 1, "{selector}");
    }
    let list = new
        .list(&ListParams::default().fields(&format!("reportingController={CONTROLLER}")))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);
}

/// The `(field, reason)` of each cause of a 422.
fn causes(err: &Error) -> Vec<(String, String)> {
    let status = err
        .status()
        .unwrap_or_else(|| panic!("not a Status: {err}"));
    status
        .details
        .as_ref()
        .and_then(|d| d.causes.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.field.unwrap_or_default(), c.reason.unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn each_version_validates_with_its_own_rules_and_names() {
    let ctx = setup("events-validate").await;
    let (core, new) = apis(&ctx);
    // a new-style event without its reporting fields
    let mut ev = new_event(&ctx, "bad.1", "pod-a");
    ev.reporting_controller = None;
    ev.reporting_instance = None;
    let err = new.create(&PostParams::default(), &ev).await.unwrap_err();
    assert!(err.is_invalid(), "{err}");
    let status = err.status().unwrap();
    let details = status.details.as_ref().unwrap();
    // the internal kind, whichever version was addressed
    assert_eq!(details.kind.as_deref(), Some("Event"));
    assert_eq!(details.group.as_deref().unwrap_or(""), "");
    let got = causes(&err);
    assert_eq!(
        got[0],
        ("reportingController".into(), "FieldValueRequired".into())
    );
    assert!(got.contains(&("reportingInstance".into(), "FieldValueRequired".into())));

    // the same event through core/v1 names the core field
    let old_style: CoreEvent = typed(json!({
        "metadata": {"name": "bad.1"},
        "eventTime": "2024-01-01T00:00:00.000001Z", "action": "Binding", "reason": "Scheduled",
        "involvedObject": {"kind": "Pod", "name": "pod-a", "namespace": ctx.ns},
    }));
    let err = core
        .create(&PostParams::default(), &old_style)
        .await
        .unwrap_err();
    assert_eq!(
        causes(&err)[0],
        ("reportingComponent".into(), "FieldValueRequired".into())
    );

    // events.k8s.io/v1 refuses the deprecated fields core/v1 writers still set
    let mut ev = new_event(&ctx, "bad.2", "pod-a");
    ev.deprecated_count = Some(3);
    ev.type_ = Some("Info".into());
    let err = new.create(&PostParams::default(), &ev).await.unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        "Event \"bad.2\" is invalid: [type: Invalid value: \"\": has invalid value: Info, count: Invalid value: \"\": needs to be unset]"
    );
    // core/v1 takes the old style
    core.create(&PostParams::default(), &core_event(&ctx, "old.1", "pod-a"))
        .await
        .unwrap();
}

#[tokio::test]
async fn patches_apply_in_the_version_addressed() {
    let ctx = setup("events-patch").await;
    let (core, new) = apis(&ctx);
    new.create(&by("new-writer"), &new_event(&ctx, "new.1", "pod-a"))
        .await
        .unwrap();
    let pp = patch_by("new-writer");
    // merge patch of the series, in events.k8s.io/v1 terms
    let series = json!({"series": {"count": 2, "lastObservedTime": "2024-01-01T00:00:05.000000Z"}});
    let patched = new
        .patch("new.1", &pp, &Patch::Merge(series))
        .await
        .unwrap();
    assert_eq!(patched.series.as_ref().map(|s| s.count), Some(2));
    // strategic merge patch of the series
    let series = json!({"series": {"count": 3, "lastObservedTime": "2024-01-01T00:00:06.000000Z"}});
    let patched = new
        .patch("new.1", &pp, &Patch::Strategic(series))
        .await
        .unwrap();
    assert_eq!(patched.series.as_ref().map(|s| s.count), Some(3));
    // the note is immutable through events.k8s.io/v1, named by its internal name
    let err = new
        .patch(
            "new.1",
            &pp,
            &Patch::Json(json!([{"op": "replace", "path": "/note", "value": "changed"}])),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        "Event \"new.1\" is invalid: message: Invalid value: \"changed\": field is immutable"
    );
    // core/v1 only keeps the legacy rules: its JSON patch of `message` goes through
    let patched = core
        .patch(
            "new.1",
            &patch_by("core-patcher"),
            &Patch::Json(json!([{"op": "replace", "path": "/message", "value": "changed"}])),
        )
        .await
        .unwrap();
    assert_eq!(patched.message.as_deref(), Some("changed"));
    assert_eq!(
        patched.series.as_ref().and_then(|s| s.count),
        Some(3),
        "the series written through events.k8s.io/v1"
    );
    // the core writer's entry is in v1, the first writer's stays in events.k8s.io/v1 without
    // the note it no longer owns
    let (version, fields) = managed(&patched.metadata, "new-writer");
    assert_eq!(version, "events.k8s.io/v1");
    assert!(!fields.contains(&"f:note".to_owned()), "{fields:?}");
    assert!(fields.contains(&"f:series".to_owned()), "{fields:?}");
    assert_eq!(
        managed(&patched.metadata, "core-patcher"),
        ("v1".to_owned(), vec!["f:message".to_owned()])
    );
}

#[tokio::test]
async fn server_side_apply_through_events_v1_owns_its_fields_in_that_version() {
    let ctx = setup("events-apply").await;
    let (core, new) = apis(&ctx);
    let manifest = serde_json::to_value(new_event(&ctx, "applied.1", "pod-a")).unwrap();
    let mut manifest = manifest;
    manifest["apiVersion"] = json!("events.k8s.io/v1");
    manifest["kind"] = json!("Event");
    let applied = new
        .patch(
            "applied.1",
            &PatchParams::apply("applier"),
            &Patch::Apply(manifest),
        )
        .await
        .unwrap();
    assert_eq!(applied.note.as_deref(), Some("bound"));
    let entry = applied
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .find(|e| e.manager.as_deref() == Some("applier"))
        .unwrap();
    assert_eq!(entry.operation.as_deref(), Some("Apply"));
    assert_eq!(entry.api_version.as_deref(), Some("events.k8s.io/v1"));
    let read = core.get("applied.1").await.unwrap();
    assert_eq!(read.message.as_deref(), Some("bound"));
}

#[tokio::test]
async fn server_side_apply_judges_managers_of_the_other_version_in_theirs() {
    let ctx = setup("events-apply-across").await;
    let (core, new) = apis(&ctx);
    new.create(&by("new-writer"), &new_event(&ctx, "across.1", "pod-a"))
        .await
        .unwrap();
    // core/v1 `message` is the events.k8s.io/v1 `note` the first writer owns
    let config = json!({"apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "across.1", "namespace": ctx.ns}, "message": "changed"});
    let err = core
        .patch(
            "across.1",
            &PatchParams::apply("core-applier"),
            &Patch::Apply(config.clone()),
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(
        err.api().unwrap().message(),
        "Apply failed with 1 conflict: conflict with \"new-writer\" using events.k8s.io/v1: .note"
    );
    let causes: Vec<(String, String)> = err
        .status()
        .and_then(|s| s.details.as_ref())
        .and_then(|d| d.causes.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.field.unwrap_or_default(), c.message.unwrap_or_default()))
        .collect();
    assert_eq!(
        causes,
        [(
            ".note".to_owned(),
            "conflict with \"new-writer\" using events.k8s.io/v1".to_owned()
        )]
    );

    // forced, the applier takes the field: the first writer keeps the rest, in its version
    let forced = core
        .patch(
            "across.1",
            &PatchParams::apply("core-applier").force(),
            &Patch::Apply(config),
        )
        .await
        .unwrap();
    assert_eq!(forced.message.as_deref(), Some("changed"));
    let (version, fields) = managed(&forced.metadata, "new-writer");
    assert_eq!(version, "events.k8s.io/v1");
    assert!(!fields.contains(&"f:note".to_owned()), "{fields:?}");
    assert!(fields.contains(&"f:regarding".to_owned()), "{fields:?}");
    assert_eq!(
        managed(&forced.metadata, "core-applier"),
        ("v1".to_owned(), vec!["f:message".to_owned()])
    );
    assert_eq!(
        new.get("across.1").await.unwrap().note.as_deref(),
        Some("changed")
    );
}

#[tokio::test]
async fn micro_times_take_six_fractional_digits_and_are_stored_in_utc() {
    use kubeset::clientset::{ApiResource, DynamicObject};

    let ctx = setup("events-microtime").await;
    let resource = ApiResource::namespaced_of::<NewEvent>();
    let raw: Api<DynamicObject> =
        Api::dynamic_namespaced(ctx.client.clone(), &resource, &ctx.ns).unwrap();
    let mut ev = serde_json::to_value(new_event(&ctx, "time.1", "pod-a")).unwrap();
    ev["apiVersion"] = json!("events.k8s.io/v1");
    ev["kind"] = json!("Event");
    // metav1.MicroTime decodes with RFC3339Micro: whole seconds do not parse
    ev["eventTime"] = json!("2024-01-01T00:00:00Z");
    let err = raw.create(&PostParams::default(), &ev).await.unwrap_err();
    assert!(err.is_bad_request(), "{err}");
    let message = err.api().unwrap().message().to_owned();
    assert!(
        message.starts_with("Event in version \"v1\" cannot be handled as a Event: "),
        "{message}"
    );
    assert!(
        message.ends_with(
            "parsing time \"2024-01-01T00:00:00Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\""
        ),
        "{message}"
    );
    // six digits in another zone: stored, and printed back in UTC
    ev["eventTime"] = json!("2024-01-01T01:00:00.000001+01:00");
    let created = raw.create(&PostParams::default(), &ev).await.unwrap();
    assert_eq!(created["eventTime"], "2024-01-01T00:00:00.000001Z");
    let (core, _) = apis(&ctx);
    let read = core.get("time.1").await.unwrap();
    assert_eq!(
        serde_json::to_value(read.event_time).unwrap(),
        "2024-01-01T00:00:00.000001Z"
    );
}

#[tokio::test]
async fn a_put_of_a_missing_event_creates_it() {
    let ctx = setup("events-put").await;
    let (core, new) = apis(&ctx);
    let created = core
        .replace(
            "put.1",
            &PostParams::default(),
            &core_event(&ctx, "put.1", "pod-a"),
        )
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some());
    let created = new
        .replace(
            "put.2",
            &PostParams::default(),
            &new_event(&ctx, "put.2", "pod-a"),
        )
        .await
        .unwrap();
    assert_eq!(created.note.as_deref(), Some("bound"));
    assert_eq!(
        core.get("put.2").await.unwrap().message.as_deref(),
        Some("bound")
    );
}

#[tokio::test]
async fn a_watch_on_one_version_sees_writes_through_the_other_converted() {
    let ctx = setup("events-watch").await;
    let (core, new) = apis(&ctx);
    let rv = |rv: Option<&str>| WatchParams::default().from_version(rv.unwrap_or("0"));
    let listed = new.list(&ListParams::default()).await.unwrap();
    let mut new_watch = new.watch(&rv(listed.resource_version())).await.unwrap();
    let listed = core.list(&ListParams::default()).await.unwrap();
    let mut core_watch = core.watch(&rv(listed.resource_version())).await.unwrap();

    core.create(&PostParams::default(), &core_event(&ctx, "old.1", "pod-a"))
        .await
        .unwrap();
    match next_change(&mut new_watch).await {
        WatchEvent::Added(ev) => {
            assert_eq!(ev.metadata.name.as_deref(), Some("old.1"));
            assert_eq!(ev.note.as_deref(), Some("hello"));
            assert_eq!(ev.deprecated_count, Some(1));
        }
        other => panic!("unexpected {other:?}"),
    }
    new.create(&PostParams::default(), &new_event(&ctx, "new.1", "pod-b"))
        .await
        .unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match next_change(&mut core_watch).await {
            WatchEvent::Added(ev) => seen.push((
                ev.metadata.name.unwrap_or_default(),
                ev.message.unwrap_or_default(),
            )),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("old.1".to_owned(), "hello".to_owned()),
            ("new.1".to_owned(), "bound".to_owned())
        ]
    );
    core.patch(
        "old.1",
        &PatchParams::default(),
        &Patch::Merge(json!({"count": 2, "lastTimestamp": "2024-01-01T00:01:00Z"})),
    )
    .await
    .unwrap();
    loop {
        match next_change(&mut new_watch).await {
            WatchEvent::Added(ev) if ev.metadata.name.as_deref() == Some("new.1") => continue,
            WatchEvent::Modified(ev) => {
                assert_eq!(ev.metadata.name.as_deref(), Some("old.1"));
                assert_eq!(ev.deprecated_count, Some(2));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
