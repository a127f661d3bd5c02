//! node.k8s.io/v1 RuntimeClasses (`pkg/registry/node/runtimeclass/strategy.go`):
//! `ValidateRuntimeClass`, and on update the same checks with the immutable handler
//! (`validation::runtime_classes`); the table columns (`printRuntimeClass`).

use crate::registry::print::text;
use crate::registry::printed::Printed;
use crate::registry::table::{self, Column, col};
use crate::registry::whole_checked::{WholeChecked, no_defaults};
use crate::validation::runtime_classes as checks;

fn runtime_classes() -> Vec<Column> {
    // Go describes the column with `ObjectMeta{}.SwaggerDoc()["handler"]`, which is empty.
    table::columns(
        vec![col("Handler", "", 0, |v| text(v, "/handler").into())],
        Vec::new(),
    )
}

/// RuntimeClasses.
pub(crate) const RUNTIME_CLASSES: WholeChecked<Printed> = WholeChecked {
    base: Printed::columns(runtime_classes),
    defaults: no_defaults,
    create: checks::runtime_class_create,
    update: checks::runtime_class_update,
    status: None,
    spec_generation: false,
};

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
