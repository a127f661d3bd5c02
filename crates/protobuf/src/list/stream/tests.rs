use serde_json::json;

use super::*;
use crate::wire;

/// A `v1` `PodList` of `n` pods with list metadata, as Go's marshaller writes it.
fn pod_list(n: usize) -> Vec<u8> {
    let items: Vec<_> = (0..n)
        .map(|i| json!({"metadata": {"name": format!("pod-{i}"), "labels": {"i": i.to_string()}}}))
        .collect();
    let list = json!({"metadata": {"resourceVersion": "7", "continue": "next"}, "items": items});
    crate::to_vec(&list, "v1", "PodList").unwrap()
}

/// Every item, in order, fed in pieces of `piece` bytes, with a batch taken whenever
/// `batch_bytes` of items are ready.
fn split(
    body: &[u8],
    piece: usize,
    batch_bytes: usize,
) -> Result<(ListSplitter, Vec<Vec<u8>>), Error> {
    let mut splitter = ListSplitter::new();
    let mut items = Vec::new();
    let take = |splitter: &mut ListSplitter, items: &mut Vec<Vec<u8>>| {
        while let Some(batch) = splitter.take_batch() {
            assert_eq!(batch.first_index(), items.len());
            items.extend(batch.items().map(<[u8]>::to_vec));
        }
    };
    for chunk in body.chunks(piece) {
        splitter.feed(chunk)?;
        if splitter.ready_bytes() >= batch_bytes {
            take(&mut splitter, &mut items);
        }
    }
    splitter.finish()?;
    take(&mut splitter, &mut items);
    Ok((splitter, items))
}

#[test]
fn items_match_the_whole_body_split_at_any_piece_size() {
    let body = pod_list(40);
    let envelope = Envelope::read(&body).unwrap();
    let whole = ListParts::split(envelope.api_version, envelope.kind, envelope.raw).unwrap();
    for piece in [1, 2, 3, 7, 64, 333, 4096, body.len()] {
        for batch_bytes in [0, 100, 1 << 20] {
            let (splitter, items) = split(&body, piece, batch_bytes).unwrap();
            let want: Vec<Vec<u8>> = whole.items.iter().map(|i| i.to_vec()).collect();
            assert_eq!(items, want, "piece {piece}, batch {batch_bytes}");
            assert_eq!(splitter.metadata(), whole.metadata);
            assert_eq!((splitter.api_version(), splitter.kind()), ("v1", "PodList"));
        }
    }
}

#[test]
fn items_decode_with_the_batch_message() {
    let body = pod_list(3);
    let mut splitter = ListSplitter::new();
    splitter.feed(&body).unwrap();
    splitter.finish().unwrap();
    let batch = splitter.take_batch().unwrap();
    let names: Vec<String> = batch
        .items()
        .map(|b| {
            let pod: serde_json::Value = crate::from_message(batch.message(), b).unwrap();
            pod["metadata"]["name"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(names, ["pod-0", "pod-1", "pod-2"]);
}

#[test]
fn a_body_cut_anywhere_is_an_error_not_a_shorter_list() {
    let body = pod_list(5);
    // The last four bytes are the envelope's empty contentEncoding and contentType: a body
    // without them is still a whole list.
    for cut in 0..body.len() - 4 {
        let result = split(&body[..cut], 3, 0);
        assert!(
            result.is_err(),
            "cut at {cut} of {} was accepted",
            body.len()
        );
    }
}

#[test]
fn items_before_the_type_are_read_whole_at_the_end() {
    let whole = pod_list(4);
    let envelope = Envelope::read(&whole).unwrap();
    let mut body = MAGIC.to_vec();
    wire::put_bytes(&mut body, 2, envelope.raw);
    let mut type_meta = Vec::new();
    wire::put_bytes(&mut type_meta, 1, b"v1");
    wire::put_bytes(&mut type_meta, 2, b"PodList");
    wire::put_bytes(&mut body, 1, &type_meta);
    let (splitter, items) = split(&body, 5, 0).unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(splitter.kind(), "PodList");
    let (_, in_order) = split(&whole, 5, 0).unwrap();
    assert_eq!(items, in_order);
}

#[test]
fn an_item_longer_than_its_list_is_an_error() {
    let mut body = MAGIC.to_vec();
    let mut type_meta = Vec::new();
    wire::put_bytes(&mut type_meta, 1, b"v1");
    wire::put_bytes(&mut type_meta, 2, b"PodList");
    wire::put_bytes(&mut body, 1, &type_meta);
    // The list claims 3 bytes; its item claims 9.
    body.extend_from_slice(&[0x12, 3, 0x12, 9, 0]);
    body.extend_from_slice(&[0; 9]);
    let err = split(&body, 2, 0).unwrap_err();
    assert!(
        err.to_string().contains("longer than the bytes left"),
        "{err}"
    );
}

#[test]
fn unknown_types_and_foreign_bodies_are_errors() {
    let list = json!({"items": []});
    let mut body = crate::to_vec(&list, "v1", "PodList").unwrap();
    // `PodList` -> `PodLost`: a kind the table does not know.
    let at = body.windows(7).position(|w| w == b"PodList").unwrap();
    body[at + 4] = b'o';
    let err = split(&body, 16, 0).unwrap_err();
    assert!(
        matches!(err.kind(), crate::ErrorKind::UnknownType { .. }),
        "{err}"
    );
    let err = split(br#"{"kind":"PodList"}"#, 16, 0).unwrap_err();
    assert!(err.to_string().contains("k8s"), "{err}");
    let err = split(b"", 16, 0).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn an_envelope_with_two_objects_or_two_types_is_an_error() {
    // Found by the `protobuf_list` fuzz target: Go's reader keeps the last object, which a
    // reader that hands items out as they come cannot do.
    let whole = pod_list(2);
    let envelope = Envelope::read(&whole).unwrap();
    let mut type_meta = Vec::new();
    wire::put_bytes(&mut type_meta, 1, b"v1");
    wire::put_bytes(&mut type_meta, 2, b"PodList");
    let mut two_objects = MAGIC.to_vec();
    wire::put_bytes(&mut two_objects, 1, &type_meta);
    wire::put_bytes(&mut two_objects, 2, envelope.raw);
    wire::put_bytes(&mut two_objects, 2, &[]);
    let mut two_types = MAGIC.to_vec();
    wire::put_bytes(&mut two_types, 1, &type_meta);
    wire::put_bytes(&mut two_types, 1, &type_meta);
    wire::put_bytes(&mut two_types, 2, envelope.raw);
    for body in [two_objects, two_types] {
        let err = split(&body, 7, 0).unwrap_err();
        assert!(err.to_string().contains("repeats a field"), "{err}");
    }
}

#[test]
fn a_length_near_the_end_of_the_address_space_is_an_error() {
    let mut type_meta = Vec::new();
    wire::put_bytes(&mut type_meta, 1, b"v1");
    wire::put_bytes(&mut type_meta, 2, b"PodList");
    for inside in [false, true] {
        let mut body = MAGIC.to_vec();
        wire::put_bytes(&mut body, 1, &type_meta);
        if inside {
            // a list of 20 bytes whose item claims 2^64 - 1
            body.extend_from_slice(&[0x12, 20, 0x12]);
        } else {
            body.push(0x12);
        }
        body.extend_from_slice(&[0xff; 9]);
        body.push(0x01);
        body.extend_from_slice(&[0; 8]);
        let err = split(&body, 3, 0).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("out of range") || text.contains("longer than"),
            "{text}"
        );
    }
}

#[test]
fn a_content_type_that_is_not_utf8_is_an_error_as_in_a_whole_read() {
    // Found by the `protobuf_list` fuzz target: the whole-body reader refused what the
    // streaming one accepted.
    let mut body = pod_list(1);
    body.truncate(body.len() - 2);
    wire::put_bytes(&mut body, 4, &[0xff]);
    assert!(Envelope::read(&body).is_err());
    let err = split(&body, 3, 0).unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
}
