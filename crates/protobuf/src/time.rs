//! `meta/v1.Time` and `MicroTime` (Unix seconds and nanoseconds on the wire, RFC 3339 UTC in
//! JSON) and `meta/v1.Duration` (nanoseconds on the wire, Go's `time.Duration` string in JSON).

use crate::error::Error;

/// An RFC 3339 time formatted on the stack (no allocation per decoded time).
pub(crate) struct TimeText {
    buf: [u8; 40],
    len: usize,
}

impl TimeText {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// `value` in `width` digits, zero-padded (more digits when it needs them, with a `-`
    /// before a negative year).
    fn digits(&mut self, value: i64, width: u32) {
        if value < 0 {
            self.push(b'-');
        }
        let mut rest = value.unsigned_abs();
        // Least significant first; zeros already stand for the padding.
        let mut reversed = [b'0'; 20];
        let mut len = 0;
        while let Some(slot) = reversed.get_mut(len) {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
            len += 1;
            if rest == 0 {
                break;
            }
        }
        let len = len.max(width as usize).min(reversed.len());
        for &digit in reversed[..len].iter().rev() {
            self.push(digit);
        }
    }
}

/// Formats Unix `seconds` as RFC 3339 in UTC; with `micros`, six fractional digits
/// (`MicroTime`), else whole seconds (`Time`, as Go's JSON writes it).
pub(crate) fn format(seconds: i64, nanos: i32, micros: bool) -> TimeText {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = TimeText {
        buf: [0; 40],
        len: 0,
    };
    out.digits(y, 4);
    out.push(b'-');
    out.digits(m, 2);
    out.push(b'-');
    out.digits(d, 2);
    out.push(b'T');
    out.digits(secs / 3600, 2);
    out.push(b':');
    out.digits(secs / 60 % 60, 2);
    out.push(b':');
    out.digits(secs % 60, 2);
    if micros {
        out.push(b'.');
        out.digits(i64::from(nanos.clamp(0, 999_999_999) / 1000), 6);
    }
    out.push(b'Z');
    out
}

/// Reads an RFC 3339 time into Unix seconds and nanoseconds.
pub(crate) fn parse(s: &str) -> Result<(i64, i32), Error> {
    let bad = || Error::format(s, "RFC 3339 time");
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Result<i64, Error> {
        let digits = b.get(from..from + len).ok_or_else(bad)?;
        digits.iter().try_fold(0i64, |acc, &c| {
            if c.is_ascii_digit() {
                Ok(acc * 10 + i64::from(c - b'0'))
            } else {
                Err(bad())
            }
        })
    };
    let sep = |at: usize, want: &[u8]| b.get(at).filter(|c| want.contains(c)).ok_or_else(bad);
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    sep(4, b"-")?;
    sep(7, b"-")?;
    sep(10, b"Tt ")?;
    let (hh, mi, ss) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    sep(13, b":")?;
    sep(16, b":")?;
    let mut at = 19;
    let mut nanos = 0i64;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let mut scale = 100_000_000;
        while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            nanos += i64::from(c - b'0') * scale;
            scale /= 10;
            at += 1;
        }
    }
    let offset = match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if at + 6 == b.len() => {
            sep(at + 3, b":")?;
            let o = num(at + 1, 2)? * 3600 + num(at + 4, 2)? * 60;
            if sign == b'+' { o } else { -o }
        }
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || hh > 23 || mi > 59 || ss > 60 {
        return Err(bad());
    }
    let seconds = days_from_civil(y, mo, d) * 86_400 + hh * 3600 + mi * 60 + ss - offset;
    Ok((seconds, i32::try_from(nanos).map_err(|_| bad())?))
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (unit, scale) = match u {
            0..1_000 => ("ns", 1),
            1_000..1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", fraction(u, scale));
    }
    let (h, rest) = (u / 3_600_000_000_000, u % 3_600_000_000_000);
    let (m, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let s = fraction(rest, 1_000_000_000);
    match (h, m) {
        (0, 0) => format!("{sign}{s}s"),
        (0, m) => format!("{sign}{m}m{s}s"),
        (h, m) => format!("{sign}{h}h{m}m{s}s"),
    }
}

/// `value / scale` with the fraction's trailing zeros dropped.
fn fraction(value: u64, scale: u64) -> String {
    let (whole, frac) = (value / scale, value % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`.
pub(crate) fn parse_duration(s: &str) -> Result<i64, Error> {
    let bad = || Error::format(s, "duration");
    let (negative, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let value: f64 = rest[..end].parse().map_err(|_| bad())?;
        rest = &rest[end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    let nanos = total.round() as i64;
    Ok(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_rfc3339() {
        for (s, secs, nanos) in [
            ("1970-01-01T00:00:00Z", 0, 0),
            ("2024-02-29T23:59:59Z", 1_709_251_199, 0),
            ("1969-12-31T23:59:59Z", -1, 0),
        ] {
            assert_eq!(parse(s).unwrap(), (secs, nanos), "{s}");
            assert_eq!(format(secs, nanos, false).as_str(), s);
        }
        assert_eq!(
            format(1_709_251_199, 123_456_789, true).as_str(),
            "2024-02-29T23:59:59.123456Z"
        );
        // Years outside 0..=9999 keep every digit, as Go's formatter does not cut them.
        assert_eq!(
            format(253_402_300_800, 0, false).as_str(),
            "10000-01-01T00:00:00Z"
        );
        assert_eq!(
            format(-62_167_219_200, 0, false).as_str(),
            "0000-01-01T00:00:00Z"
        );
        assert_eq!(
            parse("2024-02-29T23:59:59.123456Z").unwrap(),
            (1_709_251_199, 123_456_000)
        );
        assert_eq!(parse("2024-03-01T01:59:59+02:00").unwrap().0, 1_709_251_199);
        assert!(parse("2024-02-29 23:59").is_err());
    }

    #[test]
    fn durations_are_written_and_read_as_go_does() {
        for (s, n) in [
            ("0s", 0),
            ("1h2m3.5s", 3_723_500_000_000),
            ("1.5ms", 1_500_000),
            ("10ns", 10),
            ("-2m0s", -120_000_000_000),
            ("5s", 5_000_000_000),
        ] {
            assert_eq!(format_duration(n), s);
            assert_eq!(parse_duration(s).unwrap(), n, "{s}");
        }
        assert!(parse_duration("5 parsecs").is_err());
    }
}
