//! `warningsForPodSpecAndMeta` (`pkg/api/pod/warnings.go`), one test per group of checks.

use serde_json::{Value, json};

use super::*;

fn pod_with(spec: Value) -> Value {
    json!({"metadata": {"name": "p"}, "spec": spec})
}

/// A defaulted pod with the ServiceAccount admission's projected volume draws nothing.
#[test]
fn an_admitted_pod_is_clean() {
    let p = pod_with(json!({
        "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "protocol": "TCP"}],
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}],
        "volumes": [{"name": "kube-api-access-x", "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}],
        "terminationGracePeriodSeconds": 30}));
    assert!(pod(&p).is_empty(), "{:?}", pod(&p));
}

/// Deprecated node labels in the selector, affinity and spread constraints; a pod's paths
/// start at `spec`, a template's at its own path.
#[test]
fn deprecated_node_labels() {
    let spec = json!({
        "nodeSelector": {"beta.kubernetes.io/arch": "amd64"},
        "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "failure-domain.beta.kubernetes.io/zone", "operator": "Exists"}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference":
                {"matchExpressions": [{"key": "beta.kubernetes.io/instance-type", "operator": "Exists"}]}}]}},
        "topologySpreadConstraints": [{"topologyKey": "failure-domain.beta.kubernetes.io/region",
            "maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule"}]});
    assert_eq!(
        pod(&pod_with(spec.clone())),
        [
            "spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use \"kubernetes.io/arch\" instead",
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key: beta.kubernetes.io/instance-type is deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead",
            "spec.topologySpreadConstraints[0].topologyKey: failure-domain.beta.kubernetes.io/region is deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
            "spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod",
        ]
    );
    let templated = template(
        "spec.template",
        Some(&json!({"spec": {"nodeSelector": {"beta.kubernetes.io/os": "l"}}})),
    );
    assert_eq!(
        templated,
        [
            "spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead"
        ]
    );
}

/// Deprecated annotations, volume plugins, seccomp and (for templates only) AppArmor.
#[test]
fn deprecated_annotations_and_plugins() {
    let annotations = json!({
        "scheduler.alpha.kubernetes.io/critical-pod": "",
        "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
        "container.seccomp.security.alpha.kubernetes.io/c": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/c": "runtime/default"});
    let spec = json!({"containers": [{"name": "c", "image": "i"}],
        "volumes": [{"name": "g", "gitRepo": {"repository": "r"}}, {"name": "s", "storageos": {}}]});
    let p = json!({"metadata": {"name": "p", "annotations": annotations}, "spec": spec});
    assert_eq!(
        pod(&p),
        [
            "metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the \"priorityClassName\" field instead",
            "spec.volumes[0].gitRepo: deprecated in v1.11",
            "spec.volumes[1].storageOS: deprecated in v1.22, non-functional in v1.25+",
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the \"seccompProfile\" field instead",
            "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: non-functional in v1.27+; use the \"seccompProfile\" field instead",
        ]
    );
    let t = json!({"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/c": "x"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]}});
    assert_eq!(
        template("spec.template", Some(&t)),
        [
            "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]: deprecated since v1.30; use the \"appArmorProfile\" field instead"
        ]
    );
}

/// Duplicate host aliases and pull secrets, empty pull secret names, fractional bytes,
/// env names hiding earlier ones, a negative grace period.
#[test]
fn duplicates_and_fractions() {
    let spec = json!({
        "hostAliases": [{"ip": "1.2.3.4"}, {"ip": "1.2.3.4"}],
        "imagePullSecrets": [{"name": "s"}, {"name": "s"}, {}],
        "overhead": {"memory": "500m"},
        "containers": [{"name": "c", "image": "i",
            "resources": {"limits": {"memory": "1500m"}, "requests": {"ephemeral-storage": "2"}},
            "env": [{"name": "X", "value": "a"}, {"name": "X", "value": "$(X)b"}, {"name": "X", "value": "c"}]}],
        "terminationGracePeriodSeconds": -5});
    assert_eq!(
        pod(&pod_with(spec)),
        [
            "spec.hostAliases[1].ip: duplicate ip \"1.2.3.4\"",
            "spec.imagePullSecrets[1].name: duplicate name \"s\"",
            "spec.imagePullSecrets[2].name: invalid empty name \"\"",
            "spec.overhead[memory]: fractional byte value \"500m\" is invalid, must be an integer",
            "spec.containers[0].resources.limits[memory]: fractional byte value \"1500m\" is invalid, must be an integer",
            "spec.containers[0].env[2]: hides previous definition of \"X\", which may be dropped when using apply",
            "spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1",
        ]
    );
}

/// Ports across containers: host IPs without host ports, duplicates, overlaps.
#[test]
fn ports() {
    let spec = json!({"initContainers": [{"name": "i", "image": "i",
            "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
        "containers": [{"name": "c", "image": "i", "ports": [
            {"name": "web", "containerPort": 80, "protocol": "TCP"},
            {"containerPort": 80, "protocol": "TCP", "hostPort": 8080},
            {"containerPort": 53, "protocol": "UDP", "hostIP": "10.0.0.1"}]}]});
    assert_eq!(
        pod(&pod_with(spec)),
        [
            "spec.containers[0].ports[0]: duplicate port definition with spec.initContainers[0].ports[0]",
            "spec.containers[0].ports[1]: overlapping port definition with spec.initContainers[0].ports[0]",
            "spec.containers[0].ports[1]: overlapping port definition with spec.containers[0].ports[0]",
            "spec.containers[0].ports[2]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:53 Protocol:UDP HostIP:10.0.0.1}",
        ]
    );
}

/// Null label selectors of pod affinity terms.
#[test]
fn null_affinity_selectors() {
    let spec = json!({"affinity": {"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "k"}],
        "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": {"topologyKey": "k"}}]}}});
    assert_eq!(
        pod(&pod_with(spec)),
        [
            "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector: a null labelSelector results in matching no pod",
            "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod",
        ]
    );
}

/// `warningsForOverlappingVirtualPaths`: nested and repeated paths, empty projections, and a
/// source without items re-checking the previous source's paths, as Go's loop does.
#[test]
fn overlapping_paths() {
    let spec = json!({"volumes": [
        {"name": "cm", "configMap": {"name": "c", "items": [{"key": "a", "path": "a"}, {"key": "b", "path": "a/b"}]}},
        {"name": "pr", "projected": {"sources": [
            {},
            {"serviceAccountToken": {"path": "token"}},
            {"configMap": {"name": "x"}}]}}]});
    assert_eq!(
        pod(&pod_with(spec)),
        [
            "volume \"cm\" (ConfigMap \"c\"): overlapping paths: \"a/b\" with \"a\"",
            "volume \"pr\" (Projected) has no sources provided",
            "volume \"pr\" (Projected ServiceAccountToken): overlapping paths: \"token\" with \"token\"",
        ]
    );
}

/// The pod status strategy's IP warnings.
#[test]
fn status_ips() {
    let p = json!({"status": {"podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00:0::1"}]}});
    assert_eq!(
        status(&p),
        [
            "status.podIPs[1].ip: IPv6 address \"fd00:0::1\" should be in RFC 5952 canonical format (\"fd00::1\")"
        ]
    );
}
