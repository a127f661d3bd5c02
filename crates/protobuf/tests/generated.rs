//! The checked-in table is current: `src/generated.rs` records a hash of the files under
//! `proto/` it was written from; the same hash of the files there now must match, so editing
//! or updating them without `cargo xtask protogen` fails here.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("proto dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "proto" || e == "go") {
            out.push(path);
        }
    }
}

#[test]
fn the_table_was_generated_from_the_vendored_files() {
    let proto = Path::new(env!("CARGO_MANIFEST_DIR")).join("proto");
    let mut files = Vec::new();
    walk(&proto, &mut files);
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for file in files {
        let relative = file
            .strip_prefix(&proto)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&file).unwrap();
        for b in relative.bytes().chain([0]).chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    assert_eq!(
        hash,
        kubeset_protobuf::schema::INPUT_HASH,
        "crates/protobuf/proto changed: run `cargo xtask protogen`"
    );
    assert!(kubeset_protobuf::schema::MESSAGES.len() > 1000);
    assert!(kubeset_protobuf::schema::MESSAGES.is_sorted_by(|a, b| a.name < b.name));
    assert!(
        kubeset_protobuf::schema::TYPES
            .is_sorted_by(|a, b| (a.api_version, a.kind) < (b.api_version, b.kind))
    );
}
