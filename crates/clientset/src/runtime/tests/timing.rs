//! The watcher's pauses, on tokio's paused test clock: after watches that end at once, none
//! after quiet watches that ran their course, and the server's Retry-After, capped.

use std::time::Duration;

use super::*;

// The clock is tokio's paused test clock: time only moves when every task waits, so the
// assertion below is about the delays the watcher asked for, not about how fast it ran.
#[tokio::test(start_paused = true)]
async fn watches_that_end_at_once_are_retried_after_a_pause() {
    let fake = Fake::new(vec![
        list("10", &[], None),
        Answer::Watch(vec![], false),
        Answer::Watch(vec![], false),
        Answer::Watch(vec![event("ADDED", cm("c", "11"))], false),
    ]);
    let start = tokio::time::Instant::now();
    let events = watcher(fake.client().config_maps("ns"), config());
    check(&take(events, 3).await, &["Init", "InitDone", "Apply c@11"]);
    // Two empty watches: the backoff's first two delays (1 ms, then 2 ms).
    assert!(
        start.elapsed() >= Duration::from_millis(3),
        "{:?}",
        start.elapsed()
    );
    check_uris(
        &fake,
        &[
            "?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            &watch_from("10"),
            &watch_from("10"),
            &watch_from("10"),
        ],
    );
}

// client-go's reflector only distrusts a watch that ends within a second with no event: a
// quiet watch that ran its course is followed by the next one at once, however many in a row.
#[tokio::test(start_paused = true)]
async fn quiet_watches_that_ran_their_course_restart_at_once() {
    let fake = Fake::new(vec![
        list("10", &[], None),
        Answer::QuietWatch(Duration::from_secs(2)),
        Answer::QuietWatch(Duration::from_secs(2)),
        Answer::QuietWatch(Duration::from_secs(2)),
        Answer::Watch(vec![event("ADDED", cm("c", "11"))], false),
    ]);
    let slow_backoff = Backoff::default()
        .min(Duration::from_secs(60))
        .max(Duration::from_secs(60))
        .without_jitter();
    let start = tokio::time::Instant::now();
    let events = watcher(
        fake.client().config_maps("ns"),
        config().backoff(slow_backoff),
    );
    check(&take(events, 3).await, &["Init", "InitDone", "Apply c@11"]);
    // The paused test clock: the three watches' own 6 s, and no backoff pause between them.
    assert_eq!(start.elapsed().as_secs(), 6, "{:?}", start.elapsed());
    check_uris(
        &fake,
        &[
            "?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan",
            &watch_from("10"),
            &watch_from("10"),
            &watch_from("10"),
            &watch_from("10"),
        ],
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttled_list_waits_as_long_as_the_server_asks() {
    let mut throttled = status(429, "TooManyRequests");
    throttled["details"] = json!({"retryAfterSeconds": 3});
    let fake = Fake::new(vec![Answer::Json(429, throttled), list("10", &[], None)]);
    let start = tokio::time::Instant::now();
    let events = watcher(fake.client().config_maps("ns"), config());
    check(&take(events, 3).await, &["Err 429", "Init", "InitDone"]);
    // The paused test clock: the delay asked for, not a measurement.
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_longer_than_the_backoff_allows_is_capped() {
    let mut throttled = status(429, "TooManyRequests");
    throttled["details"] = json!({"retryAfterSeconds": 86_400});
    let fake = Fake::new(vec![Answer::Json(429, throttled), list("10", &[], None)]);
    let start = tokio::time::Instant::now();
    let mut events = Box::pin(watcher(fake.client().config_maps("ns"), config()));
    let first = events.next().await.expect("an event");
    assert_eq!(first.err().and_then(|e| e.code()), Some(429));
    // the next attempt comes after the capped delay (virtual time: the clock is paused)
    let next = tokio::time::timeout(Duration::from_secs(400), events.next()).await;
    assert!(matches!(next, Ok(Some(Ok(Event::Init)))), "{next:?}");
    // The paused test clock: five minutes, not the day asked for.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(300) && waited < Duration::from_secs(301),
        "{waited:?}"
    );
}
