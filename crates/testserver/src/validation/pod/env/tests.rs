use serde_json::json;

use super::*;

use crate::validation::texts;

const AT: &str = "spec.containers[0]";

/// ValidateEnv: names are relaxed (printable ASCII but '='), valid sources pass.
#[test]
fn env_names_and_valid_sources() {
    let c = json!({"env": [
        {"name": "1-weird.NAME ok", "value": "x"},
        {"name": ""},
        {"name": "A=B"},
        {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "L", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels['app']"}}},
        {"name": "C", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
        {"name": "H", "valueFrom": {"resourceFieldRef": {"resource": "requests.hugepages-2Mi"}}},
        {"name": "K", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "a.b"}}},
        {"name": "S", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "k"}}},
    ]});
    assert_eq!(
        texts(env(&c, AT)),
        [
            "spec.containers[0].env[1].name: Required value",
            "spec.containers[0].env[2].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
        ]
    );
}

/// validateEnvVarValueFrom: one source, not beside `value`; the selectors' own rules.
#[test]
fn value_from_rules() {
    let c = json!({"env": [
        {"name": "A", "valueFrom": {}},
        {"name": "B", "value": "v", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "C", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}, "configMapKeyRef": {"name": "c", "key": "k"}}},
        {"name": "D", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.phase"}}},
        {"name": "E", "valueFrom": {"fieldRef": {"apiVersion": "v2", "fieldPath": "metadata.name"}}},
        {"name": "F", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName['x']"}}},
        {"name": "G", "valueFrom": {"resourceFieldRef": {"resource": "limits.gpu"}}},
        {"name": "H", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "2"}}},
        {"name": "I", "valueFrom": {"configMapKeyRef": {"name": "Bad_Name", "key": ""}}},
    ]});
    let at = "spec.containers[0].env";
    assert_eq!(
        texts(env(&c, AT)),
        [
            format!(
                "{at}[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
            ),
            format!(
                "{at}[1].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"
            ),
            format!(
                "{at}[2].valueFrom: Invalid value: \"\": may not have more than one field specified at a time"
            ),
            format!(
                "{at}[3].valueFrom.fieldRef.fieldPath: Unsupported value: \"status.phase\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""
            ),
            format!(
                "{at}[4].valueFrom.fieldRef.fieldPath: Invalid value: \"metadata.name\": error converting fieldPath: unsupported pod version: v2"
            ),
            format!(
                "{at}[5].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.nodeName['x']\": error converting fieldPath: field label does not support subscript: spec.nodeName['x']"
            ),
            format!(
                "{at}[6].valueFrom.resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported values: \"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", \"requests.ephemeral-storage\", \"requests.memory\""
            ),
            format!(
                "{at}[7].valueFrom.resourceFieldRef.divisor: Invalid value: \"limits.cpu\": only divisor's values 1m and 1 are supported with the cpu resource"
            ),
            format!(
                "{at}[8].valueFrom.configMapKeyRef.name: Invalid value: \"Bad_Name\": {}",
                names::dns1123_subdomain("Bad_Name")[0]
            ),
            format!("{at}[8].valueFrom.configMapKeyRef.key: Required value"),
        ]
    );
}

/// ValidateEnvFrom: prefix, exactly one source (errors on the list path), source names.
#[test]
fn env_from_rules() {
    let c = json!({"envFrom": [
        {"prefix": "P_", "configMapRef": {"name": "cm"}},
        {"prefix": "a=b"},
        {"configMapRef": {"name": "c"}, "secretRef": {"name": ""}},
        {"secretRef": {"name": "gen-"}},
    ]});
    assert_eq!(
        texts(env_from(&c, AT)),
        [
            "spec.containers[0].envFrom[1].prefix: Invalid value: \"a=b\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            "spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`",
            "spec.containers[0].envFrom[2].secretRef.name: Required value",
            "spec.containers[0].envFrom: Invalid value: \"\": may not have more than one field specified at a time",
        ]
    );
}
