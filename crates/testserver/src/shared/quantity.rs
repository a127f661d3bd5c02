//! Resource quantities (`100m`, `1Gi`, `2e3`), parsed far enough to compare and add them.

/// A quantity in nano-units (`1` is `1_000_000_000`), exact for every suffix Kubernetes accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Quantity(i128);

impl Quantity {
    /// The zero quantity.
    pub(crate) const ZERO: Quantity = Quantity(0);

    /// Parses the canonical and non-canonical forms; `None` when the text is not a quantity.
    pub(crate) fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        // Mantissa as an integer with `frac_part.len()` implied decimals.
        let digits = format!("{int_part}{frac_part}");
        let mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        let scale = i32::try_from(frac_part.len()).ok()?;
        let (multiplier, exp10): (i128, i32) = match suffix {
            "" => (1, 0),
            "n" => (1, -9),
            "u" => (1, -6),
            "m" => (1, -3),
            "k" => (1, 3),
            "M" => (1, 6),
            "G" => (1, 9),
            "T" => (1, 12),
            "P" => (1, 15),
            "E" => (1, 18),
            "Ki" => (1 << 10, 0),
            "Mi" => (1 << 20, 0),
            "Gi" => (1 << 30, 0),
            "Ti" => (1 << 40, 0),
            "Pi" => (1 << 50, 0),
            "Ei" => (1 << 60, 0),
            s if s.starts_with(['e', 'E']) => (1, s[1..].parse().ok()?),
            _ => return None,
        };
        // value = mantissa * multiplier * 10^(exp10 - scale); in nano-units add 9.
        let exponent = exp10 - scale + 9;
        let mut value = mantissa.checked_mul(multiplier)?;
        if exponent >= 0 {
            value = value.checked_mul(10i128.checked_pow(u32::try_from(exponent).ok()?)?)?;
        } else {
            // Sub-nano precision rounds up, as Kubernetes does.
            let div = 10i128.checked_pow(u32::try_from(-exponent).ok()?)?;
            value = (value + div - 1) / div;
        }
        Some(Quantity(if negative { -value } else { value }))
    }

    /// The canonical text of a quantity, as the server re-serialises it after decoding
    /// (`1000m` -> `1`, `1024Mi` -> `1Gi`, `0.5` -> `500m`, `1.5Gi` -> `1536Mi`); `None` when
    /// `text` is not a quantity.
    pub(crate) fn canonical(text: &str) -> Option<String> {
        let quantity = Quantity::parse(text)?;
        let suffix_start = text
            .trim()
            .trim_start_matches(['+', '-'])
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or("", |i| &text.trim().trim_start_matches(['+', '-'])[i..]);
        let binary = suffix_start.ends_with('i');
        let exponent_form = suffix_start.starts_with(['e', 'E']);
        let nano = quantity.0;
        if nano == 0 {
            return Some("0".to_owned());
        }
        let sign = if nano < 0 { "-" } else { "" };
        let magnitude = nano.unsigned_abs();
        const NANO: u128 = 1_000_000_000;
        if binary && magnitude >= 1024 * NANO && magnitude % NANO == 0 {
            let mut units = magnitude / NANO;
            let mut power = 0;
            while power < 6 && units.is_multiple_of(1024) {
                units /= 1024;
                power += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power];
            return Some(format!("{sign}{units}{suffix}"));
        }
        // Decimal: the largest exponent (a multiple of 3, from nano up) that keeps an integer.
        let mut mantissa = magnitude;
        let mut exponent: i32 = -9;
        while mantissa % 1000 == 0 && exponent < 18 {
            mantissa /= 1000;
            exponent += 3;
        }
        let suffix = if exponent_form {
            if exponent == 0 {
                String::new()
            } else {
                format!("e{exponent}")
            }
        } else {
            match exponent {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                0 => "",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                _ => "E",
            }
            .to_owned()
        };
        Some(format!("{sign}{mantissa}{suffix}"))
    }

    /// The sum (saturating).
    pub(crate) fn add(self, other: Quantity) -> Quantity {
        Quantity(self.0.saturating_add(other.0))
    }

    /// `Quantity.Value()`: the value in whole units, rounded up.
    pub(crate) fn value(self) -> i64 {
        let units =
            self.0.div_euclid(1_000_000_000) + i128::from(self.0.rem_euclid(1_000_000_000) != 0);
        i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX })
    }

    /// `Quantity.MilliValue()`: the value in thousandths, rounded up.
    pub(crate) fn milli_value(self) -> i64 {
        let milli = self.0.div_euclid(1_000_000) + i128::from(self.0.rem_euclid(1_000_000) != 0);
        i64::try_from(milli).unwrap_or(if milli < 0 { i64::MIN } else { i64::MAX })
    }

    /// Whether the quantity is a whole number of units (`MilliValue() % 1000 == 0`).
    pub(crate) fn is_whole(self) -> bool {
        let milli = self.0.div_euclid(1_000_000) + i128::from(self.0.rem_euclid(1_000_000) != 0);
        milli.rem_euclid(1000) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(a: &str, b: &str) {
        assert_eq!(Quantity::parse(a), Quantity::parse(b), "{a} vs {b}");
        assert!(Quantity::parse(a).is_some(), "{a}");
    }

    #[track_caller]
    fn check_canonical(text: &str, expected: &str) {
        assert_eq!(
            Quantity::canonical(text).as_deref(),
            Some(expected),
            "{text}"
        );
    }

    #[test]
    fn canonical_forms() {
        check_canonical("1000m", "1");
        check_canonical("1500m", "1500m");
        check_canonical("0.5", "500m");
        check_canonical("1000", "1k");
        check_canonical("1024", "1024");
        check_canonical("1e3", "1e3");
        check_canonical("12E6", "12e6");
        check_canonical("1024Mi", "1Gi");
        check_canonical("1.5Gi", "1536Mi");
        check_canonical("0.5Ki", "512");
        check_canonical("100Mi", "100Mi");
        check_canonical("128Mi", "128Mi");
        check_canonical("3800m", "3800m");
        check_canonical("0", "0");
        check_canonical("0Gi", "0");
        check_canonical("1n", "1n");
        check_canonical("-2000m", "-2");
        assert_eq!(Quantity::canonical("abc"), None);
    }

    #[test]
    fn equal_quantities() {
        check("1", "1000m");
        check("0.5", "500m");
        check("1Gi", "1073741824");
        check("1k", "1e3");
        check("128Mi", "134217728");
        assert!(Quantity::parse("1Gi") > Quantity::parse("1G"));
        assert_eq!(Quantity::parse("abc"), None);
        assert_eq!(Quantity::parse("1Xi"), None);
    }
}
