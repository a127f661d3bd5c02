//! Following pod logs through the test server's scripted log source: tail, timestamps,
//! previous, and a dropped connection resumed without duplicates or gaps.

use std::time::{Duration, SystemTime};

use futures_util::{Stream, StreamExt};
use kubeset::clientset::{LogLine, LogParams, PostParams};
use kubeset_testserver::PodLogs;

use crate::support::objects::pod;
use crate::support::{Ctx, setup, test_server};

/// The test server's log source, or `None` against a real cluster (whose logs a test cannot
/// write).
fn scripted(test: &str) -> Option<PodLogs> {
    let logs = test_server().map(kubeset_testserver::TestServer::logs);
    if logs.is_none() {
        eprintln!("{test}: a real cluster's logs cannot be scripted; skipped");
    }
    logs
}

async fn with_pod(name: &str) -> Ctx {
    let ctx = setup(name).await;
    ctx.client
        .pods(&ctx.ns)
        .create(&PostParams::default(), &pod("p", &[]))
        .await
        .unwrap();
    ctx
}

/// `base` seconds plus `millis`, as the log source takes times.
fn at(base: i64, millis: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis((base * 1_000 + millis) as u64)
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The next line, within ten seconds.
async fn next_line(
    lines: &mut (impl Stream<Item = Result<LogLine, kubeset::clientset::Error>> + Unpin),
) -> LogLine {
    tokio::time::timeout(Duration::from_secs(10), lines.next())
        .await
        .expect("a line within ten seconds")
        .expect("the stream goes on")
        .unwrap()
}

#[tokio::test]
async fn tail_timestamps_and_previous() {
    let Some(logs) = scripted("tail_timestamps_and_previous") else {
        return;
    };
    let ctx = with_pod("logs-tail").await;
    let base = now_secs() - 100;
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        logs.append_at(&ctx.ns, "p", "c", at(base, i as i64 * 500), text);
    }
    let pods = ctx.client.pods(&ctx.ns);
    assert_eq!(
        pods.logs("p", &LogParams::default()).await.unwrap(),
        "one\ntwo\nthree\n"
    );
    let lines: Vec<LogLine> = pods
        .log_lines("p", &LogParams::default().tail(2).timestamps())
        .map(Result::unwrap)
        .collect()
        .await;
    let texts: Vec<_> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["two", "three"]);
    let first = lines[0].timestamp.as_deref().unwrap();
    assert!(
        first.ends_with(".5Z"),
        "RFC 3339 with nanoseconds, trailing zeros trimmed: {first}"
    );

    // previous: none until the container restarts, then the old instance's lines
    let err = pods
        .logs("p", &LogParams::default().previous())
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, 400, "{err}");
    logs.restart(&ctx.ns, "p", "c");
    logs.append(&ctx.ns, "p", "c", "after restart");
    assert_eq!(
        pods.logs("p", &LogParams::default().previous())
            .await
            .unwrap(),
        "one\ntwo\nthree\n"
    );
    assert_eq!(
        pods.logs("p", &LogParams::default()).await.unwrap(),
        "after restart\n"
    );
}

#[tokio::test]
async fn following_survives_a_dropped_connection() {
    let Some(logs) = scripted("following_survives_a_dropped_connection") else {
        return;
    };
    let ctx = with_pod("logs-follow").await;
    let ns = ctx.ns.as_str();
    // several lines in one second, two at the very same instant: a resume from a
    // second-precision sinceTime gets them all again and must skip exactly these
    let base = now_secs() - 10;
    logs.append_at(ns, "p", "c", at(base, 100), "a");
    logs.append_at(ns, "p", "c", at(base, 200), "b");
    logs.append_at(ns, "p", "c", at(base, 200), "b again");
    let pods = ctx.client.pods(ns);
    let mut lines = Box::pin(pods.log_lines("p", &LogParams::default().follow()));
    for expected in ["a", "b", "b again"] {
        let line = next_line(&mut lines).await;
        assert_eq!(line.text, expected);
        assert!(
            line.timestamp.is_some(),
            "following always asks for timestamps"
        );
    }
    logs.append_at(ns, "p", "c", at(base, 300), "c");
    assert_eq!(next_line(&mut lines).await.text, "c");

    logs.cut_streams();
    logs.append_at(ns, "p", "c", at(base, 300), "c again");
    logs.append_at(ns, "p", "c", at(base + 1, 0), "d");
    let mut rest = Vec::new();
    for _ in 0..2 {
        rest.push(next_line(&mut lines).await.text);
    }
    assert_eq!(rest, ["c again", "d"], "no line repeated, none lost");

    logs.append(ns, "p", "c", "e");
    assert_eq!(next_line(&mut lines).await.text, "e");
    logs.finish(ns, "p", "c");
    let end = tokio::time::timeout(Duration::from_secs(10), lines.next())
        .await
        .unwrap();
    assert!(end.is_none(), "the stream ends with the container: {end:?}");
}

#[tokio::test]
async fn a_second_drop_without_progress_is_an_error() {
    let Some(logs) = scripted("a_second_drop_without_progress_is_an_error") else {
        return;
    };
    let ctx = with_pod("logs-drop").await;
    let ns = ctx.ns.as_str();
    logs.append(ns, "p", "c", "first");
    let pods = ctx.client.pods(ns);
    let mut lines = Box::pin(pods.log_lines("p", &LogParams::default().follow()));
    assert_eq!(next_line(&mut lines).await.text, "first");
    logs.cut_streams();
    // the resumed stream is cut again before it gives a line: wait until it is open
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let outcome = loop {
        logs.cut_streams();
        match tokio::time::timeout(Duration::from_millis(200), lines.next()).await {
            Ok(item) => break item,
            Err(_) => assert!(
                std::time::Instant::now() < deadline,
                "the stream never failed"
            ),
        }
    };
    let err = outcome.expect("an error, not the end").unwrap_err();
    assert!(
        matches!(err, kubeset::clientset::Error::ReadBody { .. }),
        "{err:?}"
    );
}
