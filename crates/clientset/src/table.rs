//! Server-side printing: the `Table` kube-apiserver renders for `kubectl get`.

use http::Method;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::build;
use crate::query::Query;
use crate::{Api, Error, ListParams};

/// `Accept` for a Table (kubectl's first choice).
const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";

/// Rows and columns as the server prints them: the same columns `kubectl get` shows
/// (priority 0) and `kubectl get -o wide` adds (priority > 0), for every kind, including
/// custom resources with `additionalPrinterColumns`.
///
/// ```no_run
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let table = client.pods("apps").list_table(&Default::default()).await?;
/// let wide = false;
/// let columns: Vec<usize> = table.visible_columns(wide).collect();
/// for row in &table.rows {
///     let cells: Vec<String> = columns.iter().map(|&c| row.cell_text(c)).collect();
///     println!("{}", cells.join("\t"));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Table {
    /// `meta.k8s.io/v1`.
    #[serde(default)]
    pub api_version: String,
    /// `Table`.
    #[serde(default)]
    pub kind: String,
    /// `resourceVersion`, `continue`.
    #[serde(default)]
    pub metadata: ListMeta,
    /// The columns. Empty when the server left them out: a watch of Tables sends them with
    /// its first event only (`columnDefinitions: null` afterwards), and `noHeaders` omits them.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub column_definitions: Vec<TableColumn>,
    /// The rows, one per object.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rows: Vec<TableRow>,
}

/// Go writes a nil slice as `null`: read it as an empty one.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// One column of a [`Table`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TableColumn {
    /// Header (`Name`, `Ready`, `Status`).
    pub name: String,
    /// `string`, `integer`, `number`, `boolean`, `date`.
    #[serde(rename = "type", default)]
    pub type_: String,
    /// `name` for the object name column, or a format hint.
    #[serde(default)]
    pub format: String,
    /// What the column shows.
    #[serde(default)]
    pub description: String,
    /// 0: always shown; higher: only in wide output.
    #[serde(default)]
    pub priority: i32,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TableRow {
    /// One value per column.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub cells: Vec<serde_json::Value>,
    /// The object's metadata (`PartialObjectMetadata`), when asked for.
    #[serde(default)]
    pub object: Option<serde_json::Value>,
}

impl Table {
    /// Indices of the columns `kubectl get` shows (all of them when `wide`).
    pub fn visible_columns(&self, wide: bool) -> impl Iterator<Item = usize> + '_ {
        self.column_definitions
            .iter()
            .enumerate()
            .filter(move |(_, c)| wide || c.priority == 0)
            .map(|(i, _)| i)
    }
}

impl TableRow {
    /// Cell `column` as kubectl prints it: strings as-is, `<none>` for null or missing.
    pub fn cell_text(&self, column: usize) -> String {
        match self.cells.get(column) {
            None | Some(serde_json::Value::Null) => String::from("<none>"),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

impl<K> Api<K>
where
    K: DeserializeOwned + Send + 'static,
{
    /// Lists as a server-printed [`Table`] (rows carry each object's metadata).
    pub async fn list_table(&self, lp: &ListParams) -> Result<Table, Error> {
        let mut query = Query::new(self.base.collection.clone());
        lp.write(&mut query);
        query.push("includeObject", "Metadata");
        self.client
            .request_json(build(Method::GET, query.finish(), ACCEPT_TABLE, None)?)
            .await
    }

    /// Reads object `name` as a one-row server-printed [`Table`].
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let table = client.nodes().get_table("node-1").await?;
    /// println!("{:?}", table.rows[0].cells);
    /// # Ok(()) }
    /// ```
    pub async fn get_table(&self, name: &str) -> Result<Table, Error> {
        let mut query = Query::new(self.item_path(name, None)?);
        query.push("includeObject", "Metadata");
        self.client
            .request_json(build(Method::GET, query.finish(), ACCEPT_TABLE, None)?)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_event_table_without_column_definitions_decodes() {
        // What kube-apiserver sends for every event of a Table watch after the first.
        let table: Table = serde_json::from_value(serde_json::json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": "7"},
            "columnDefinitions": null,
            "rows": [{"cells": ["settings", 1, "5s"], "object": null}],
        }))
        .unwrap();
        assert!(table.column_definitions.is_empty());
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].cell_text(0), "settings");

        let empty: Table = serde_json::from_str(r#"{"rows": null}"#).unwrap();
        assert!(empty.rows.is_empty());
    }
}
