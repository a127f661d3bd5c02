//! Bytes no well-behaved server sends: each is an error (or a value that encodes back to
//! itself), never a panic or a stack overflow. The inputs the `protobuf` fuzz target
//! (`fuzz/fuzz_targets/protobuf.rs`) found are kept here.

use k8s_openapi::api::core::v1::Service;
use serde_json::{Value, json};

/// Types the `protobuf` fuzz target's first byte picks.
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

/// Runs a `protobuf` fuzz input's round trip: the message decodes to `expected`, which
/// encodes and decodes to itself.
#[track_caller]
fn check_round_trip(input: &[u8], expected: &Value) {
    let (api_version, kind) = TYPES[usize::from(input[0])];
    let body = kubeset_protobuf::Envelope::write(api_version, kind, &input[1..]);
    let value: Value = kubeset_protobuf::from_slice(&body).expect("decodes");
    assert_eq!(&value, expected);
    let again = kubeset_protobuf::to_vec(&value, api_version, kind).expect("encodes");
    let back: Value = kubeset_protobuf::from_slice(&again).expect("decodes again");
    assert_eq!(back, value, "a decoded value changed in a round trip");
}

/// A length-delimited field.
fn field(number: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![number << 3 | 2];
    let mut len = payload.len();
    while len >= 0x80 {
        out.push((len as u8) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
    out.extend_from_slice(payload);
    out
}

/// `CompositePodGroupTemplate`s nested `depth` deep (field 6 holds the nested ones).
fn nested_templates(depth: usize) -> Vec<u8> {
    let mut inner = Vec::new();
    for _ in 0..depth {
        inner = field(6, &inner);
    }
    kubeset_protobuf::Envelope::write(
        "scheduling.k8s.io/v1alpha3",
        "CompositePodGroupTemplate",
        &inner,
    )
}

#[test]
fn messages_nested_past_the_limit_are_an_error_not_a_stack_overflow() {
    let fine: Value = kubeset_protobuf::from_slice(&nested_templates(90)).expect("90 deep decodes");
    let mut depth = 0;
    let mut at = &fine;
    while let Some(next) = at["compositePodGroupTemplates"].get(0) {
        depth += 1;
        at = next;
    }
    assert_eq!(depth, 90);

    for deep in [101, 10_000] {
        let err =
            kubeset_protobuf::from_slice::<Value>(&nested_templates(deep)).expect_err("too deep");
        assert!(
            matches!(err.kind(), kubeset_protobuf::ErrorKind::Malformed { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("nest more than 100 deep"), "{err}");
    }
}

#[test]
fn scalars_the_bytes_leave_out_are_zero_as_in_gos_json() {
    // Go's marshaller writes every non-pointer scalar; another encoder may leave a zero out.
    // Go's JSON of the decoded struct still has it, and the encoder writes it back: found by
    // the fuzz target as `ports: [{}]` turning into `ports: [{"port": 0}]`
    check_round_trip(
        &[
            9, 0x0a, 0x05, 0x0a, 0x03, b'w', b'e', b'b', 0x12, 0x02, 0x0a, 0x00,
        ],
        &json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"ports": [{"port": 0}]}}),
    );
    // and as `{}` turning into `{"type": ""}` (WatchEvent.type, a plain string)
    check_round_trip(
        &[7],
        &json!({"apiVersion": "meta.k8s.io/v1", "kind": "WatchEvent", "type": ""}),
    );
    // the typed object needs the field: ServicePort.port is required in k8s-openapi
    let body = kubeset_protobuf::Envelope::write("v1", "Service", &[0x12, 0x02, 0x0a, 0x00]);
    let service: Service = kubeset_protobuf::from_slice(&body).expect("a Service");
    let ports = service.spec.and_then(|s| s.ports).expect("ports");
    assert_eq!(ports[0].port, 0);
    // a zero that is on the wire is not repeated, and omitempty zeros stay out
    let port = kubeset_protobuf::schema::message_named("k8s.io.api.core.v1.ServicePort")
        .expect("ServicePort");
    let value: Value = kubeset_protobuf::from_message(port, &[0x18, 80, 0x28, 0]).expect("decodes");
    assert_eq!(value, json!({"port": 80}));
}

#[test]
fn an_empty_or_null_raw_extension_is_left_out() {
    // found by the fuzz target: WatchEvent.object as an empty message decoded to `null`,
    // which encodes to nothing
    check_round_trip(
        &[7, 0x0a, 0x01, b'X', 0x12, 0x00],
        &json!({"apiVersion": "meta.k8s.io/v1", "kind": "WatchEvent", "type": "X"}),
    );
    let null = [0x12, 0x06, 0x0a, 0x04, b'n', b'u', b'l', b'l'];
    check_round_trip(
        &[[7, 0x0a, 0x01, b'X'].as_slice(), &null].concat(),
        &json!({"apiVersion": "meta.k8s.io/v1", "kind": "WatchEvent", "type": "X"}),
    );
    // the last field 1 counts, as for the other special messages: here a varint
    let shadowed = [0x12, 0x06, 0x0a, 0x02, b'{', b'}', 0x08, 0x01];
    check_round_trip(
        &[[7, 0x0a, 0x01, b'X'].as_slice(), &shadowed].concat(),
        &json!({"apiVersion": "meta.k8s.io/v1", "kind": "WatchEvent", "type": "X"}),
    );
    // JSON that is there is kept
    let object = [0x12, 0x04, 0x0a, 0x02, b'{', b'}'];
    check_round_trip(
        &[[7, 0x0a, 0x01, b'X'].as_slice(), &object].concat(),
        &json!({"apiVersion": "meta.k8s.io/v1", "kind": "WatchEvent", "type": "X", "object": {}}),
    );
}

/// Decodes `message` bytes of a `v1` `Pod` into a `Value`.
fn pod(message: &[u8]) -> Result<Value, kubeset_protobuf::Error> {
    kubeset_protobuf::from_slice(&kubeset_protobuf::Envelope::write("v1", "Pod", message))
}

#[test]
fn cut_or_overlong_varints_and_runs_are_errors() {
    // metadata (1) { finalizers (14, repeated string): "a", then a second entry cut short }
    let cut_run = field(1, &[0x72, 1, b'a', 0x72, 5, b'b']);
    let err = pod(&cut_run).expect_err("cut short");
    assert!(
        err.to_string().contains("longer than the bytes left"),
        "{err}"
    );
    // the same run, whole, is read as one array, and a field after it still counts
    let run = field(1, &[0x72, 1, b'a', 0x72, 1, b'b', 0x0a, 1, b'n']);
    assert_eq!(
        pod(&run).expect("decodes")["metadata"],
        json!({"name": "n", "finalizers": ["a", "b"]})
    );
    // a key that never ends, and one of eleven bytes
    for key in [&[0x80][..], &[0xff; 11][..]] {
        let err = pod(key).expect_err("a bad varint");
        assert!(err.to_string().contains("varint"), "{err}");
    }
    // a two-byte key (field 16, which ObjectMeta does not have) is skipped
    let unknown = field(1, &[0x82, 0x01, 1, b'x', 0x0a, 1, b'n']);
    assert_eq!(
        pod(&unknown).expect("decodes")["metadata"],
        json!({"name": "n"})
    );
}

#[test]
fn a_bad_map_value_names_its_key_and_a_key_that_is_not_utf8_is_an_error() {
    // metadata (1) { labels (11): entry { key "k", value as a varint } }
    let entry = [0x0a, 1, b'k', 0x10, 1];
    let err = pod(&field(1, &field(11, &entry))).expect_err("a varint label");
    assert_eq!(err.path().unwrap().fields(), "metadata.labels[\"k\"]");
    let entry = [0x0a, 1, 0xff, 0x10, 1];
    let err = pod(&field(1, &field(11, &entry))).expect_err("a bad key");
    assert!(
        matches!(err.kind(), kubeset_protobuf::ErrorKind::Malformed { .. }),
        "{err}"
    );
}
