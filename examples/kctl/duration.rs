//! Go's `time.ParseDuration`, which kubectl's duration flags (`--since`, `--duration`) use:
//! a sequence of decimal numbers with units (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), as in
//! `1h30m`, `1.5s`, `300ms`; `0` alone is allowed.

/// Nanoseconds of a Go duration string, or why it is not one (Go's wording).
pub(crate) fn parse(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("time: missing unit in duration \"{text}\""))?;
        let number: f64 = rest[..number_end].parse().map_err(|_| invalid())?;
        rest = &rest[number_end..];
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
            "" => return Err(format!("time: missing unit in duration \"{text}\"")),
            unit => {
                return Err(format!(
                    "time: unknown unit \"{unit}\" in duration \"{text}\""
                ));
            }
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    let nanos = total.round() as i128;
    Ok(if negative { -nanos } else { nanos })
}

/// Whole seconds, rounded up as kubectl rounds `--since`.
pub(crate) fn ceil_seconds(nanos: i128) -> i64 {
    let seconds = nanos.div_euclid(1_000_000_000) + i128::from(nanos.rem_euclid(1_000_000_000) > 0);
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #[track_caller]
    fn check(text: &str, expected: Result<i128, &str>) {
        assert_eq!(super::parse(text), expected.map_err(str::to_owned));
    }

    #[test]
    fn parses_like_go() {
        check("0", Ok(0));
        check("1h30m", Ok(5_400_000_000_000));
        check("1.5s", Ok(1_500_000_000));
        check("300ms", Ok(300_000_000));
        check("10", Err("time: missing unit in duration \"10\""));
        check("1d", Err("time: unknown unit \"d\" in duration \"1d\""));
        check("", Err("time: invalid duration \"\""));
        assert_eq!(super::ceil_seconds(1_500_000_000), 2);
        assert_eq!(super::ceil_seconds(2_000_000_000), 2);
    }
}
