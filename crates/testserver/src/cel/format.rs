//! Kubernetes' format library (`k8s.io/apiserver/pkg/cel/library/format.go`): the named
//! formats (`format.dns1123Label()`, ..., `format.named('uuid')`, of the opaque type
//! `kubernetes.NamedFormat`) and `<format>.validate(s)`, `optional.none()` when `s` is valid
//! and else the optional list of the problems, in the words of apimachinery's validators.

use std::sync::Arc;

use cel::common::types::{STRING_TYPE, Type};
use cel::objects::{Opaque, OptionalValue, Value};
use cel::{DeclarationError, Env};

use super::env::overload;
use crate::validation::names;

const TYPE: &str = "kubernetes.NamedFormat";

/// The names `format.named` knows, each also a `format.<name>()` function.
const NAMES: [&str; 13] = [
    "dns1123Label",
    "dns1123Subdomain",
    "dns1035Label",
    "qualifiedName",
    "dns1123LabelPrefix",
    "dns1123SubdomainPrefix",
    "dns1035LabelPrefix",
    "labelValue",
    "uri",
    "uuid",
    "byte",
    "date",
    "datetime",
];

/// A named format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Format(&'static str);

impl Opaque for Format {
    fn runtime_type_name(&self) -> &str {
        TYPE
    }
}

/// apimachinery's `maskTrailingDash`: a prefix may end in `-`, as the generated name adds
/// characters after it.
fn mask_trailing_dash(s: &str) -> String {
    match s.strip_suffix('-') {
        Some(rest) if !rest.is_empty() => format!("{rest}a"),
        _ => s.to_owned(),
    }
}

impl Format {
    /// `ConstantFormats[name].ValidateFunc`.
    fn validate(self, s: &str) -> Vec<String> {
        let one = |ok: bool, msg: &str| if ok { vec![] } else { vec![msg.to_owned()] };
        match self.0 {
            "dns1123Label" => names::dns1123_label(s),
            "dns1123Subdomain" => names::dns1123_subdomain(s),
            "dns1035Label" => names::dns1035_label(s),
            "qualifiedName" => names::qualified_name(s),
            "dns1123LabelPrefix" => names::dns1123_label(&mask_trailing_dash(s)),
            "dns1123SubdomainPrefix" => names::dns1123_subdomain(&mask_trailing_dash(s)),
            "dns1035LabelPrefix" => names::dns1035_label(&mask_trailing_dash(s)),
            "labelValue" => names::label_value(s),
            "uri" => super::url::request_uri_error(s).into_iter().collect(),
            "uuid" => one(
                crate::shared::format::is_valid("uuid", s),
                "does not match the UUID format",
            ),
            "byte" => one(crate::shared::format::is_valid("byte", s), "invalid base64"),
            "date" => one(crate::shared::format::is_valid("date", s), "invalid date"),
            _ => one(
                crate::shared::format::is_valid("datetime", s),
                "invalid datetime",
            ),
        }
    }
}

fn format(args: &[Value]) -> Result<Format, String> {
    match args.first() {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<Format>()
            .copied()
            .ok_or_else(|| "no such overload".to_owned()),
        _ => Err("no such overload".to_owned()),
    }
}

fn optional(value: Option<Value>) -> Value {
    Value::Opaque(Arc::new(match value {
        Some(v) => OptionalValue::of(v),
        None => OptionalValue::none(),
    }))
}

/// `format.<name>()` for each name: one function per name, as CEL calls them without
/// arguments.
macro_rules! constant {
    ($name:literal) => {
        (
            concat!("format.", $name),
            overload!($name, |_args| Ok(Value::Opaque(Arc::new(Format($name))))),
        )
    };
}

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(Type::new_opaque_type(TYPE))?;
    let constants: [(&str, cel::common::functions::Function); 13] = [
        constant!("dns1123Label"),
        constant!("dns1123Subdomain"),
        constant!("dns1035Label"),
        constant!("qualifiedName"),
        constant!("dns1123LabelPrefix"),
        constant!("dns1123SubdomainPrefix"),
        constant!("dns1035LabelPrefix"),
        constant!("labelValue"),
        constant!("uri"),
        constant!("uuid"),
        constant!("byte"),
        constant!("date"),
        constant!("datetime"),
    ];
    for (name, function) in constants {
        env.add_overload(name, name, vec![], function)?;
    }
    env.add_overload(
        "format.named",
        "format-named",
        vec![STRING_TYPE],
        overload!("format.named", |args| match args.first() {
            Some(Value::String(s)) => Ok(optional(
                NAMES
                    .iter()
                    .find(|n| **n == s.as_str())
                    .map(|n| Value::Opaque(Arc::new(Format(n)))),
            )),
            _ => Err("no such overload".to_owned()),
        }),
    )?;
    env.add_member_overload(
        "validate",
        "format-validate",
        Type::new_opaque_type(TYPE),
        vec![STRING_TYPE],
        overload!("validate", |args| {
            let Some(Value::String(s)) = args.get(1) else {
                return Err("no such overload".to_owned());
            };
            let problems = format(&args)?.validate(s);
            Ok(optional(
                (!problems.is_empty()).then(|| Value::from(problems)),
            ))
        }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::eval;

    /// The examples of `format.go`'s documentation and `format_test.go`.
    #[test]
    fn format_go_examples() {
        for (expr, want) in [
            (
                "format.dns1123Label().validate('my-label-name').hasValue()",
                "false",
            ),
            (
                "format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()",
                "false",
            ),
            (
                "format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()",
                "false",
            ),
            (
                "format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()",
                "false",
            ),
            (
                "format.dns1035LabelPrefix().validate('my-label-prefix-').hasValue()",
                "false",
            ),
            (
                "format.uri().validate('http://example.com').hasValue()",
                "false",
            ),
            (
                "format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
                "false",
            ),
            ("format.byte().validate('aGVsbG8=').hasValue()", "false"),
            ("format.date().validate('2021-01-01').hasValue()", "false"),
            (
                "format.datetime().validate('2021-01-01T00:00:00Z').hasValue()",
                "false",
            ),
            ("format.named('dns1123Label').hasValue()", "true"),
            ("format.named('unknown').hasValue()", "false"),
            ("format.named('uuid').value() == format.uuid()", "true"),
            (
                "format.uuid().validate('x').value()",
                "[\"does not match the UUID format\"]",
            ),
            (
                "format.byte().validate('!').value()",
                "[\"invalid base64\"]",
            ),
            (
                "format.date().validate('2021-13-01').value()",
                "[\"invalid date\"]",
            ),
            (
                "format.uri().validate('../x').value()",
                "[\"parse \\\"../x\\\": invalid URI for request\"]",
            ),
            (
                "format.dns1123Label().validate('Not_A_Label').value()",
                "[\"a lowercase RFC 1123 label must consist of lower case alphanumeric \
                 characters or '-', and must start and end with an alphanumeric character \
                 (e.g. 'my-name',  or '123-abc', regex used for validation is \
                 '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\"]",
            ),
        ] {
            assert_eq!(eval(expr), want, "{expr}");
        }
    }
}
