//! The one-pass encoder: a value is serialized once, fields land in number order whatever
//! order they arrive in, an error leaves the reused state clean, and errors inside map values
//! name the entry's key.

use std::cell::Cell;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::json;

fn message(name: &str) -> &'static kubeset_protobuf::schema::Message {
    kubeset_protobuf::schema::message_named(name).expect("a known message")
}

/// A `ContainerPort` that changes every time it is serialized.
struct Drifting(Cell<i32>);

impl Serialize for Drifting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let n = self.0.get();
        self.0.set(n * 200);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("name", "p".repeat(n as usize).as_str())?;
        map.serialize_entry("containerPort", &n)?;
        map.end()
    }
}

#[test]
fn a_value_is_serialized_once_and_an_error_leaves_the_encoder_clean() {
    let port = message("k8s.io.api.core.v1.ContainerPort");
    let drifting = Drifting(Cell::new(1));
    let bytes = kubeset_protobuf::to_message(port, &drifting).unwrap();
    // name "p", hostPort 0, containerPort 1, protocol "", hostIP "": the value as it was the
    // one time it was serialized.
    assert_eq!(bytes, [0x0a, 1, b'p', 0x10, 0, 0x18, 1, 0x22, 0, 0x2a, 0]);
    assert_eq!(drifting.0.get(), 200, "serialized exactly once");
    // An error half-way through a message (after bytes and a nested message were recorded)...
    let err = kubeset_protobuf::to_vec(
        &json!({"metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"bogus": 1}}),
        "v1",
        "Pod",
    )
    .unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
    // ...and the next encoding on this thread is right.
    let bytes =
        kubeset_protobuf::to_message(port, &json!({"containerPort": 80, "protocol": "TCP"}))
            .unwrap();
    assert_eq!(
        bytes,
        [
            0x0a, 0, 0x10, 0, 0x18, 80, 0x22, 3, b'T', b'C', b'P', 0x2a, 0
        ]
    );
}

#[test]
fn fields_in_reverse_and_inlined_fields_interleaved_land_in_number_order() {
    // Volume: name (1), then the inlined VolumeSource (2), whose emptyDir is its field 2.
    // Given as a map with the inlined field's key before `name`.
    struct Reversed;
    impl Serialize for Reversed {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry("emptyDir", &json!({}))?;
            map.serialize_entry("name", "v")?;
            map.end()
        }
    }
    let volume = message("k8s.io.api.core.v1.Volume");
    let bytes = kubeset_protobuf::to_message(volume, &Reversed).unwrap();
    // name "v"; volumeSource { emptyDir (2) { medium (1, a non-pointer string) "" } }.
    assert_eq!(bytes, [0x0a, 1, b'v', 0x12, 4, 0x12, 2, 0x0a, 0]);
    let back: serde_json::Value = kubeset_protobuf::from_message(volume, &bytes).unwrap();
    assert_eq!(back, json!({"name": "v", "emptyDir": {}}));
}

#[test]
fn an_error_in_a_map_value_names_its_key() {
    let err = kubeset_protobuf::to_vec(
        &json!({"metadata": {"labels": {"good": "x", "bad": 7}}}),
        "v1",
        "ConfigMap",
    )
    .unwrap_err();
    assert_eq!(err.path().unwrap().fields(), "metadata.labels[\"bad\"]");
}

#[test]
fn a_map_field_writes_one_entry_message_per_key() {
    let selector = message("k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector");
    let bytes =
        kubeset_protobuf::to_message(selector, &json!({"matchLabels": {"a": "b", "c": ""}}))
            .unwrap();
    assert_eq!(
        bytes,
        [
            0x0a, 6, 0x0a, 1, b'a', 0x12, 1, b'b', //
            0x0a, 5, 0x0a, 1, b'c', 0x12, 0,
        ]
    );
}
