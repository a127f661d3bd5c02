//! cel-go's sets extension (`ext/sets.go`): `sets.contains`, `sets.equivalent` and
//! `sets.intersects` on lists, elements compared with CEL's equality (`1 == 1.0`).

use std::cmp::Ordering;

use cel::common::types::LIST_TYPE;
use cel::objects::Value;
use cel::{DeclarationError, Env};

use super::env::overload;
use super::lists::compare;

fn equal(a: &Value, b: &Value) -> bool {
    compare(a, b).map_or(a == b, |o| o == Ordering::Equal)
}

/// Whether every element of `sub` is in `set`.
fn contains(set: &[Value], sub: &[Value]) -> bool {
    sub.iter().all(|x| set.iter().any(|y| equal(x, y)))
}

fn lists(args: &[Value]) -> Result<(&[Value], &[Value]), String> {
    match (args.first(), args.get(1)) {
        (Some(Value::List(a)), Some(Value::List(b))) => Ok((a, b)),
        _ => Err("no such overload".to_owned()),
    }
}

/// Registers the extension on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_overload(
        "sets.contains",
        "list_sets_contains_list",
        vec![LIST_TYPE, LIST_TYPE],
        overload!("sets.contains", |args| lists(&args)
            .map(|(a, b)| Value::Bool(contains(a, b)))),
    )?;
    env.add_overload(
        "sets.equivalent",
        "list_sets_equivalent_list",
        vec![LIST_TYPE, LIST_TYPE],
        overload!("sets.equivalent", |args| lists(&args)
            .map(|(a, b)| Value::Bool(contains(a, b) && contains(b, a)))),
    )?;
    env.add_overload(
        "sets.intersects",
        "list_sets_intersects_list",
        vec![LIST_TYPE, LIST_TYPE],
        overload!("sets.intersects", |args| lists(&args).map(|(a, b)| {
            Value::Bool(a.iter().any(|x| b.iter().any(|y| equal(x, y))))
        })),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of cel-go's `ext/sets.go` documentation.
    #[test]
    fn sets_go_examples() {
        for (expr, want) in [
            ("sets.contains([], [])", "true"),
            ("sets.contains([], [1])", "false"),
            ("sets.contains([1, 2, 3, 4], [2, 3])", "true"),
            ("sets.contains([1, 2.0, 3u], [1.0, 2u, 3])", "true"),
            ("sets.equivalent([], [])", "true"),
            ("sets.equivalent([1], [1, 1])", "true"),
            ("sets.equivalent([1], [1u, 1.0])", "true"),
            ("sets.equivalent([1, 2, 3], [3u, 2.0, 1])", "true"),
            ("sets.intersects([1], [])", "false"),
            ("sets.intersects([1], [1, 2])", "true"),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }
}
