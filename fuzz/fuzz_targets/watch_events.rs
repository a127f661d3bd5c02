//! Watch stream framing and event decoding, the body arriving in pieces.
#![no_main]

use k8s_openapi::api::core::v1::Pod;
use libfuzzer_sys::fuzz_target;

#[path = "chunks.rs"]
mod chunks;

fuzz_target!(|data: &[u8]| {
    let pieces = chunks::chunks(data);
    for event in kubeset_clientset::fuzzing::watch_events::<serde_json::Value>(&pieces) {
        if let Err(err) = event {
            let _ = format!("{err} {err:?}");
        }
    }
    for event in kubeset_clientset::fuzzing::watch_events::<Pod>(&pieces) {
        if let Err(err) = event {
            let _ = format!("{err} {err:?}");
        }
    }
});
