//! The columns of ControllerRevisions (`printControllerRevision`).

use serde_json::Value;

use crate::registry::print::{int, items, text};
use crate::registry::table::{self, Column, col};

/// The controller as `kind.group/name` in lower case (`formatResourceName`), `<none>`
/// without a controller reference.
fn controller(v: &Value) -> Value {
    let Some(owner) = items(v, "/metadata/ownerReferences")
        .iter()
        .find(|o| o.get("controller") == Some(&Value::Bool(true)))
    else {
        return "<none>".into();
    };
    let api_version = text(owner, "/apiVersion");
    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    let kind = text(owner, "/kind");
    let name = text(owner, "/name");
    let group_kind = match (group, kind) {
        ("", "") => return name.into(),
        ("", kind) => kind.to_owned(),
        (group, kind) => format!("{kind}.{group}"),
    };
    format!("{}/{name}", group_kind.to_lowercase()).into()
}

/// Controller, revision.
pub(super) fn controller_revisions() -> Vec<Column> {
    table::columns(
        vec![
            col("Controller", "Controller of the object", 0, controller),
            col(
                "Revision",
                "revision indicates the revision of the state represented by Data.",
                0,
                |v| int(v, "/revision").into(),
            ),
        ],
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn controller_is_kind_dot_group_slash_name() {
        let owned = json!({"metadata": {"ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "controller": true}]}});
        assert_eq!(controller(&owned), json!("statefulset.apps/web"));
        assert_eq!(controller(&json!({"metadata": {}})), json!("<none>"));
    }
}
