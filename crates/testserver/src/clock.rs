//! Time helpers.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert!(now().ends_with('Z'));
    }
}
