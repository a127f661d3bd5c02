//! Every message of the table survives the one-pass encoder and the decoder: a value with
//! every field set (nested messages three deep) encodes, decodes, and encodes again to the same
//! bytes, and decodes to the same value again.

use base64::Engine as _;
use kubeset_protobuf::schema::{self, Field, INLINE, Kind, MAP, Message, REPEATED, Special};
use serde_json::{Map, Value, json};

/// A sample value of one element of `field` (or the entry value of a map field).
fn element(kind: Kind, depth: usize) -> Value {
    match kind {
        Kind::Bool => json!(true),
        Kind::Float | Kind::Double => json!(1.5),
        Kind::String => json!("s"),
        Kind::Bytes => json!(base64::engine::general_purpose::STANDARD.encode([0, 1, 0xff])),
        Kind::Message(m) => message_value(schema::message(m), depth + 1),
        _ => json!(7),
    }
}

/// A sample value of `field`, as its JSON form has it.
fn field_value(field: &Field, depth: usize) -> Value {
    if field.has(MAP) {
        let Kind::Message(entry) = field.kind else {
            unreachable!("a map field is of an entry message")
        };
        let value = schema::message(entry).field(2).expect("a map value field");
        return json!({"k": element(value.kind, depth)});
    }
    let one = element(field.kind, depth);
    if field.has(REPEATED) {
        Value::Array(vec![one.clone(), one])
    } else {
        one
    }
}

fn message_value(message: &'static Message, depth: usize) -> Value {
    match message.special {
        Special::Time => return json!("2024-05-06T07:08:09Z"),
        Special::MicroTime => return json!("2024-05-06T07:08:09.123456Z"),
        Special::Duration => return json!("1h2m3.5s"),
        Special::IntOrString => return json!("http"),
        Special::Quantity => return json!("100m"),
        Special::RawJson => return json!({"a": [1, "b"]}),
        Special::Items => {
            let items = message.field(1).expect("an items field");
            return json!([element(items.kind, depth), element(items.kind, depth)]);
        }
        _ => {}
    }
    let mut object = Map::new();
    if depth < 3 {
        fill(message, depth, &mut object);
    }
    Value::Object(object)
}

/// Sets every field of `message` in `object`, an inlined struct's fields in `object` too.
fn fill(message: &'static Message, depth: usize, object: &mut Map<String, Value>) {
    for field in message.fields {
        match field.kind {
            Kind::Message(m) if field.has(INLINE) => fill(schema::message(m), depth, object),
            _ => {
                object.insert(field.name.to_owned(), field_value(field, depth));
            }
        }
    }
}

#[test]
fn every_message_round_trips_through_the_encoder_and_decoder() {
    let mut checked = 0;
    for message in schema::MESSAGES {
        if message.special != Special::None || message.name.ends_with("Entry") {
            continue;
        }
        let value = message_value(message, 0);
        let bytes = kubeset_protobuf::to_message(message, &value)
            .unwrap_or_else(|e| panic!("{}: encoding {value}: {e}", message.name));
        let back: Value = kubeset_protobuf::from_message(message, &bytes)
            .unwrap_or_else(|e| panic!("{}: decoding: {e}", message.name));
        let again = kubeset_protobuf::to_message(message, &back)
            .unwrap_or_else(|e| panic!("{}: encoding {back}: {e}", message.name));
        assert_eq!(again, bytes, "{}: the bytes changed", message.name);
        let back_again: Value = kubeset_protobuf::from_message(message, &again).unwrap();
        assert_eq!(back_again, back, "{}", message.name);
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} messages checked");
}
