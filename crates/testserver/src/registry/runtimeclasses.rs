//! node.k8s.io/v1 RuntimeClasses: `ObjectMeta` validation and the table columns
//! (`printRuntimeClass`).

use crate::registry::print::text;
use crate::registry::printed::Printed;
use crate::registry::table::{self, Column, col};

fn runtime_classes() -> Vec<Column> {
    // Go describes the column with `ObjectMeta{}.SwaggerDoc()["handler"]`, which is empty.
    table::columns(
        vec![col("Handler", "", 0, |v| text(v, "/handler").into())],
        Vec::new(),
    )
}

/// RuntimeClasses.
pub(crate) const RUNTIME_CLASSES: Printed = Printed::validated(runtime_classes);

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn handler() {
        let rc = json!({"metadata": {"name": "gvisor"}, "handler": "runsc"});
        let cells: Vec<Value> = runtime_classes().iter().map(|c| c.cell(&rc)).collect();
        assert_eq!(cells[..2].to_vec(), vec![json!("gvisor"), json!("runsc")]);
    }
}
