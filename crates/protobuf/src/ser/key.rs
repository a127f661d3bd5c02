//! Map keys: a string (or a scalar written as one), as the protobuf map entries take them.

use serde::ser::{self, Impossible, Serialize};

use crate::error::Error;

/// A map key: only a string.
pub(super) struct KeySer;

impl ser::Serializer for KeySer {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_owned())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }

    refuse! {
        "string";
        serialize_bool(v: bool) -> Self::Ok;
        serialize_i8(v: i8) -> Self::Ok;
        serialize_i16(v: i16) -> Self::Ok;
        serialize_i32(v: i32) -> Self::Ok;
        serialize_i64(v: i64) -> Self::Ok;
        serialize_u8(v: u8) -> Self::Ok;
        serialize_u16(v: u16) -> Self::Ok;
        serialize_u32(v: u32) -> Self::Ok;
        serialize_u64(v: u64) -> Self::Ok;
        serialize_f32(v: f32) -> Self::Ok;
        serialize_f64(v: f64) -> Self::Ok;
        serialize_char(v: char) -> Self::Ok;
        serialize_bytes(v: &[u8]) -> Self::Ok;
        serialize_none() -> Self::Ok;
        serialize_unit() -> Self::Ok;
        serialize_unit_struct(name: &'static str) -> Self::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> Self::Ok;
        serialize_seq(len: Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(len: usize) -> Self::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Self::SerializeStructVariant;
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Self::Ok, Error> {
        Err(Error::mismatch("enum variant", "string"))
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<String, Error> {
        value.serialize(self)
    }

    refuse! {
        "string";
        serialize_map(len: Option<usize>) -> Self::SerializeMap;
        serialize_struct(name: &'static str, len: usize) -> Self::SerializeStruct;
    }
}
