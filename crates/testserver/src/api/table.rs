//! `as=Table` answers (what `kubectl get` prints): the rows of the columns the type's strategy
//! defines (`registry::table`).

use serde_json::{Value, json};

use crate::api::query::Query;
use crate::api::respond::partial_metadata;
use crate::registry::ResourceType;

/// A row's `object` as `includeObject` asks (`Metadata` by default).
fn row_object(include: &str, o: &Value) -> Option<Value> {
    match include {
        "None" => None,
        "Object" => Some(o.clone()),
        _ => Some(partial_metadata(o)),
    }
}

/// The Table of the objects.
pub(crate) fn render<'a>(
    rt: &ResourceType,
    objects: impl Iterator<Item = &'a Value>,
    resource_version: &str,
    query: &Query,
) -> Value {
    let cols = rt.strategy.columns();
    let include = query.get("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = objects
        .map(|o| {
            let mut row = json!({"cells": cols.iter().map(|c| c.cell(o)).collect::<Vec<_>>()});
            if let Some(object) = row_object(include, o) {
                row["object"] = object;
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": cols.iter().map(|c| c.definition()).collect::<Vec<_>>(),
        "rows": rows,
    })
}
