//! The `request` variable: the `admission/v1` AdmissionRequest as
//! `cel.CreateAdmissionRequest` fills it, converted as `common.SchemalessTypedToVal` converts
//! Go structs (JSON field names, fields tagged `omitempty` left out when empty).

use serde_json::{Map, Value, json};

use crate::admission::{Attributes, Operation};

/// A group, version, resource, subresource and kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Resource<'a> {
    /// API group, `""` for core.
    pub(crate) group: &'a str,
    /// API version, e.g. `v1`.
    pub(crate) version: &'a str,
    /// Plural resource, e.g. `deployments`.
    pub(crate) resource: &'a str,
    /// Subresource, e.g. `scale`, or `""`.
    pub(crate) subresource: &'a str,
    /// Kind, e.g. `Deployment` (`Scale` for the scale subresource).
    pub(crate) kind: &'a str,
}

/// What the request variable holds beyond [`Attributes`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Request<'a> {
    /// The resource as the hook or policy matched it (its equivalent, when `matchPolicy:
    /// Equivalent` matched another version or group): `kind`, `resource`, `subResource`.
    pub(crate) matched: Resource<'a>,
    /// The resource of the request itself: `requestKind`, `requestResource`,
    /// `requestSubResource`.
    pub(crate) requested: Resource<'a>,
    /// Whether the request is a dry run.
    pub(crate) dry_run: bool,
    /// The operation's options object (`CreateOptions`, `UpdateOptions`, `DeleteOptions`), as
    /// sent; `None` makes the empty one of the operation.
    pub(crate) options: Option<&'a Value>,
}

fn gvk(r: &Resource<'_>) -> Value {
    json!({"group": r.group, "version": r.version, "kind": r.kind})
}

fn gvr(r: &Resource<'_>) -> Value {
    json!({"group": r.group, "version": r.version, "resource": r.resource})
}

/// The empty options object of an operation, as the handlers set its type.
fn default_options(op: Operation) -> Value {
    let kind = match op {
        Operation::Create => "CreateOptions",
        Operation::Update => "UpdateOptions",
        Operation::Delete => "DeleteOptions",
    };
    json!({"kind": kind, "apiVersion": "meta.k8s.io/v1"})
}

/// The request variable's value.
pub(super) fn value(attrs: &Attributes<'_>, request: &Request<'_>) -> Value {
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_owned(), v);
    };
    put("uid", json!(""));
    put("kind", gvk(&request.matched));
    put("resource", gvr(&request.matched));
    if !request.matched.subresource.is_empty() {
        put("subResource", json!(request.matched.subresource));
    }
    put("requestKind", gvk(&request.requested));
    put("requestResource", gvr(&request.requested));
    if !request.requested.subresource.is_empty() {
        put("requestSubResource", json!(request.requested.subresource));
    }
    if !attrs.name.is_empty() {
        put("name", json!(attrs.name));
    }
    if !attrs.namespace.is_empty() {
        put("namespace", json!(attrs.namespace));
    }
    put("operation", json!(attrs.operation.name()));
    let mut user = Map::new();
    if let Some(u) = &attrs.user {
        if !u.name.is_empty() {
            user.insert("username".into(), json!(u.name));
        }
        if !u.uid.is_empty() {
            user.insert("uid".into(), json!(u.uid));
        }
        if !u.groups.is_empty() {
            user.insert("groups".into(), json!(u.groups));
        }
        // `omitempty`: an empty map is left out, though CreateAdmissionRequest always makes one
        if !u.extra.is_empty() {
            user.insert("extra".into(), json!(u.extra));
        }
    }
    put("userInfo", Value::Object(user));
    put("object", Value::Null);
    put("oldObject", Value::Null);
    put("dryRun", json!(request.dry_run));
    let options = request
        .options
        .cloned()
        .unwrap_or_else(|| default_options(attrs.operation));
    put("options", options);
    Value::Object(out)
}

/// `CreateNamespaceObject`: the Namespace with only its spec, status and the metadata fields
/// kept (not managedFields, ownerReferences).
pub(super) fn namespace_object(namespace: &Value) -> Value {
    const KEPT: [&str; 12] = [
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "finalizers",
    ];
    let mut out = Map::new();
    if let Some(meta) = namespace.get("metadata").and_then(Value::as_object) {
        let kept: Map<String, Value> = meta
            .iter()
            .filter(|(k, _)| KEPT.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.insert("metadata".into(), Value::Object(kept));
    }
    for key in ["spec", "status"] {
        out.insert(
            key.into(),
            namespace.get(key).cloned().unwrap_or_else(|| json!({})),
        );
    }
    Value::Object(out)
}
