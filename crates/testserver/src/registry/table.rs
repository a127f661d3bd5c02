//! Table columns (`as=Table`, what `kubectl get` prints): the column type the strategies'
//! table convertors return, and the cells every type shares (`Name`, `Age`). The cells are
//! formatted with Go's helpers in `registry::print`.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Value, json};

use super::print;

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// The description of the wide `Containers` column of the types with a pod template.
pub(crate) const CONTAINERS_DESC: &str = "Names of each container in the template.";
/// The description of the wide `Images` column of the types with a pod template.
pub(crate) const IMAGES_DESC: &str = "Images referenced by each container in the template.";

/// How a column's cell is computed from an object.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    /// A function of the object.
    Fn(fn(&Value) -> Value),
    /// The value at a JSON pointer, as apiextensions-apiserver's table convertor makes a cell
    /// of it for the column's type (`cellForJSONValue`; the `additionalPrinterColumns` of a
    /// CRD).
    Path {
        /// The JSON pointer.
        pointer: String,
    },
}

/// One column definition with its cell.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Header.
    pub(crate) name: Cow<'static, str>,
    /// OpenAPI type (`string`, `integer`, `date`).
    pub(crate) ty: Cow<'static, str>,
    /// OpenAPI format (`name` for the first column).
    pub(crate) format: Cow<'static, str>,
    /// Description.
    pub(crate) description: Cow<'static, str>,
    /// 0 for the default columns, 1 for `-o wide`.
    pub(crate) priority: i64,
    /// The cell.
    pub(crate) cell: Cell,
    /// Whether `columnDefinitions` lists the column; a printer may add a cell to its rows
    /// that no definition names (IPAddresses' age).
    pub(crate) defined: bool,
    /// The order the type's list printer puts the rows of a list in (`printFlowSchemaList`
    /// sorts); `None` on every column keeps the list's order.
    pub(crate) list_order: Option<fn(&Value, &Value) -> Ordering>,
}

impl Column {
    /// The cell of `obj`.
    pub(crate) fn cell(&self, obj: &Value) -> Value {
        match &self.cell {
            Cell::Fn(f) => f(obj),
            Cell::Path { pointer } => {
                json_cell(&self.ty, obj.pointer(pointer).unwrap_or(&Value::Null))
            }
        }
    }

    /// The column with OpenAPI type `ty` (`integer`, `boolean`).
    pub(crate) fn typed(self, ty: &'static str) -> Column {
        Column {
            ty: Cow::Borrowed(ty),
            ..self
        }
    }

    /// The column at priority 1 (shown by `-o wide`).
    pub(crate) fn wide(self) -> Column {
        Column {
            priority: 1,
            ..self
        }
    }

    /// The cell only: the rows carry it, `columnDefinitions` do not name it.
    pub(crate) fn undefined(self) -> Column {
        Column {
            defined: false,
            ..self
        }
    }

    /// The column with the order a list's rows are printed in.
    pub(crate) fn ordering_lists(self, order: fn(&Value, &Value) -> Ordering) -> Column {
        Column {
            list_order: Some(order),
            ..self
        }
    }

    /// The `columnDefinitions` entry.
    pub(crate) fn definition(&self) -> Value {
        json!({"name": self.name, "type": self.ty, "format": self.format,
            "description": self.description, "priority": self.priority})
    }
}

/// A `string` column of priority `priority`.
pub(crate) const fn col(
    name: &'static str,
    description: &'static str,
    priority: i64,
    cell: fn(&Value) -> Value,
) -> Column {
    Column {
        name: Cow::Borrowed(name),
        ty: Cow::Borrowed("string"),
        format: Cow::Borrowed(""),
        description: Cow::Borrowed(description),
        priority,
        cell: Cell::Fn(cell),
        defined: true,
        list_order: None,
    }
}

/// The first column of every table.
pub(crate) fn name_column() -> Column {
    Column {
        format: Cow::Borrowed("name"),
        ..col("Name", NAME_DESC, 0, name)
    }
}

/// The order of a list's rows under `columns`: the first column's `list_order`, if any.
pub(crate) fn list_order(columns: &[Column]) -> Option<fn(&Value, &Value) -> Ordering> {
    columns.iter().find_map(|c| c.list_order)
}

/// The `Age` column.
pub(crate) fn age_column() -> Column {
    col("Age", AGE_DESC, 0, age)
}

/// `Name`, the type's `middle` columns, `Age`, then the `wide` ones.
pub(crate) fn columns(middle: Vec<Column>, wide: Vec<Column>) -> Vec<Column> {
    let mut cols = vec![name_column()];
    cols.extend(middle);
    cols.push(age_column());
    cols.extend(wide);
    cols
}

/// The generic convertor's columns (`rest.NewDefaultTableConvertor`): `Name` and
/// `Created At`, the creation time in RFC 3339 (Go's zero time when unset).
pub(crate) fn default_columns() -> Vec<Column> {
    let mut created = col("Created At", AGE_DESC, 0, |v| {
        v.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str)
            .unwrap_or("0001-01-01T00:00:00Z")
            .into()
    });
    created.ty = Cow::Borrowed("date");
    vec![name_column(), created]
}

/// The columns of a custom resource: `Name`, then the CRD version's
/// `additionalPrinterColumns` (an `Age` column of the creation time when it has none), cells
/// read by their simple `jsonPath` (`.spec.replicas`).
pub(crate) fn printer_columns(printer: &[Value]) -> Vec<Column> {
    let age_column = json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
        "description": AGE_DESC});
    let printer: &[Value] = if printer.is_empty() {
        std::slice::from_ref(&age_column)
    } else {
        printer
    };
    let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut cols = vec![name_column()];
    for c in printer {
        cols.push(Column {
            name: text(c, "name").into(),
            ty: text(c, "type").into(),
            format: text(c, "format").into(),
            description: text(c, "description").into(),
            priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
            cell: Cell::Path {
                pointer: text(c, "jsonPath").replace('.', "/"),
            },
            defined: true,
            list_order: None,
        });
    }
    cols
}

/// `cellForJSONValue` of `value` in a column of OpenAPI type `ty`: `null` for a missing value
/// or one the type does not take; a `string` column prints any other value as the jsonpath
/// printer does (Go's `%v`), an `integer` one truncates numbers, a `number` one takes any, a
/// `date` one shows the age of an RFC 3339 time (`<invalid>` when it does not parse,
/// `<unknown>` for an empty one).
fn json_cell(ty: &str, value: &Value) -> Value {
    match (ty, value) {
        (_, Value::Null) => Value::Null,
        ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => value.clone(),
        ("string", other) => crate::fields::gofmt::go_v(other).into(),
        ("integer", Value::Number(n)) => match n.as_i64() {
            Some(i) => i.into(),
            // Go's int64(float64) truncates
            None => n.as_f64().map_or(Value::Null, |f| Value::from(f as i64)),
        },
        // a float64 Go's encoder prints without a fraction when it has none
        ("number", Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
            Some(f) => Value::from(f),
            None => Value::Null,
        },
        ("date", Value::String(s)) if s.is_empty() || s == "null" => "<unknown>".into(),
        ("date", Value::String(s)) => match crate::shared::gotime::rfc3339_error(s) {
            Some(_) => "<invalid>".into(),
            None => print::since(&json!({ "t": s }), "/t").into(),
        },
        _ => Value::Null,
    }
}

/// The string at `p`, `<none>` when missing.
pub(crate) fn s(v: &Value, p: &str) -> Value {
    v.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or("<none>")
        .into()
}

fn name(v: &Value) -> Value {
    s(v, "/metadata/name")
}

fn age(v: &Value) -> Value {
    print::age(v).into()
}

/// The number of entries of the maps at `keys`.
pub(crate) fn count(v: &Value, keys: &[&str]) -> Value {
    keys.iter()
        .map(|k| v.get(*k).and_then(Value::as_object).map_or(0, |m| m.len()))
        .sum::<usize>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(ty: &str, value: Value, expected: Value) {
        assert_eq!(json_cell(ty, &value), expected, "{ty} {value}");
    }

    /// As apiextensions-apiserver's `TestCellForJSONValue` and `ConvertToTable` of a string
    /// column holding other values.
    #[test]
    fn cells_follow_the_column_type() {
        check("integer", json!(42), json!(42));
        check("integer", json!(3.7), json!(3));
        check("integer", json!("42"), Value::Null);
        check("number", json!(3), json!(3));
        check("number", json!(1.5), json!(1.5));
        check("number", json!("x"), Value::Null);
        check("boolean", json!(true), json!(true));
        check("boolean", json!("true"), Value::Null);
        check("string", json!("a"), json!("a"));
        check("string", json!(3), json!("3"));
        check(
            "string",
            json!({"b": 1, "a": [true]}),
            json!("map[a:[true] b:1]"),
        );
        check("string", Value::Null, Value::Null);
        check("date", json!("not a time"), json!("<invalid>"));
        check("date", json!(""), json!("<unknown>"));
        check("date", json!(5), Value::Null);
        assert!(
            json_cell("date", &json!("2020-01-01T00:00:00Z"))
                .as_str()
                .is_some_and(|age| age.ends_with('y') || age.ends_with('d')),
        );
    }

    #[test]
    fn printer_columns_read_their_paths() {
        let cols = printer_columns(&[
            json!({"name": "Size", "type": "integer", "jsonPath": ".spec.size"}),
            json!({"name": "Color", "type": "string", "jsonPath": ".spec.color"}),
        ]);
        let obj = json!({"metadata": {"name": "w"}, "spec": {"size": 3.0}});
        let cells: Vec<Value> = cols.iter().map(|c| c.cell(&obj)).collect();
        assert_eq!(cells, [json!("w"), json!(3), Value::Null]);
    }
}
