//! Ages: `duration.HumanDuration` and `translateTimestampSince`.

use serde_json::Value;

use crate::clock;

/// apimachinery's `duration.HumanDuration` of `secs` seconds: `45s`, `5m3s`, `2h10m`, `3d4h`,
/// `400d`, `2y30d`, `9y`; `<invalid>` below -1s, `0s` at -1s.
pub(crate) fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{days}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// The Unix time of the RFC 3339 timestamp at `pointer` (fractions dropped), `None` when the
/// field is missing or empty (Go's zero time).
pub(crate) fn timestamp(obj: &Value, pointer: &str) -> Option<i64> {
    let text = obj.pointer(pointer)?.as_str()?;
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// `translateTimestampSince` of the timestamp at `pointer`: its age, `<unknown>` when unset.
pub(crate) fn since(obj: &Value, pointer: &str) -> String {
    match timestamp(obj, pointer) {
        Some(t) => human_duration(clock::unix_now() - t),
        None => "<unknown>".into(),
    }
}

/// The age of the object (`translateTimestampSince(obj.CreationTimestamp)`).
pub(crate) fn age(obj: &Value) -> String {
    since(obj, "/metadata/creationTimestamp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(secs: i64, expected: &str) {
        assert_eq!(human_duration(secs), expected, "{secs}s");
    }

    /// The cases of apimachinery's `TestHumanDuration` (`pkg/util/duration/duration_test.go`).
    #[test]
    fn human_durations() {
        check(-2, "<invalid>");
        check(-1, "0s");
        check(1, "1s");
        check(70, "70s");
        check(119, "119s");
        check(120, "2m");
        check(5 * 60 + 30, "5m30s");
        check(9 * 60 + 59, "9m59s");
        check(10 * 60, "10m");
        check(179 * 60 + 59, "179m");
        check(3 * 3600, "3h");
        check(3 * 3600 + 30 * 60, "3h30m");
        check(7 * 3600 + 59 * 60, "7h59m");
        check(8 * 3600, "8h");
        check(47 * 3600 + 30 * 60, "47h");
        check(48 * 3600, "2d");
        check(2 * 86400 + 5 * 3600, "2d5h");
        check(8 * 86400, "8d");
        check(729 * 86400, "729d");
        check(730 * 86400, "2y");
        check(800 * 86400, "2y70d");
        check(8 * 365 * 86400, "8y");
    }

    #[test]
    fn unset_timestamps_are_unknown() {
        let obj = serde_json::json!({"metadata": {}});
        assert_eq!(age(&obj), "<unknown>");
        assert_eq!(since(&obj, "/status/startTime"), "<unknown>");
    }
}
