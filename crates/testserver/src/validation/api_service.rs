//! apiregistration.k8s.io/v1 APIServices (`k8s.io/kube-aggregator/pkg/apis/apiregistration/
//! validation`: `ValidateAPIService`, `ValidateAPIServiceUpdate`): the name must be
//! `<version>.<group>`, the group a DNS subdomain (empty only for the legacy `v1`), the version
//! a DNS-1035 label, the priorities in range, and local APIServices (no `service`) may carry
//! neither a CA bundle nor `insecureSkipTLSVerify`.

use serde_json::Value;

use super::{FieldError, NameRule, names, net, object_meta, object_meta_update};

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The length of the bytes a base64 text holds.
fn decoded_len(b64: &str) -> usize {
    let trimmed = b64.trim_end_matches('=');
    trimmed.len() * 3 / 4
}

/// `ValidateObjectMeta` with the APIService name rule: a path segment, and exactly
/// `spec.version + "." + spec.group`.
fn meta(obj: &Value) -> Vec<FieldError> {
    let required = format!(
        "{}.{}",
        text(obj, "/spec/version"),
        text(obj, "/spec/group")
    );
    let mut errs = object_meta(obj, false, NameRule::PathSegment);
    // the name function runs where `ObjectMeta` checks each name: generateName first
    let mut at = 0;
    for key in ["generateName", "name"] {
        let name = text(obj, &format!("/metadata/{key}"));
        let field = format!("metadata.{key}");
        let first = errs[at..]
            .iter()
            .position(|e| e.field == field)
            .map_or(at, |i| at + i);
        let mine = errs[first..]
            .iter()
            .take_while(|e| e.field == field)
            .count();
        at = first + mine;
        if name.is_empty() || mine > 0 {
            continue;
        }
        if name != required {
            errs.insert(
                at,
                FieldError::invalid(
                    field,
                    name,
                    format!(
                        "must be `spec.version+\".\"+spec.group`: {}",
                        super::go_quote(&required)
                    ),
                ),
            );
            at += 1;
        }
    }
    errs
}

/// `ValidateAPIService`.
pub(crate) fn api_service(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta(obj);
    let (group, version) = (text(obj, "/spec/group"), text(obj, "/spec/version"));
    if group.is_empty() && version != "v1" {
        errs.push(FieldError::required(
            "spec.group",
            "only v1 may have an empty group and it better be legacy kube",
        ));
    }
    if !group.is_empty() {
        for msg in names::dns1123_subdomain(group) {
            errs.push(FieldError::invalid("spec.group", group, msg));
        }
    }
    for msg in names::dns1035_label(version) {
        errs.push(FieldError::invalid("spec.version", version, msg));
    }
    let int = |key: &str| {
        obj.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    let group_priority = int("groupPriorityMinimum");
    if !(1..=20000).contains(&group_priority) {
        errs.push(FieldError::invalid(
            "spec.groupPriorityMinimum",
            group_priority,
            "must be positive and less than 20000",
        ));
    }
    let version_priority = int("versionPriority");
    if !(1..=1000).contains(&version_priority) {
        errs.push(FieldError::invalid(
            "spec.versionPriority",
            version_priority,
            "must be positive and less than 1000",
        ));
    }
    let ca_bundle = decoded_len(text(obj, "/spec/caBundle"));
    let insecure = obj
        .pointer("/spec/insecureSkipTLSVerify")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(service) = obj.pointer("/spec/service").filter(|s| !s.is_null()) else {
        if ca_bundle != 0 {
            errs.push(FieldError::invalid(
                "spec.caBundle",
                format!("{ca_bundle} bytes"),
                "local APIServices may not have a caBundle",
            ));
        }
        if insecure {
            errs.push(FieldError::invalid(
                "spec.insecureSkipTLSVerify",
                Value::Bool(true),
                "local APIServices may not have insecureSkipTLSVerify",
            ));
        }
        return errs;
    };
    for key in ["namespace", "name"] {
        if text(service, &format!("/{key}")).is_empty() {
            errs.push(FieldError::required(format!("spec.service.{key}"), ""));
        }
    }
    let port = service.get("port").and_then(Value::as_i64).unwrap_or(443);
    let problems = net::port_num(port);
    if !problems.is_empty() {
        errs.push(FieldError::invalid(
            "spec.service.port",
            port,
            format!("port is not valid: {}", problems.join(", ")),
        ));
    }
    if insecure && ca_bundle > 0 {
        errs.push(FieldError::invalid(
            "spec.insecureSkipTLSVerify",
            Value::Bool(true),
            "may not be true if caBundle is present",
        ));
    }
    errs
}

/// `ValidateAPIServiceUpdate`: the metadata update rules, then the object's.
pub(crate) fn api_service_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = object_meta_update(new, old);
    errs.extend(api_service(new));
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(obj: Value, expected: &[&str]) {
        let got: Vec<String> = api_service(&obj).iter().map(ToString::to_string).collect();
        assert_eq!(got, expected);
    }

    /// `ValidateAPIService`: the name rule, group, version and priorities.
    #[test]
    fn names_groups_versions_priorities() {
        check(
            json!({"metadata": {"name": "v1beta1.metrics.k8s.io"}, "spec": {"group": "metrics.k8s.io",
                "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100,
                "service": {"namespace": "kube-system", "name": "metrics-server"}}}),
            &[],
        );
        check(
            json!({"metadata": {"name": "v1.example.com"}, "spec": {"group": "Example.com",
                "version": "V1", "groupPriorityMinimum": 20001, "versionPriority": 0}}),
            &[
                "metadata.name: Invalid value: \"v1.example.com\": must be `spec.version+\".\"+spec.group`: \"V1.Example.com\"",
                "spec.group: Invalid value: \"Example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "spec.version: Invalid value: \"V1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                "spec.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000",
                "spec.versionPriority: Invalid value: 0: must be positive and less than 1000",
            ],
        );
        check(
            json!({"metadata": {"name": "v2."}, "spec": {"version": "v2",
                "groupPriorityMinimum": 1, "versionPriority": 1}}),
            &[
                "spec.group: Required value: only v1 may have an empty group and it better be legacy kube",
            ],
        );
    }

    /// The local/remote rules of `ValidateAPIService` (CA bundle, TLS verification, service).
    #[test]
    fn local_and_remote_services() {
        let spec = |extra: Value| {
            let mut obj = json!({"metadata": {"name": "v1.a.io"}, "spec": {"group": "a.io",
                "version": "v1", "groupPriorityMinimum": 1, "versionPriority": 1}});
            for (k, v) in extra.as_object().into_iter().flatten() {
                obj["spec"][k] = v.clone();
            }
            obj
        };
        check(
            spec(json!({"caBundle": "AAAA", "insecureSkipTLSVerify": true})),
            &[
                "spec.caBundle: Invalid value: \"3 bytes\": local APIServices may not have a caBundle",
                "spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify",
            ],
        );
        check(
            spec(json!({"caBundle": "AAAA", "insecureSkipTLSVerify": true,
                "service": {"port": 70000}})),
            &[
                "spec.service.namespace: Required value",
                "spec.service.name: Required value",
                "spec.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive",
                "spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present",
            ],
        );
    }
}
