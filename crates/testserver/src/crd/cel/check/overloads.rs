//! The overloads the checker resolves: the standard operators and the functions whose
//! argument types it checks (`size`, `contains`, `startsWith`, `endsWith`, `matches`), and the
//! result types of the common functions it does not check. Anything else is unmodelled, which
//! is never an error.

use super::types::Type;

/// What a call resolves to.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolution<'a> {
    /// The call's result type.
    Type(Type<'a>),
    /// No overload takes these arguments (cel-go's `found no matching overload`).
    NoMatch,
}

/// One overload: parameter types and result.
type Overload<'a> = (Vec<Type<'a>>, Type<'a>);

fn same<'a>(types: &[Type<'a>], arity: usize) -> Vec<Overload<'a>> {
    types
        .iter()
        .map(|t| (vec![t.clone(); arity], t.clone()))
        .collect()
}

/// Picks among concrete overloads: none fits is `NoMatch`; results that differ make `dyn`.
fn pick<'a>(overloads: Vec<Overload<'a>>, args: &[Type<'a>]) -> Resolution<'a> {
    let mut found: Option<Type<'a>> = None;
    for (params, result) in overloads {
        if params.len() == args.len() && params.iter().zip(args).all(|(p, a)| a.fits(p)) {
            found = Some(match found {
                None => result,
                Some(previous) if previous == result => previous,
                Some(_) => Type::Dyn,
            });
        }
    }
    found.map_or(Resolution::NoMatch, Resolution::Type)
}

fn numbers<'a>() -> [Type<'a>; 3] {
    [Type::Int, Type::Uint, Type::Double]
}

/// `_+_`, with `list(A) + list(A)`.
fn add<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    if let [a, b] = args {
        let list = |t: &Type<'_>| matches!(t, Type::List(_));
        if (list(a) || list(b)) && a.fits(b) {
            let joined = a.clone().join(b.clone());
            if matches!(joined, Type::List(_)) {
                return Resolution::Type(joined);
            }
        }
    }
    let mut overloads = same(
        &[
            Type::Int,
            Type::Uint,
            Type::Double,
            Type::String,
            Type::Bytes,
        ],
        2,
    );
    overloads.push((vec![Type::Duration, Type::Duration], Type::Duration));
    overloads.push((vec![Type::Timestamp, Type::Duration], Type::Timestamp));
    overloads.push((vec![Type::Duration, Type::Timestamp], Type::Timestamp));
    pick(overloads, args)
}

fn subtract<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    let mut overloads = same(&numbers(), 2);
    overloads.push((vec![Type::Duration, Type::Duration], Type::Duration));
    overloads.push((vec![Type::Timestamp, Type::Timestamp], Type::Duration));
    overloads.push((vec![Type::Timestamp, Type::Duration], Type::Timestamp));
    pick(overloads, args)
}

/// `<`, `<=`, `>`, `>=`: one orderable type, or two numbers (Kubernetes enables cel-go's
/// cross-type numeric comparisons).
fn compare<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    let orderable = [
        Type::Bool,
        Type::Int,
        Type::Uint,
        Type::Double,
        Type::String,
        Type::Bytes,
        Type::Timestamp,
        Type::Duration,
    ];
    let mut overloads: Vec<Overload<'a>> = orderable
        .iter()
        .map(|t| (vec![t.clone(), t.clone()], Type::Bool))
        .collect();
    for a in numbers() {
        for b in numbers() {
            overloads.push((vec![a.clone(), b], Type::Bool));
        }
    }
    pick(overloads, args)
}

/// `_==_`/`_!=_`: any two values of one type (numbers and `null` are let through: this
/// checker does not model cel-go's rules for them).
fn equality<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    match args {
        [a, b] if a.is_number() && b.is_number() => Resolution::Type(Type::Bool),
        [Type::Null, _] | [_, Type::Null] => Resolution::Type(Type::Bool),
        [a, b] if a.fits(b) => Resolution::Type(Type::Bool),
        _ => Resolution::NoMatch,
    }
}

fn index<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    match args {
        [Type::List(item), i] if i.fits(&Type::Int) => Resolution::Type((**item).clone()),
        [Type::Map(key, value), k] if k.fits(key) => Resolution::Type((**value).clone()),
        [Type::Dyn, _] => Resolution::Type(Type::Dyn),
        [Type::Unknown | Type::Object(_), _] => Resolution::Type(Type::Unknown),
        _ => Resolution::NoMatch,
    }
}

fn membership<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    match args {
        [a, Type::List(item)] if a.fits(item) || (a.is_number() && item.is_number()) => {
            Resolution::Type(Type::Bool)
        }
        [a, Type::Map(key, _)] if a.fits(key) => Resolution::Type(Type::Bool),
        [_, Type::Dyn | Type::Unknown] => Resolution::Type(Type::Bool),
        _ => Resolution::NoMatch,
    }
}

fn conditional<'a>(args: &[Type<'a>]) -> Resolution<'a> {
    match args {
        [c, a, b] if c.fits(&Type::Bool) && a.fits(b) => {
            Resolution::Type(a.clone().join(b.clone()))
        }
        _ => Resolution::NoMatch,
    }
}

fn size<'a>(arg: &Type<'a>) -> Resolution<'a> {
    match arg {
        Type::String
        | Type::Bytes
        | Type::List(_)
        | Type::Map(..)
        | Type::Dyn
        | Type::Unknown
        | Type::Object(_) => Resolution::Type(Type::Int),
        _ => Resolution::NoMatch,
    }
}

/// The string predicates: a string receiver and string arguments.
fn predicate<'a>(target: &Type<'a>, args: &[Type<'a>]) -> Resolution<'a> {
    let strings = args.len() == 1 && args[0].fits(&Type::String);
    if target.fits(&Type::String) && strings {
        Resolution::Type(Type::Bool)
    } else {
        Resolution::NoMatch
    }
}

/// Resolves `name` called on `target` (a receiver-style call) or globally with `args`.
pub(super) fn resolve<'a>(
    name: &str,
    target: Option<&Type<'a>>,
    args: &[Type<'a>],
) -> Resolution<'a> {
    match (name, target) {
        ("_&&_" | "_||_", None) => pick(vec![(vec![Type::Bool; 2], Type::Bool)], args),
        ("!_", None) => pick(vec![(vec![Type::Bool], Type::Bool)], args),
        ("-_", None) => pick(same(&[Type::Int, Type::Double], 1), args),
        ("_+_", None) => add(args),
        ("_-_", None) => subtract(args),
        ("_*_" | "_/_", None) => pick(same(&numbers(), 2), args),
        ("_%_", None) => pick(same(&[Type::Int, Type::Uint], 2), args),
        ("_<_" | "_<=_" | "_>_" | "_>=_", None) => compare(args),
        ("_==_" | "_!=_", None) => equality(args),
        ("_[_]", None) => index(args),
        ("@in", None) => membership(args),
        ("_?_:_", None) => conditional(args),
        ("size", None) if args.len() == 1 => size(&args[0]),
        ("size", Some(t)) if args.is_empty() => size(t),
        ("contains" | "startsWith" | "endsWith" | "matches", Some(t)) => predicate(t, args),
        ("matches", None) if args.len() == 2 => predicate(&args[0], &args[1..]),
        _ => Resolution::Type(result_of(name, target)),
    }
}

/// The result type of a function the checker does not check the arguments of.
fn result_of<'a>(name: &str, target: Option<&Type<'a>>) -> Type<'a> {
    match (name, target) {
        ("int", None) => Type::Int,
        ("uint", None) => Type::Uint,
        ("double", None) => Type::Double,
        ("string", None) => Type::String,
        ("bytes", None) => Type::Bytes,
        ("bool", None) => Type::Bool,
        ("duration", None) => Type::Duration,
        ("timestamp", None) => Type::Timestamp,
        ("dyn", None) => Type::Dyn,
        ("isQuantity" | "isURL" | "isIP" | "isCIDR" | "isSemver", None) => Type::Bool,
        (
            "lowerAscii" | "upperAscii" | "trim" | "replace" | "substring" | "charAt" | "format",
            Some(Type::String),
        ) => Type::String,
        ("indexOf" | "lastIndexOf", Some(Type::String | Type::List(_))) => Type::Int,
        ("split", Some(Type::String)) => Type::List(Box::new(Type::String)),
        ("join", Some(Type::List(item))) if **item == Type::String => Type::String,
        ("isSorted", Some(Type::List(_))) => Type::Bool,
        ("sum" | "min" | "max", Some(Type::List(item))) => (**item).clone(),
        ("distinct" | "reverse" | "slice" | "sort", Some(list @ Type::List(_))) => list.clone(),
        (
            "getFullYear" | "getMonth" | "getDate" | "getDayOfMonth" | "getDayOfWeek"
            | "getDayOfYear",
            Some(Type::Timestamp),
        ) => Type::Int,
        (
            "getHours" | "getMinutes" | "getSeconds" | "getMilliseconds",
            Some(Type::Timestamp | Type::Duration),
        ) => Type::Int,
        _ => Type::Unknown,
    }
}
