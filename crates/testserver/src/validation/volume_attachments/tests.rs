use serde_json::json;

use super::*;

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(texts, expected);
}

fn attachment(spec: Value) -> Value {
    json!({"metadata": {"name": "va"}, "spec": spec})
}

/// `ValidateVolumeAttachment` and `ValidateVolumeAttachmentV1` (the strategy's `Validate`).
#[test]
fn create() {
    let ok = attachment(json!({"attacher": "csi.example.com",
        "source": {"persistentVolumeName": "pv1"}, "nodeName": "node-1"}));
    check(volume_attachment_create(&ok), &[]);
    check(
        volume_attachment_create(&attachment(json!({"source": {}}))),
        &[
            "spec.attacher: Required value",
            "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
            "spec.nodeName: Invalid value: \"\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.attacher: Required value",
            "spec.attacher: Invalid value: \"\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ],
    );
    check(
        volume_attachment_create(&attachment(json!({"attacher": "a_b", "nodeName": "n",
            "source": {"persistentVolumeName": "PV", "inlineVolumeSpec": {}}}))),
        &[
            "spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
            "spec.attacher: Invalid value: \"a_b\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.source.persistentVolumeName: Invalid value: \"PV\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ],
    );
    check(
        volume_attachment(&attachment(json!({"attacher": "a", "nodeName": "n",
            "source": {"persistentVolumeName": ""}}))),
        &[
            "spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName",
        ],
    );
}

/// `validateVolumeAttachmentStatus`: metadata size, error messages, error codes.
#[test]
fn status() {
    let mut va = attachment(json!({"attacher": "a", "nodeName": "n",
        "source": {"persistentVolumeName": "pv"}}));
    va["status"] = json!({"attached": true,
        "attachmentMetadata": {"k": "v".repeat(256 * 1024)},
        "attachError": {"message": "m".repeat(1025)},
        "detachError": {"message": "gone", "errorCode": -2}});
    check(
        volume_attachment(&va),
        &[
            "status.attachmentMetadata: Too long: may not be more than 262144 bytes",
            "status.attachError.message: Too long: may not be more than 262144 bytes",
            "status.detachError.errorCode: Invalid value: -2: must be between 0 and 2147483647, inclusive",
        ],
    );
}

/// `ValidateVolumeAttachmentUpdate`: the new object twice, and a spec that may not change.
#[test]
fn update() {
    let old = attachment(json!({"attacher": "a", "nodeName": "n",
        "source": {"persistentVolumeName": "pv"}}));
    check(volume_attachment_update(&old, &old), &[]);
    let new = attachment(json!({"attacher": "a", "nodeName": "m",
        "source": {"persistentVolumeName": "pv"}}));
    check(
        volume_attachment_update(&new, &old),
        &[
            "spec: Invalid value: {\"Attacher\":\"a\",\"Source\":{\"PersistentVolumeName\":\"pv\",\"InlineVolumeSpec\":null},\"NodeName\":\"m\"}: field is immutable",
        ],
    );
    let mut bad_status = old.clone();
    bad_status["status"] = json!({"attachError": {"errorCode": -1}});
    check(
        volume_attachment_update(&bad_status, &old),
        &[
            "status.attachError.errorCode: Invalid value: -1: must be between 0 and 2147483647, inclusive",
            "status.attachError.errorCode: Invalid value: -1: must be between 0 and 2147483647, inclusive",
        ],
    );
}

/// `ValidateVolumeAttributesClass` and its update.
#[test]
fn attributes_classes() {
    let ok = json!({"metadata": {"name": "gold", "resourceVersion": "1"},
        "driverName": "csi.example.com",
        "parameters": {"iops": "100"}});
    check(volume_attributes_class(&ok), &[]);
    check(
        volume_attributes_class(&json!({"metadata": {"name": "gold"}, "driverName": "",
            "parameters": {}})),
        &[
            "driverName: Required value",
            "parameters: Required value: must contain at least one key/value pair",
        ],
    );
    check(
        volume_attributes_class(&json!({"metadata": {"name": "gold"}, "driverName": "A/B/C",
            "parameters": {"": "x"}})),
        &[
            "driverName: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "parameters: Invalid value: \"\": field can not be empty.",
        ],
    );
    let changed = json!({"metadata": {"name": "gold", "resourceVersion": "1"},
        "driverName": "other.example.com",
        "parameters": {"iops": "200"}});
    check(
        volume_attributes_class_update(&changed, &ok),
        &[
            "driverName: Forbidden: updates to driverName are forbidden.",
            "parameters: Forbidden: updates to parameters are forbidden.",
        ],
    );
}
