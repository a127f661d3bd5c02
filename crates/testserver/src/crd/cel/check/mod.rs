//! The part of cel-go's type check that refuses a CRD for a rule cel-go would not compile,
//! as apiextensions compiles rules against the structural schema's declared types:
//! - a selected field the schema does not declare (`undefined field 'noSuchField'`);
//! - a name that is not a variable (`undeclared reference to 'x' (in container '')`);
//! - an operator or a checked function applied to types it has no overload for (`found no
//!   matching overload for '_+_' applied to '(string, int)'`; `size`, `contains`,
//!   `startsWith`, `endsWith` and `matches` are the checked functions);
//! - a list literal mixing types (`type 'string' does not match previous type 'int' in
//!   aggregate...`), a comprehension over a value that is no list or map;
//! - and the rule's result type, which must be `bool` ([`Checked::result`]).
//!
//! The checker never refuses what cel-go accepts: a type it cannot tell (an unmodelled
//! function, an embedded resource, a nullable field, an optional `oldSelf`) is
//! [`Type::Unknown`], which fits everything, and an error is reported only when every
//! argument's type is certain. Selections are checked where the operand's schema is certain:
//! `self`/`oldSelf`, fields of objects with declared `properties` (not preserving unknown
//! fields, not embedded resources), items of lists and values of maps; `has()` tests and the
//! root's `metadata` are not checked.

mod overloads;
mod types;

use std::collections::HashMap;

use cel::Program;
use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};
use serde_json::Value;

use self::overloads::Resolution;
use self::types::Type;

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
    /// offsets of each issue, and its message
    issues: Vec<(u32, String)>,
    program: &'a Program,
}

type Scope<'a> = HashMap<String, Type<'a>>;

/// Calls whose leading identifier arguments are variables they bind.
const MACROS: [&str; 10] = [
    "all",
    "bind",
    "exists",
    "exists_one",
    "existsOne",
    "map",
    "filter",
    "transformList",
    "transformMap",
    "transformMapEntry",
];

/// Names that are types, not variables (`type(x) == int`).
const TYPE_NAMES: [&str; 11] = [
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
];

impl<'a> Checker<'a> {
    fn report(&mut self, id: u64, message: String) {
        if let Some((start, _)) = self.program.source_info().offset_for(id) {
            self.issues.push((start, message));
        }
    }

    /// The type of `expr`.
    fn walk(&mut self, expr: &IdedExpr, scope: &Scope<'a>) -> Type<'a> {
        match &expr.expr {
            Expr::Ident(name) => match scope.get(name) {
                Some(t) => t.clone(),
                None => {
                    if !TYPE_NAMES.contains(&name.as_str()) && !name.starts_with('@') {
                        self.report(
                            expr.id,
                            format!("undeclared reference to '{name}' (in container '')"),
                        );
                    }
                    Type::Unknown
                }
            },
            Expr::Select(select) => {
                let operand = self.walk(&select.operand, scope);
                if select.test {
                    return Type::Bool;
                }
                match operand {
                    Type::Object(schema) => self.field(schema, &select.field, expr.id),
                    Type::Map(_, value) => *value,
                    Type::Dyn => Type::Dyn,
                    _ => Type::Unknown,
                }
            }
            Expr::Call(call) => {
                let target = call.target.as_ref().map(|t| match &t.expr {
                    // a namespace such as `sets.` or `optional.`, or a receiver
                    Expr::Ident(name) if !scope.contains_key(name) => Type::Unknown,
                    _ => self.walk(t, scope),
                });
                // a macro the `cel` crate does not expand (two-variable comprehensions,
                // `transformList`...) binds its leading identifiers
                let bound;
                let scope = if call.target.is_some() && MACROS.contains(&call.func_name.as_str()) {
                    let mut inner = scope.clone();
                    for arg in &call.args {
                        if let Expr::Ident(name) = &arg.expr {
                            inner.insert(name.clone(), Type::Unknown);
                        }
                    }
                    bound = inner;
                    &bound
                } else {
                    scope
                };
                let args: Vec<Type<'a>> = call.args.iter().map(|a| self.walk(a, scope)).collect();
                match overloads::resolve(&call.func_name, target.as_ref(), &args) {
                    Resolution::Type(t) => t,
                    Resolution::NoMatch => {
                        let generated = call
                            .args
                            .iter()
                            .any(|a| matches!(&a.expr, Expr::Ident(n) if n.starts_with('@')));
                        let certain = target.iter().chain(&args).all(Type::is_certain);
                        if certain && !generated {
                            let signature = signature(target.as_ref(), &args);
                            self.report(
                                expr.id,
                                format!(
                                    "found no matching overload for '{}' applied to '{signature}'",
                                    call.func_name
                                ),
                            );
                        }
                        Type::Unknown
                    }
                }
            }
            Expr::Comprehension(c) => {
                let range = self.walk(&c.iter_range, scope);
                let (first, second) = match range {
                    // one variable: the item of a list, the key of a map
                    Type::List(item) => match c.iter_var2 {
                        Some(_) => (Type::Int, *item),
                        None => (*item, Type::Unknown),
                    },
                    Type::Map(key, value) => (*key, *value),
                    Type::Dyn => (Type::Dyn, Type::Dyn),
                    other => {
                        if other.is_certain() {
                            self.report(
                                c.iter_range.id,
                                format!(
                                    "expression of type '{other}' cannot be range of a comprehension (must be list, map, or dynamic)"
                                ),
                            );
                        }
                        (Type::Unknown, Type::Unknown)
                    }
                };
                let mut inner = scope.clone();
                inner.insert(c.iter_var.clone(), first);
                if let Some(var) = &c.iter_var2 {
                    inner.insert(var.clone(), second);
                }
                let init = self.walk(&c.accu_init, scope);
                inner.insert(c.accu_var.clone(), init.clone());
                self.walk(&c.loop_cond, &inner);
                let step = self.walk(&c.loop_step, &inner);
                inner.insert(c.accu_var.clone(), init.join(step));
                self.walk(&c.result, &inner)
            }
            Expr::List(list) => {
                let mut joined = Type::Unknown;
                for e in &list.elements {
                    let t = self.walk(e, scope);
                    if joined.is_certain() && t.is_certain() && joined != t {
                        self.report(
                            e.id,
                            format!(
                                "type '{t}' does not match previous type '{joined}' in aggregate. Use 'dyn(x)' to make the aggregate dynamic."
                            ),
                        );
                        joined = Type::Dyn;
                    } else {
                        joined = joined.join(t);
                    }
                }
                Type::List(Box::new(joined))
            }
            Expr::Map(map) => {
                let (mut keys, mut values) = (Type::Unknown, Type::Unknown);
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(e) = &entry.expr {
                        keys = keys.join(self.walk(&e.key, scope));
                        values = values.join(self.walk(&e.value, scope));
                    }
                }
                Type::Map(Box::new(keys), Box::new(values))
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.walk(&f.value, scope);
                    }
                }
                Type::Unknown
            }
            Expr::Literal(value) => match value {
                LiteralValue::Boolean(_) => Type::Bool,
                LiteralValue::Int(_) => Type::Int,
                LiteralValue::UInt(_) => Type::Uint,
                LiteralValue::Double(_) => Type::Double,
                LiteralValue::String(_) => Type::String,
                LiteralValue::Bytes(_) => Type::Bytes,
                LiteralValue::Null => Type::Null,
            },
            Expr::Unspecified => Type::Unknown,
        }
    }

    /// Field `name` of a value of `schema` (selected by expression `id`).
    fn field(&mut self, schema: &'a Value, name: &str, id: u64) -> Type<'a> {
        if self.is_root && std::ptr::eq(schema, self.root) {
            // the root's type and metadata fields are typed by the server, not the schema
            match name {
                "apiVersion" | "kind" => return Type::String,
                "metadata" => return Type::Unknown,
                _ => {}
            }
        }
        if !closed(schema) {
            return Type::Unknown;
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Type::Unknown;
        };
        let found = properties
            .iter()
            .find(|(k, _)| escape(k).as_deref() == Some(name));
        match found {
            Some((_, sub)) => Type::of_schema(sub),
            None => {
                self.report(id, format!("undefined field '{name}'"));
                Type::Unknown
            }
        }
    }
}

/// cel-go's `formatFunctionDeclType` of a call: `(a, b)`, or `target.(a)` for a receiver.
fn signature(target: Option<&Type<'_>>, args: &[Type<'_>]) -> String {
    let args: Vec<String> = args.iter().map(ToString::to_string).collect();
    match target {
        Some(t) => format!("{t}.({})", args.join(", ")),
        None => format!("({})", args.join(", ")),
    }
}

/// What checking a rule found.
#[derive(Debug)]
pub(super) struct Checked<'a> {
    /// cel-go's issues, `ERROR: <input>:L:C: <message>` with their snippets, in source
    /// order; empty when there are none.
    pub(super) issues: String,
    /// The type of the rule's result.
    result: Type<'a>,
}

impl Checked<'_> {
    /// Whether the result is known not to be a `bool` (`dyn` is not one either: cel-go
    /// compares the output type with `BoolType`).
    pub(super) fn not_bool(&self) -> bool {
        match &self.result {
            Type::Bool | Type::Unknown => false,
            Type::Dyn | Type::Object(_) => true,
            other => other.is_certain(),
        }
    }
}

/// Checks `text` (compiled as `program`) at the node `schema` (`is_root` for the top of the
/// CRD's schema). `oldSelf` has the node's type, unless the rule makes it optional (a type
/// this checker does not model).
pub(super) fn check<'a>(
    program: &'a Program,
    text: &str,
    schema: &'a Value,
    is_root: bool,
    optional_old_self: bool,
) -> Checked<'a> {
    let mut scope: Scope<'a> = HashMap::new();
    let own = Type::of_schema(schema);
    scope.insert("self".to_owned(), own.clone());
    let old = if optional_old_self {
        Type::Unknown
    } else {
        own
    };
    scope.insert("oldSelf".to_owned(), old);
    let mut checker = Checker {
        root: schema,
        is_root,
        issues: Vec::new(),
        program,
    };
    let result = checker.walk(program.expression(), &scope);
    let mut found = checker.issues;
    found.sort();
    let issues: Vec<String> = found
        .iter()
        .map(|(offset, message)| issue(text, *offset as usize, message))
        .collect();
    Checked {
        issues: issues.join("\n"),
        result,
    }
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
mod tests;
