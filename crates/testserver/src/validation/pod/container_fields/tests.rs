use serde_json::json;

use super::*;

use crate::validation::texts;

const AT: &str = "spec.containers[0]";

/// validateContainerCommon's terminationMessagePolicy switch (unset is left to the defaults).
#[test]
fn termination_message_policy_values() {
    for ok in ["File", "FallbackToLogsOnError"] {
        assert!(
            termination_message_policy(&json!({"terminationMessagePolicy": ok}), AT).is_empty()
        );
    }
    assert!(termination_message_policy(&json!({}), AT).is_empty());
    assert_eq!(
        texts(termination_message_policy(
            &json!({"terminationMessagePolicy": "Logs"}),
            AT
        )),
        [
            "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Logs\": supported values: \"File\", \"FallbackToLogsOnError\""
        ]
    );
}

/// validateContainerPorts: names are IANA service names and unique; hostPort in range.
#[test]
fn port_names_and_host_ports() {
    let c = json!({"ports": [
        {"name": "http", "containerPort": 80, "hostPort": 8080},
        {"name": "http", "containerPort": 81},
        {"name": "Bad_Name", "containerPort": 82, "hostPort": 70000},
    ]});
    assert_eq!(
        texts(ports(&c, AT)),
        [
            "spec.containers[0].ports[1].name: Duplicate value: \"http\"".to_owned(),
            format!("spec.containers[0].ports[2].name: Invalid value: \"Bad_Name\": {}", net::port_name("Bad_Name")[0]),
            "spec.containers[0].ports[2].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive".to_owned(),
        ]
    );
}

/// ValidateVolumeMounts: unique paths, subPath rules (reported on the list path as Go does),
/// mountPropagation and recursiveReadOnly.
#[test]
fn volume_mount_rules() {
    let c = json!({"volumeMounts": [
        {"name": "a", "mountPath": "/data", "subPath": "x/y"},
        {"name": "b", "mountPath": "/data", "subPath": "/abs/../x", "subPathExpr": "$(POD)"},
        {"name": "c", "mountPath": "/c", "mountPropagation": "Bidirectional"},
        {"name": "d", "mountPath": "/d", "mountPropagation": "Sideways"},
        {"name": "e", "mountPath": "/e", "recursiveReadOnly": "Enabled", "mountPropagation": "HostToContainer"},
        {"name": "f", "mountPath": "/f", "readOnly": true, "recursiveReadOnly": "Always"},
        {"name": "g", "mountPath": "/g", "readOnly": true, "recursiveReadOnly": "IfPossible"},
    ]});
    let l = "spec.containers[0].volumeMounts";
    let volumes: Volumes = ["a", "b", "c", "d", "e", "f", "g"]
        .into_iter()
        .map(|n| (n.to_owned(), "emptyDir"))
        .collect();
    assert_eq!(
        texts(volume_mounts(&c, AT, &volumes)),
        [
            format!("{l}[1].mountPath: Invalid value: \"/data\": must be unique"),
            format!("{l}.subPath: Invalid value: \"/abs/../x\": must be a relative path"),
            format!("{l}.subPath: Invalid value: \"/abs/../x\": must not contain '..'"),
            format!(
                "{l}[1].subPathExpr: Invalid value: \"$(POD)\": subPathExpr and subPath are mutually exclusive"
            ),
            format!(
                "{l}.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers"
            ),
            format!(
                "{l}.mountPropagation: Unsupported value: \"Sideways\": supported values: \"Bidirectional\", \"HostToContainer\", \"None\""
            ),
            format!(
                "{l}.recursiveReadOnly: Forbidden: may only be specified when readOnly is true"
            ),
            format!(
                "{l}.recursiveReadOnly: Forbidden: may only be specified when mountPropagation is None or not specified"
            ),
            format!(
                "{l}.recursiveReadOnly: Unsupported value: \"Always\": supported values: \"Disabled\", \"Enabled\", \"IfPossible\""
            ),
        ]
    );
    let privileged = json!({"securityContext": {"privileged": true},
        "volumeMounts": [{"name": "c", "mountPath": "/c", "mountPropagation": "Bidirectional"}]});
    assert!(volume_mounts(&privileged, AT, &volumes).is_empty());
}

/// ValidateVolumeMounts: the name must be a valid volume (an empty one is also not found),
/// the path is required, and an image volume takes no sub-path.
#[test]
fn volume_mount_names_and_image_volumes() {
    let volumes = Volumes::from([("img".to_owned(), "image")]);
    let c = json!({"volumeMounts": [
        {"name": "", "mountPath": ""},
        {"name": "img", "mountPath": "/i", "subPath": "x", "subPathExpr": "$(Y)"},
    ]});
    let l = "spec.containers[0].volumeMounts";
    assert_eq!(
        texts(volume_mounts(&c, AT, &volumes)),
        [
            format!("{l}[0].name: Required value"),
            format!("{l}[0].name: Not found: \"\""),
            format!("{l}[0].mountPath: Required value"),
            format!("{l}[1].subPath: Invalid value: \"x\": not allowed in image volume sources"),
            format!(
                "{l}[1].subPathExpr: Invalid value: \"$(Y)\": not allowed in image volume sources"
            ),
            format!(
                "{l}[1].subPathExpr: Invalid value: \"$(Y)\": subPathExpr and subPath are mutually exclusive"
            ),
        ]
    );
}

/// ValidateVolumeDevices: names and paths required, unique, known, no backsteps, no overlap with
/// volumeMounts (and ValidateVolumeMounts' side of the overlap).
#[test]
fn volume_device_rules() {
    let volumes = Volumes::from([
        ("blk".to_owned(), "persistentVolumeClaim"),
        ("data".to_owned(), "emptyDir"),
    ]);
    let c = json!({
    "volumeMounts": [{"name": "data", "mountPath": "/dev/x"}],
    "volumeDevices": [
        {"name": "blk", "devicePath": "/dev/blk"},
        {"name": "blk", "devicePath": "/dev/blk"},
        {"name": "gone", "devicePath": "/dev/../y"},
        {"name": "data", "devicePath": "/dev/x"},
        {"name": "", "devicePath": ""},
    ]});
    let l = "spec.containers[0].volumeDevices";
    assert_eq!(
        texts(volume_devices(&c, AT, &volumes)),
        [
            format!("{l}[1].name: Invalid value: \"blk\": must be unique"),
            format!("{l}[1].devicePath: Invalid value: \"/dev/blk\": must be unique"),
            format!("{l}[2].name: Not found: \"gone\""),
            format!(
                "{l}[2].devicePath: Invalid value: \"/dev/../y\": can not contain backsteps ('..')"
            ),
            format!(
                "{l}[3].name: Invalid value: \"data\": can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"
            ),
            format!("{l}[3].name: Invalid value: \"data\": must not already exist in volumeMounts"),
            format!(
                "{l}[3].devicePath: Invalid value: \"/dev/x\": must not already exist as a path in volumeMounts"
            ),
            format!("{l}[4].name: Required value"),
            format!("{l}[4].name: Not found: \"\""),
            format!("{l}[4].devicePath: Required value"),
        ]
    );
    assert_eq!(
        texts(volume_mounts(&c, AT, &volumes)),
        [
            "spec.containers[0].volumeMounts[0].name: Invalid value: \"data\": must not already exist in volumeDevices",
            "spec.containers[0].volumeMounts[0].mountPath: Invalid value: \"/dev/x\": must not already exist as a path in volumeDevices",
        ]
    );
}
