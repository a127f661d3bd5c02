//! Pod and pod-template defaults (`SetDefaults_Pod`, `SetDefaults_PodSpec`, `SetDefaults_Container`
//! and the defaults of the types a pod spec holds: probes, ports, volumes, field selectors).

use serde_json::{Map, Value, json};

use crate::shared::api::VOLUME_SOURCES;
use crate::shared::json::{array_mut, default_field, default_str, object_at};

/// Defaults a whole Pod object (spec defaults plus the Pod-only ones).
pub(crate) fn pod(obj: &mut Value) {
    let Some(spec) = object_at(obj, &["spec"]) else {
        return;
    };
    pod_spec(spec);
    // Pod-only: requests default to limits; enableServiceLinks (not for templates).
    for key in ["containers", "initContainers"] {
        for container in array_mut(spec, key) {
            requests_from_limits(container);
        }
    }
    default_field(spec, "enableServiceLinks", Value::Bool(true));
    // `status` is a struct in Go: it is always serialised, `{}` at least.
    if let Some(status) = object_at(obj, &["status"]) {
        // The v1 <-> internal conversion keeps the singular and plural IP fields in step.
        first_of_list(status, "podIP", "podIPs");
        first_of_list(status, "hostIP", "hostIPs");
    }
}

/// `single` mirrors the `ip` of the first entry of `list`, or seeds the list when only
/// `single` is given.
fn first_of_list(status: &mut Map<String, Value>, single: &str, list: &str) {
    let first = status
        .get(list)
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(|e| e.get("ip"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    match first {
        Some(ip) => {
            status.insert(single.into(), Value::String(ip));
        }
        None => {
            if let Some(ip) = status
                .get(single)
                .and_then(Value::as_str)
                .filter(|ip| !ip.is_empty())
            {
                let ip = ip.to_owned();
                status.insert(list.into(), json!([{"ip": ip}]));
            }
        }
    }
}

/// Defaults a pod spec as found in a Pod or in a workload's pod template.
pub(crate) fn pod_spec(spec: &mut Map<String, Value>) {
    default_str(spec, "dnsPolicy", "ClusterFirst");
    default_str(spec, "restartPolicy", "Always");
    default_field(spec, "securityContext", json!({}));
    default_field(spec, "terminationGracePeriodSeconds", json!(30));
    default_str(spec, "schedulerName", "default-scheduler");
    // The deprecated `serviceAccount` mirrors `serviceAccountName` through conversion.
    sync_service_account(spec);
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        for container in array_mut(spec, key) {
            if let Some(c) = container.as_object_mut() {
                self::container(c, host_network);
            }
        }
    }
    for volume in array_mut(spec, "volumes") {
        if let Some(v) = volume.as_object_mut() {
            self::volume(v);
        }
    }
}

/// Keeps `serviceAccountName` and the deprecated `serviceAccount` in step, as the v1 <-> internal
/// conversion does: the name wins, the deprecated field fills an empty name.
pub(crate) fn sync_service_account(spec: &mut Map<String, Value>) {
    let name = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let deprecated = spec
        .get("serviceAccount")
        .and_then(Value::as_str)
        .unwrap_or("");
    let effective = if name.is_empty() { deprecated } else { name }.to_owned();
    if effective.is_empty() {
        spec.remove("serviceAccount");
        spec.remove("serviceAccountName");
    } else {
        spec.insert(
            "serviceAccountName".into(),
            Value::String(effective.clone()),
        );
        spec.insert("serviceAccount".into(), Value::String(effective));
    }
}

/// `SetDefaults_Container` and friends.
fn container(c: &mut Map<String, Value>, host_network: bool) {
    if !matches!(c.get("imagePullPolicy"), Some(Value::String(s)) if !s.is_empty()) {
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        let policy = if image_tag(image).as_deref() == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        };
        c.insert("imagePullPolicy".into(), Value::String(policy.into()));
    }
    default_str(c, "terminationMessagePath", "/dev/termination-log");
    default_str(c, "terminationMessagePolicy", "File");
    default_field(c, "resources", json!({}));
    for port in array_mut(c, "ports") {
        if let Some(p) = port.as_object_mut() {
            default_str(p, "protocol", "TCP");
            if host_network
                && p.get("hostPort").is_none_or(|v| v.as_i64() == Some(0))
                && let Some(cp) = p.get("containerPort").cloned()
            {
                p.insert("hostPort".into(), cp);
            }
        }
    }
    for env in array_mut(c, "env") {
        if let Some(field_ref) = env
            .pointer_mut("/valueFrom/fieldRef")
            .and_then(Value::as_object_mut)
        {
            default_str(field_ref, "apiVersion", "v1");
        }
    }
    for key in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = c.get_mut(key).and_then(Value::as_object_mut) {
            self::probe(probe);
        }
    }
    for key in ["postStart", "preStop"] {
        if let Some(get) = c
            .get_mut("lifecycle")
            .and_then(|l| l.get_mut(key))
            .and_then(|h| h.get_mut("httpGet"))
            .and_then(Value::as_object_mut)
        {
            http_get(get);
        }
    }
}

/// `SetDefaults_Probe` and `SetDefaults_HTTPGetAction`.
fn probe(p: &mut Map<String, Value>) {
    for (key, default) in [
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ] {
        if p.get(key)
            .is_none_or(|v| v.is_null() || v.as_i64() == Some(0))
        {
            p.insert(key.into(), json!(default));
        }
    }
    if let Some(get) = p.get_mut("httpGet").and_then(Value::as_object_mut) {
        http_get(get);
    }
}

fn http_get(get: &mut Map<String, Value>) {
    default_str(get, "path", "/");
    default_str(get, "scheme", "HTTP");
}

/// The volume-source defaults (`SetDefaults_Volume` and the per-source ones).
fn volume(v: &mut Map<String, Value>) {
    if !VOLUME_SOURCES
        .iter()
        .any(|s| v.get(*s).is_some_and(|x| !x.is_null()))
    {
        v.insert("emptyDir".into(), json!({}));
    }
    for key in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(src) = v.get_mut(key).and_then(Value::as_object_mut) {
            default_field(src, "defaultMode", json!(420));
        }
    }
    if let Some(src) = v.get_mut("hostPath").and_then(Value::as_object_mut) {
        default_field(src, "type", json!(""));
    }
    if let Some(src) = v.get_mut("iscsi").and_then(Value::as_object_mut) {
        default_str(src, "iscsiInterface", "default");
    }
    if let Some(src) = v.get_mut("rbd").and_then(Value::as_object_mut) {
        default_str(src, "pool", "rbd");
        default_str(src, "user", "admin");
        default_str(src, "keyring", "/etc/ceph/keyring");
    }
    if let Some(src) = v.get_mut("azureDisk").and_then(Value::as_object_mut) {
        default_str(src, "cachingMode", "ReadWrite");
        default_str(src, "kind", "Shared");
        default_str(src, "fsType", "ext4");
        default_field(src, "readOnly", json!(false));
    }
    if let Some(src) = v.get_mut("scaleIO").and_then(Value::as_object_mut) {
        default_str(src, "storageMode", "ThinProvisioned");
        default_str(src, "fsType", "xfs");
    }
    if let Some(items) = v
        .get_mut("downwardAPI")
        .and_then(|d| d.get_mut("items"))
        .and_then(Value::as_array_mut)
    {
        items.iter_mut().for_each(field_ref_api_version);
    }
    if let Some(sources) = v
        .get_mut("projected")
        .and_then(|p| p.get_mut("sources"))
        .and_then(Value::as_array_mut)
    {
        for source in sources {
            if let Some(items) = source
                .pointer_mut("/downwardAPI/items")
                .and_then(Value::as_array_mut)
            {
                items.iter_mut().for_each(field_ref_api_version);
            }
        }
    }
    if let Some(spec) = v
        .get_mut("ephemeral")
        .and_then(|e| e.pointer_mut("/volumeClaimTemplate/spec"))
        .and_then(Value::as_object_mut)
    {
        default_str(spec, "volumeMode", "Filesystem");
    }
}

fn field_ref_api_version(item: &mut Value) {
    if let Some(field_ref) = item.get_mut("fieldRef").and_then(Value::as_object_mut) {
        default_str(field_ref, "apiVersion", "v1");
    }
}

/// Pod only: every limit without a request becomes the request too.
fn requests_from_limits(container: &mut Value) {
    let Some(resources) = container
        .get_mut("resources")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let Some(limits) = resources.get("limits").and_then(Value::as_object).cloned() else {
        return;
    };
    let requests = resources.entry("requests").or_insert_with(|| json!({}));
    if requests.is_null() {
        *requests = json!({});
    }
    if let Some(requests) = requests.as_object_mut() {
        for (k, v) in limits {
            requests.entry(k).or_insert(v);
        }
    }
}

/// The tag of an image reference the way `parsers.ParseImageName` reports it: `latest` when
/// neither a tag nor a digest is given, `None` when only a digest is given or the name is empty.
pub(crate) fn image_tag(image: &str) -> Option<String> {
    if image.is_empty() {
        return None;
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.split_once(':') {
        Some((_, tag)) => Some(tag.to_owned()),
        None if digest.is_some() => None,
        None => Some("latest".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_tag(image: &str, expected: Option<&str>) {
        assert_eq!(image_tag(image).as_deref(), expected, "{image}");
    }

    #[test]
    fn image_tags() {
        check_tag("busybox", Some("latest"));
        check_tag("busybox:1.36", Some("1.36"));
        check_tag("registry.k8s.io/pause:3.10", Some("3.10"));
        check_tag("localhost:5000/app", Some("latest"));
        check_tag("localhost:5000/app:v1", Some("v1"));
        check_tag("app@sha256:abc", None);
        check_tag("app:v2@sha256:abc", Some("v2"));
        check_tag("", None);
    }

    #[test]
    fn pod_ips_follow_conversion() {
        let mut p = json!({"spec": {}, "status": {"podIP": "10.0.0.1"}});
        pod(&mut p);
        assert_eq!(
            p["status"],
            json!({"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}]})
        );
        let mut p =
            json!({"spec": {}, "status": {"podIP": "old", "hostIPs": [{"ip": "192.168.0.1"}]}});
        pod(&mut p);
        assert_eq!(p["status"]["hostIP"], "192.168.0.1");
    }

    #[test]
    fn volume_without_source_gets_empty_dir() {
        let mut v = json!({"name": "x"});
        volume(v.as_object_mut().unwrap());
        assert_eq!(v, json!({"name": "x", "emptyDir": {}}));
    }

    #[test]
    fn probe_defaults() {
        let mut c =
            json!({"name": "c", "image": "x:1", "livenessProbe": {"httpGet": {"port": 80}}});
        container(c.as_object_mut().unwrap(), false);
        assert_eq!(
            c["livenessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                   "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
    }
}
