//! Kubernetes' list library (`k8s.io/apiserver/pkg/cel/library/lists.go`, version 0, the one
//! of v1.36): `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` on lists.
//!
//! Values compare as cel-go's `traits.Comparer` does with cross-type numeric comparisons on
//! (`1 < 1.5`); an element of a type that does not compare is `no such overload`.

use std::cmp::Ordering;
use std::sync::Arc;

use cel::common::types::{DYN_TYPE, LIST_TYPE};
use cel::objects::Value;
use cel::{DeclarationError, Env};

use super::env::overload;

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_member_overload(
        "isSorted",
        "list_is_sorted_bool",
        LIST_TYPE,
        vec![],
        overload!("isSorted", |args| is_sorted(list(&args)?)),
    )?;
    env.add_member_overload(
        "sum",
        "list_sum",
        LIST_TYPE,
        vec![],
        overload!("sum", |args| sum(list(&args)?)),
    )?;
    env.add_member_overload(
        "min",
        "list_min",
        LIST_TYPE,
        vec![],
        overload!("min", |args| extreme(
            list(&args)?,
            "min",
            Ordering::Greater
        )),
    )?;
    env.add_member_overload(
        "max",
        "list_max",
        LIST_TYPE,
        vec![],
        overload!("max", |args| extreme(list(&args)?, "max", Ordering::Less)),
    )?;
    env.add_member_overload(
        "indexOf",
        "list_a_index_of_int",
        LIST_TYPE,
        vec![DYN_TYPE],
        overload!("indexOf", |args| index_of(&args, false)),
    )?;
    env.add_member_overload(
        "lastIndexOf",
        "list_a_last_index_of_int",
        LIST_TYPE,
        vec![DYN_TYPE],
        overload!("lastIndexOf", |args| index_of(&args, true)),
    )?;
    Ok(())
}

fn list(args: &[Value]) -> Result<&Arc<Vec<Value>>, String> {
    match args.first() {
        Some(Value::List(items)) => Ok(items),
        _ => Err("no such overload".to_owned()),
    }
}

/// `a` compared with `b` as cel-go's `Compare` does; `None` when they do not compare.
pub(super) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::{Bool, Bytes, Float, Int, String, UInt};
    match (a, b) {
        (Int(a), Int(b)) => Some(a.cmp(b)),
        (UInt(a), UInt(b)) => Some(a.cmp(b)),
        (Float(a), Float(b)) => a.partial_cmp(b),
        (Int(a), UInt(b)) => Some(i128::from(*a).cmp(&i128::from(*b))),
        (UInt(a), Int(b)) => Some(i128::from(*a).cmp(&i128::from(*b))),
        (Int(a), Float(b)) => (*a as f64).partial_cmp(b),
        (Float(a), Int(b)) => a.partial_cmp(&(*b as f64)),
        (UInt(a), Float(b)) => (*a as f64).partial_cmp(b),
        (Float(a), UInt(b)) => a.partial_cmp(&(*b as f64)),
        (String(a), String(b)) => Some(a.cmp(b)),
        (Bytes(a), Bytes(b)) => Some(a.cmp(b)),
        (Bool(a), Bool(b)) => Some(a.cmp(b)),
        (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        (Value::Timestamp(a), Value::Timestamp(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// `lists.go` `isSorted`: false as soon as an element compares greater than the next.
fn is_sorted(items: &[Value]) -> Result<Value, String> {
    for pair in items.windows(2) {
        match compare(&pair[0], &pair[1]) {
            Some(Ordering::Greater) => return Ok(Value::Bool(false)),
            Some(_) => {}
            None => return Err("no such overload".to_owned()),
        }
    }
    Ok(Value::Bool(true))
}

/// `lists.go` `sum`: ints, uints, doubles or durations added in order (`integer overflow` as cel-go's
/// `Add`); the sum of an empty list is `0`.
fn sum(items: &[Value]) -> Result<Value, String> {
    let overflow = || "integer overflow".to_owned();
    let mut acc = match items.first() {
        None => return Ok(Value::Int(0)),
        Some(Value::Int(_)) => Value::Int(0),
        Some(Value::UInt(_)) => Value::UInt(0),
        Some(Value::Float(_)) => Value::Float(0.0),
        Some(Value::Duration(_)) => Value::Duration(Default::default()),
        Some(_) => return Err("no such overload".to_owned()),
    };
    for item in items {
        acc = match (&acc, item) {
            (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(*b).ok_or_else(overflow)?),
            (Value::UInt(a), Value::UInt(b)) => {
                Value::UInt(a.checked_add(*b).ok_or_else(overflow)?)
            }
            (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
            (Value::Duration(a), Value::Duration(b)) => {
                Value::Duration(a.checked_add(b).ok_or_else(overflow)?)
            }
            _ => return Err("no such overload".to_owned()),
        };
    }
    Ok(acc)
}

/// `lists.go` `cmp`: the first element no other is preferred to (`prefer` is the comparison
/// of the current result with the next element that makes the next one the result).
fn extreme(items: &[Value], name: &str, prefer: Ordering) -> Result<Value, String> {
    let mut result: Option<&Value> = None;
    for item in items {
        result = Some(match result {
            None => item,
            Some(current) => match compare(current, item) {
                Some(order) if order == prefer => item,
                Some(_) => current,
                None => return Err("no such overload".to_owned()),
            },
        });
    }
    result
        .cloned()
        .ok_or_else(|| format!("{name} called on empty list"))
}

/// `lists.go` `indexOf`/`lastIndexOf`: the index of the first (last) equal element, or -1.
fn index_of(args: &[Value], last: bool) -> Result<Value, String> {
    let items = list(args)?;
    let needle = args.get(1).ok_or_else(|| "no such overload".to_owned())?;
    let equal =
        |item: &&Value| compare(item, needle).map_or(*item == needle, |o| o == Ordering::Equal);
    let found = if last {
        items.iter().rposition(|v| equal(&v))
    } else {
        items.iter().position(|v| equal(&v))
    };
    Ok(Value::Int(found.map_or(-1, |i| i as i64)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of `lists.go`'s documentation.
    #[test]
    fn lists_go_examples() {
        for (expr, want) in [
            ("[1, 2, 3].isSorted()", "true"),
            ("['a', 'b', 'b', 'c'].isSorted()", "true"),
            ("[2.0, 1.0].isSorted()", "false"),
            ("[].isSorted()", "true"),
            ("[1, 3].sum()", "4"),
            ("[1.0, 3.0].sum()", "4.0"),
            ("[].sum()", "0"),
            ("[1, 3].min()", "1"),
            ("[1, 3].max()", "3"),
            ("[1].min()", "1"),
            ("[1, 2, 2, 3].indexOf(2)", "1"),
            ("['a', 'b', 'b', 'c'].lastIndexOf('b')", "2"),
            ("[1.0].indexOf(1.1)", "-1"),
            ("[].indexOf('string')", "-1"),
            // the strings library's indexOf still applies to strings
            ("'abcb'.indexOf('b')", "1"),
            ("'abcb'.lastIndexOf('b')", "3"),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }

    #[test]
    fn errors_as_cel_go_words_them() {
        assert_eq!(eval("[].min()"), "error: min called on empty list");
        assert_eq!(eval("[].max()"), "error: max called on empty list");
        assert_eq!(
            eval("[9223372036854775807, 1].sum()"),
            "error: integer overflow"
        );
        assert_eq!(eval("[[1], [2]].isSorted()"), "error: no such overload");
    }
}
