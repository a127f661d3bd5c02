//! The short soak: one cycle of every fault while the writer and the controller work, then
//! the invariants (nothing lost, resurrected or written twice; retries within budget).

#![allow(clippy::unwrap_used, reason = "a test")]

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_soak_keeps_every_invariant() {
    let report = kubeset_soak::run(&kubeset_soak::Plan::short())
        .await
        .unwrap();
    println!("{}", report.to_markdown());
    assert_eq!(report.violations(), Vec::<String>::new());
    // the run did what it is for: every fault fired, and writes met them
    let f = report.faults;
    for (fired, what) in [
        (f.throttled, "429"),
        (f.failed, "5xx"),
        (f.resets, "reset"),
        (f.stalls, "stall"),
        (f.restarts, "restart"),
        (f.ca_rotations, "CA rotation"),
        (f.token_rotations, "token rotation"),
        (f.watch_expiries, "410"),
        (f.watch_closes, "watch close"),
    ] {
        assert!(fired > 0, "no {what} fired: {f:?}");
    }
    assert!(report.writer.creates > 0 && report.writer.updates > 0 && report.writer.deletes > 0);
    assert!(report.storm.requests > 0, "no request met the storm");
}
