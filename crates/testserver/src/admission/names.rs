//! Random name suffixes, as `k8s.io/apimachinery/pkg/util/rand.String` makes them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// The alphabet of generated suffixes: no vowels (no accidental words) and no confusable
/// characters (`0`/`o`, `1`/`l`, `3`/`e`, ...).
pub(crate) const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Length of the random suffix of `generateName` and of `kube-api-access-` volumes.
pub(crate) const SUFFIX_LEN: usize = 5;

/// `generateName` prefixes longer than this are cut, so that the result fits 63 characters.
const MAX_PREFIX_LEN: usize = 63 - SUFFIX_LEN;

/// Five random characters from [`ALPHABET`].
pub(crate) fn random_suffix() -> String {
    // RandomState is seeded from the OS once per thread and stepped for each instance, which is
    // random enough for names and needs no dependency.
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x6b75_6265_7365_7421);
    let mut bits = hasher.finish();
    (0..SUFFIX_LEN)
        .map(|_| {
            let n = ALPHABET.len() as u64;
            let c = ALPHABET[(bits % n) as usize];
            bits /= n;
            char::from(c)
        })
        .collect()
}

/// `names.SimpleNameGenerator.GenerateName`: the prefix (cut to 58 bytes) plus a random suffix.
pub(crate) fn generate(prefix: &str) -> String {
    let mut cut = prefix.len().min(MAX_PREFIX_LEN);
    while !prefix.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", &prefix[..cut], random_suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_use_the_real_alphabet() {
        for _ in 0..100 {
            let s = random_suffix();
            assert_eq!(s.len(), SUFFIX_LEN);
            assert!(s.bytes().all(|b| ALPHABET.contains(&b)), "{s}");
        }
        assert_ne!(random_suffix(), random_suffix());
    }

    #[test]
    fn long_prefixes_are_cut() {
        let name = generate(&"a".repeat(70));
        assert_eq!(name.len(), 63);
        assert!(generate("web-").starts_with("web-"));
    }
}
