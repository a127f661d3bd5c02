//! The work queue's guarantees, checked rather than assumed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kubeset_runtime::queue::{RateLimiter, WorkQueue};
use tokio::time::Instant;

const KEYS: usize = 40;
const WORKERS: usize = 12;
const ADDS: usize = 4000;

/// Per key: the version the "cluster" holds, how many workers hold it now, and the latest
/// version a worker saw.
#[derive(Default)]
struct Key {
    version: AtomicU64,
    holders: AtomicU32,
    seen: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_is_never_processed_twice_at_once_and_every_change_is_seen() {
    let keys: Arc<Vec<Key>> = Arc::new((0..KEYS).map(|_| Key::default()).collect());
    let queue: WorkQueue<usize> = WorkQueue::default();
    let overlaps = Arc::new(AtomicU32::new(0));
    let processed = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (queue, keys) = (queue.clone(), Arc::clone(&keys));
        let (overlaps, processed) = (Arc::clone(&overlaps), Arc::clone(&processed));
        workers.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::new();
            while let Some(item) = queue.get().await {
                let key = &keys[*item.key()];
                if key.holders.fetch_add(1, Ordering::SeqCst) != 0 {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                // what the reconcile reads when it starts
                let version = key.version.load(Ordering::SeqCst);
                for _ in 0..rng.usize(0..20) {
                    tokio::task::yield_now().await;
                }
                key.seen.fetch_max(version, Ordering::SeqCst);
                key.holders.fetch_sub(1, Ordering::SeqCst);
                processed.fetch_add(1, Ordering::Relaxed);
                // a few retries, as after failures
                if rng.u8(..) < 8 {
                    queue.add_after(*item.key(), Duration::from_millis(rng.u64(0..3)));
                }
            }
        }));
    }
    // several writers change random keys and add them, as watch events do
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (queue, keys) = (queue.clone(), Arc::clone(&keys));
        writers.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::new();
            for _ in 0..ADDS / 4 {
                let k = rng.usize(0..KEYS);
                keys[k].version.fetch_add(1, Ordering::SeqCst);
                queue.add(k);
                if rng.bool() {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    // every key's last change must be seen by a reconcile that started after it
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let behind: Vec<_> = (0..KEYS)
            .filter(|&k| {
                keys[k].seen.load(Ordering::SeqCst) < keys[k].version.load(Ordering::SeqCst)
            })
            .collect();
        if behind.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "keys never processed after their last change: {behind:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(queue.shut_down_with_drain(Duration::from_secs(10)).await);
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(
        overlaps.load(Ordering::SeqCst),
        0,
        "a key was processed by two workers at once"
    );
    let processed = processed.load(Ordering::Relaxed);
    assert!(processed >= KEYS as u64, "{processed}");
    for (k, key) in keys.iter().enumerate() {
        assert_eq!(key.holders.load(Ordering::SeqCst), 0, "key {k} still held");
    }
}

#[tokio::test(start_paused = true)]
async fn add_after_hands_out_the_key_when_due() {
    let queue = WorkQueue::default();
    let start = Instant::now();
    queue.add_after("late", Duration::from_secs(30));
    queue.add_after("soon", Duration::from_secs(5));
    let first = queue.get().await.unwrap();
    assert_eq!(
        (*first.key(), start.elapsed()),
        ("soon", Duration::from_secs(5))
    );
    // a new, earlier request replaces the later one
    queue.add_after("late", Duration::from_secs(1));
    let second = queue.get().await.unwrap();
    assert_eq!(
        (*second.key(), start.elapsed()),
        ("late", Duration::from_secs(6))
    );
    // nothing else: the replaced timer does not fire again
    let nothing = tokio::time::timeout(Duration::from_secs(60), queue.get()).await;
    assert!(nothing.is_err(), "a replaced timer fired");
}

#[tokio::test(start_paused = true)]
async fn a_waiting_worker_wakes_for_an_earlier_timer() {
    let queue = WorkQueue::default();
    queue.add_after("a", Duration::from_secs(100));
    let start = Instant::now();
    let worker = tokio::spawn({
        let queue = queue.clone();
        async move { queue.get().await.map(|item| (*item.key(), start.elapsed())) }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    queue.add_after("b", Duration::from_secs(2));
    assert_eq!(worker.await.unwrap(), Some(("b", Duration::from_secs(3))));
}

#[tokio::test(start_paused = true)]
async fn failures_back_off_exponentially_until_forgotten() {
    let queue = WorkQueue::new(RateLimiter::default().without_overall());
    let mut waits = Vec::new();
    for _ in 0..8 {
        queue.add_rate_limited("k");
        let start = Instant::now();
        let item = queue.get().await.unwrap();
        waits.push(start.elapsed().as_millis());
        drop(item);
    }
    assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640]);
    assert_eq!(queue.num_requeues(&"k"), 8);
    queue.forget(&"k");
    queue.add_rate_limited("k");
    let start = Instant::now();
    drop(queue.get().await.unwrap());
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(5),
        "forget starts over"
    );
}

#[tokio::test(start_paused = true)]
async fn the_overall_bucket_paces_a_storm_of_failures() {
    // the default: 10 per second after a burst of 100, combined with a per-key 5 ms
    let queue = WorkQueue::default();
    let start = Instant::now();
    for k in 0..120 {
        queue.add_rate_limited(k);
    }
    let mut last = HashMap::new();
    for _ in 0..120 {
        let item = queue.get().await.unwrap();
        last.insert(*item.key(), start.elapsed());
    }
    // the first 100 after the per-key 5 ms; key 100+n waits (n+1) tokens of 100 ms
    assert_eq!(last[&0], Duration::from_millis(5));
    assert_eq!(last[&99], Duration::from_millis(5));
    assert_eq!(last[&100], Duration::from_millis(100));
    assert_eq!(last[&119], Duration::from_millis(2000));
}

#[tokio::test(start_paused = true)]
async fn a_key_added_while_processed_waits_for_done() {
    let queue = WorkQueue::default();
    queue.add("k");
    let item = queue.get().await.unwrap();
    let start = Instant::now();
    queue.add("k");
    let second = tokio::spawn({
        let queue = queue.clone();
        async move { queue.get().await.map(|_| start.elapsed()) }
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(item);
    assert_eq!(second.await.unwrap(), Some(Duration::from_secs(3)));
}

#[tokio::test(start_paused = true)]
async fn shutdown_waits_for_running_work_within_the_deadline() {
    let queue = WorkQueue::default();
    queue.add("fast");
    queue.add("slow");
    queue.add("never");
    let log = Arc::new(Mutex::new(Vec::new()));
    for work in [Duration::from_secs(2), Duration::from_secs(20)] {
        let item = queue.get().await.unwrap();
        let log = Arc::clone(&log);
        tokio::spawn(async move {
            tokio::time::sleep(work).await;
            log.lock().unwrap().push(*item.key());
        });
    }
    let start = Instant::now();
    let drained = queue.shut_down_with_drain(Duration::from_secs(5)).await;
    assert!(!drained, "the slow key cannot finish in 5 s");
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert_eq!(*log.lock().unwrap(), ["fast"]);
    assert!(queue.get().await.is_none(), "no key after shutdown");
    queue.add("late");
    assert!(
        queue.get().await.is_none(),
        "adds are ignored after shutdown"
    );
    assert!(queue.shut_down_with_drain(Duration::from_secs(60)).await);
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(20),
        "drained when the slow key finished"
    );
}
