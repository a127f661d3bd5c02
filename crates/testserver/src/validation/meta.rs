//! `ObjectMeta` validation on create and update (`ValidateObjectMeta`,
//! `ValidateObjectMetaUpdate`).

use serde_json::{Map, Value};

use super::field_error::{BadValue, go_quote};
use super::{FieldError, names};

/// How an object's name is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// RFC 1123 subdomain (most kinds).
    Subdomain,
    /// RFC 1123 label (namespaces).
    Label,
    /// RFC 1035 label (services).
    Dns1035,
    /// Anything that can be a URL path segment (RBAC objects, persistent volumes).
    PathSegment,
    /// An IP address (`ValidateIPAddressName`, IPAddresses; a `generateName` prefix is
    /// checked as a whole address too).
    IpAddress,
}

impl NameRule {
    fn check(self, name: &str, prefix: bool) -> Vec<String> {
        // A generateName prefix may end in '-': it is checked as if the dash were a letter.
        let masked;
        let name = if prefix && name.ends_with('-') {
            masked = format!("{}a", &name[..name.len() - 1]);
            masked.as_str()
        } else {
            name
        };
        match self {
            NameRule::Subdomain => names::dns1123_subdomain(name),
            NameRule::Label => names::dns1123_label(name),
            NameRule::Dns1035 => names::dns1035_label(name),
            NameRule::PathSegment => names::path_segment_name(name),
            NameRule::IpAddress => super::ip_addresses::ip_messages(name),
        }
    }
}

fn meta(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

fn get_str<'a>(m: Option<&'a Map<String, Value>>, key: &str) -> &'a str {
    m.and_then(|m| m.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `ValidateObjectMeta` (with the core finalizer-name rule).
pub(crate) fn validate(obj: &Value, namespaced: bool, rule: NameRule) -> Vec<FieldError> {
    validate_with(obj, namespaced, rule, true)
}

/// `ValidateObjectMeta`; `kube_finalizers` adds the core types' finalizer-name rule
/// (`validateKubeFinalizerName`), which apimachinery's generic validation of custom
/// resources and CRDs does not have.
pub(crate) fn validate_with(
    obj: &Value,
    namespaced: bool,
    rule: NameRule,
    kube_finalizers: bool,
) -> Vec<FieldError> {
    let m = meta(obj);
    let mut errs = Vec::new();
    let generate_name = get_str(m, "generateName");
    if !generate_name.is_empty() {
        for msg in rule.check(generate_name, true) {
            errs.push(FieldError::invalid(
                "metadata.generateName",
                generate_name,
                msg,
            ));
        }
    }
    let name = get_str(m, "name");
    if name.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else {
        for msg in rule.check(name, false) {
            errs.push(FieldError::invalid("metadata.name", name, msg));
        }
    }
    let namespace = get_str(m, "namespace");
    if namespaced {
        if namespace.is_empty() {
            errs.push(FieldError::required("metadata.namespace", ""));
        } else {
            for msg in names::dns1123_label(namespace) {
                errs.push(FieldError::invalid("metadata.namespace", namespace, msg));
            }
        }
    } else if !namespace.is_empty() {
        errs.push(FieldError::forbidden(
            "metadata.namespace",
            "not allowed on this type",
        ));
    }
    if let Some(generation) = m.and_then(|m| m.get("generation")).and_then(Value::as_i64)
        && generation < 0
    {
        errs.push(FieldError::invalid(
            "metadata.generation",
            generation,
            "must be greater than or equal to 0",
        ));
    }
    errs.extend(labels(m.and_then(|m| m.get("labels")), "metadata.labels"));
    errs.extend(annotations(m.and_then(|m| m.get("annotations"))));
    errs.extend(owner_references(m.and_then(|m| m.get("ownerReferences"))));
    errs.extend(finalizers(
        m.and_then(|m| m.get("finalizers")),
        kube_finalizers,
    ));
    errs
}

/// `ValidateLabels` at `path`.
pub(crate) fn labels(labels: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels.and_then(Value::as_object).into_iter().flatten() {
        for msg in names::qualified_name(k) {
            errs.push(FieldError::invalid(path, k.as_str(), msg));
        }
        let value = v.as_str().unwrap_or("");
        for msg in names::label_value(value) {
            errs.push(FieldError::invalid(path, value, msg));
        }
    }
    errs
}

/// Total size limit of all annotations of an object.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

fn annotations(annotations: Option<&Value>) -> Vec<FieldError> {
    annotations_at(annotations, "metadata.annotations")
}

/// `ValidateAnnotations` at `path`.
pub(crate) fn annotations_at(annotations: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0;
    for (k, v) in annotations.and_then(Value::as_object).into_iter().flatten() {
        for msg in names::qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid(path, k.as_str(), msg));
        }
        total += k.len() + v.as_str().map_or(0, str::len);
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
    errs
}

/// Go's JSON of a list of `OwnerReference`s, in the struct's field order.
fn owner_references_json(refs: &[Value]) -> String {
    let items: Vec<String> = refs
        .iter()
        .map(|r| {
            let mut fields = Vec::new();
            for key in ["apiVersion", "kind", "name", "uid"] {
                let v = r.get(key).and_then(Value::as_str).unwrap_or("");
                fields.push(format!("\"{key}\":{}", Value::String(v.to_owned())));
            }
            for key in ["controller", "blockOwnerDeletion"] {
                if let Some(b) = r.get(key).and_then(Value::as_bool) {
                    fields.push(format!("\"{key}\":{b}"));
                }
            }
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn owner_references(refs: Option<&Value>) -> Vec<FieldError> {
    let path = "metadata.ownerReferences";
    let refs = refs
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut errs = Vec::new();
    let mut first_controller: Option<String> = None;
    for r in refs {
        let get = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
        let api_version = get("apiVersion");
        let version = api_version.rsplit('/').next().unwrap_or("");
        if version.is_empty() || api_version.split('/').count() > 2 {
            errs.push(FieldError::invalid(
                format!("{path}.apiVersion"),
                api_version,
                "version must not be empty",
            ));
        }
        for key in ["kind", "name", "uid"] {
            if get(key).is_empty() {
                errs.push(FieldError::invalid(
                    format!("{path}.{key}"),
                    "",
                    "must not be empty",
                ));
            }
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            let current = format!("{}/{}", get("kind"), get("name"));
            match &first_controller {
                Some(first) => errs.push(FieldError::invalid(
                    path,
                    BadValue::Raw(owner_references_json(refs)),
                    format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                    ),
                )),
                None => first_controller = Some(current),
            }
        }
    }
    errs
}

/// Finalizer names that need no domain prefix.
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

fn finalizers(finalizers: Option<&Value>, kube_rule: bool) -> Vec<FieldError> {
    let list = finalizers
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut errs = Vec::new();
    for (i, f) in list.iter().enumerate() {
        let name = f.as_str().unwrap_or("");
        let path = format!("metadata.finalizers[{i}]");
        let syntax = names::qualified_name(name);
        let fully_qualified = name.contains('/');
        for msg in syntax {
            errs.push(FieldError::invalid(path.clone(), name, msg));
        }
        if kube_rule && !fully_qualified && !STANDARD_FINALIZERS.contains(&name) {
            errs.push(FieldError::invalid(
                path,
                name,
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    let has = |n: &str| list.iter().any(|f| f.as_str() == Some(n));
    if has("orphan") && has("foregroundDeletion") {
        errs.push(FieldError::invalid(
            "metadata.finalizers",
            Value::Array(list.to_vec()),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// `ValidateObjectMetaUpdate`: immutable identity fields, no new finalizers while deleting,
/// `resourceVersion` present, `generation` not decremented.
pub(crate) fn validate_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let (n, o) = (meta(new), meta(old));
    let mut errs = Vec::new();
    if o.and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|v| !v.is_null())
    {
        let strings = |m: Option<&Map<String, Value>>| -> Vec<String> {
            m.and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        };
        let old_finalizers = strings(o);
        let mut added: Vec<String> = strings(n)
            .into_iter()
            .filter(|f| !old_finalizers.contains(f))
            .collect();
        added.sort();
        added.dedup();
        if !added.is_empty() {
            let list: Vec<String> = added.iter().map(|f| go_quote(f)).collect();
            errs.push(FieldError::forbidden(
                "metadata.finalizers",
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    list.join(", ")
                ),
            ));
        }
    }
    if get_str(n, "resourceVersion").is_empty() {
        errs.push(FieldError::invalid(
            "metadata.resourceVersion",
            "",
            "must be specified for an update",
        ));
    }
    let generation = |m: Option<&Map<String, Value>>| {
        m.and_then(|m| m.get("generation"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    if generation(n) < generation(o) {
        errs.push(FieldError::invalid(
            "metadata.generation",
            generation(n),
            "must not be decremented",
        ));
    }
    for key in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        let (nv, ov) = (n.and_then(|m| m.get(key)), o.and_then(|m| m.get(key)));
        let norm = |v: Option<&Value>| v.filter(|v| !v.is_null() && *v != "").cloned();
        if norm(nv) != norm(ov) {
            let value = nv.cloned().unwrap_or(Value::Null);
            let value = match value {
                Value::Null
                    if key == "deletionGracePeriodSeconds" || key == "deletionTimestamp" =>
                {
                    BadValue::Raw("null".into())
                }
                Value::Null => BadValue::from(""),
                v => BadValue::Json(v),
            };
            errs.push(FieldError::invalid(
                format!("metadata.{key}"),
                value,
                "field is immutable",
            ));
        }
    }
    errs
}
