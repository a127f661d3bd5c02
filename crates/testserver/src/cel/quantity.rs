//! Kubernetes' quantity library (`k8s.io/apiserver/pkg/cel/library/quantity.go`):
//! `quantity()`, `isQuantity()`, `sign()`, `isGreaterThan()`, `isLessThan()`, `compareTo()`,
//! `asApproximateFloat()`, `asInteger()`, `isInteger()`, `add()` and `sub()` (of a quantity
//! or an int), on values of the opaque type `kubernetes.Quantity`; two quantities are equal
//! when their values are (`quantity('1k') == quantity('1000')`).

use std::sync::Arc;

use cel::common::types::{INT_TYPE, STRING_TYPE, Type};
use cel::objects::{Opaque, Value};
use cel::{DeclarationError, Env};

use super::env::overload;
use crate::shared::quantity::Quantity as Amount;

/// cel-go's name of the type.
const TYPE: &str = "kubernetes.Quantity";

/// The regular expression `resource.ParseQuantity` names when the text has the wrong shape.
const FORMAT: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// A quantity, with its negation so that subtraction needs only addition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Quantity {
    value: Amount,
    negated: Amount,
}

impl Opaque for Quantity {
    fn runtime_type_name(&self) -> &str {
        TYPE
    }
}

impl Quantity {
    /// `resource.ParseQuantity`, with its error texts.
    fn parse(text: &str) -> Result<Quantity, String> {
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
        let negated = if text.starts_with('-') {
            unsigned.to_owned()
        } else {
            format!("-{unsigned}")
        };
        match (Amount::parse(text), Amount::parse(&negated)) {
            (Some(value), Some(negated)) if !text.trim().is_empty() && text.trim() == text => {
                Ok(Quantity { value, negated })
            }
            _ if shaped(text) => Err("unable to parse quantity's suffix".to_owned()),
            _ => Err(format!(
                "quantities must match the regular expression '{FORMAT}'"
            )),
        }
    }

    fn plus(self, other: Quantity) -> Quantity {
        Quantity {
            value: self.value.add(other.value),
            negated: self.negated.add(other.negated),
        }
    }

    fn minus(self, other: Quantity) -> Quantity {
        self.plus(Quantity {
            value: other.negated,
            negated: other.value,
        })
    }

    fn sign(self) -> i64 {
        match self.value.cmp(&Amount::ZERO) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }
    }

    /// `Quantity.AsInt64`: the value when it is a whole number that fits.
    fn as_int(self) -> Option<i64> {
        let v = self.value.value();
        (self.value.is_whole() && v != i64::MAX && v != i64::MIN).then_some(v)
    }

    /// `Quantity.AsApproximateFloat64` (to the thousandth).
    fn as_float(self) -> f64 {
        let milli = self.value.milli_value();
        if milli == i64::MAX || milli == i64::MIN {
            self.value.value() as f64
        } else {
            milli as f64 / 1000.0
        }
    }
}

/// Whether `text` has the shape of `FORMAT` (so that only its suffix can be wrong).
fn shaped(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let suffix = &rest[number..];
    let letters = suffix
        .find(|c: char| !"eEinumkKMGTP".contains(c))
        .unwrap_or(suffix.len());
    let exponent = suffix[letters..]
        .strip_prefix(['+', '-'])
        .unwrap_or(&suffix[letters..]);
    number > 0 && exponent.chars().all(|c| c.is_ascii_digit())
}

fn ty() -> Type {
    Type::new_opaque_type(TYPE)
}

fn quantity(value: &Value) -> Result<Quantity, String> {
    match value {
        Value::Opaque(o) => o
            .downcast_ref::<Quantity>()
            .copied()
            .ok_or_else(|| "no such overload".to_owned()),
        _ => Err("no such overload".to_owned()),
    }
}

fn one(args: &[Value]) -> Result<Quantity, String> {
    quantity(args.first().unwrap_or(&Value::Null))
}

fn two(args: &[Value]) -> Result<(Quantity, Quantity), String> {
    let other = match args.get(1) {
        Some(Value::Int(i)) => Quantity::parse(&i.to_string())?,
        other => quantity(other.unwrap_or(&Value::Null))?,
    };
    Ok((one(args)?, other))
}

fn string(args: &[Value]) -> Result<&str, String> {
    match args.first() {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err("no such overload".to_owned()),
    }
}

fn wrap(q: Quantity) -> Value {
    Value::Opaque(Arc::new(q))
}

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(ty())?;
    env.add_overload(
        "quantity",
        "string_to_quantity",
        vec![STRING_TYPE],
        overload!("quantity", |args| Quantity::parse(string(&args)?).map(wrap)),
    )?;
    env.add_overload(
        "isQuantity",
        "is_quantity_string",
        vec![STRING_TYPE],
        overload!("isQuantity", |args| Ok(Value::Bool(
            Quantity::parse(string(&args)?).is_ok()
        ))),
    )?;
    let unary: [(&str, &str, cel::common::functions::Function); 4] = [
        (
            "sign",
            "quantity_sign",
            overload!("sign", |args| Ok(Value::Int(one(&args)?.sign()))),
        ),
        (
            "asApproximateFloat",
            "quantity_get_float",
            overload!("asApproximateFloat", |args| Ok(Value::Float(
                one(&args)?.as_float()
            ))),
        ),
        (
            "asInteger",
            "quantity_get_int",
            overload!("asInteger", |args| one(&args)?
                .as_int()
                .map(Value::Int)
                .ok_or_else(|| "cannot convert value to integer".to_owned())),
        ),
        (
            "isInteger",
            "quantity_is_integer",
            overload!("isInteger", |args| Ok(Value::Bool(
                one(&args)?.as_int().is_some()
            ))),
        ),
    ];
    for (name, id, function) in unary {
        env.add_member_overload(name, id, ty(), vec![], function)?;
    }
    let binary: [(&str, &str, cel::common::functions::Function); 5] = [
        (
            "isGreaterThan",
            "quantity_is_greater_than",
            overload!("isGreaterThan", |args| two(&args)
                .map(|(a, b)| Value::Bool(a.value > b.value))),
        ),
        (
            "isLessThan",
            "quantity_is_less_than",
            overload!("isLessThan", |args| two(&args)
                .map(|(a, b)| Value::Bool(a.value < b.value))),
        ),
        (
            "compareTo",
            "quantity_compare_to",
            overload!("compareTo", |args| two(&args)
                .map(|(a, b)| Value::Int(a.value.cmp(&b.value) as i64))),
        ),
        (
            "add",
            "quantity_add",
            overload!("add", |args| two(&args).map(|(a, b)| wrap(a.plus(b)))),
        ),
        (
            "sub",
            "quantity_sub",
            overload!("sub", |args| two(&args).map(|(a, b)| wrap(a.minus(b)))),
        ),
    ];
    for (name, id, function) in binary {
        env.add_member_overload(name, id, ty(), vec![ty()], function)?;
    }
    for (name, function) in [
        (
            "add",
            overload!("add", |args| two(&args).map(|(a, b)| wrap(a.plus(b)))),
        ),
        (
            "sub",
            overload!("sub", |args| two(&args).map(|(a, b)| wrap(a.minus(b)))),
        ),
    ] {
        env.add_member_overload(
            name,
            &format!("quantity_{name}_int"),
            ty(),
            vec![INT_TYPE],
            function,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of `quantity.go`'s documentation and `quantity_test.go`.
    #[test]
    fn quantity_go_examples() {
        for (expr, want) in [
            ("quantity('50M').isLessThan(quantity('100M'))", "true"),
            ("quantity('50M') == quantity('50000k')", "true"),
            ("quantity('1Gi').isGreaterThan(quantity('1G'))", "true"),
            ("quantity('1').compareTo(quantity('2'))", "-1"),
            ("quantity('2').compareTo(quantity('2000m'))", "0"),
            ("quantity('-5').sign()", "-1"),
            ("quantity('0').sign()", "0"),
            ("quantity('50k').asInteger()", "50000"),
            ("quantity('50k').isInteger()", "true"),
            ("quantity('50m').isInteger()", "false"),
            ("quantity('50m').asApproximateFloat()", "0.05"),
            (
                "quantity('50k').add(quantity('20k')) == quantity('70k')",
                "true",
            ),
            ("quantity('50k').add(20) == quantity('50020')", "true"),
            (
                "quantity('50k').sub(quantity('20k')) == quantity('30k')",
                "true",
            ),
            ("quantity('50k').sub(20000) == quantity('30k')", "true"),
            (
                "quantity('50k').sub(quantity('-20k')) == quantity('70k')",
                "true",
            ),
            ("isQuantity('1.3G')", "true"),
            ("isQuantity('1.3Gi')", "true"),
            ("isQuantity('1,3Gi')", "false"),
            ("isQuantity('10000k')", "true"),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }

    #[test]
    fn errors_as_resource_parse_quantity_words_them() {
        assert_eq!(
            eval("quantity('x')"),
            "error: quantities must match the regular expression \
             '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert_eq!(
            eval("quantity('1Mm')"),
            "error: unable to parse quantity's suffix"
        );
        assert_eq!(
            eval("quantity('50m').asInteger()"),
            "error: cannot convert value to integer"
        );
    }
}
