//! The finalizer helper against the test server: added before Apply, cleanup before
//! removal, and concurrent changes to the finalizers list kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kubeset_clientset::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kubeset_runtime::controller::{Action, Controller};
use kubeset_runtime::finalizer::{self, Event};
use serde_json::json;

use crate::support::{cluster, eventually, secret};

const OURS: &str = "example.com/ours";
const WAIT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
#[error("a planned failure")]
struct Planned;

fn finalizers(s: &Secret) -> Vec<String> {
    s.metadata.finalizers.clone().unwrap_or_default()
}

async fn set_finalizers(api: &Api<Secret>, name: &str, list: &[&str]) {
    let patch = Patch::Merge(json!({"metadata": {"finalizers": list}}));
    api.patch(name, &PatchParams::default(), &patch)
        .await
        .unwrap();
}

#[derive(Default)]
struct Calls {
    applied: AtomicU32,
    cleaned: AtomicU32,
    /// Cleanups that fail before one succeeds.
    failing_cleanups: AtomicU32,
    /// Applies that ran on an object without our finalizer.
    unguarded: AtomicU32,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_adds_the_finalizer_cleans_up_and_removes_it() {
    let c = cluster("fin-ctl").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("guarded", "1"))
        .await
        .unwrap();
    let calls = Arc::new(Calls::default());
    calls.failing_cleanups.store(1, Ordering::SeqCst);
    let api = secrets.clone();
    let results = Controller::new(secrets.clone(), Default::default()).run(
        move |s: Arc<Secret>, calls: Arc<Calls>| {
            let api = api.clone();
            async move {
                finalizer::finalizer(&api, OURS, s, |event| async move {
                    match event {
                        Event::Apply(s) => {
                            if !finalizers(&s).iter().any(|f| f == OURS) {
                                calls.unguarded.fetch_add(1, Ordering::SeqCst);
                            }
                            calls.applied.fetch_add(1, Ordering::SeqCst);
                        }
                        Event::Cleanup(_) => {
                            if calls.failing_cleanups.load(Ordering::SeqCst) > 0 {
                                calls.failing_cleanups.fetch_sub(1, Ordering::SeqCst);
                                return Err(Planned);
                            }
                            calls.cleaned.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => {}
                    }
                    Ok(Action::await_change())
                })
                .await
            }
        },
        |_, _, _| Action::requeue(Duration::from_millis(20)),
        Arc::clone(&calls),
    );
    tokio::spawn(results.for_each(|_| async {}));

    eventually(WAIT, "applied with our finalizer", || async {
        let s = secrets.get("guarded").await.unwrap();
        (finalizers(&s) == [OURS] && calls.applied.load(Ordering::SeqCst) > 0).then_some(())
    })
    .await;
    secrets
        .delete("guarded", &DeleteParams::default())
        .await
        .unwrap();
    eventually(WAIT, "cleaned up and gone", || async {
        let gone = secrets.get_opt("guarded").await.unwrap().is_none();
        (gone && calls.cleaned.load(Ordering::SeqCst) == 1).then_some(())
    })
    .await;
    assert_eq!(
        calls.failing_cleanups.load(Ordering::SeqCst),
        0,
        "the failed cleanup was retried"
    );
    assert_eq!(calls.unguarded.load(Ordering::SeqCst), 0);
}

/// A reconcile that must not run.
async fn unexpected(event: Event<Secret>) -> Result<Action, Planned> {
    panic!("unexpected {event:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_keeps_a_finalizer_added_meanwhile() {
    let c = cluster("fin-add").await;
    let secrets = c.client.secrets(&c.ns);
    for (name, first) in [("empty", &[][..]), ("listed", &["example.com/first"][..])] {
        let created = secrets
            .create(&PostParams::default(), &secret(name, "1"))
            .await
            .unwrap();
        if !first.is_empty() {
            set_finalizers(&secrets, name, first).await;
        }
        let stale = Arc::new(secrets.get(name).await.unwrap());
        // another controller adds its finalizer after we read the object
        let mut theirs: Vec<&str> = first.to_vec();
        theirs.push("example.com/theirs");
        set_finalizers(&secrets, name, &theirs).await;

        let applied = std::sync::Mutex::new(Vec::new());
        let result = finalizer::finalizer(&secrets, OURS, stale, |event| async {
            match event {
                Event::Apply(s) => *applied.lock().unwrap() = finalizers(&s),
                other => panic!("{other:?}"),
            }
            Ok::<_, Planned>(Action::await_change())
        })
        .await;
        assert!(result.is_ok(), "{name}: {result:?}");
        let mut expected: Vec<String> = theirs.iter().map(|s| s.to_string()).collect();
        expected.push(OURS.to_owned());
        // Apply ran with the object as patched
        assert_eq!(*applied.lock().unwrap(), expected, "{name}");
        let now = secrets.get(name).await.unwrap();
        assert_eq!(
            finalizers(&now),
            expected,
            "{name}: a concurrent finalizer was lost"
        );
        let _ = created;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_keeps_finalizers_changed_meanwhile() {
    let c = cluster("fin-remove").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("held", "1"))
        .await
        .unwrap();
    set_finalizers(&secrets, "held", &["example.com/a", OURS, "example.com/b"]).await;
    secrets
        .delete("held", &DeleteParams::default())
        .await
        .unwrap();
    let stale = Arc::new(secrets.get("held").await.unwrap());
    assert!(stale.metadata.deletion_timestamp.is_some());
    // meanwhile another controller finishes: "a" goes, ours moves to index 0, and index 1
    // (where ours was) is now "b"
    set_finalizers(&secrets, "held", &[OURS, "example.com/b"]).await;

    let cleaned = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&cleaned);
    let action = finalizer::finalizer(&secrets, OURS, stale, |event| async move {
        match event {
            Event::Cleanup(_) => {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Planned>(Action::requeue(Duration::from_secs(1)))
            }
            other => panic!("{other:?}"),
        }
    })
    .await
    .unwrap();
    assert_eq!(
        action,
        Action::requeue(Duration::from_secs(1)),
        "the cleanup's action"
    );
    assert_eq!(
        cleaned.load(Ordering::SeqCst),
        1,
        "cleanup runs once, retries only patch"
    );
    let now = secrets.get("held").await.unwrap();
    assert_eq!(finalizers(&now), ["example.com/b"], "only ours was removed");

    // being deleted without our finalizer: nothing runs
    let now = Arc::new(now);
    let action = finalizer::finalizer(&secrets, OURS, now, unexpected)
        .await
        .unwrap();
    assert_eq!(action, Action::await_change());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_cleanup_keeps_the_finalizer() {
    let c = cluster("fin-fail").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("kept", "1"))
        .await
        .unwrap();
    set_finalizers(&secrets, "kept", &[OURS]).await;
    secrets
        .delete("kept", &DeleteParams::default())
        .await
        .unwrap();
    let deleting = Arc::new(secrets.get("kept").await.unwrap());
    let result = finalizer::finalizer(&secrets, OURS, deleting, |_| async {
        Err::<Action, _>(Planned)
    })
    .await;
    assert!(
        matches!(result, Err(finalizer::Error::Cleanup { .. })),
        "{result:?}"
    );
    let now = secrets.get("kept").await.unwrap();
    assert_eq!(finalizers(&now), [OURS]);
}
