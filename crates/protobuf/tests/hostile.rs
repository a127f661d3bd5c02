//! Bytes no well-behaved server sends: each is an error (or a value that encodes back to
//! itself), never a panic or a stack overflow. The inputs the `protobuf` fuzz target
//! (`fuzz/fuzz_targets/protobuf.rs`) found are kept here.

use serde_json::Value;

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
