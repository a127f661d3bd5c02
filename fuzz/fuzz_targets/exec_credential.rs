//! An exec credential plugin's standard output, parsed as the client does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for version in [
        "client.authentication.k8s.io/v1",
        "client.authentication.k8s.io/v1beta1",
    ] {
        if let Err(err) = kubeset_transport::fuzzing::exec_credential(data, version) {
            let _ = format!("{err} {err:?}");
        }
    }
});
