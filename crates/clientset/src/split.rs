//! Finds the items of a JSON list body incrementally, as its bytes arrive.
//!
//! The splitter copies each element of the top-level `items` array, whole, into a batch buffer
//! and everything else (kind, apiVersion, metadata, an empty `items: []`) into a small
//! envelope. Batches of complete items are handed out while the body is still arriving, so
//! they can be decoded in parallel. Finding boundaries is cheap: inside an item it reads eight
//! bytes at a time and looks only at the ones that matter (`scan`).

mod scan;

use bytes::{Bytes, BytesMut};

pub(crate) use crate::decode::StringState;

/// A scan failure: the body is not a JSON object with an array of objects in `items`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitError {
    /// What is wrong.
    pub(crate) message: &'static str,
    /// Index of the item being read, when inside `items`.
    pub(crate) item: Option<usize>,
    /// Where in the piece just fed (or in the envelope, at the end) the problem is.
    pub(crate) offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Outside `items`: bytes go to the envelope.
    Envelope,
    /// Inside `items`, between elements.
    Gap,
    /// Inside one element.
    Item,
}

/// The incremental splitter.
#[derive(Debug)]
pub(crate) struct Splitter {
    mode: Mode,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// In the envelope: the next string at depth 1 is a key.
    expect_key: bool,
    /// In the envelope: capturing a depth-1 key into `key`.
    capturing_key: bool,
    key: Vec<u8>,
    /// The last depth-1 key was `items` and its value has not started yet.
    items_value_next: bool,
    envelope: Vec<u8>,
    batch: BytesMut,
    /// End offsets (in `batch`) of the complete items not yet taken.
    ends: Vec<usize>,
    /// Items handed out in earlier batches.
    taken: usize,
}

/// A batch of complete items: their bytes, end offsets and the index of the first item.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) bytes: Bytes,
    pub(crate) ends: Vec<usize>,
    pub(crate) first_index: usize,
}

impl Batch {
    /// The items' byte slices, in order.
    pub(crate) fn items(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(s, e)| &self.bytes[s..e])
    }
}

impl Splitter {
    pub(crate) fn new() -> Self {
        Self {
            mode: Mode::Envelope,
            depth: 0,
            in_string: false,
            escaped: false,
            expect_key: false,
            capturing_key: false,
            key: Vec::with_capacity(8),
            items_value_next: false,
            envelope: Vec::with_capacity(256),
            batch: BytesMut::new(),
            ends: Vec::new(),
            taken: 0,
        }
    }

    fn error(&self, message: &'static str) -> SplitError {
        let item =
            matches!(self.mode, Mode::Item | Mode::Gap).then_some(self.taken + self.ends.len());
        SplitError {
            message,
            item,
            offset: 0,
        }
    }

    /// Whether the next byte fed is inside a JSON string (for masking error excerpts of a
    /// piece that starts in the middle of the body).
    pub(crate) fn string_state(&self) -> StringState {
        match (self.in_string, self.escaped) {
            (false, _) => StringState::Outside,
            (true, false) => StringState::InString,
            (true, true) => StringState::AfterEscape,
        }
    }

    /// Bytes of complete items waiting in the current batch.
    pub(crate) fn ready_bytes(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Takes the complete items read so far (the partial item being read stays).
    pub(crate) fn take_batch(&mut self) -> Option<Batch> {
        let end = *self.ends.last()?;
        let bytes = self.batch.split_to(end).freeze();
        // The next batch gets room for as much as this one took, so it fills without being
        // copied to ever larger buffers (only the partial item read so far moves).
        self.batch.reserve(end);
        let ends = std::mem::take(&mut self.ends);
        let first_index = self.taken;
        self.taken += ends.len();
        Some(Batch {
            bytes,
            ends,
            first_index,
        })
    }

    /// The envelope (the body without its items), once the body ended.
    pub(crate) fn envelope(&self) -> &[u8] {
        &self.envelope
    }

    /// Checks that the body ended where a JSON document may end.
    pub(crate) fn finish(&self) -> Result<(), SplitError> {
        if self.mode != Mode::Envelope || self.depth != 0 || self.in_string {
            let mut err = self.error("the body ended in the middle of the list");
            err.offset = self.envelope.len();
            return Err(err);
        }
        if self.envelope.iter().all(u8::is_ascii_whitespace) {
            return Err(self.error("the body is empty"));
        }
        Ok(())
    }

    /// Scans the next piece of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Result<(), SplitError> {
        let mut i = 0;
        // Start (in `chunk`) of the item bytes not yet copied to the batch.
        let mut span = 0;
        while i < chunk.len() {
            match self.mode {
                Mode::Item => match self.item_end(&chunk[i..]) {
                    None => i = chunk.len(),
                    Some(n) => {
                        i += n;
                        self.batch.extend_from_slice(&chunk[span..i]);
                        self.ends.push(self.batch.len());
                        self.mode = Mode::Gap;
                    }
                },
                Mode::Gap => {
                    let b = chunk[i];
                    match b {
                        b' ' | b'\n' | b'\r' | b'\t' | b',' => i += 1,
                        b']' => {
                            self.envelope.push(b']');
                            self.depth = 1;
                            self.mode = Mode::Envelope;
                            i += 1;
                        }
                        b'{' => {
                            span = i;
                            self.depth = 3;
                            self.mode = Mode::Item;
                            i += 1;
                        }
                        _ => {
                            let mut err = self.error("a list item is not a JSON object");
                            err.offset = i;
                            return Err(err);
                        }
                    }
                }
                Mode::Envelope => {
                    let b = chunk[i];
                    i += 1;
                    self.envelope.push(b);
                    self.envelope_byte(b).map_err(|mut err| {
                        err.offset = i - 1;
                        err
                    })?;
                }
            }
        }
        if self.mode == Mode::Item {
            self.batch.extend_from_slice(&chunk[span..]);
        }
        Ok(())
    }

    fn envelope_byte(&mut self, b: u8) -> Result<(), SplitError> {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
                if self.capturing_key {
                    self.capturing_key = false;
                    self.expect_key = false;
                }
                return Ok(());
            }
            if self.capturing_key && self.key.len() < 8 {
                self.key.push(b);
            }
            return Ok(());
        }
        if b.is_ascii_whitespace() {
            return Ok(());
        }
        let items_next = std::mem::take(&mut self.items_value_next);
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.expect_key {
                    self.capturing_key = true;
                    self.key.clear();
                }
            }
            b'{' | b'[' => {
                if self.depth == 0 && b != b'{' {
                    return Err(self.error("the body is not a JSON object"));
                }
                self.depth += 1;
                if self.depth == 1 {
                    self.expect_key = true;
                }
                if items_next && b == b'[' {
                    self.mode = Mode::Gap;
                }
            }
            b'}' | b']' => {
                if self.depth == 0 {
                    return Err(self.error("unbalanced brackets"));
                }
                self.depth -= 1;
            }
            b':' if self.depth == 1 => self.items_value_next = self.key == b"items",
            b',' if self.depth == 1 => self.expect_key = true,
            _ if self.depth == 0 => return Err(self.error("the body is not a JSON object")),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(body: &str, piece: usize) -> Result<(String, Vec<String>), SplitError> {
        let mut s = Splitter::new();
        let mut items = Vec::new();
        for chunk in body.as_bytes().chunks(piece) {
            s.feed(chunk)?;
            if s.ready_bytes() > 10 {
                let batch = s.take_batch().unwrap();
                assert_eq!(batch.first_index, items.len());
                items.extend(
                    batch
                        .items()
                        .map(|i| String::from_utf8(i.to_vec()).unwrap()),
                );
            }
        }
        s.finish()?;
        if let Some(batch) = s.take_batch() {
            items.extend(
                batch
                    .items()
                    .map(|i| String::from_utf8(i.to_vec()).unwrap()),
            );
        }
        Ok((String::from_utf8(s.envelope().to_vec()).unwrap(), items))
    }

    #[track_caller]
    fn check(body: &str, envelope: &str, items: &[&str]) {
        for piece in [1, 2, 3, 7, body.len().max(1)] {
            let (env, got) = split(body, piece).unwrap();
            assert_eq!(env, envelope, "piece size {piece}");
            assert_eq!(got, items, "piece size {piece}");
        }
    }

    #[track_caller]
    fn check_err(body: &str, message: &str) {
        for piece in [1, 5, body.len().max(1)] {
            let err = split(body, piece).unwrap_err();
            assert_eq!(err.message, message, "piece size {piece}");
        }
    }

    #[test]
    fn splits_items_from_envelope() {
        check(
            r#"{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[{"a":1},{"b":"x"}]}"#,
            r#"{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[]}"#,
            &[r#"{"a":1}"#, r#"{"b":"x"}"#],
        );
        check(
            "{ \"items\" : [ {\"s\":\"}]{\\\"\\\\\"} , \n{\"n\":[1,{\"x\":[]}]}\n ], \"kind\":\"L\"}",
            "{ \"items\" : [], \"kind\":\"L\"}",
            &["{\"s\":\"}]{\\\"\\\\\"}", "{\"n\":[1,{\"x\":[]}]}"],
        );
        check(r#"{"items":[]}"#, r#"{"items":[]}"#, &[]);
        check(r#"{"items":null}"#, r#"{"items":null}"#, &[]);
        // Only the top-level `items` is split.
        check(
            r#"{"metadata":{"items":[{"x":1}]},"xitems":[{"y":2}]}"#,
            r#"{"metadata":{"items":[{"x":1}]},"xitems":[{"y":2}]}"#,
            &[],
        );
        // A key that merely contains an escaped quote.
        check(r#"{"it\"ems":[{"a":1}]}"#, r#"{"it\"ems":[{"a":1}]}"#, &[]);
    }

    #[test]
    fn rejects_what_is_not_a_list() {
        check_err(r#"{"items":[1,2]}"#, "a list item is not a JSON object");
        check_err(
            r#"{"items":[{"a":1}"#,
            "the body ended in the middle of the list",
        );
        check_err(r#"[{"a":1}]"#, "the body is not a JSON object");
        check_err("   ", "the body is empty");
        check_err("404 page not found", "the body is not a JSON object");
    }

    /// Every list the real kube-apiserver answered in the transcripts, compact and pretty,
    /// split at several piece sizes, gives back exactly its items and the rest.
    #[test]
    fn splits_every_recorded_list() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testserver/tests/transcripts"
        );
        let mut lists = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let transcript: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for step in transcript["steps"].as_array().unwrap() {
                let body = &step["response"]["body"];
                let Some(items) = body.get("items").and_then(|i| i.as_array()) else {
                    continue;
                };
                lists += 1;
                let mut envelope = body.clone();
                envelope["items"] = serde_json::json!([]);
                for text in [
                    serde_json::to_string(body).unwrap(),
                    serde_json::to_string_pretty(body).unwrap(),
                ] {
                    for piece in [1, 13, 4096] {
                        let (env, got) = split(&text, piece).unwrap();
                        let got: Vec<serde_json::Value> = got
                            .iter()
                            .map(|i| serde_json::from_str(i).unwrap())
                            .collect();
                        assert_eq!(&got, items, "{path:?} piece {piece}");
                        let env: serde_json::Value = serde_json::from_str(&env).unwrap();
                        assert_eq!(env, envelope, "{path:?} piece {piece}");
                    }
                }
            }
        }
        assert!(lists > 20, "only {lists} lists found");
    }

    /// Random bytes from JSON's structural alphabet never panic the splitter, and whenever it
    /// accepts a body, serde_json agrees the items it found are the body's items.
    #[test]
    fn arbitrary_input_never_panics() {
        let alphabet = br#"{}[]",:\ a1"#;
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..10_000 {
            // Long bodies in long pieces too, so the eight-byte scan runs inside `feed`.
            let long = next() % 2 == 0;
            let len = (next() % if long { 200 } else { 40 }) as usize;
            let mut body: Vec<u8> = b"{\"items\":[".to_vec();
            body.extend((0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]));
            let piece = 1 + (next() % if long { 64 } else { 7 }) as usize;
            let mut splitter = Splitter::new();
            let mut ok = true;
            for chunk in body.chunks(piece) {
                if splitter.feed(chunk).is_err() {
                    ok = false;
                    break;
                }
            }
            if ok
                && splitter.finish().is_ok()
                && let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body)
            {
                let batch = splitter.take_batch();
                let found: Vec<serde_json::Value> = batch
                    .iter()
                    .flat_map(|b| b.items().map(|i| serde_json::from_slice(i).unwrap()))
                    .collect();
                let expected = value["items"].as_array().cloned().unwrap_or_default();
                assert_eq!(found, expected, "{}", String::from_utf8_lossy(&body));
            }
        }
    }
}
