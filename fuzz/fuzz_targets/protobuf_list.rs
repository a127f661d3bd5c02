//! The streaming protobuf list splitter, the body arriving in pieces. It never panics, and
//! whatever the pieces, it finds the items a whole-body read finds, or fails as that does.
#![no_main]

use kubeset_protobuf::{Envelope, ListParts, ListSplitter};
use libfuzzer_sys::fuzz_target;

#[path = "chunks.rs"]
mod chunks;

/// Every item the splitter hands out, fed `pieces`.
fn streamed(pieces: &[&[u8]]) -> Result<Vec<Vec<u8>>, kubeset_protobuf::Error> {
    let mut splitter = ListSplitter::new();
    let mut items = Vec::new();
    for piece in pieces {
        splitter.feed(piece)?;
        while let Some(batch) = splitter.take_batch() {
            assert_eq!(batch.first_index(), items.len());
            items.extend(batch.items().map(<[u8]>::to_vec));
        }
    }
    splitter.finish()?;
    while let Some(batch) = splitter.take_batch() {
        items.extend(batch.items().map(<[u8]>::to_vec));
    }
    Ok(items)
}

fuzz_target!(|data: &[u8]| {
    let pieces = chunks::chunks(data);
    let whole: Vec<u8> = pieces.concat();
    let split = streamed(&pieces);
    let one = streamed(&[&whole]);
    match (&split, &one) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "items depend on how the body is cut"),
        (Err(_), Err(_)) => {}
        _ => panic!("success depends on how the body is cut: {split:?} vs {one:?}"),
    }
    // A body the splitter accepts whole is one the whole-body reader accepts, with the
    // same items.
    if let Ok(items) = &one {
        let envelope = Envelope::read(&whole).expect("an accepted body has an envelope");
        let parts = ListParts::split(envelope.api_version, envelope.kind, envelope.raw)
            .expect("an accepted body splits whole");
        let want: Vec<Vec<u8>> = parts.items.iter().map(|i| i.to_vec()).collect();
        assert_eq!(items, &want);
    }
});
