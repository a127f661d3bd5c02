//! Label and field selector parsing and matching (the test server's).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (selector, object) = text.split_once('\0').unwrap_or((text, "{}"));
    let object = serde_json::from_str(object).unwrap_or(serde_json::Value::Null);
    let _ = kubeset_testserver::fuzzing::label_selector(selector, &object);
    let _ = kubeset_testserver::fuzzing::field_selector(selector, &object);
});
