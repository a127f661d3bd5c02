//! Kubernetes' semver library (`k8s.io/apiserver/pkg/cel/library/semverlib.go`, version 1,
//! in the environment since 1.33): `semver()`, `isSemver()` (each with an optional
//! `normalize` flag), `major()`, `minor()`, `patch()`, `isGreaterThan()`, `isLessThan()`,
//! `compareTo()` on values of the opaque type `kubernetes.Semver`, parsed and ordered as
//! `github.com/blang/semver/v4` does, with its error texts.

use std::cmp::Ordering;
use std::sync::Arc;

use cel::common::functions::Function;
use cel::common::types::{BOOL_TYPE, STRING_TYPE, Type};
use cel::objects::{Opaque, Value};
use cel::{DeclarationError, Env};

use super::env::overload;
use crate::validation::go_quote;

const TYPE: &str = "kubernetes.Semver";

/// A prerelease identifier: numeric ones order before alphanumeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    Num(u64),
    Str(String),
}

/// A version (build metadata kept but never compared).
#[derive(Debug, Clone)]
pub(super) struct Semver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Pre>,
}

impl PartialEq for Semver {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Ordering::Equal
    }
}

impl Eq for Semver {}

impl Opaque for Semver {
    fn runtime_type_name(&self) -> &str {
        TYPE
    }
}

const NUMBERS: &str = "0123456789";

fn contains_only(s: &str, set: &str) -> bool {
    s.chars().all(|c| set.contains(c))
}

fn alphanumeric(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn leading_zero(s: &str) -> bool {
    s.len() > 1 && s.starts_with('0')
}

/// Go's `strconv.ParseUint(s, 10, 64)`, with its error text.
fn parse_uint(s: &str) -> Result<u64, String> {
    if s.is_empty() || !contains_only(s, NUMBERS) {
        return Err(format!(
            "strconv.ParseUint: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse().map_err(|_| {
        format!(
            "strconv.ParseUint: parsing {}: value out of range",
            go_quote(s)
        )
    })
}

/// One of major, minor and patch (`part` names it).
fn number(s: &str, part: &str, capital: &str) -> Result<u64, String> {
    if !contains_only(s, NUMBERS) {
        return Err(format!(
            "Invalid character(s) found in {part} number {}",
            go_quote(s)
        ));
    }
    if leading_zero(s) {
        return Err(format!(
            "{capital} number must not contain leading zeroes {}",
            go_quote(s)
        ));
    }
    parse_uint(s)
}

impl Semver {
    /// `semver.Parse`.
    fn parse(s: &str) -> Result<Semver, String> {
        if s.is_empty() {
            return Err("Version string empty".to_owned());
        }
        let parts: Vec<&str> = s.splitn(3, '.').collect();
        let [major, minor, rest] = parts.as_slice() else {
            return Err("No Major.Minor.Patch elements found".to_owned());
        };
        let major = number(major, "major", "Major")?;
        let minor = number(minor, "minor", "Minor")?;
        let (rest, build) = match rest.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (*rest, None),
        };
        let (patch, pre) = match rest.split_once('-') {
            Some((p, pre)) => (p, Some(pre)),
            None => (rest, None),
        };
        let patch = number(patch, "patch", "Patch")?;
        let mut version = Semver {
            major,
            minor,
            patch,
            pre: Vec::new(),
        };
        for id in pre.into_iter().flat_map(|p| p.split('.')) {
            version.pre.push(if id.is_empty() {
                return Err("Prerelease is empty".to_owned());
            } else if contains_only(id, NUMBERS) {
                if leading_zero(id) {
                    return Err(format!(
                        "Numeric PreRelease version must not contain leading zeroes {}",
                        go_quote(id)
                    ));
                }
                Pre::Num(parse_uint(id)?)
            } else if alphanumeric(id) {
                Pre::Str(id.to_owned())
            } else {
                return Err(format!(
                    "Invalid character(s) found in prerelease {}",
                    go_quote(id)
                ));
            });
        }
        for meta in build.into_iter().flat_map(|b| b.split('.')) {
            if meta.is_empty() {
                return Err("Build meta data is empty".to_owned());
            }
            if !alphanumeric(meta) {
                return Err(format!(
                    "Invalid character(s) found in build meta data {}",
                    go_quote(meta)
                ));
            }
        }
        Ok(version)
    }

    /// `semverlib.go` `normalizeAndParse`: no `v` prefix, no leading zeros, missing minor
    /// and patch filled with `0`.
    fn parse_normalized(s: &str) -> Result<Semver, String> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts: Vec<String> = s
            .splitn(3, '.')
            .map(|p| {
                if p.len() <= 1 {
                    return p.to_owned();
                }
                let trimmed = p.trim_start_matches('0');
                if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                    trimmed.to_owned()
                } else {
                    format!("0{trimmed}")
                }
            })
            .collect();
        if parts.len() < 3 {
            if parts.last().is_some_and(|p| p.contains(['+', '-'])) {
                return Err("short version cannot contain PreRelease/Build meta data".to_owned());
            }
            parts.resize(3, "0".to_owned());
        }
        Semver::parse(&parts.join("."))
    }

    /// `Version.Compare`.
    fn compare(&self, other: &Semver) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

fn parse(args: &[Value]) -> Result<Semver, String> {
    match (args.first(), args.get(1)) {
        (Some(Value::String(s)), None | Some(Value::Bool(false))) => Semver::parse(s),
        (Some(Value::String(s)), Some(Value::Bool(true))) => Semver::parse_normalized(s),
        _ => Err("no such overload".to_owned()),
    }
}

fn semver(value: Option<&Value>) -> Result<&Semver, String> {
    match value {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Semver>()
            .ok_or_else(|| "no such overload".to_owned()),
        _ => Err("no such overload".to_owned()),
    }
}

fn compare(args: &[Value]) -> Result<Ordering, String> {
    Ok(semver(args.first())?.compare(semver(args.get(1))?))
}

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    let ty = || Type::new_opaque_type(TYPE);
    env.add_type(ty())?;
    let to_semver = overload!("semver", |args| parse(&args)
        .map(|v| Value::Opaque(Arc::new(v))));
    let is_semver = overload!("isSemver", |args| Ok(Value::Bool(parse(&args).is_ok())));
    env.add_overload("semver", "string_to_semver", vec![STRING_TYPE], to_semver)?;
    env.add_overload(
        "semver",
        "string_bool_to_semver",
        vec![STRING_TYPE, BOOL_TYPE],
        to_semver,
    )?;
    env.add_overload("isSemver", "is_semver_string", vec![STRING_TYPE], is_semver)?;
    env.add_overload(
        "isSemver",
        "is_semver_string_bool",
        vec![STRING_TYPE, BOOL_TYPE],
        is_semver,
    )?;
    let members: [(&str, Vec<Type>, Function); 6] = [
        (
            "major",
            vec![],
            overload!("major", |args| Ok(Value::Int(
                semver(args.first())?.major as i64
            ))),
        ),
        (
            "minor",
            vec![],
            overload!("minor", |args| Ok(Value::Int(
                semver(args.first())?.minor as i64
            ))),
        ),
        (
            "patch",
            vec![],
            overload!("patch", |args| Ok(Value::Int(
                semver(args.first())?.patch as i64
            ))),
        ),
        (
            "isGreaterThan",
            vec![ty()],
            overload!("isGreaterThan", |args| Ok(Value::Bool(
                compare(&args)? == Ordering::Greater
            ))),
        ),
        (
            "isLessThan",
            vec![ty()],
            overload!("isLessThan", |args| Ok(Value::Bool(
                compare(&args)? == Ordering::Less
            ))),
        ),
        (
            "compareTo",
            vec![ty()],
            overload!("compareTo", |args| Ok(Value::Int(compare(&args)? as i64))),
        ),
    ];
    for (name, params, function) in members {
        env.add_member_overload(name, &format!("semver_{name}"), ty(), params, function)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of `semverlib.go`'s documentation and `semver_test.go`.
    #[test]
    fn semverlib_go_examples() {
        for (expr, want) in [
            ("isSemver('1.0.0')", "true"),
            ("isSemver('0.1.0-alpha.1')", "true"),
            ("isSemver('hello')", "false"),
            ("isSemver('v1.0')", "false"),
            ("isSemver('v1.0', true)", "true"),
            ("semver('1.0', true) == semver('1.0.0')", "true"),
            ("semver('01.01.01', true) == semver('1.1.1')", "true"),
            ("semver('1.2.3').major()", "1"),
            ("semver('1.2.3').minor()", "2"),
            ("semver('1.2.3').patch()", "3"),
            ("semver('1.2.3').compareTo(semver('1.2.3'))", "0"),
            ("semver('1.2.3').compareTo(semver('2.0.0'))", "-1"),
            ("semver('1.2.3').compareTo(semver('0.1.2'))", "1"),
            ("semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", "true"),
            (
                "semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))",
                "true",
            ),
            ("semver('1.0.0-2').isLessThan(semver('1.0.0-10'))", "true"),
            ("semver('1.0.0+build.1') == semver('1.0.0')", "true"),
            (
                "semver('1.2.3').isGreaterThan(semver('1.2.3-rc.1'))",
                "true",
            ),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }

    /// `blang/semver/v4`'s `Parse` errors.
    #[test]
    fn parse_errors() {
        for (expr, want) in [
            ("semver('200K')", "No Major.Minor.Patch elements found"),
            ("semver('')", "Version string empty"),
            (
                "semver('a.1.1')",
                "Invalid character(s) found in major number \"a\"",
            ),
            (
                "semver('01.1.1')",
                "Major number must not contain leading zeroes \"01\"",
            ),
            (
                "semver('1.1.x')",
                "Invalid character(s) found in patch number \"x\"",
            ),
            (
                "semver('1.1.1-01')",
                "Numeric PreRelease version must not contain leading zeroes \"01\"",
            ),
            ("semver('1.1.1-a..b')", "Prerelease is empty"),
            (
                "semver('1..1')",
                "strconv.ParseUint: parsing \"\": invalid syntax",
            ),
            (
                "semver('1.0-rc', true)",
                "short version cannot contain PreRelease/Build meta data",
            ),
        ] {
            assert_eq!(eval(expr), format!("error: {want}"), "{expr}");
        }
    }
}
