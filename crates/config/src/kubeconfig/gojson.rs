//! Scalars and values decoded the way kubectl's YAML → JSON → Go struct path decodes them.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Unexpected, Visitor};

/// A boolean that, as in Go's `encoding/json`, must not be a (quoted) string. Plain YAML 1.1
/// spellings (`yes`, `on`) are booleans, as in kubectl's YAML parser.
#[derive(Clone, Copy, Default)]
pub(super) struct StrictBool(pub(super) bool);

impl<'de> Deserialize<'de> for StrictBool {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoolVisitor;
        impl Visitor<'_> for BoolVisitor {
            type Value = StrictBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<StrictBool, E> {
                Ok(StrictBool(value))
            }
        }
        deserializer.deserialize_any(BoolVisitor)
    }
}

/// A string that may be a secret: a value of the wrong type is rejected without echoing it
/// in the error (the parser's own message would quote it).
pub(super) struct SecretWire(pub(super) String);

impl<'de> Deserialize<'de> for SecretWire {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SecretVisitor;
        impl Visitor<'_> for SecretVisitor {
            type Value = SecretWire;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (quote values that look like numbers or booleans)")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<SecretWire, E> {
                Ok(SecretWire(value.to_string()))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<SecretWire, E> {
                Ok(SecretWire(value))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretWire, E> {
                Err(E::invalid_type(Unexpected::Other("a boolean"), &self))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretWire, E> {
                Err(E::invalid_type(Unexpected::Other("a number"), &self))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretWire, E> {
                Err(E::invalid_type(Unexpected::Other("a number"), &self))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretWire, E> {
                Err(E::invalid_type(Unexpected::Other("a number"), &self))
            }
        }
        deserializer.deserialize_any(SecretVisitor)
    }
}

/// A string in a list (`as-groups`, `args`): a YAML `null` is the empty string, as in Go.
pub(super) struct GoString(pub(super) String);

impl<'de> Deserialize<'de> for GoString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<String>::deserialize(deserializer).map(|s| GoString(s.unwrap_or_default()))
    }
}

/// A map key: YAML turns `1`, `true` or `n` into typed keys, which the JSON step writes as
/// strings (`"1"`, `"true"`, `"false"`); a `null` key is an error.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct GoKey(pub(super) String);

impl<'de> Deserialize<'de> for GoKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = GoKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar map key")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<GoKey, E> {
                Ok(GoKey(value.to_string()))
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<GoKey, E> {
                Ok(GoKey(value.to_string()))
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<GoKey, E> {
                Ok(GoKey(value.to_string()))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<GoKey, E> {
                Ok(GoKey(value.to_string()))
            }
            fn visit_f64<E: de::Error>(self, value: f64) -> Result<GoKey, E> {
                Ok(GoKey(value.to_string()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// An untyped value (extensions), as JSON. Integral floats print as integers (Go's
/// `float64` does), non-finite numbers are an error (Go's JSON has none).
pub(super) struct GoValue(pub(super) serde_json::Value);

impl<'de> Deserialize<'de> for GoValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor).map(GoValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(value.into())
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(value.into())
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(value.into())
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if value.fract() == 0.0 && value.abs() < EXACT {
            #[allow(clippy::cast_possible_truncation)] // integral and below 2^53: exact
            return Ok((value as i64).into());
        }
        serde_json::Number::from_f64(value)
            .map(serde_json::Value::Number)
            .ok_or_else(|| E::invalid_value(Unexpected::Float(value), &"a finite number"))
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(value.into())
    }
    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(value.into())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(GoValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((GoKey(key), GoValue(value))) = map.next_entry()? {
            out.insert(key, value);
        }
        Ok(serde_json::Value::Object(out))
    }
}
