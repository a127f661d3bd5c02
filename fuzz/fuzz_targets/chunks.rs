/// Splits fuzz input into body pieces: the first byte picks the piece length (1..=256), so
/// the decoders see every boundary (inside strings, escapes, UTF-8 sequences, newlines).
pub fn chunks(data: &[u8]) -> Vec<&[u8]> {
    let Some((&len, rest)) = data.split_first() else {
        return Vec::new();
    };
    rest.chunks(usize::from(len) + 1).collect()
}
