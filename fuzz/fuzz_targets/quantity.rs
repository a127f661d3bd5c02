//! Resource quantity parsing and canonical forms (the test server's).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kubeset_testserver::fuzzing::quantity(text);
    }
});
