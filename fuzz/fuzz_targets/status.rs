//! Status decoding of error answers and of Failure Statuses in 2xx answers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((code, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let code = 400 + u16::from_le_bytes(*code) % 200;
    let err = kubeset_clientset::fuzzing::api_error(code, body);
    let _ = format!("{err} {err:?}");
    if let Some(err) = kubeset_clientset::fuzzing::failure_in_success(body) {
        let _ = format!("{err} {err:?}");
    }
});
