//! The fault schedule: every kind of fault in turn, a gap after each, cycle after cycle.

use std::time::{Duration, Instant, SystemTime};

use kubeset_testserver::{FaultInjector, Hits, ServiceAccountEnv, WatchScope};

use crate::attempts::Attempts;
use crate::cluster::NAMESPACE;

/// How long a 429 storm lasts, and the `Retry-After` it sends (seconds).
pub(crate) const STORM: Duration = Duration::from_secs(2);
const STORM_RETRY_AFTER: u64 = 1;

/// One step of the schedule.
#[derive(Debug, Clone, Copy)]
enum Fault {
    CloseWatches,
    ExpireWatches,
    Compaction,
    Storm,
    Burst503,
    Burst500,
    StallReads,
    ResetWrites,
    ResetReads,
    TokenRotation,
    CaRotation,
    Restart,
}

const CYCLE: [Fault; 12] = [
    Fault::CloseWatches,
    Fault::ResetWrites,
    Fault::Storm,
    Fault::Burst503,
    Fault::ExpireWatches,
    Fault::StallReads,
    Fault::TokenRotation,
    Fault::Burst500,
    Fault::ResetReads,
    Fault::CaRotation,
    Fault::Restart,
    Fault::Compaction,
];

/// Runs whole cycles until `until` (at least one); gives how many ran.
pub(crate) async fn run(
    faults: &FaultInjector,
    envs: &mut [&mut ServiceAccountEnv],
    attempts: &Attempts,
    gap: Duration,
    until: Instant,
) -> u64 {
    let mut cycles = 0;
    loop {
        for fault in CYCLE {
            inject(fault, faults, envs, attempts).await;
            tokio::time::sleep(gap).await;
        }
        cycles += 1;
        if Instant::now() >= until {
            return cycles;
        }
    }
}

async fn inject(
    fault: Fault,
    faults: &FaultInjector,
    envs: &mut [&mut ServiceAccountEnv],
    attempts: &Attempts,
) {
    match fault {
        Fault::CloseWatches => faults.close_watches(),
        Fault::ExpireWatches => faults.expire_watches_in(&WatchScope::namespace(NAMESPACE)),
        Fault::Storm => {
            attempts.storm(true);
            faults.throttle_for(STORM, STORM_RETRY_AFTER);
            tokio::time::sleep(STORM).await;
            attempts.storm(false);
        }
        // as etcd's periodic compaction: every watch or list from before answers 410 Gone
        Fault::Compaction => faults.compact_history(),
        Fault::Burst503 => faults.fail_next(4, 503),
        Fault::Burst500 => faults.fail_next(2, 500),
        Fault::StallReads => faults.stall_next(1, Duration::from_secs(8), Hits::Reads),
        Fault::ResetWrites => faults.reset_next(2, Hits::Writes),
        Fault::ResetReads => faults.reset_next(2, Hits::Reads),
        Fault::TokenRotation => {
            // the new tokens are issued in a later second than every old one
            let before = SystemTime::now();
            tokio::time::sleep(Duration::from_millis(1050)).await;
            for env in envs.iter_mut() {
                if let Err(err) = env.rotate_token() {
                    tracing::error!(error = %err, "token rotation failed");
                }
            }
            // clients notice the new file within a second; then the old tokens stop working
            tokio::time::sleep(Duration::from_millis(1500)).await;
            faults.expire_tokens_issued_before(before + Duration::from_secs(1));
        }
        Fault::CaRotation => match faults.stage_ca() {
            Ok(bundle) => {
                for env in envs.iter_mut() {
                    if let Err(err) = env.write_ca(&bundle) {
                        tracing::error!(error = %err, "writing the CA bundle failed");
                    }
                }
                if let Err(err) = faults.switch_ca() {
                    tracing::error!(error = %err, "switching the CA failed");
                }
            }
            Err(err) => tracing::error!(error = %err, "staging a CA failed"),
        },
        Fault::Restart => faults.restart(Duration::from_millis(500)),
    }
}
