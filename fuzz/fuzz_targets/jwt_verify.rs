//! ServiceAccount token verification in the test server: arbitrary tokens, and tokens the
//! server signs with arbitrary claims, are authenticated or refused, never a panic; a token
//! is only ever accepted as the one ServiceAccount that exists.
//!
//! Input: the first byte's low bit picks the mode. 0: the rest is the token. 1: the rest is
//! JSON merged (as a merge patch) into the claims this server mints, signed, then checked.
#![no_main]

use kubeset_testserver::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let user = if mode & 1 == 0 {
        let Ok(token) = std::str::from_utf8(rest) else {
            return;
        };
        fuzzing::authenticate_token(token)
    } else {
        let Ok(patch) = serde_json::from_slice::<serde_json::Value>(rest) else {
            return;
        };
        let mut claims = fuzzing::minted_claims();
        merge(&mut claims, &patch);
        fuzzing::authenticate_claims(&claims)
    };
    if let Some(name) = user {
        assert_eq!(name, "system:serviceaccount:default:default");
    }
});

/// RFC 7386 merge patch.
fn merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    if let serde_json::Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge(
                    map.entry(key.clone()).or_insert(serde_json::Value::Null),
                    value,
                );
            }
        }
    }
}
