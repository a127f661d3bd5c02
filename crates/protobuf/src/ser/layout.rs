//! What the encoder needs of each message beyond the table, worked out once per process: the
//! slots of its block and its fields ordered by JSON name (k8s-openapi and `serde_json::Value`
//! give fields in that order, so the next field is found a step or two after the last).

use std::sync::OnceLock;

use crate::schema::{self, Field, INLINE, Kind, MESSAGES, Message};

/// One message's layout.
#[derive(Debug)]
pub(super) struct Layout {
    /// The slots of the message's block, its inlined structs' blocks included.
    pub(super) block_len: usize,
    /// The indices of the fields, by JSON name.
    pub(super) by_name: Box<[u16]>,
}

/// The message of an inlined struct field.
pub(super) fn inlined(field: &'static Field) -> Option<&'static Message> {
    match field.kind {
        Kind::Message(m) if field.has(INLINE) => Some(schema::message(m)),
        _ => None,
    }
}

fn compute(message: &'static Message) -> Layout {
    let mut by_name: Vec<u16> = (0..message.fields.len())
        .map(|i| u16::try_from(i).unwrap_or(u16::MAX))
        .collect();
    by_name.sort_by_key(|&i| message.fields.get(usize::from(i)).map_or("", |f| f.name));
    Layout {
        block_len: slots(message),
        by_name: by_name.into_boxed_slice(),
    }
}

/// The slots of `message`'s block, its inlined structs' blocks included.
fn slots(message: &'static Message) -> usize {
    1 + message.fields.len()
        + message
            .fields
            .iter()
            .filter_map(inlined)
            .map(slots)
            .sum::<usize>()
}

/// The layout of a message of the generated table (`None` for a message built elsewhere).
pub(super) fn layout(message: &'static Message) -> Option<&'static Layout> {
    static LAYOUTS: OnceLock<Box<[Layout]>> = OnceLock::new();
    let index = message.position()?;
    let layouts = LAYOUTS.get_or_init(|| MESSAGES.iter().map(compute).collect());
    layouts.get(index)
}

/// The slots of `message`'s block.
pub(super) fn block_len(message: &'static Message) -> usize {
    layout(message).map_or_else(|| slots(message), |l| l.block_len)
}

/// The index of the field named `key`, looking first at `*cursor` and the fields after it by
/// name (`*cursor` then moves past the field found).
pub(super) fn find(message: &'static Message, key: &str, cursor: &mut usize) -> Option<usize> {
    let same = |i: usize| message.fields.get(i).is_some_and(|f| f.name == key);
    let Some(layout) = layout(message) else {
        return (0..message.fields.len()).find(|&i| same(i));
    };
    let names = &layout.by_name;
    let start = (*cursor).min(names.len());
    let (after, before) = (&names[start..], &names[..start]);
    let found = after
        .iter()
        .position(|&i| same(usize::from(i)))
        .map(|p| start + p)
        .or_else(|| before.iter().position(|&i| same(usize::from(i))))?;
    *cursor = found + 1;
    Some(usize::from(names[found]))
}
