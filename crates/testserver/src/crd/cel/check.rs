//! The part of cel-go's type check that refuses a CRD for a rule selecting a field its
//! schema does not declare (`ERROR: <input>:1:5: undefined field 'noSuchField'`), as
//! apiextensions compiles rules against the structural schema's declared types.
//!
//! Only selections whose operand's schema is certain are checked: `self`/`oldSelf` (not an
//! optional one), fields of objects with declared `properties` (not preserving unknown fields,
//! not embedded resources), items of lists (`self.items[0]`, comprehension variables over a
//! list) and values of maps; `has()` tests and the root's `metadata` are not checked.

use std::collections::HashMap;

use cel::Program;
use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use serde_json::Value;

/// CEL's reserved words, escaped as `__<word>__` in field names.
const RESERVED: [&str; 22] = [
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
    "__proto__",
];

/// Kubernetes' `Escape` of a property name as rules select it, `None` when they cannot.
fn escape(name: &str) -> Option<String> {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if RESERVED.contains(&name) {
        return Some(format!("__{name}__"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
    {
        return None;
    }
    Some(
        name.replace("__", "__underscores__")
            .replace('.', "__dot__")
            .replace('-', "__dash__")
            .replace('/', "__slash__"),
    )
}

/// Whether the fields of values of `schema` are declared, and only those.
fn closed(schema: &Value) -> bool {
    let flag = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    schema.get("type").and_then(Value::as_str) == Some("object")
        && schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty())
        && !flag("x-kubernetes-preserve-unknown-fields")
        && !flag("x-kubernetes-embedded-resource")
        && !flag("x-kubernetes-int-or-string")
}

struct Checker<'a> {
    root: &'a Value,
    is_root: bool,
    /// offsets of the `.` of each undefined field, and the field
    undefined: Vec<(u32, String)>,
    program: &'a Program,
}

type Scope<'a> = HashMap<String, Option<&'a Value>>;

impl<'a> Checker<'a> {
    /// The schema of the values of `expr`, when certain.
    fn walk(&mut self, expr: &IdedExpr, scope: &Scope<'a>) -> Option<&'a Value> {
        match &expr.expr {
            Expr::Ident(name) => scope.get(name).copied().flatten(),
            Expr::Select(select) => {
                let operand = self.walk(&select.operand, scope)?;
                if select.test {
                    return None;
                }
                self.field(operand, &select.field, expr.id)
            }
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    self.walk(target, scope);
                }
                let args: Vec<Option<&'a Value>> =
                    call.args.iter().map(|a| self.walk(a, scope)).collect();
                match (call.func_name.as_str(), args.first()) {
                    ("_[_]", Some(Some(list))) => element(list),
                    _ => None,
                }
            }
            Expr::Comprehension(c) => {
                let range = self.walk(&c.iter_range, scope);
                self.walk(&c.accu_init, scope);
                let mut inner = scope.clone();
                let item = range.and_then(|r| {
                    (r.get("type").and_then(Value::as_str) == Some("array"))
                        .then(|| r.get("items"))
                        .flatten()
                });
                match &c.iter_var2 {
                    // two variables over a list: the index, then the item
                    Some(second) => {
                        inner.insert(c.iter_var.clone(), None);
                        inner.insert(second.clone(), item);
                    }
                    None => {
                        inner.insert(c.iter_var.clone(), item);
                    }
                }
                inner.insert(c.accu_var.clone(), None);
                self.walk(&c.loop_cond, &inner);
                self.walk(&c.loop_step, &inner);
                self.walk(&c.result, &inner);
                None
            }
            Expr::List(list) => {
                for e in &list.elements {
                    self.walk(e, scope);
                }
                None
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(e) = &entry.expr {
                        self.walk(&e.key, scope);
                        self.walk(&e.value, scope);
                    }
                }
                None
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.walk(&f.value, scope);
                    }
                }
                None
            }
            Expr::Literal(_) | Expr::Unspecified => None,
        }
    }

    /// Field `name` of a value of `schema` (selected by expression `id`).
    fn field(&mut self, schema: &'a Value, name: &str, id: u64) -> Option<&'a Value> {
        if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            return Some(additional);
        }
        if !closed(schema) {
            return None;
        }
        let properties = schema.get("properties").and_then(Value::as_object)?;
        let found = properties
            .iter()
            .find(|(k, _)| escape(k).as_deref() == Some(name));
        if self.is_root
            && std::ptr::eq(schema, self.root)
            && matches!(name, "apiVersion" | "kind" | "metadata")
        {
            // the root's type and metadata fields are typed by the server, not the schema
            return None;
        }
        match found {
            Some((_, sub)) => Some(sub),
            None => {
                if let Some((start, _)) = self.program.source_info().offset_for(id) {
                    self.undefined.push((start, name.to_owned()));
                }
                None
            }
        }
    }
}

/// The item schema of a list, the value schema of a map.
fn element(schema: &Value) -> Option<&Value> {
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => schema.get("items"),
        Some("object") => schema.get("additionalProperties").filter(|a| a.is_object()),
        _ => None,
    }
}

/// cel-go's issues of `text` (compiled as `program`) at the node `schema` (`is_root` for the
/// top of the CRD's schema): `ERROR: <input>:L:C: undefined field 'f'` with its snippet, one
/// per undefined field, in source order; empty when there are none.
pub(super) fn undefined_fields(
    program: &Program,
    text: &str,
    schema: &Value,
    is_root: bool,
    old_self: bool,
) -> String {
    let mut scope: Scope<'_> = HashMap::new();
    scope.insert("self".to_owned(), Some(schema));
    if old_self {
        scope.insert("oldSelf".to_owned(), Some(schema));
    }
    let mut checker = Checker {
        root: schema,
        is_root,
        undefined: Vec::new(),
        program,
    };
    checker.walk(program.expression(), &scope);
    let mut undefined = checker.undefined;
    undefined.sort();
    let issues: Vec<String> = undefined
        .iter()
        .map(|(offset, field)| {
            issue(
                text,
                *offset as usize,
                &format!("undefined field '{field}'"),
            )
        })
        .collect();
    issues.join("\n")
}

/// cel-go's `Error.ToDisplayString`: the location (line, 1-based column in characters), the
/// message, the line and a `^` under the column.
fn issue(text: &str, offset: usize, message: &str) -> String {
    let before: String = text.chars().take(offset).collect();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count();
    let snippet = text.lines().nth(line - 1).unwrap_or("").replace('\t', " ");
    format!(
        "ERROR: <input>:{line}:{}: {message}\n | {snippet}\n | {}^",
        column + 1,
        ".".repeat(column)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(rule: &str, schema: &Value, is_root: bool) -> String {
        let program = super::super::env::compile(rule).unwrap();
        undefined_fields(&program, rule, schema, is_root, true)
    }

    /// cel-go's checker (`checker/checker.go` `checkSelect`): `undefined field`, at the `.`.
    #[test]
    fn undefined_fields_are_found_where_cel_go_finds_them() {
        let spec = json!({"type": "object", "properties": {
            "replicas": {"type": "integer"},
            "max-surge": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "object",
                "properties": {"port": {"type": "integer"}}}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }});
        assert_eq!(
            check("self.noSuchField == 1", &spec, false),
            "ERROR: <input>:1:5: undefined field 'noSuchField'\n | self.noSuchField == 1\n | ....^"
        );
        assert_eq!(
            check(
                "self.items.all(i, i.prot > 0) && self.items[0].port > 0",
                &spec,
                false
            ),
            "ERROR: <input>:1:20: undefined field 'prot'\n | self.items.all(i, i.prot > 0) && self.items[0].port > 0\n | ...................^"
        );
        for fine in [
            "self.replicas > 0 && self.max__dash__surge >= 0",
            "self.labels.anything == 'x' && self.free.whatever == 1",
            "has(self.nope) || self.items.map(i, i.port).size() > 0",
            "oldSelf.replicas == self.replicas",
        ] {
            assert_eq!(check(fine, &spec, false), "", "{fine}");
        }
        let root = json!({"type": "object", "properties": {"spec": spec}});
        assert_eq!(
            check(
                "self.metadata.name == 'x' && self.kind == 'K' && self.spec.replicas > 0",
                &root,
                true
            ),
            ""
        );
        assert_eq!(
            check("self.spec.x == 1\n  && self.status.y", &root, true),
            "ERROR: <input>:1:10: undefined field 'x'\n | self.spec.x == 1\n | .........^\nERROR: <input>:2:10: undefined field 'status'\n |   && self.status.y\n | .........^"
        );
    }
}
