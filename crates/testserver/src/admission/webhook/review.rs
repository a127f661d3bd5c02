//! The AdmissionReview a webhook is sent (Go's `request.CreateAdmissionObjects` and
//! `CreateV1AdmissionReview`/`CreateV1beta1AdmissionReview`): the first version of the
//! webhook's `admissionReviewVersions` the server knows (`v1`, `v1beta1`), a new `uid` per
//! call.

use serde_json::{Map, Value, json};

use crate::admission::matching::Matched;
use crate::admission::{Attributes, Operation};

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Review {
    /// The request's `uid`, which the response must echo.
    pub(crate) uid: String,
    /// `v1` or `v1beta1`.
    pub(crate) version: &'static str,
    /// The AdmissionReview body.
    pub(crate) body: Value,
}

/// The error when no version fits (Go: `could not create admission objects: ...`).
pub(crate) const NO_VERSION: &str =
    "webhook does not accept known AdmissionReview versions (v1, v1beta1)";

/// What goes into one review besides the attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts<'a> {
    /// The object as the webhook sees it (`None` for a delete).
    pub(crate) object: Option<&'a Value>,
    /// The stored object (updates and deletes).
    pub(crate) old_object: Option<&'a Value>,
    /// Whether the request is a dry run.
    pub(crate) dry_run: bool,
    /// The request's options (without kind and apiVersion).
    pub(crate) options: &'a Map<String, Value>,
}

/// The review for `versions` (the webhook's `admissionReviewVersions`), or `None` when it
/// names no version the server sends.
pub(crate) fn build(
    versions: &[&str],
    attrs: &Attributes<'_>,
    invocation: &Matched,
    parts: Parts<'_>,
) -> Option<Review> {
    let version = versions.iter().find_map(|v| match *v {
        "v1" => Some("v1"),
        "v1beta1" => Some("v1beta1"),
        _ => None,
    })?;
    let uid = uuid::Uuid::new_v4().to_string();
    let mut request = Map::new();
    request.insert("uid".into(), json!(uid));
    request.insert(
        "kind".into(),
        json!({"group": invocation.group, "version": invocation.version, "kind": invocation.kind}),
    );
    request.insert(
        "resource".into(),
        json!({"group": invocation.group, "version": invocation.version,
            "resource": invocation.resource}),
    );
    if !invocation.subresource.is_empty() {
        request.insert("subResource".into(), json!(invocation.subresource));
    }
    request.insert(
        "requestKind".into(),
        json!({"group": attrs.group, "version": attrs.version, "kind": attrs.kind}),
    );
    request.insert(
        "requestResource".into(),
        json!({"group": attrs.group, "version": attrs.version, "resource": attrs.resource}),
    );
    if !attrs.subresource.is_empty() {
        request.insert("requestSubResource".into(), json!(attrs.subresource));
    }
    // a create's name is the object's (`scope.Namer.ObjectName`), empty under generateName
    let name = match attrs.name {
        "" => parts
            .object
            .and_then(|o| o.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .unwrap_or(""),
        name => name,
    };
    if !name.is_empty() {
        request.insert("name".into(), json!(name));
    }
    if !attrs.namespace.is_empty() {
        request.insert("namespace".into(), json!(attrs.namespace));
    }
    request.insert("operation".into(), json!(attrs.operation.name()));
    request.insert("userInfo".into(), user_info(attrs));
    request.insert(
        "object".into(),
        parts.object.cloned().unwrap_or(Value::Null),
    );
    request.insert(
        "oldObject".into(),
        parts.old_object.cloned().unwrap_or(Value::Null),
    );
    request.insert("dryRun".into(), json!(parts.dry_run));
    request.insert("options".into(), options(attrs.operation, parts.options));
    Some(Review {
        uid,
        version,
        body: json!({
            "kind": "AdmissionReview",
            "apiVersion": format!("admission.k8s.io/{version}"),
            "request": request,
        }),
    })
}

/// `authenticationv1.UserInfo`, its empty fields left out.
fn user_info(attrs: &Attributes<'_>) -> Value {
    let mut out = Map::new();
    if let Some(user) = &attrs.user {
        if !user.name.is_empty() {
            out.insert("username".into(), json!(user.name));
        }
        if !user.uid.is_empty() {
            out.insert("uid".into(), json!(user.uid));
        }
        if !user.groups.is_empty() {
            out.insert("groups".into(), json!(user.groups));
        }
        if !user.extra.is_empty() {
            out.insert("extra".into(), json!(user.extra));
        }
    }
    Value::Object(out)
}

/// The operation's options object: `CreateOptions`, `UpdateOptions` (patches too, as Go's
/// `patchToUpdateOptions` and `patchToCreateOptions` make them) or `DeleteOptions`.
pub(crate) fn options(op: Operation, given: &Map<String, Value>) -> Value {
    let kind = match op {
        Operation::Create => "CreateOptions",
        Operation::Update => "UpdateOptions",
        Operation::Delete => "DeleteOptions",
    };
    let mut out = Map::new();
    out.insert("kind".into(), json!(kind));
    out.insert("apiVersion".into(), json!("meta.k8s.io/v1"));
    for (k, v) in given {
        let fits = match op {
            Operation::Delete => true,
            Operation::Create | Operation::Update => {
                matches!(k.as_str(), "dryRun" | "fieldManager" | "fieldValidation")
            }
        };
        if fits && k != "kind" && k != "apiVersion" {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}
