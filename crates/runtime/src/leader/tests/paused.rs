//! The election on tokio's paused clock against the in-memory Lease API: time is virtual and
//! exact, so the bounds below are checked to the millisecond.

use std::time::Duration;

use tokio::time::{Instant, sleep};

use super::fake::{Breaker, FakeLeases, Fate, NAME};
use crate::leader::{LeaderElectionConfig, LeaderElector, LeaderHandle, NotLeading};

const STEP: Duration = Duration::from_millis(10);

struct Contender {
    id: String,
    breaker: Breaker,
    handle: Option<LeaderHandle>,
}

fn contender(fake: &FakeLeases, id: &str, config: &LeaderElectionConfig) -> Contender {
    let breaker = Breaker::default();
    let elector = LeaderElector::new(fake.api(&breaker), NAME, id, config.clone()).unwrap();
    Contender {
        id: id.to_owned(),
        breaker,
        handle: Some(elector.spawn()),
    }
}

/// The contenders that believe they lead at this instant (the clock does not move while a
/// synchronous loop runs, so this is one instant).
fn leaders(contenders: &[Contender]) -> Vec<&str> {
    contenders
        .iter()
        .filter(|c| c.handle.as_ref().is_some_and(LeaderHandle::is_leader))
        .map(|c| c.id.as_str())
        .collect()
}

#[track_caller]
fn assert_at_most_one(contenders: &[Contender]) -> Option<String> {
    let now = leaders(contenders);
    assert!(now.len() <= 1, "two leaders at once: {now:?}");
    now.first().map(|s| (*s).to_owned())
}

/// Steps the clock until `cond` holds (checking the invariant at every step); the time it took.
async fn step_until(
    contenders: &[Contender],
    limit: Duration,
    mut cond: impl FnMut(&[Contender]) -> bool,
) -> Duration {
    let start = Instant::now();
    while !cond(contenders) {
        assert_at_most_one(contenders);
        assert!(start.elapsed() < limit, "not within {limit:?}");
        sleep(STEP).await;
    }
    start.elapsed()
}

/// Steps the clock for `duration`, checking the invariant at every step.
async fn step_for(contenders: &[Contender], duration: Duration) {
    let end = Instant::now() + duration;
    step_until(contenders, duration + STEP, |_| Instant::now() >= end).await;
}

fn leader_index(contenders: &[Contender]) -> Option<usize> {
    contenders
        .iter()
        .position(|c| c.handle.as_ref().is_some_and(LeaderHandle::is_leader))
}

fn someone_leads(contenders: &[Contender]) -> bool {
    leader_index(contenders).is_some()
}

async fn chaos(n: usize, seed: u64) {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    fake.set_latency(Duration::from_millis(20));
    let mut contenders: Vec<_> = (0..n)
        .map(|i| contender(&fake, &format!("c{i}"), &config))
        .collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut spawned = n;
    let mut terms = 0;
    let mut last = None;
    let mut led = Duration::ZERO;
    let total = Duration::from_secs(900);
    let start = Instant::now();
    let mut next_action = start + Duration::from_secs(5);
    while start.elapsed() < total {
        let now_leader = assert_at_most_one(&contenders);
        if now_leader.is_some() {
            led += STEP;
            if now_leader != last {
                terms += 1;
            }
        }
        last = now_leader;
        if Instant::now() >= next_action {
            next_action += Duration::from_secs(rng.u64(1..20));
            let i = rng.usize(0..contenders.len());
            match rng.u8(0..5) {
                // A network partition or a failing API server for one contender.
                0 | 1 => {
                    let fate = [Fate::Served, Fate::ServerError, Fate::Unreachable];
                    contenders[i].breaker.fate(fate[rng.usize(0..3)]);
                }
                // Slow answers: up to 3 s a request, longer than a retry period.
                2 => fake.set_latency(Duration::from_millis(rng.u64(0..1_500))),
                // Killed: no release.
                3 => {
                    contenders[i].handle = None;
                    contenders[i] = contender(&fake, &format!("c{spawned}"), &config);
                    spawned += 1;
                }
                // Graceful shutdown.
                _ => {
                    if let Some(handle) = contenders[i].handle.take() {
                        let _ = handle.release().await;
                    }
                    contenders[i] = contender(&fake, &format!("c{spawned}"), &config);
                    spawned += 1;
                }
            }
        }
        sleep(STEP).await;
    }
    // The run is meaningful only if leadership was held, and moved, many times.
    assert!(terms >= 5, "only {terms} terms (seed {seed})");
    assert!(
        led > total / 4,
        "led only {led:?} of {total:?} (seed {seed})"
    );
}

#[tokio::test(start_paused = true)]
async fn two_contenders_never_lead_at_the_same_instant_under_faults() {
    for seed in 1..=3 {
        chaos(2, seed).await;
    }
}

#[tokio::test(start_paused = true)]
async fn three_contenders_never_lead_at_the_same_instant_under_faults() {
    for seed in 11..=13 {
        chaos(3, seed).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_killed_leader_is_replaced_within_one_lease_duration_and_a_retry() {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    let mut contenders = vec![
        contender(&fake, "a", &config),
        contender(&fake, "b", &config),
        contender(&fake, "c", &config),
    ];
    step_until(&contenders, Duration::from_secs(10), someone_leads).await;
    // Let it renew a few times, so the others have seen the record change.
    sleep(Duration::from_secs(7)).await;
    let killed = leader_index(&contenders).unwrap();
    let before = fake.lease().unwrap().spec.unwrap();
    contenders[killed].handle = None;
    let took = step_until(&contenders, Duration::from_secs(60), someone_leads).await;
    let bound = config.lease_duration + config.retry_period.mul_f64(2.2);
    assert!(took <= bound, "took {took:?}, bound {bound:?}");
    // It cannot have been earlier than a lease duration after the last renewal.
    assert!(
        took >= config.lease_duration - config.retry_period,
        "took {took:?}"
    );
    let after = fake.lease().unwrap().spec.unwrap();
    let successor = leader_index(&contenders).unwrap();
    assert_ne!(successor, killed);
    assert_eq!(
        after.holder_identity.as_deref(),
        Some(contenders[successor].id.as_str())
    );
    assert_eq!(
        after.lease_transitions,
        before.lease_transitions.map(|t| t + 1)
    );
    assert_ne!(after.acquire_time, before.acquire_time);
}

#[tokio::test(start_paused = true)]
async fn a_released_lease_moves_on_the_successors_next_try() {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    let mut contenders = vec![
        contender(&fake, "a", &config),
        contender(&fake, "b", &config),
    ];
    step_until(&contenders, Duration::from_secs(10), someone_leads).await;
    sleep(Duration::from_secs(5)).await;
    let leader = leader_index(&contenders).unwrap();
    let handle = contenders[leader].handle.take().unwrap();
    handle.release().await.unwrap();
    let released = fake.lease().unwrap().spec.unwrap();
    assert_eq!(released.holder_identity, None);
    assert_eq!(released.lease_duration_seconds, Some(1));
    let took = step_until(&contenders, Duration::from_secs(60), someone_leads).await;
    let bound = config.retry_period.mul_f64(2.2);
    assert!(took <= bound, "took {took:?}, bound {bound:?}");
    assert_eq!(
        fake.holder().as_deref(),
        Some(contenders[1 - leader].id.as_str())
    );
}

#[tokio::test(start_paused = true)]
async fn a_leader_that_cannot_renew_stops_a_margin_before_others_may_take_over() {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    let contenders = vec![
        contender(&fake, "a", &config),
        contender(&fake, "b", &config),
    ];
    step_until(&contenders, Duration::from_secs(10), someone_leads).await;
    sleep(Duration::from_secs(5)).await;
    let leader = leader_index(&contenders).unwrap();
    contenders[leader].breaker.set(true);
    let broken_at = Instant::now();
    let stopped = step_until(&contenders, Duration::from_secs(60), |c| !someone_leads(c)).await;
    assert!(
        stopped <= config.renew_deadline,
        "believed it led for {stopped:?}"
    );
    let stopped_at = Instant::now();
    step_until(&contenders, Duration::from_secs(60), someone_leads).await;
    let gap = stopped_at.elapsed();
    // The successor waited a lease duration from a renewal that started at most a renew
    // deadline before the old leader stopped believing: the margin is the difference.
    assert!(
        gap >= config.lease_duration - config.renew_deadline,
        "successor started {gap:?} after the old leader stopped"
    );
    assert_eq!(leader_index(&contenders), Some(1 - leader));
    assert!(broken_at.elapsed() <= config.lease_duration + config.retry_period.mul_f64(2.2));
}

#[tokio::test(start_paused = true)]
async fn failures_shorter_than_the_renew_deadline_keep_the_term() {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    let contenders = vec![
        contender(&fake, "a", &config),
        contender(&fake, "b", &config),
    ];
    step_until(&contenders, Duration::from_secs(10), someone_leads).await;
    let leader = leader_index(&contenders).unwrap();
    let handle = contenders[leader].handle.as_ref().unwrap();
    let term = handle.acquired().await.unwrap();
    for _ in 0..3 {
        // 5 s of failures (plus at most one 2 s renewal interval) fit in the 10 s deadline.
        contenders[leader].breaker.set(true);
        step_for(&contenders, Duration::from_secs(5)).await;
        contenders[leader].breaker.set(false);
        step_for(&contenders, Duration::from_secs(6)).await;
        assert!(term.is_held(), "the term ended after a 5 s outage");
        assert_eq!(leader_index(&contenders), Some(leader));
    }
    assert_eq!(term.term(), 1);
}

#[tokio::test(start_paused = true)]
async fn lead_drops_the_work_when_the_term_ends() {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    let breaker = Breaker::default();
    let handle = LeaderElector::new(fake.api(&breaker), NAME, "a", config.clone())
        .unwrap()
        .spawn();
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let work = {
        let started = started.clone();
        async move {
            started.store(true, std::sync::atomic::Ordering::SeqCst);
            std::future::pending::<()>().await;
        }
    };
    let breaking = async {
        while !started.load(std::sync::atomic::Ordering::SeqCst) {
            sleep(STEP).await;
        }
        breaker.set(true);
        Instant::now()
    };
    let (result, broken_at) = tokio::join!(handle.lead(work), breaking);
    assert_eq!(result, Err(NotLeading { term: Some(1) }));
    assert!(broken_at.elapsed() <= config.renew_deadline);
    assert!(!handle.is_leader());
}

#[tokio::test(start_paused = true)]
async fn a_term_that_ended_never_comes_back_and_the_next_one_is_new() {
    let config = LeaderElectionConfig::default();
    let fake = FakeLeases::default();
    let breaker = Breaker::default();
    let handle = LeaderElector::new(fake.api(&breaker), NAME, "a", config.clone())
        .unwrap()
        .spawn();
    let first = handle.acquired().await.unwrap();
    breaker.set(true);
    first.lost().await;
    breaker.set(false);
    let second = handle.acquired().await.unwrap();
    assert_eq!((first.term(), second.term()), (1, 2));
    assert!(!first.is_held());
    assert!(second.is_held());
    // Nobody else took it meanwhile, so the same holder renewed: no transition.
    assert_eq!(
        fake.lease().unwrap().spec.unwrap().lease_transitions,
        Some(0)
    );
}
