//! VolumeAttachments and VolumeAttributesClasses (`pkg/registry/storage/volumeattachment`,
//! `volumeattributesclass`): the validation of `validation::volume_attachments` (an
//! attachment's status writes validated as its updates are), their columns
//! (`printVolumeAttachment`, `printVolumeAttributesClass`); DELETE of an attachment returns it.

use crate::registry::print::{self, text};
use crate::registry::printed::Printed;
use crate::registry::status_types::ResetsMetaForStatus;
use crate::registry::table::{self, Column, col};
use crate::registry::whole_checked::{WholeChecked, no_defaults};
use crate::validation::volume_attachments as checks;

fn attachments() -> Vec<Column> {
    let mut attacher = col(
        "Attacher",
        "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().",
        0,
        |v| text(v, "/spec/attacher").into(),
    );
    attacher.format = "name".into();
    table::columns(
        vec![
            attacher,
            col("PV", "persistentVolumeName represents the name of the persistent volume to attach.", 0, |v| {
                text(v, "/spec/source/persistentVolumeName").into()
            }),
            col("Node", "nodeName represents the node that the volume should be attached to.", 0, |v| {
                text(v, "/spec/nodeName").into()
            }),
            col("Attached", "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.", 0, |v| {
                print::boolean(v, "/status/attached").into()
            })
            .typed("boolean"),
        ],
        Vec::new(),
    )
}

/// storage.k8s.io/v1 VolumeAttachments.
pub(crate) const VOLUME_ATTACHMENTS: WholeChecked<ResetsMetaForStatus> = WholeChecked {
    base: ResetsMetaForStatus {
        returns_deleted: true,
        columns: attachments,
        ..ResetsMetaForStatus::new(|| serde_json::json!({"attached": false}))
    },
    defaults: no_defaults,
    create: checks::volume_attachment_create,
    update: checks::volume_attachment_update,
    status: Some(checks::volume_attachment_update),
    spec_generation: false,
};

fn attributes_classes() -> Vec<Column> {
    table::columns(
        vec![col(
            "DriverName",
            "Name of the CSI driver This field is immutable.",
            0,
            |v| text(v, "/driverName").into(),
        )],
        Vec::new(),
    )
}

/// storage.k8s.io/v1 VolumeAttributesClasses.
pub(crate) const VOLUME_ATTRIBUTES_CLASSES: WholeChecked<Printed> = WholeChecked {
    base: Printed::columns(attributes_classes),
    defaults: no_defaults,
    create: checks::volume_attributes_class,
    update: checks::volume_attributes_class_update,
    status: None,
    spec_generation: false,
};

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn attachment_cells() {
        let va = json!({"metadata": {"name": "va"}, "spec": {"attacher": "csi.example",
            "source": {"persistentVolumeName": "pv1"}, "nodeName": "n1"}, "status": {"attached": true}});
        let cells: Vec<Value> = attachments().iter().map(|c| c.cell(&va)).collect();
        assert_eq!(
            cells[..5].to_vec(),
            vec![
                json!("va"),
                json!("csi.example"),
                json!("pv1"),
                json!("n1"),
                json!(true)
            ]
        );
        assert_eq!(attachments()[1].definition()["format"], "name");
    }
}
