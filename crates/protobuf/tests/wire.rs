//! Bytes as Go's generated marshaller (`k8s.io/api/.../generated.pb.go`) writes them, and
//! what JSON makes of Go's zero values.

use k8s_openapi::api::core::v1::{ContainerPort, Pod};
use serde_json::json;

fn message(api_version: &str, kind: &str) -> &'static kubeset_protobuf::schema::Message {
    kubeset_protobuf::message_for(api_version, kind).expect("a known type")
}

#[test]
fn non_pointer_scalars_are_written_even_when_zero_in_field_order() {
    let port = kubeset_protobuf::schema::message_named("k8s.io.api.core.v1.ContainerPort").unwrap();
    let bytes = kubeset_protobuf::to_message(
        port,
        &ContainerPort {
            container_port: 80,
            protocol: Some("TCP".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // name "", hostPort 0, containerPort 80, protocol "TCP", hostIP "": ContainerPort's
    // MarshalToSizedBuffer writes all five, none of them a pointer.
    assert_eq!(
        bytes,
        [
            0x0a, 0, 0x10, 0, 0x18, 80, 0x22, 3, b'T', b'C', b'P', 0x2a, 0
        ]
    );
    // Read back, the zero omitempty fields are absent, as Go's JSON leaves them out.
    let back: serde_json::Value = kubeset_protobuf::from_message(port, &bytes).unwrap();
    assert_eq!(back, json!({"containerPort": 80, "protocol": "TCP"}));
}

#[test]
fn a_set_pointer_keeps_its_zero_and_an_unset_one_is_absent() {
    let spec =
        kubeset_protobuf::schema::message_named("k8s.io.api.apps.v1.DeploymentSpec").unwrap();
    // replicas (1, *int32) = 0; minReadySeconds (5, int32 omitempty) = 0; paused (7) = false.
    let bytes = [0x08, 0, 0x28, 0, 0x38, 0];
    let value: serde_json::Value = kubeset_protobuf::from_message(spec, &bytes).unwrap();
    assert_eq!(value, json!({"replicas": 0}));
}

#[test]
fn the_envelope_is_written_as_go_writes_runtime_unknown() {
    let bytes = kubeset_protobuf::Envelope::write("v1", "Pod", &[0x0a, 0]);
    let mut want = b"k8s\0".to_vec();
    want.extend_from_slice(&[0x0a, 9, 0x0a, 2, b'v', b'1', 0x12, 3, b'P', b'o', b'd']);
    want.extend_from_slice(&[0x12, 2, 0x0a, 0, 0x1a, 0, 0x22, 0]);
    assert_eq!(bytes, want);
}

#[test]
fn errors_name_the_message_and_field_path() {
    let err = kubeset_protobuf::to_vec(
        &json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "bogus": 1}]}}),
        "v1",
        "Pod",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"bogus\" is not a field of protobuf message k8s.io.api.core.v1.Container, at k8s.io.api.core.v1.Pod: spec.containers[0]"
    );

    let err = kubeset_protobuf::to_vec(
        &json!({"spec": {"containers": [{"ports": [{"containerPort": "x"}]}]}}),
        "v1",
        "Pod",
    )
    .unwrap_err();
    assert_eq!(
        err.path().unwrap().fields(),
        "spec.containers[0].ports[0].containerPort"
    );

    // metadata.name (field 1 of ObjectMeta) with a varint where a string belongs.
    let pod = kubeset_protobuf::Envelope::write("v1", "Pod", &[0x0a, 2, 0x08, 1]);
    let err = kubeset_protobuf::from_slice::<Pod>(&pod).unwrap_err();
    assert_eq!(
        err.path().unwrap().to_string(),
        "k8s.io.api.core.v1.Pod: metadata.name"
    );

    let err = kubeset_protobuf::from_slice::<Pod>(b"{\"kind\":\"Pod\"}").unwrap_err();
    assert!(matches!(
        err.kind(),
        kubeset_protobuf::ErrorKind::NoEnvelope
    ));
    let unknown = kubeset_protobuf::Envelope::write("example.com/v1", "Widget", &[]);
    let err = kubeset_protobuf::from_slice::<serde_json::Value>(&unknown).unwrap_err();
    assert!(matches!(
        err.kind(),
        kubeset_protobuf::ErrorKind::UnknownType { .. }
    ));
}

#[test]
fn list_items_split_and_decode_apart() {
    let list = json!({"metadata": {"resourceVersion": "7", "continue": "c"},
        "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]});
    let bytes = kubeset_protobuf::to_vec(&list, "v1", "PodList").unwrap();
    let envelope = kubeset_protobuf::Envelope::read(&bytes).unwrap();
    let parts =
        kubeset_protobuf::ListParts::split(envelope.api_version, envelope.kind, envelope.raw)
            .unwrap();
    assert!(std::ptr::eq(parts.item, message("v1", "Pod")));
    let names: Vec<String> = parts
        .items
        .iter()
        .map(|b| {
            kubeset_protobuf::from_message::<Pod>(parts.item, b)
                .unwrap()
                .metadata
                .name
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["a", "b"]);
    let meta: serde_json::Value =
        kubeset_protobuf::from_message(message("meta.k8s.io/v1", "ListMeta"), parts.metadata)
            .unwrap();
    assert_eq!(meta, json!({"resourceVersion": "7", "continue": "c"}));
}

#[test]
fn packed_repeated_scalars_are_read_too() {
    // PodFailurePolicyOnExitCodesRequirement.values (3, repeated int32): Go writes them one per
    // key; a packed encoder writes one length-delimited run. Both read the same.
    let req = kubeset_protobuf::schema::message_named(
        "k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement",
    )
    .unwrap();
    let unpacked: serde_json::Value =
        kubeset_protobuf::from_message(req, &[0x18, 1, 0x18, 2, 0x18, 42]).unwrap();
    let packed: serde_json::Value =
        kubeset_protobuf::from_message(req, &[0x1a, 3, 1, 2, 42]).unwrap();
    assert_eq!(unpacked["values"], json!([1, 2, 42]));
    assert_eq!(packed["values"], json!([1, 2, 42]));
}
