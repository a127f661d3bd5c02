//! node.k8s.io/v1 RuntimeClasses (`pkg/registry/node/runtimeclass/strategy.go`):
//! `ValidateRuntimeClass`, and on update the same checks with the immutable handler
//! (`validation::runtime_classes`); the table columns (`printRuntimeClass`).

use crate::registry::print::text;
use crate::registry::printed::Printed;
use crate::registry::spec_validated::{Generation, SpecValidated, no_defaults, nothing_created};
use crate::registry::table::{self, Column, col};
use crate::validation::runtime_classes as checks;

fn runtime_classes() -> Vec<Column> {
    // Go describes the column with `ObjectMeta{}.SwaggerDoc()["handler"]`, which is empty.
    table::columns(
        vec![col("Handler", "", 0, |v| text(v, "/handler").into())],
        Vec::new(),
    )
}

/// RuntimeClasses.
pub(crate) const RUNTIME_CLASSES: SpecValidated<Printed> = SpecValidated {
    base: Printed::columns(runtime_classes),
    defaults: no_defaults,
    created: nothing_created,
    validate: checks::runtime_class_create,
    validate_update: checks::runtime_class_update,
    validate_status: None,
    generation: Generation::Base,
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
