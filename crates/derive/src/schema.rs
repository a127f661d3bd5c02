//! The generated code that turns a schemars schema into a structural one, as the API server
//! demands of a CRD (`structural` is a plain function emitted into `crd()`'s body: a
//! proc-macro crate cannot export functions, and this keeps the user's crate free of a runtime
//! dependency on kubeset).
//!
//! Guarantees of the emitted function, bottom-up over every subschema:
//! - `$schema`, `$defs`, `definitions`, `components`, `additionalProperties: false` and
//!   `default: null` are removed (none is allowed or meaningful in a CRD);
//! - an `anyOf`/`oneOf` with a null branch (an `Option` of a type without `type`, such as
//!   `IntOrString`) becomes the other branch with `nullable: true`; `null` leaves `enum`s;
//! - a `oneOf`/`anyOf` of string constants (a unit enum with documented variants) becomes one
//!   string `enum`;
//! - a `oneOf`/`anyOf` of objects (an enum with data) becomes an object with every branch's
//!   properties, the branches keeping only their `required` lists (what the server allows);
//!   a property in several branches (an internal tag) allows every branch's `enum` values;
//! - an optional property without a type (`Option<IntOrString>`, for which schemars cannot
//!   add a null type) is `nullable: true`;
//! - a schema with no type and nothing else to say (`serde_json::Value`, `true`) gets
//!   `x-kubernetes-preserve-unknown-fields: true`, so pruning keeps whatever it holds.

use proc_macro2::TokenStream;
use quote::quote;

/// `fn structural(schema: &mut Value)`, using `::k8s_openapi::serde_json`.
pub(crate) fn structural_fn() -> TokenStream {
    quote! {
        fn structural(schema: &mut ::k8s_openapi::serde_json::Value) {
            use ::k8s_openapi::serde_json::{Map, Value};
            fn is_null(v: &Value) -> bool {
                v.get("type").and_then(Value::as_str) == Some("null")
                    || v.get("const").is_some_and(Value::is_null)
                    || v.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == 1 && e[0].is_null())
            }
            fn string_values(v: &Value) -> Option<Vec<Value>> {
                if v.get("type").and_then(Value::as_str) != Some("string") {
                    return None;
                }
                if let Some(c) = v.get("const") {
                    return Some(vec![c.clone()]);
                }
                v.get("enum").and_then(Value::as_array).cloned()
            }
            let Value::Object(obj) = schema else { return };
            for key in ["properties", "patternProperties"] {
                if let Some(Value::Object(props)) = obj.get_mut(key) {
                    props.values_mut().for_each(structural);
                }
            }
            for key in ["additionalProperties", "items", "not"] {
                if let Some(sub @ Value::Object(_)) = obj.get_mut(key) {
                    structural(sub);
                }
            }
            for key in ["anyOf", "oneOf", "allOf"] {
                if let Some(Value::Array(subs)) = obj.get_mut(key) {
                    subs.iter_mut().for_each(structural);
                }
            }
            for key in ["$schema", "$defs", "definitions", "components"] {
                obj.remove(key);
            }
            if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
                obj.remove("additionalProperties");
            }
            if obj.get("default") == Some(&Value::Null) {
                obj.remove("default");
            }
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(branches)) = obj.remove(key) else { continue };
                let (nulls, mut rest): (Vec<Value>, Vec<Value>) =
                    branches.into_iter().partition(is_null);
                if !nulls.is_empty() {
                    obj.insert("nullable".into(), Value::Bool(true));
                }
                if rest.len() == 1 && !nulls.is_empty() {
                    if let Some(Value::Object(only)) = rest.pop() {
                        for (k, v) in only {
                            obj.entry(k).or_insert(v);
                        }
                    }
                    continue;
                }
                let strings: Option<Vec<Vec<Value>>> = rest.iter().map(string_values).collect();
                if let Some(strings) = strings.filter(|s| !s.is_empty()) {
                    obj.insert("type".into(), Value::from("string"));
                    obj.insert("enum".into(), Value::Array(strings.concat()));
                    continue;
                }
                let objects = !rest.is_empty()
                    && rest.iter().all(|b| {
                        b.get("type").and_then(Value::as_str) == Some("object")
                            || (b.get("type").is_none() && b.get("properties").is_some())
                    });
                if objects {
                    let mut props = match obj.remove("properties") {
                        Some(Value::Object(p)) => p,
                        _ => Map::new(),
                    };
                    for branch in &mut rest {
                        let Value::Object(b) = branch else { continue };
                        let description = b.remove("description");
                        if let Some(Value::Object(p)) = b.remove("properties") {
                            let single = p.len() == 1;
                            for (k, mut v) in p {
                                if let (true, Some(d), Value::Object(o)) =
                                    (single, &description, &mut v)
                                {
                                    o.entry("description").or_insert_with(|| d.clone());
                                }
                                match props.get_mut(&k) {
                                    // A tag property (`#[serde(tag = "type")]`): every
                                    // branch's value is allowed.
                                    Some(Value::Object(have)) => {
                                        if let (Some(Value::Array(all)), Some(Value::Array(more))) =
                                            (have.get_mut("enum"), v.get("enum"))
                                        {
                                            all.extend(more.iter().cloned());
                                        }
                                    }
                                    _ => {
                                        props.insert(k, v);
                                    }
                                }
                            }
                        }
                        b.retain(|k, _| k == "required");
                    }
                    obj.insert("type".into(), Value::from("object"));
                    obj.insert("properties".into(), Value::Object(props));
                    if rest.iter().any(|b| b.get("required").is_some()) {
                        obj.insert(key.into(), Value::Array(rest));
                    }
                    continue;
                }
                obj.insert(key.into(), Value::Array(rest));
            }
            let required: Vec<Value> = match obj.get("required") {
                Some(Value::Array(r)) => r.clone(),
                _ => Vec::new(),
            };
            if let Some(Value::Object(props)) = obj.get_mut("properties") {
                for (name, prop) in props.iter_mut() {
                    let Value::Object(p) = prop else { continue };
                    let untyped = p.contains_key("x-kubernetes-int-or-string")
                        || p.contains_key("x-kubernetes-preserve-unknown-fields");
                    if untyped && !p.contains_key("type") && !required.iter().any(|r| r == name.as_str()) {
                        p.insert("nullable".into(), Value::Bool(true));
                    }
                }
            }
            if let Some(Value::Array(values)) = obj.get_mut("enum")
                && values.iter().any(|v| !v.is_null())
            {
                values.retain(|v| !v.is_null());
            }
            let says_shape = [
                "type",
                "properties",
                "additionalProperties",
                "items",
                "enum",
                "anyOf",
                "oneOf",
                "allOf",
                "$ref",
                "x-kubernetes-int-or-string",
                "x-kubernetes-preserve-unknown-fields",
            ]
            .iter()
            .any(|k| obj.contains_key(*k));
            if !says_shape {
                obj.insert("x-kubernetes-preserve-unknown-fields".into(), Value::Bool(true));
            }
        }
    }
}
