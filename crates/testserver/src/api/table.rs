//! `as=Table` answers (what `kubectl get` prints): the rows of the columns the type's strategy
//! defines (`registry::table`), each row's object as `includeObject` asks. Every answer
//! carries the column definitions but the later events of a watch (`api::watch`), as
//! kube-apiserver's `TableConvertor` and watch encoder do.

use serde_json::{Value, json};

use crate::api::convert::to_external;
use crate::api::query::Query;
use crate::api::respond::partial_metadata;
use crate::api::status::ApiError;
use crate::registry::ResourceType;
use crate::validation::go_quote;

/// `ValidateTableOptions` (`optionsForTransform`): `includeObject` is `None`, `Metadata`,
/// `Object` or empty.
///
/// # Errors
/// The real 400 for another value.
pub(crate) fn check_options(query: &Query) -> Result<(), ApiError> {
    match query.get("includeObject") {
        None | Some("" | "None" | "Metadata" | "Object") => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "Unable to convert to Table as requested: includeObject: Unsupported value: {}: supported values: \"Metadata\", \"None\", \"Object\"",
            go_quote(other)
        ))),
    }
}

/// A row's `object` as `includeObject` asks (`Metadata` by default): the object in the
/// requested version, its metadata, or none.
fn row_object(rt: &ResourceType, include: &str, o: &Value) -> Option<Value> {
    match include {
        "None" => None,
        "Object" => Some(to_external(rt, o)),
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
    let mut objects: Vec<&Value> = objects.collect();
    if let Some(order) = crate::registry::table::list_order(&cols) {
        objects.sort_by(|a, b| order(a, b));
    }
    let rows: Vec<Value> = objects
        .into_iter()
        .map(|o| {
            let mut row = json!({"cells": cols.iter().map(|c| c.cell(o)).collect::<Vec<_>>()});
            if let Some(object) = row_object(rt, include, o) {
                row["object"] = object;
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": cols
            .iter()
            .filter(|c| c.defined)
            .map(|c| c.definition())
            .collect::<Vec<_>>(),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `ValidateTableOptions` through `optionsForTransform`.
    #[test]
    fn include_object_values() {
        for ok in ["", "None", "Metadata", "Object"] {
            let q = Query::parse(Some(&format!("includeObject={ok}")));
            assert!(check_options(&q).is_ok(), "{ok}");
        }
        assert!(check_options(&Query::parse(None)).is_ok());
        let err = check_options(&Query::parse(Some("includeObject=All"))).unwrap_err();
        assert_eq!(err.code, 400);
        assert_eq!(
            err.message,
            "Unable to convert to Table as requested: includeObject: Unsupported value: \"All\": supported values: \"Metadata\", \"None\", \"Object\""
        );
    }
}
