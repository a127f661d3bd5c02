//! A JWT's `iat`/`exp` claims, read without checking the signature.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = kubeset_transport::fuzzing::jwt_times(token);
    }
});
