//! Validation of a CustomResourceDefinition, with the field paths and messages of
//! `apiextensions-apiserver/pkg/apis/apiextensions/validation`: the name, group, scope,
//! versions (exactly one storage version), names, and the structural-schema rules.
//!
//! Paths are the internal type's, as the real server reports them: a bad version name shows
//! at `spec.versions[i].name` and again at `spec.version`, and a schema shared by every
//! version is checked under `spec.validation.openAPIV3Schema`.

use serde_json::Value;

use crate::validation::{BadValue, FieldError, Invalid, names};

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Validates a CRD (`old` for an update).
///
/// # Errors
/// [`Invalid`] with every field error, in the real server's order.
pub(crate) fn validate(crd: &Value, old: Option<&Value>) -> Result<(), Invalid> {
    let mut errs = crate::validation::custom_object_meta(crd, false, old);
    let name = crate::crd::meta_str(crd, "name");
    let group = text(crd, "/spec/group");
    let plural = text(crd, "/spec/names/plural");
    if name != format!("{plural}.{group}") {
        errs.push(FieldError::invalid(
            "metadata.name",
            name,
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    spec(crd, &mut errs);
    if let Some(old) = old {
        let (scope, was) = (text(crd, "/spec/scope"), text(old, "/spec/scope"));
        if !was.is_empty() && scope != was {
            errs.push(FieldError::invalid(
                "spec.scope",
                scope,
                "field is immutable",
            ));
        }
        for (i, stored) in old
            .pointer("/status/storedVersions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .enumerate()
        {
            let listed = crd
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .is_some_and(|vs| vs.iter().any(|v| text(v, "/name") == stored));
            if !listed {
                errs.push(FieldError::invalid(
                    format!("status.storedVersions[{i}]"),
                    stored,
                    "must appear in spec.versions",
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Invalid::new(
            crate::crd::GROUP,
            "CustomResourceDefinition",
            name,
            errs,
        ))
    }
}

fn dns1035(field: &str, value: &str, errs: &mut Vec<FieldError>) {
    let problems = names::dns1035_label(value);
    if !problems.is_empty() {
        errs.push(FieldError::invalid(field, value, problems.join(",")));
    }
}

fn spec(crd: &Value, errs: &mut Vec<FieldError>) {
    let group = text(crd, "/spec/group");
    if group.is_empty() {
        errs.push(FieldError::required("spec.group", ""));
    } else {
        let problems = names::dns1123_subdomain(group);
        if !problems.is_empty() {
            errs.push(FieldError::invalid("spec.group", group, problems.join(",")));
        } else if !group.contains('.') {
            errs.push(FieldError::invalid(
                "spec.group",
                group,
                "should be a domain with at least one dot",
            ));
        }
    }
    match text(crd, "/spec/scope") {
        "" => errs.push(FieldError::required("spec.scope", "")),
        "Cluster" | "Namespaced" => {}
        other => errs.push(FieldError::not_supported(
            "spec.scope",
            other,
            &["Cluster", "Namespaced"],
        )),
    }
    let versions: &[Value] = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    if versions.is_empty() {
        errs.push(FieldError::required(
            "spec.versions",
            "must have at least one version",
        ));
    }
    let mut seen = Vec::new();
    let mut storage = 0;
    for (i, v) in versions.iter().enumerate() {
        let name = text(v, "/name");
        let field = format!("spec.versions[{i}].name");
        if name.is_empty() {
            errs.push(FieldError::required(field, ""));
        } else {
            dns1035(&field, name, errs);
            if seen.contains(&name) {
                errs.push(FieldError::duplicate(field, name));
            }
        }
        seen.push(name);
        if v.get("storage").and_then(Value::as_bool) == Some(true) {
            storage += 1;
        }
    }
    if !versions.is_empty() && storage != 1 {
        errs.push(FieldError::invalid(
            "spec.versions",
            BadValue::Raw("[]apiextensions.CustomResourceDefinitionVersion{...}".into()),
            "must have exactly one version marked as storage version",
        ));
    }
    if !versions
        .iter()
        .any(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        && !versions.is_empty()
    {
        errs.push(FieldError::invalid(
            "spec.versions",
            BadValue::Raw("[]apiextensions.CustomResourceDefinitionVersion{...}".into()),
            "must have at least one version marked as served",
        ));
    }
    if let Some(first) = versions.first().map(|v| text(v, "/name"))
        && !first.is_empty()
    {
        dns1035("spec.version", first, errs);
    }
    names_of(crd, errs);
    schemas(versions, errs);
}

fn names_of(crd: &Value, errs: &mut Vec<FieldError>) {
    for (key, required) in [("plural", true), ("singular", false)] {
        let value = text(crd, &format!("/spec/names/{key}"));
        let field = format!("spec.names.{key}");
        if value.is_empty() {
            if required {
                errs.push(FieldError::required(field, ""));
            }
        } else {
            dns1035(&field, value, errs);
        }
    }
    let kind = text(crd, "/spec/names/kind");
    let list_kind = text(crd, "/spec/names/listKind");
    for (key, value) in [("kind", kind), ("listKind", list_kind)] {
        let field = format!("spec.names.{key}");
        if value.is_empty() {
            errs.push(FieldError::required(field, ""));
        } else if !names::dns1035_label(&value.to_lowercase()).is_empty() {
            errs.push(FieldError::invalid(
                field,
                value,
                names::dns1035_label(&value.to_lowercase()).join(","),
            ));
        }
    }
    if !kind.is_empty() && kind == list_kind {
        errs.push(FieldError::invalid(
            "spec.names.listKind",
            list_kind,
            "kind and listKind may not be the same",
        ));
    }
}

fn schemas(versions: &[Value], errs: &mut Vec<FieldError>) {
    let schema_of = |v: &Value| v.pointer("/schema/openAPIV3Schema").cloned();
    let first = versions.first().map(schema_of);
    let shared = first
        .as_ref()
        .is_some_and(|f| versions.iter().all(|v| schema_of(v) == *f));
    if shared && let Some(Some(schema)) = &first {
        root(schema, "spec.validation.openAPIV3Schema", errs);
        return;
    }
    for (i, v) in versions.iter().enumerate() {
        let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
        match schema_of(v) {
            Some(schema) => root(&schema, &path, errs),
            None => errs.push(FieldError::required(path, "schemas are required")),
        }
    }
}

fn root(schema: &Value, path: &str, errs: &mut Vec<FieldError>) {
    match schema.get("type").and_then(Value::as_str).unwrap_or("") {
        "" => errs.push(FieldError::required(
            format!("{path}.type"),
            "must not be empty at the root",
        )),
        "object" => {}
        other => errs.push(FieldError::invalid(
            format!("{path}.type"),
            other,
            "must be object at the root",
        )),
    }
    node_children(schema, path, errs);
}

/// The structural rules of one node reached as `context` ("object fields", "array items").
fn node(schema: &Value, path: &str, context: &str, errs: &mut Vec<FieldError>) {
    let flag = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    if ty.is_empty()
        && !flag("x-kubernetes-int-or-string")
        && !flag("x-kubernetes-preserve-unknown-fields")
    {
        errs.push(FieldError::required(
            format!("{path}.type"),
            format!("must not be empty for specified {context}"),
        ));
    }
    if ty == "array" && schema.get("items").is_none() {
        errs.push(FieldError::required(
            format!("{path}.items"),
            "must be specified",
        ));
    }
    node_children(schema, path, errs);
}

fn node_children(schema: &Value, path: &str, errs: &mut Vec<FieldError>) {
    super::cel::compile_errors(schema, path, errs);
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    if properties.is_some_and(|p| !p.is_empty())
        && additional.is_some_and(|a| a != &Value::Bool(false))
    {
        errs.push(FieldError::forbidden(
            format!("{path}.additionalProperties"),
            "additionalProperties and properties are mutual exclusive",
        ));
    }
    for (key, sub) in properties.into_iter().flatten() {
        node(
            sub,
            &format!("{path}.properties[{key}]"),
            "object fields",
            errs,
        );
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        node(items, &format!("{path}.items"), "array items", errs);
    }
    if let Some(additional) = additional.filter(|a| a.is_object()) {
        node(
            additional,
            &format!("{path}.additionalProperties"),
            "additionalProperties",
            errs,
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(crd: Value, expected: &[&str]) {
        let got: Vec<String> = match validate(&crd, None) {
            Ok(()) => Vec::new(),
            Err(e) => e
                .errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.body()))
                .collect(),
        };
        assert_eq!(got, expected);
    }

    fn crd(versions: Value) -> Value {
        json!({"metadata": {"name": "ws.g.example.com"}, "spec": {"group": "g.example.com",
            "scope": "Namespaced", "names": {"plural": "ws", "kind": "W", "listKind": "WList"},
            "versions": versions}})
    }

    #[test]
    fn storage_versions_and_schemas() {
        let schema = json!({"openAPIV3Schema": {"type": "object"}});
        check(
            crd(json!([{"name": "v1", "served": true, "storage": true, "schema": schema}])),
            &[],
        );
        check(
            crd(
                json!([{"name": "v1", "served": true, "storage": true, "schema": schema},
                {"name": "v2", "served": true, "storage": true, "schema": schema}]),
            ),
            &[
                "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version",
            ],
        );
        check(
            crd(json!([{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"a": {"type": "array"}}}}},
                {"name": "v2", "served": true, "storage": false}])),
            &[
                "spec.versions[0].schema.openAPIV3Schema.properties[a].items: Required value: must be specified",
                "spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required",
            ],
        );
    }
}
