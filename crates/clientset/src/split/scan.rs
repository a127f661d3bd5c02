//! Finding where a list item ends, eight bytes at a time.
//!
//! Kubernetes objects are mostly short strings (`"name"`, `"ready"`), so a search that starts
//! over at each quote (as `memchr` does) spends more on starting than on scanning. Here each
//! `u64` of the body is classified once: the bytes that matter (`"`, `\`, `{`, `[`, `}`, `]`)
//! become one bit each, found with exact "zero byte" arithmetic in safe code, and only those
//! bits are walked, in order, with the string and escape state.
//!
//! Guarantee: the result, and the splitter's state afterwards, are those of reading the bytes
//! one at a time (`item_end_bytewise`, which the tests compare against).

use super::Splitter;

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const LOW7: u64 = u64::from_le_bytes([0x7f; 8]);
/// `0x20` in every byte: or-ing it folds `[` onto `{` and `]` onto `}`.
const CASE: u64 = u64::from_le_bytes([0x20; 8]);

/// The high bit of exactly those bytes of `word` that equal `byte`.
fn equal(word: u64, byte: u8) -> u64 {
    let v = word ^ (ONES * u64::from(byte));
    !(((v & LOW7) + LOW7) | v | LOW7)
}

/// The high bit of each `"`, `\`, `{`, `[`, `}` and `]` in `word`.
fn marks(word: u64) -> u64 {
    let folded = word | CASE;
    equal(word, b'"') | equal(word, b'\\') | equal(folded, b'{') | equal(folded, b'}')
}

impl Splitter {
    /// Reads item bytes (the splitter is inside an item) up to the end of the item: the
    /// number of bytes of `s` that belong to it, or `None` when all of `s` does.
    pub(super) fn item_end(&mut self, s: &[u8]) -> Option<usize> {
        // The state lives in locals while the words are read, and goes back at the end.
        let (mut depth, mut in_string, mut escaped) = (self.depth, self.in_string, self.escaped);
        let mut words = s.chunks_exact(8);
        let mut base = 0;
        let mut end = None;
        'words: for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().ok()?);
            let mut marks = marks(word);
            if std::mem::take(&mut escaped) {
                marks &= !0x80;
            }
            while marks != 0 {
                let bit = marks.trailing_zeros();
                marks &= marks - 1;
                let b = (word >> (bit - 7)) as u8;
                match (in_string, b) {
                    (true, b'"') | (false, b'"') => in_string = !in_string,
                    (true, b'\\') if bit == 63 => escaped = true,
                    (true, b'\\') => marks &= !(0x80 << (bit + 1)),
                    (false, b'{' | b'[') => depth += 1,
                    (false, b'}' | b']') => {
                        depth -= 1;
                        if depth == 2 {
                            end = Some(base + (bit / 8) as usize + 1);
                            break 'words;
                        }
                    }
                    _ => {}
                }
            }
            base += 8;
        }
        (self.depth, self.in_string, self.escaped) = (depth, in_string, escaped);
        if end.is_some() {
            return end;
        }
        self.item_end_bytewise(words.remainder()).map(|n| base + n)
    }

    /// [`Splitter::item_end`], one byte at a time.
    fn item_end_bytewise(&mut self, s: &[u8]) -> Option<usize> {
        for (at, &b) in s.iter().enumerate() {
            if self.in_string {
                if std::mem::take(&mut self.escaped) {
                    continue;
                }
                match b {
                    b'"' => self.in_string = false,
                    b'\\' => self.escaped = true,
                    _ => {}
                }
            } else if self.structural(b) {
                return Some(at + 1);
            }
        }
        None
    }

    /// A byte outside strings; whether it closed the item.
    fn structural(&mut self, b: u8) -> bool {
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth -= 1;
                return self.depth == 2;
            }
            _ => {}
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_item() -> Splitter {
        let mut s = Splitter::new();
        s.feed(br#"{"items":[{"#).unwrap();
        s
    }

    fn state(s: &Splitter) -> (usize, bool, bool) {
        (s.depth, s.in_string, s.escaped)
    }

    #[test]
    fn equal_flags_exactly_the_matching_bytes() {
        for byte in [b'"', b'\\', 0x00, 0x01, 0x7f, 0x80, 0xff] {
            let word = u64::from_le_bytes([0x00, 0x01, byte, 0x02, 0x80, byte, 0xff, 0x7f]);
            let flagged: Vec<usize> = (0..8)
                .filter(|k| equal(word, byte) & (0x80 << (8 * k)) != 0)
                .collect();
            let expected: Vec<usize> = word
                .to_le_bytes()
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == byte)
                .map(|(k, _)| k)
                .collect();
            assert_eq!(flagged, expected, "byte {byte:#x}");
        }
    }

    /// Random item bodies weighted towards the bytes that matter, their case-folded
    /// look-alikes and bytes over 0x7f, from every starting state: the word-wise scan ends
    /// where the byte-wise one does, in the same state.
    #[test]
    fn agrees_with_reading_byte_by_byte() {
        let alphabet = [
            b'"', b'\\', b'{', b'}', b'[', b']', 0x01, 0x00, 0x21, 0x23, 0x7a, 0x7c, 0x5a, 0x3b,
            0x3d, 0x80, 0xa2, 0xdb, 0xfb, 0xff, b'a', b' ',
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut ended = 0;
        for _ in 0..20_000 {
            let len = (next() % 48) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let (in_string, escaped) = match next() % 3 {
                0 => (false, false),
                1 => (true, false),
                _ => (true, true),
            };
            let depth = 3 + (next() % 2) as usize;
            let (mut fast, mut slow) = (in_item(), in_item());
            for s in [&mut fast, &mut slow] {
                (s.depth, s.in_string, s.escaped) = (depth, in_string, escaped);
            }
            let got = fast.item_end(&bytes);
            let want = slow.item_end_bytewise(&bytes);
            assert_eq!(
                got,
                want,
                "{bytes:?} from {:?}",
                (depth, in_string, escaped)
            );
            assert_eq!(state(&fast), state(&slow), "{bytes:?}");
            ended += usize::from(got.is_some());
        }
        assert!(ended > 1000, "only {ended} items ended");
    }

    #[test]
    fn an_escape_at_the_end_of_a_word_carries_over() {
        let mut s = in_item();
        // `"abcdef\` fills a word and ends on the backslash; the quote after it is escaped.
        let body = br#""abcdef\"",x:"y"}"#;
        assert_eq!(s.item_end(body), Some(body.len()));
        assert_eq!(state(&s), (2, false, false));
    }
}
