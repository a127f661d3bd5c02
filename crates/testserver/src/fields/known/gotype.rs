//! A Go type as `fields.txt` writes it (see `generate.py`): what `reflect.Type.String()` shows,
//! with what decoding needs to know of named types.
//!
//! `[]T` and `map[K]V` are lists and maps, `pkg.Name~U` a named type with underlying type `U`
//! (`struct` for structs), `!pkg.Name` a type with its own `UnmarshalJSON`, `interface{}`
//! anything; the rest are Go's predeclared types. Pointers are not written: the decoder
//! reports the type pointed to.

/// One Go type of the field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GoType(&'static str);

/// What decoding a JSON value into a Go type does, by the type's underlying kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `string` and named string types.
    String,
    /// `bool`.
    Bool,
    /// A signed integer of `bits` bits (`int` is 64).
    Int {
        /// The size.
        bits: u32,
    },
    /// An unsigned integer of `bits` bits.
    Uint {
        /// The size.
        bits: u32,
    },
    /// `float32` or `float64`.
    Float,
    /// `[]byte`: base64 text in JSON.
    Bytes,
    /// A list of the given type.
    List(GoType),
    /// A map with string keys and values of the given type.
    Map(GoType),
    /// A struct (its fields are in the table).
    Struct,
    /// A type decoding itself (`resource.Quantity`, `intstr.IntOrString`, `v1.Time`...),
    /// named as Go shows it.
    Unmarshaler(&'static str),
    /// `interface{}`: any JSON.
    Any,
}

impl GoType {
    /// The type written as `text`.
    pub(crate) const fn new(text: &'static str) -> GoType {
        GoType(text)
    }

    /// The underlying kind.
    pub(crate) fn shape(self) -> Shape {
        let t = self.0;
        if let Some(name) = t.strip_prefix('!') {
            return Shape::Unmarshaler(name);
        }
        if let Some(elem) = t.strip_prefix("[]") {
            return if elem == "uint8" {
                Shape::Bytes
            } else {
                Shape::List(GoType(elem))
            };
        }
        if let Some((_, value)) = map_parts(t) {
            return Shape::Map(GoType(value));
        }
        if let Some((_, underlying)) = t.split_once('~') {
            return GoType(underlying).shape();
        }
        match t {
            "string" => Shape::String,
            "bool" => Shape::Bool,
            "int8" => Shape::Int { bits: 8 },
            "int16" => Shape::Int { bits: 16 },
            "int32" => Shape::Int { bits: 32 },
            "int" | "int64" => Shape::Int { bits: 64 },
            "uint8" => Shape::Uint { bits: 8 },
            "uint16" => Shape::Uint { bits: 16 },
            "uint32" => Shape::Uint { bits: 32 },
            "uint" | "uint64" => Shape::Uint { bits: 64 },
            "float32" | "float64" => Shape::Float,
            "struct" => Shape::Struct,
            _ => Shape::Any,
        }
    }

    /// The type as `reflect.Type.String()` shows it (`[]v1.Container`, `map[string]string`).
    pub(crate) fn display(self) -> String {
        let t = self.0;
        if let Some(name) = t.strip_prefix('!') {
            return name.to_owned();
        }
        if let Some(elem) = t.strip_prefix("[]") {
            return format!("[]{}", GoType(elem).display());
        }
        if let Some((key, value)) = map_parts(t) {
            return format!("map[{}]{}", GoType(key).display(), GoType(value).display());
        }
        if let Some((name, _)) = t.split_once('~') {
            return name.to_owned();
        }
        if t == "interface{}" {
            return "interface {}".to_owned();
        }
        t.to_owned()
    }

    /// `reflect.Kind.String()` of the underlying type (`string`, `int32`, `map`, `slice`,
    /// `struct`), which the unstructured converter's errors name.
    pub(crate) fn kind_name(self) -> &'static str {
        let t = self.0;
        if t.starts_with('!') {
            return "struct";
        }
        if t.starts_with("[]") {
            return "slice";
        }
        if map_parts(t).is_some() {
            return "map";
        }
        if let Some((_, underlying)) = t.split_once('~') {
            return GoType(underlying).kind_name();
        }
        match t {
            "interface{}" => "interface",
            other => other,
        }
    }
}

/// The key and value types of `map[K]V` (keys never hold brackets).
fn map_parts(t: &'static str) -> Option<(&'static str, &'static str)> {
    let rest = t.strip_prefix("map[")?;
    let end = rest.find(']')?;
    Some((&rest[..end], &rest[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &'static str, display: &str, kind: &str) {
        let t = GoType::new(text);
        assert_eq!((t.display().as_str(), t.kind_name()), (display, kind));
    }

    #[test]
    fn display_and_kind() {
        check("int32", "int32", "int32");
        check("v1.Protocol~string", "v1.Protocol", "string");
        check("[]v1.Container~struct", "[]v1.Container", "slice");
        check(
            "v1.ResourceList~map[v1.ResourceName~string]!resource.Quantity",
            "v1.ResourceList",
            "map",
        );
        check("map[string][]uint8", "map[string][]uint8", "map");
        check("!intstr.IntOrString", "intstr.IntOrString", "struct");
        check("interface{}", "interface {}", "interface");
        assert_eq!(GoType::new("[]uint8").shape(), Shape::Bytes);
        assert_eq!(
            GoType::new("map[v1.ResourceName~string]!resource.Quantity").shape(),
            Shape::Map(GoType::new("!resource.Quantity"))
        );
        assert_eq!(
            GoType::new("v1.X~[]v1.Y~string").shape(),
            Shape::List(GoType::new("v1.Y~string"))
        );
    }
}
