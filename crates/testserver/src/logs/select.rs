//! Which lines of a log a request gets, and how each is written: the kubelet's `ReadLogs`
//! as a pure function.

use time::OffsetDateTime;

use super::Line;

/// The parts of `PodLogOptions` that pick and shape lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Only the last this many lines (applied before `since`, as the kubelet seeks first).
    pub(crate) tail: Option<usize>,
    /// Only lines written at or after this time.
    pub(crate) since: Option<OffsetDateTime>,
    /// Prefix each line with its time.
    pub(crate) timestamps: bool,
    /// Stop after this many bytes.
    pub(crate) limit_bytes: Option<usize>,
}

impl Selection {
    /// The indices of `lines` to send.
    pub(crate) fn pick(&self, lines: &[Line]) -> std::ops::Range<usize> {
        let start = self.tail.map_or(0, |n| lines.len().saturating_sub(n));
        let start = match self.since {
            Some(since) => lines[start..]
                .iter()
                .position(|l| l.time >= since)
                .map_or(lines.len(), |i| start + i),
            None => start,
        };
        start..lines.len()
    }

    /// Whether a line appended later is sent (follow mode: only `since` applies).
    pub(crate) fn admits(&self, line: &Line) -> bool {
        self.since.is_none_or(|since| line.time >= since)
    }

    /// One line as sent: `2024-01-01T00:00:00.5Z text\n` with timestamps, `text\n` without.
    pub(crate) fn render(&self, line: &Line) -> String {
        if self.timestamps {
            format!("{} {}\n", rfc3339_nano(line.time), line.text)
        } else {
            format!("{}\n", line.text)
        }
    }
}

/// Go's `time.RFC3339Nano` in UTC: fractional seconds without trailing zeros, none when zero.
pub(crate) fn rfc3339_nano(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, text: &str) -> Line {
        Line {
            time: OffsetDateTime::from_unix_timestamp(secs).unwrap(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn tail_then_since() {
        let lines = [at(10, "a"), at(20, "b"), at(30, "c"), at(40, "d")];
        let since = |s| Some(OffsetDateTime::from_unix_timestamp(s).unwrap());
        let check = |sel: Selection, expected: std::ops::Range<usize>| {
            assert_eq!(sel.pick(&lines), expected, "{sel:?}");
        };
        check(Selection::default(), 0..4);
        check(
            Selection {
                tail: Some(2),
                ..Selection::default()
            },
            2..4,
        );
        check(
            Selection {
                tail: Some(0),
                ..Selection::default()
            },
            4..4,
        );
        check(
            Selection {
                tail: Some(9),
                ..Selection::default()
            },
            0..4,
        );
        check(
            Selection {
                since: since(20),
                ..Selection::default()
            },
            1..4,
        );
        check(
            Selection {
                since: since(21),
                ..Selection::default()
            },
            2..4,
        );
        check(
            Selection {
                since: since(99),
                ..Selection::default()
            },
            4..4,
        );
        // the tail is taken first: since cannot bring back lines the tail dropped
        check(
            Selection {
                tail: Some(1),
                since: since(0),
                ..Selection::default()
            },
            3..4,
        );
    }

    #[test]
    fn timestamps_are_go_rfc3339_nano() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_120_000_000).unwrap();
        assert_eq!(rfc3339_nano(t), "2023-11-14T22:13:20.12Z");
        let whole = OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert_eq!(rfc3339_nano(whole), "1970-01-01T00:00:00Z");
        let sel = Selection {
            timestamps: true,
            ..Selection::default()
        };
        assert_eq!(
            sel.render(&Line {
                time: whole,
                text: "hi".into()
            }),
            "1970-01-01T00:00:00Z hi\n"
        );
    }
}
