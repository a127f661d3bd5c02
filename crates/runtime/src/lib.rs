//! The controller runtime: what long-running daemons (controllers, schedulers, provisioners)
//! are built from, over the clientset's watchers and caches.
//!
//! The caches themselves (watcher, store, reflector, informer) live in
//! [`kubeset_clientset::runtime`] and are re-exported here, so one path names the whole runtime.
//!
//! Architecture invariant: this crate only uses the public API of `kubeset-clientset`; it adds
//! no transport of its own.

pub use kubeset_clientset::runtime::*;

pub mod events;
pub mod leader;

pub use events::{
    EventRecorder, EventRecorderConfig, EventType, NewEvent, RecorderStats, Reporter, reference_to,
};
pub use leader::{LeaderElectionConfig, LeaderElector, LeaderHandle, Leadership};
