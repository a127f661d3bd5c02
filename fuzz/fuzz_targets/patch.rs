//! The test server's patch handlers on a fixed, realistic Pod: JSON merge patch, JSON patch,
//! strategic merge patch and server-side apply. Each body is applied or refused with a
//! Status whose code is the answer's, never a panic.
//!
//! Input: the first byte picks the patch type (bits 0-1) and `force` for apply (bit 2); the
//! rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 4] = [
    "application/merge-patch+json",
    "application/json-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let content_type = TYPES[usize::from(mode & 3)];
    match kubeset_testserver::fuzzing::patch(content_type, body, mode & 4 != 0) {
        Ok(object) => assert!(object.is_object(), "{object}"),
        Err((code, body)) => {
            assert!((400..600).contains(&code), "code {code}");
            let status: serde_json::Value = serde_json::from_str(&body).expect("a Status");
            assert_eq!(status["code"], code, "{body}");
        }
    }
});
