//! The top level of an encoding: only a struct or a map, written as the bytes of one message.

use serde::ser::{self, Impossible, Serialize};

use super::Encoder;
use super::key::KeySer;
use super::message::{Block, Place};
use crate::error::Error;
use crate::schema::Message;

/// The top level: only a struct or map, written as the bytes of `message`.
pub(super) struct TopSer<'a> {
    pub(super) enc: &'a mut Encoder,
    pub(super) message: &'static Message,
}

impl<'a> ser::Serializer for TopSer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = TopStruct<'a>;
    type SerializeStruct = TopStruct<'a>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_map(self, _len: Option<usize>) -> Result<TopStruct<'a>, Error> {
        let place = Place::Top;
        let block = self.enc.begin(self.message, place)?;
        Ok(TopStruct {
            enc: self.enc,
            block,
            place,
            key: None,
        })
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<TopStruct<'a>, Error> {
        self.serialize_map(None)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    refuse! {
        "message";
        serialize_str(v: &str) -> Self::Ok;
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
        Err(Error::mismatch("enum variant", "message"))
    }
}

/// The fields of the top-level message.
pub(super) struct TopStruct<'a> {
    enc: &'a mut Encoder,
    block: Block,
    place: Place,
    key: Option<String>,
}

impl ser::SerializeStruct for TopStruct<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.enc.field(&mut self.block, key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.enc.end(self.block, self.place)
    }
}

impl ser::SerializeMap for TopStruct<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        let mut text = String::new();
        key.serialize(KeySer(&mut text))?;
        self.key = Some(text);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::malformed("a map value came before its key"))?;
        self.enc.field(&mut self.block, &key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.enc.end(self.block, self.place)
    }
}
