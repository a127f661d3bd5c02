//! Reads `fields/known/shapes.txt` (its format is described in `fields/known/shapes.py`) into
//! [`TypeInfo`]s, once per process.
//!
//! Shapes are `'static` (the field-management tables are): each struct's shape is built once
//! and leaked, so the leak is bounded by the table. A struct whose fields all have the default
//! treatment is [`Shape::Deduced`]; a struct met again while its own shape is being built (the
//! recursive `JSONSchemaProps`) is [`Shape::Deduced`] there.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::resets::status_reset_extra;
use crate::fields::schema::{List, ListKind, Object, Shape, Smp, TypeInfo};

const TABLE: &str = include_str!("../known/shapes.txt");

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn leak_slice<T>(values: Vec<T>) -> &'static [T] {
    Box::leak(values.into_boxed_slice())
}

/// Builds struct shapes from the table's struct lines.
struct Builder {
    lines: HashMap<&'static str, &'static str>,
    built: HashMap<&'static str, Shape>,
    building: HashSet<&'static str>,
}

impl Builder {
    fn new() -> Builder {
        let lines = TABLE
            .lines()
            .filter(|line| !line.starts_with('@'))
            .filter_map(|line| Some((line.split(' ').next()?, line)))
            .collect();
        Builder {
            lines,
            built: HashMap::new(),
            building: HashSet::new(),
        }
    }

    /// The shape of the struct named `name`.
    fn object(&mut self, name: &'static str) -> Shape {
        if let Some(shape) = self.built.get(name) {
            return *shape;
        }
        let Some(line) = self.lines.get(name).copied() else {
            return Shape::Deduced;
        };
        if !self.building.insert(name) {
            return Shape::Deduced;
        }
        let fields: Vec<(&'static str, Shape)> = line
            .split(' ')
            .skip(1)
            .filter_map(|word| word.split_once('='))
            .map(|(field, spec)| (field, self.field(spec)))
            .filter(|(_, shape)| !matches!(shape, Shape::Deduced))
            .collect();
        self.building.remove(name);
        let shape = if fields.is_empty() {
            Shape::Deduced
        } else {
            Shape::Object(leak(Object {
                fields: leak_slice(fields),
            }))
        };
        self.built.insert(name, shape);
        shape
    }

    /// The shape a field's `<shape>` word describes.
    fn field(&mut self, spec: &'static str) -> Shape {
        match spec {
            "atomic" => return Shape::Atomic,
            "map" => return Shape::Map,
            _ => {}
        }
        if let Some(rest) = spec.strip_prefix("struct:") {
            let name = rest.split(':').next().unwrap_or(rest);
            return self.object(name);
        }
        let Some(rest) = spec.strip_prefix("list:") else {
            return Shape::Deduced;
        };
        let parts: Vec<&'static str> = rest.split(':').collect();
        let part = |i: usize| parts.get(i).copied().unwrap_or("");
        let names = |text: &'static str| -> Vec<&'static str> {
            text.split(',').filter(|s| !s.is_empty()).collect()
        };
        let kind = match part(0) {
            "set" => ListKind::Set,
            "map" => ListKind::Map {
                keys: leak_slice(names(part(1))),
                defaults: leak_slice(
                    names(part(2))
                        .into_iter()
                        .filter_map(|pair| pair.split_once('='))
                        .collect(),
                ),
            },
            _ => ListKind::Atomic,
        };
        let merge = part(3).split('+').any(|s| s == "merge");
        let merge_key = Some(part(4)).filter(|k| !k.is_empty());
        let elem = match (kind, part(5)) {
            (ListKind::Set, _) | (_, "atomic") => Shape::Atomic,
            (_, "") => Shape::Deduced,
            (_, name) => self.object(name),
        };
        if matches!(kind, ListKind::Atomic) && !merge {
            return Shape::Deduced;
        }
        Shape::List(leak(List {
            kind,
            elem,
            smp: Smp { merge, merge_key },
        }))
    }
}

/// One `@<apiVersion>/<Kind> <struct> <status> <zero>` line as a type.
fn type_info(builder: &mut Builder, line: &'static str) -> Option<(&'static str, TypeInfo)> {
    let mut words = line.strip_prefix('@')?.splitn(4, ' ');
    let key = words.next()?;
    let (api_version, kind) = key.rsplit_once('/')?;
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let root = match builder.object(words.next()?) {
        Shape::Object(object) => object,
        _ => leak(Object { fields: &[] }),
    };
    let status_subresource = words.next()? == "1";
    let zero = words.next()?;
    Some((
        key,
        TypeInfo {
            group,
            version,
            kind,
            root,
            zero,
            status_subresource,
            status_reset_extra: status_reset_extra(group, kind),
        },
    ))
}

/// The table's kinds by `apiVersion/Kind`.
fn kinds() -> &'static HashMap<&'static str, &'static TypeInfo> {
    static KINDS: OnceLock<HashMap<&'static str, &'static TypeInfo>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let mut builder = Builder::new();
        TABLE
            .lines()
            .filter(|line| line.starts_with('@'))
            .filter_map(|line| type_info(&mut builder, line))
            .map(|(key, info)| (key, leak(info)))
            .collect()
    })
}

/// The type of `kind` in `api_version` (`v1`, `apps/v1`), if it is a served built-in kind.
pub(crate) fn find(api_version: &str, kind: &str) -> Option<&'static TypeInfo> {
    kinds()
        .get(format!("{api_version}/{kind}").as_str())
        .copied()
}

/// Every kind of the table.
#[cfg(test)]
pub(super) fn all() -> impl Iterator<Item = &'static TypeInfo> {
    kinds().values().copied()
}
