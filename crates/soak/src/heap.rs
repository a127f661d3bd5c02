//! Live heap bytes of the daemons and of the test server, apart.
//!
//! The soak runs the test server on a runtime of its own ([`server_runtime`]) whose threads
//! enter an allocation group of `tracking-allocator` as they start; every other thread (the
//! daemons' runtime, its blocking pool, the main thread) allocates in the root group. With
//! [`Allocator`] installed as the binary's global allocator and [`install`] called, each
//! allocation is counted for the side whose thread made it, and its release for that same
//! side whichever thread frees it (the group is kept in the allocation's header), so the two
//! figures add up to the process's live heap. The writer's ledger of every name it wrote
//! (the soak's own record, which grows with the run by design) is counted apart too
//! ([`Harness`]), so the daemons' figure is what kubeset and the daemons' bounded state hold.
//!
//! Guarantee: the counts are exact for what was allocated after [`install`]; without it
//! (`cargo test`, which keeps the system allocator) [`live`] is `None`.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};

use tracking_allocator::{
    AllocationGroupId, AllocationGroupToken, AllocationRegistry, AllocationTracker,
};

/// The global allocator the soak binary installs: the system allocator, each allocation
/// tagged with its thread's group.
pub type Allocator = tracking_allocator::Allocator<std::alloc::System>;

/// Live bytes allocated by the daemons' threads (the root group), by the server's, and by
/// the soak's own growing records.
static LIVE: [AtomicI64; 3] = [AtomicI64::new(0), AtomicI64::new(0), AtomicI64::new(0)];
/// The group id of [`Harness`] (0 before one is made).
static HARNESS_GROUP: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Live bytes by side: the daemons' (with everything else in the process), the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Live {
    /// Bytes the daemons' threads allocated and nobody freed yet.
    pub client: i64,
    /// Bytes the test server's threads allocated and nobody freed yet.
    pub server: i64,
    /// Bytes of the soak's own growing records (the writer's ledger).
    pub harness: i64,
}

struct Counter;

fn side(group: &AllocationGroupId) -> usize {
    if *group == AllocationGroupId::ROOT {
        0
    } else if group.as_usize().get() == HARNESS_GROUP.load(Ordering::Relaxed) {
        2
    } else {
        1
    }
}

impl AllocationTracker for Counter {
    fn allocated(&self, _addr: usize, size: usize, _wrapped: usize, group: AllocationGroupId) {
        LIVE[side(&group)].fetch_add(i64::try_from(size).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    fn deallocated(
        &self,
        _addr: usize,
        size: usize,
        _wrapped: usize,
        source: AllocationGroupId,
        _current: AllocationGroupId,
    ) {
        LIVE[side(&source)].fetch_sub(i64::try_from(size).unwrap_or(i64::MAX), Ordering::Relaxed);
    }
}

/// Starts counting; call once, first thing in `main`, with [`Allocator`] as the global
/// allocator. Gives whether counting started (it does not when a tracker was set before).
///
/// ```no_run
/// #[global_allocator]
/// static ALLOCATOR: kubeset_soak::heap::Allocator = kubeset_soak::heap::Allocator::system();
///
/// assert!(kubeset_soak::heap::install());
/// ```
pub fn install() -> bool {
    if AllocationRegistry::set_global_tracker(Counter).is_err() {
        return false;
    }
    AllocationRegistry::enable_tracking();
    INSTALLED.store(true, Ordering::Release);
    true
}

/// The live bytes now, or `None` when [`install`] was not called.
///
/// ```
/// // not installed in a doctest
/// assert_eq!(kubeset_soak::heap::live(), None);
/// ```
pub fn live() -> Option<Live> {
    INSTALLED.load(Ordering::Acquire).then(|| Live {
        client: LIVE[0].load(Ordering::Relaxed),
        server: LIVE[1].load(Ordering::Relaxed),
        harness: LIVE[2].load(Ordering::Relaxed),
    })
}

/// The allocation group of the soak's own growing records: what is allocated inside
/// [`Harness::record`] is counted apart from the daemons.
pub(crate) struct Harness(Option<AllocationGroupToken>);

impl Harness {
    /// The group (one per process: a second one would take over the first's counts).
    pub(crate) fn new() -> Self {
        let token = AllocationGroupToken::register();
        if let Some(token) = &token {
            HARNESS_GROUP.store(token.id().as_usize().get(), Ordering::Relaxed);
        }
        Harness(token)
    }

    /// Runs `f` with its allocations counted as the harness's.
    pub(crate) fn record<R>(&mut self, f: impl FnOnce() -> R) -> R {
        match &mut self.0 {
            Some(token) => {
                let _entered = token.enter();
                f()
            }
            None => f(),
        }
    }
}

/// Enters a new allocation group on this thread for the rest of its life.
fn enter_server_group() {
    if let Some(mut token) = AllocationGroupToken::register() {
        // the guard would leave the group when dropped: it stays entered until the thread
        // ends (the token is only an id)
        std::mem::forget(token.enter());
    }
}

/// The runtime the test server runs on: two workers, every thread of it (blocking ones
/// too) counted as the server's.
pub(crate) fn server_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("soak-server")
        .on_thread_start(enter_server_group)
        .enable_all()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_registered_groups_are_the_servers() {
        assert_eq!(side(&AllocationGroupId::ROOT), 0);
        let token = AllocationGroupToken::register().expect("a group id");
        assert_eq!(side(&token.id()), 1);
        let mut harness = Harness::new();
        let id = harness.0.as_ref().expect("a group id").id();
        assert_eq!(side(&id), 2);
        assert_eq!(harness.record(|| 7), 7);
    }
}
