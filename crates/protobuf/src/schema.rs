//! The shape of the generated table: one [`Message`] per protobuf message of the vendored
//! `.proto` files, each with its [`Field`]s in field-number order.

/// One protobuf message.
#[derive(Debug)]
pub struct Message {
    /// The full protobuf name, `k8s.io.api.core.v1.Pod`.
    pub name: &'static str,
    /// How the message appears in JSON when it is not a plain object.
    pub special: Special,
    /// The fields, ordered by number.
    pub fields: &'static [Field],
}

/// A message whose JSON form is not an object of its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Special {
    /// An object of its fields.
    None,
    /// `meta/v1.Time`: `seconds` and `nanos`, an RFC 3339 string to the second in JSON.
    Time,
    /// `meta/v1.MicroTime`: an RFC 3339 string with six fractional digits in JSON.
    MicroTime,
    /// `meta/v1.Duration`: nanoseconds, a Go duration string (`1h2m3s`) in JSON.
    Duration,
    /// `util/intstr.IntOrString`: a number or a string in JSON.
    IntOrString,
    /// `api/resource.Quantity`: a string in JSON.
    Quantity,
    /// `runtime.RawExtension`, `meta/v1.FieldsV1`: field 1 holds JSON bytes, embedded as they are.
    RawJson,
    /// A Go slice type the `.proto` wraps in a message (`Verbs`, `ExtraValue`): an array of its
    /// `items` in JSON.
    Items,
}

/// One field of a message.
#[derive(Debug)]
pub struct Field {
    /// The field number.
    pub number: u32,
    /// The JSON name (from the Go `json` struct tag).
    pub name: &'static str,
    /// The value type.
    pub kind: Kind,
    /// [`REPEATED`], [`MAP`], [`POINTER`], [`OMITEMPTY`], [`INLINE`] ored together.
    pub flags: u8,
}

/// A repeated field (a JSON array), or a map when [`MAP`] is also set.
pub const REPEATED: u8 = 1;
/// A map: a repeated entry message ([`Kind::Message`]) with the key as field 1, the value as 2.
pub const MAP: u8 = 2;
/// The Go field is a pointer: written only when set, so a zero value means "zero", not "unset".
pub const POINTER: u8 = 4;
/// The Go JSON tag has `omitempty`: a zero non-pointer scalar is left out of the JSON form.
pub const OMITEMPTY: u8 = 8;
/// An embedded Go struct with an empty JSON name: its fields appear in the parent's JSON object.
pub const INLINE: u8 = 16;

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `bool`.
    Bool,
    /// `int32` (varint, sign-extended to 64 bits when negative).
    Int32,
    /// `int64`.
    Int64,
    /// `uint32`.
    Uint32,
    /// `uint64`.
    Uint64,
    /// `sint32` (zigzag).
    Sint32,
    /// `sint64` (zigzag).
    Sint64,
    /// `fixed32`.
    Fixed32,
    /// `fixed64`.
    Fixed64,
    /// `sfixed32`.
    Sfixed32,
    /// `sfixed64`.
    Sfixed64,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `string`.
    String,
    /// `bytes`: a base64 string in JSON.
    Bytes,
    /// A message: the index into [`MESSAGES`](crate::schema::MESSAGES).
    Message(u16),
}

/// One top-level type by its JSON `apiVersion` and `kind`.
#[derive(Debug)]
pub struct TypeName {
    /// `v1`, `apps/v1`.
    pub api_version: &'static str,
    /// `Pod`, `PodList`.
    pub kind: &'static str,
    /// The index into [`MESSAGES`].
    pub message: u16,
}

pub use crate::generated::{INPUT_HASH, MESSAGES, TYPES};

impl Message {
    /// The field with this number.
    pub fn field(&self, number: u32) -> Option<&'static Field> {
        self.index_of(number).map(|i| &self.fields[i])
    }

    /// The index in [`fields`](Self::fields) of the field with this number.
    pub(crate) fn index_of(&self, number: u32) -> Option<usize> {
        let guess = number.wrapping_sub(1) as usize;
        match self.fields.get(guess) {
            Some(f) if f.number == number => Some(guess),
            _ => self.fields.binary_search_by_key(&number, |f| f.number).ok(),
        }
    }

    /// The field with this JSON name (not looking into inlined fields).
    pub fn field_named(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl Message {
    /// The position of this message in [`MESSAGES`] (`None` for a message built elsewhere),
    /// for tables worked out once per message.
    pub(crate) fn position(&'static self) -> Option<usize> {
        let offset = (self as *const Message as usize).wrapping_sub(MESSAGES.as_ptr() as usize);
        let index = offset / size_of::<Message>();
        (offset.is_multiple_of(size_of::<Message>()) && index < MESSAGES.len()).then_some(index)
    }
}

impl Field {
    /// Whether `flag` is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// The message at `index`.
pub fn message(index: u16) -> &'static Message {
    &MESSAGES[usize::from(index)]
}

/// The message with this full protobuf name (`k8s.io.api.core.v1.Pod`).
pub fn message_named(name: &str) -> Option<&'static Message> {
    MESSAGES
        .binary_search_by(|m| m.name.cmp(name))
        .ok()
        .map(|i| &MESSAGES[i])
}

/// The message of a top-level type by its `apiVersion` and `kind`.
pub fn message_for(api_version: &str, kind: &str) -> Option<&'static Message> {
    TYPES
        .binary_search_by(|t| (t.api_version, t.kind).cmp(&(api_version, kind)))
        .ok()
        .map(|i| message(TYPES[i].message))
}
