//! CEL types as the checker infers them, with what the checker does not know kept apart
//! from CEL's own `dyn`, so that a gap in this checker never refuses a rule cel-go accepts.

use std::fmt;

use serde_json::Value;

/// The type of an expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Type<'a> {
    /// This checker cannot tell (an unmodelled function, an embedded resource): never an error.
    Unknown,
    /// CEL's `dyn`: a value only known at run time (`x-kubernetes-preserve-unknown-fields`,
    /// `int-or-string`).
    Dyn,
    /// `null_type`.
    Null,
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `uint`.
    Uint,
    /// `double`.
    Double,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `google.protobuf.Duration`.
    Duration,
    /// `google.protobuf.Timestamp`.
    Timestamp,
    /// `list(T)`.
    List(Box<Type<'a>>),
    /// `map(K, V)`.
    Map(Box<Type<'a>>, Box<Type<'a>>),
    /// An object of the schema node with declared `properties`.
    Object(&'a Value),
}

impl<'a> Type<'a> {
    /// The type a value of `schema` has in a rule (apiextensions' `SchemaDeclType`).
    pub(super) fn of_schema(schema: &'a Value) -> Self {
        let flag = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
        if flag("x-kubernetes-int-or-string") {
            return Type::Dyn;
        }
        if flag("x-kubernetes-embedded-resource") || flag("nullable") {
            return Type::Unknown;
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("boolean") => Type::Bool,
            Some("integer") => Type::Int,
            Some("number") => Type::Double,
            Some("string") => match schema.get("format").and_then(Value::as_str) {
                Some("byte") => Type::Bytes,
                Some("duration") => Type::Duration,
                Some("date" | "date-time") => Type::Timestamp,
                _ => Type::String,
            },
            Some("array") => match schema.get("items").filter(|i| i.is_object()) {
                Some(items) => Type::List(Box::new(Type::of_schema(items))),
                None => Type::Unknown,
            },
            Some("object") => {
                if let Some(values) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                    return Type::Map(Box::new(Type::String), Box::new(Type::of_schema(values)));
                }
                let declared = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty());
                if declared {
                    Type::Object(schema)
                } else if flag("x-kubernetes-preserve-unknown-fields") {
                    Type::Dyn
                } else {
                    Type::Unknown
                }
            }
            None if flag("x-kubernetes-preserve-unknown-fields") => Type::Dyn,
            _ => Type::Unknown,
        }
    }

    /// Whether the type is fully known and can be named as cel-go names it (no unknown part,
    /// no schema object, whose generated type name is not stable).
    pub(super) fn is_certain(&self) -> bool {
        match self {
            Type::Unknown | Type::Object(_) => false,
            Type::List(t) => t.is_certain(),
            Type::Map(k, v) => k.is_certain() && v.is_certain(),
            _ => true,
        }
    }

    /// Whether a value of this type may be of type `other` at run time as far as overload
    /// resolution goes (`dyn` and unknown parts fit anything).
    pub(super) fn fits(&self, other: &Type<'_>) -> bool {
        match (self, other) {
            (Type::Unknown | Type::Dyn, _) | (_, Type::Unknown | Type::Dyn) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (Type::Map(ka, va), Type::Map(kb, vb)) => ka.fits(kb) && va.fits(vb),
            (Type::Object(a), Type::Object(b)) => std::ptr::eq(*a, *b),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }

    /// The more specific of two types that fit each other (for list literals and the
    /// accumulators of comprehensions).
    pub(super) fn join(self, other: Type<'a>) -> Type<'a> {
        match (self, other) {
            (Type::Unknown, t) | (t, Type::Unknown) => t,
            (Type::List(a), Type::List(b)) => Type::List(Box::new(a.join(*b))),
            (a, b) if a == b => a,
            _ => Type::Dyn,
        }
    }

    /// Whether the type is a number (`int`, `uint`, `double`).
    pub(super) fn is_number(&self) -> bool {
        matches!(self, Type::Int | Type::Uint | Type::Double)
    }
}

/// cel-go's `FormatCELType`.
impl fmt::Display for Type<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Unknown | Type::Object(_) | Type::Dyn => f.write_str("dyn"),
            Type::Null => f.write_str("null_type"),
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Uint => f.write_str("uint"),
            Type::Double => f.write_str("double"),
            Type::String => f.write_str("string"),
            Type::Bytes => f.write_str("bytes"),
            Type::Duration => f.write_str("google.protobuf.Duration"),
            Type::Timestamp => f.write_str("google.protobuf.Timestamp"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Map(k, v) => write!(f, "map({k}, {v})"),
        }
    }
}
