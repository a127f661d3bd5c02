//! kubeset-protobuf's reader on bytes as a server could send them: the `k8s\0` envelope, then
//! the message decoded into `serde_json::Value` and into k8s-openapi types, a list split at
//! its items as the client splits it, and the errors' `Display`/`Debug`. Whatever decodes must
//! encode again and decode to the same value (a round trip), as JSON and as the typed object.
//!
//! Input: the first byte picks a type of [`TYPES`] whose message the rest is (wrapped in an
//! envelope naming it); a value past the table means the rest is the whole body, envelope
//! included.
#![no_main]

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `apiVersion` and `kind` of the message the input holds (by its first byte).
const TYPES: [(&str, &str); 14] = [
    ("v1", "Pod"),
    ("v1", "PodList"),
    ("v1", "ConfigMap"),
    ("v1", "ConfigMapList"),
    ("v1", "Secret"),
    ("apps/v1", "Deployment"),
    ("v1", "Status"),
    ("meta.k8s.io/v1", "WatchEvent"),
    ("v1", "Node"),
    ("v1", "Service"),
    ("events.k8s.io/v1", "Event"),
    ("batch/v1", "Job"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("meta.k8s.io/v1", "PartialObjectMetadata"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let body = match TYPES.get(usize::from(pick)) {
        Some((api_version, kind)) => kubeset_protobuf::Envelope::write(api_version, kind, rest),
        None => rest.to_vec(),
    };
    let Ok(envelope) = show(kubeset_protobuf::Envelope::read(&body)) else {
        return;
    };
    let (api_version, kind) = (envelope.api_version, envelope.kind);

    if let Ok(value) = show(kubeset_protobuf::from_slice::<Value>(&body)) {
        let again = kubeset_protobuf::to_vec(&value, api_version, kind)
            .unwrap_or_else(|e| panic!("{value} decoded but does not encode: {e}"));
        let back: Value = kubeset_protobuf::from_slice(&again)
            .unwrap_or_else(|e| panic!("{value} encoded but does not decode: {e}"));
        assert_eq!(back, value, "a decoded value changed in a round trip");
    }
    match (api_version, kind) {
        ("v1", "Pod") => typed::<Pod>(&body, api_version, kind),
        ("v1", "PodList") => typed::<k8s_openapi::List<Pod>>(&body, api_version, kind),
        ("v1", "ConfigMap") => typed::<ConfigMap>(&body, api_version, kind),
        ("v1", "Secret") => typed::<Secret>(&body, api_version, kind),
        ("apps/v1", "Deployment") => typed::<Deployment>(&body, api_version, kind),
        ("v1" | "meta.k8s.io/v1", "Status") => typed::<Status>(&body, api_version, kind),
        _ => {}
    }

    // a list as the client reads it: split at its items, each decoded on its own
    if let Ok(parts) = show(kubeset_protobuf::ListParts::split(
        api_version,
        kind,
        envelope.raw,
    )) {
        for item in &parts.items {
            let _ = show(kubeset_protobuf::from_message::<Value>(parts.item, item));
            if kind == "PodList" {
                let _ = show(kubeset_protobuf::from_message::<Pod>(parts.item, item));
            }
        }
    }
});

/// Decodes `body` as `K`; what decodes must encode and decode to the same object.
fn typed<K: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    body: &[u8],
    api_version: &str,
    kind: &str,
) {
    let Ok(object) = show(kubeset_protobuf::from_slice::<K>(body)) else {
        return;
    };
    let again = kubeset_protobuf::to_vec(&object, api_version, kind)
        .unwrap_or_else(|e| panic!("{object:?} decoded but does not encode: {e}"));
    let back: K = kubeset_protobuf::from_slice(&again)
        .unwrap_or_else(|e| panic!("{object:?} encoded but does not decode: {e}"));
    assert_eq!(back, object, "a decoded object changed in a round trip");
}

/// Formats an error as a caller would print it.
fn show<T>(result: Result<T, kubeset_protobuf::Error>) -> Result<T, kubeset_protobuf::Error> {
    if let Err(err) = &result {
        let _ = format!("{err} {err:?} {:?}", err.path());
    }
    result
}
