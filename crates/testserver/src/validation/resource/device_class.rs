//! DeviceClasses (`ValidateDeviceClass`, `ValidateDeviceClassUpdate`): the metadata (a
//! cluster-scoped DNS subdomain), the selectors (CEL), the configs (opaque driver
//! parameters; a config list unchanged by an update is not held to the size limit again) and
//! `extendedResourceName` (`DRAExtendedResource` on).

use serde_json::Value;

use super::super::{FieldError, NameRule, names, object_meta, object_meta_update, resources};
use super::{CONFIG_MAX, cel, claim, set, slice};

/// `IsExtendedResourceName`: outside the native namespaces, not a `requests.` name, and a
/// qualified name once `requests.` is put in front.
fn is_extended_resource_name(name: &str) -> bool {
    !resources::is_native(name)
        && !name.starts_with("requests.")
        && names::qualified_name(&format!("requests.{name}")).is_empty()
}

/// `validateDeviceClassSpec` (`old` is the stored spec of an update).
fn spec(spec: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let unchanged =
        |key: &str| old.is_some_and(|old| super::items(spec, key) == super::items(old, key));
    let mut errs = cel::selectors(spec, "selectors", "spec.selectors");
    let stored = unchanged("config");
    errs.extend(slice(
        super::items(spec, "config"),
        Some(CONFIG_MAX),
        "spec.config",
        |config, at| claim::configuration(config, at, stored),
    ));
    if let Some(name) = set(spec, "extendedResourceName") {
        let name = name.as_str().unwrap_or("");
        if !is_extended_resource_name(name) {
            errs.push(FieldError::invalid(
                "spec.extendedResourceName",
                name,
                "must be a valid extended resource name",
            ));
        }
    }
    errs
}

/// `ValidateDeviceClass`.
pub(crate) fn create(class: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(class, false, NameRule::Subdomain);
    errs.extend(spec(class.get("spec").unwrap_or(&Value::Null), None));
    errs
}

/// `ValidateDeviceClassUpdate`: the metadata, its update rules, the spec.
pub(crate) fn update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(new, false, NameRule::Subdomain);
    errs.extend(object_meta_update(new, old));
    errs.extend(spec(
        new.get("spec").unwrap_or(&Value::Null),
        Some(old.get("spec").unwrap_or(&Value::Null)),
    ));
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    fn class(spec: Value) -> Value {
        json!({"metadata": {"name": "gpu.example.com"}, "spec": spec})
    }

    /// `ValidateDeviceClass`: selectors, configs and the extended resource name, in order.
    #[test]
    fn a_class_is_checked_in_gos_order() {
        assert!(
            create(&class(
                json!({"selectors": [{"cel": {"expression": "device.driver == 'gpu.example.com'"}}],
            "config": [{"opaque": {"driver": "gpu.example.com", "parameters": {"a": 1}}}],
            "extendedResourceName": "example.com/gpu"})
            ))
            .is_empty()
        );
        let bad = class(
            json!({"selectors": [{"cel": {"expression": "device.driver =="}}],
            "config": [{"opaque": {"driver": "", "parameters": [1]}}, {}],
            "extendedResourceName": "cpu"}),
        );
        let errs = texts(create(&bad));
        assert_eq!(errs.len(), 6, "{errs:#?}");
        assert!(errs[0].starts_with("spec.selectors[0].cel.expression: Invalid value: \"device.driver ==\": compilation failed: ERROR: <input>:1:17: Syntax error"));
        assert_eq!(
            errs[1..],
            [
                "spec.config[0].opaque.driver: Required value",
                "spec.config[0].opaque.driver: Invalid value: \"\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "spec.config[0].opaque.parameters: Invalid value: \"<value omitted>\": must be a valid JSON object",
                "spec.config[1].opaque: Required value",
                "spec.extendedResourceName: Invalid value: \"cpu\": must be a valid extended resource name",
            ]
        );
    }

    /// `validateDeviceClassSpec`: an unchanged config list is "stored", so its parameters
    /// are not held to the size limit again.
    #[test]
    fn stored_configs_keep_their_size() {
        let big = json!({"opaque": {"driver": "d.example.com", "parameters": {"x": "y".repeat(10 * 1024)}}});
        let mut old = class(json!({"config": [big]}));
        old["metadata"]["resourceVersion"] = json!("1");
        assert_eq!(
            texts(create(&old)),
            ["spec.config[0].opaque.parameters: Too long: may not be more than 10240 bytes"]
        );
        let mut new = old.clone();
        new["metadata"]["labels"] = json!({"a": "b"});
        assert_eq!(texts(update(&new, &old)), Vec::<String>::new());
        new["spec"]["config"][0]["opaque"]["driver"] = json!("e.example.com");
        assert_eq!(
            texts(update(&new, &old)),
            ["spec.config[0].opaque.parameters: Too long: may not be more than 10240 bytes"]
        );
    }
}
