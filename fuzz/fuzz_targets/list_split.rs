//! The streaming list splitter and item decoding, the body arriving in pieces. Whatever the
//! pieces, the result must be the one of the whole body in one piece.
#![no_main]

use k8s_openapi::api::core::v1::Pod;
use libfuzzer_sys::fuzz_target;

#[path = "chunks.rs"]
mod chunks;

fuzz_target!(|data: &[u8]| {
    let pieces = chunks::chunks(data);
    let whole: Vec<u8> = pieces.concat();
    let split = kubeset_clientset::fuzzing::read_list::<serde_json::Value>(&pieces);
    let one = kubeset_clientset::fuzzing::read_list::<serde_json::Value>(&[&whole]);
    match (&split, &one) {
        (Ok(a), Ok(b)) => assert_eq!(a.items, b.items, "items depend on how the body is cut"),
        (Err(_), Err(_)) => {}
        _ => panic!("success depends on how the body is cut: {split:?} vs {one:?}"),
    }
    if let Err(err) = split {
        let _ = format!("{err} {err:?}");
    }
    if let Err(err) = kubeset_clientset::fuzzing::read_list::<Pod>(&pieces) {
        let _ = format!("{err} {err:?}");
    }
});
