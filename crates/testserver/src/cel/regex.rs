//! Kubernetes' regex library (`k8s.io/apiserver/pkg/cel/library/regex.go`): `find` and
//! `findAll` on strings, RE2 syntax (the `regex` engine, as `matches()` uses).
//!
//! Differs: a pattern that does not compile is `Illegal regex: ` followed by the Rust engine's
//! text, not Go's `error parsing regexp: ...`.

use cel::common::types::{INT_TYPE, STRING_TYPE};
use cel::objects::Value;
use cel::{DeclarationError, Env};
use regex_automata::meta::Regex;

use super::env::overload;

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_member_overload(
        "find",
        "string_find_string",
        STRING_TYPE,
        vec![STRING_TYPE],
        overload!("find", |args| find_all(&args, 1).map(|mut found| {
            Value::String(found.pop().unwrap_or_default().into())
        })),
    )?;
    env.add_member_overload(
        "findAll",
        "string_find_all_string",
        STRING_TYPE,
        vec![STRING_TYPE],
        overload!("findAll", |args| find_all(&args, -1).map(strings)),
    )?;
    env.add_member_overload(
        "findAll",
        "string_find_all_string_int",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        overload!("findAll", |args| {
            let n = match args.get(2) {
                Some(Value::Int(n)) => *n,
                _ => return Err("no such overload".to_owned()),
            };
            find_all(&args, n).map(strings)
        }),
    )?;
    Ok(())
}

fn strings(found: Vec<String>) -> Value {
    Value::List(
        found
            .into_iter()
            .map(Value::from)
            .collect::<Vec<_>>()
            .into(),
    )
}

/// Go's `FindAllString(s, n)`: at most `n` leftmost non-overlapping matches, all when `n` is
/// negative.
fn find_all(args: &[Value], n: i64) -> Result<Vec<String>, String> {
    let (Some(Value::String(s)), Some(Value::String(pattern))) = (args.first(), args.get(1)) else {
        return Err("no such overload".to_owned());
    };
    let re = Regex::new(pattern).map_err(|err| format!("Illegal regex: {err}"))?;
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    Ok(re
        .find_iter(s.as_str())
        .take(limit)
        .map(|m| s[m.range()].to_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of `regex.go`'s documentation.
    #[test]
    fn regex_go_examples() {
        for (expr, want) in [
            ("'abc 123'.find('[0-9]+')", "\"123\""),
            ("'abc 123'.find('xyz')", "\"\""),
            ("'123 abc 456'.findAll('[0-9]+')", "[\"123\", \"456\"]"),
            ("'123 abc 456'.findAll('[0-9]+', 1)", "[\"123\"]"),
            ("'123 abc 456'.findAll('[0-9]+', 0)", "[]"),
            ("'123 abc 456'.findAll('xyz')", "[]"),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
        assert!(eval("'a'.find('(')").starts_with("error: Illegal regex: "));
    }
}
