//! go-yaml v2's resolver for plain scalars: which unquoted texts read back as something other
//! than a string (null, booleans in YAML 1.1's many spellings, integers in Go's bases, floats,
//! sexagesimal numbers, timestamps). The YAML writer quotes exactly those.

/// Whether go-yaml's resolver would read the plain text back as a string.
pub(super) fn resolves_to_string(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if matches!(
        s,
        "~" | "null"
            | "Null"
            | "NULL"
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) {
        return false;
    }
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return true;
    }
    !(is_int(s) || is_float(s) || is_base60(s) || is_timestamp(s))
}

/// Go's `strconv.ParseInt(s, 0, 64)` after removing `_`.
fn is_int(s: &str) -> bool {
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    let digits = plain.strip_prefix(['+', '-']).unwrap_or(&plain);
    let (radix, body) = if let Some(b) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, b)
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, b)
    } else if let Some(b) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    !body.is_empty() && body.chars().all(|c| c.is_digit(radix))
}

/// go-yaml's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// go-yaml's sexagesimal float `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = s.split_once('.').unwrap_or((s, ""));
    if !frac.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return false;
    }
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or_default();
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let rest: Vec<&str> = parts.collect();
    head_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            matches!(p.len(), 1 | 2)
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || p.as_bytes()[0] <= b'5')
        })
}

/// The timestamp forms go-yaml v2 recognises: `2006-1-2`, optionally followed by `T`, `t` or a
/// space and `15:4:5` with fraction and zone.
fn is_timestamp(s: &str) -> bool {
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let fields: Vec<&str> = date.split('-').collect();
    let number = |t: &str, max: usize| {
        !t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
    };
    if fields.len() != 3
        || fields[0].len() != 4
        || !number(fields[0], 4)
        || !number(fields[1], 2)
        || !number(fields[2], 2)
    {
        return false;
    }
    let Some(time) = rest else { return true };
    let end = time
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(time.len());
    let (clock, zone) = time.split_at(end);
    let (hms, _) = clock.split_once('.').unwrap_or((clock, ""));
    let parts: Vec<&str> = hms.split(':').collect();
    let clock_ok = parts.len() == 3 && parts.iter().all(|p| number(p, 2));
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || zone
            .strip_prefix(['+', '-'])
            .is_some_and(|z| z.len() == 5 && z.as_bytes()[2] == b':');
    clock_ok && zone_ok
}
