//! Time and randomness helpers.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now as Unix seconds.
pub(crate) fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A Unix time as an RFC 3339 `metav1.Time` (second precision, `Z`).
pub(crate) fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Now as a `metav1.Time`.
pub(crate) fn now() -> String {
    rfc3339(unix_now())
}

/// Now as a `metav1.MicroTime` (`2006-01-02T15:04:05.000000Z`).
pub(crate) fn now_micro() -> String {
    let t = OffsetDateTime::now_utc();
    let base = rfc3339(t.unix_timestamp());
    format!("{}.{:06}Z", base.trim_end_matches('Z'), t.microsecond())
}

/// `n` random characters from the alphabet Kubernetes uses for generated names.
pub(crate) fn random_suffix(n: usize) -> String {
    use rand::Rng;
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| ALPHANUMS[rng.gen_range(0..ALPHANUMS.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(random_suffix(5).len(), 5);
        assert!(now_micro().ends_with('Z'));
    }
}
