//! SelfSubjectAccessReview: may I do this? The spec is validated (exactly one of resource
//! and non-resource attributes), echoed back as sent, and answered with the decision and
//! the authorizer's reason.

use serde_json::{Map, Value, json};

use super::Rejected;
use crate::auth::User;
use crate::rbac::attributes::Attributes;
use crate::rbac::evaluate::authorize;
use crate::rbac::objects::RbacObjects;

const GROUP: &str = "authorization.k8s.io";
const RESOURCE_FIELDS: &[&str] = &[
    "namespace",
    "verb",
    "group",
    "version",
    "resource",
    "subresource",
    "name",
];

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The attributes as the API serializes them back: known string fields when not empty,
/// selectors as sent.
fn echo(attrs: &Value, fields: &[&str], objects: &[&str]) -> Value {
    let mut out = Map::new();
    for key in fields {
        let v = text(attrs, key);
        if !v.is_empty() {
            out.insert((*key).into(), v.into());
        }
    }
    for key in objects {
        if let Some(v) = attrs.get(*key).filter(|v| !v.is_null()) {
            out.insert((*key).into(), v.clone());
        }
    }
    Value::Object(out)
}

/// The internal type's JSON (Go field names) that validation errors print as the value.
fn internal_non_resource(attrs: &Value) -> String {
    json!({"Path": text(attrs, "path"), "Verb": text(attrs, "verb")}).to_string()
}

fn invalid(field: &str, value: &str, detail: &str) -> Rejected {
    let cause = format!("Invalid value: {value}: {detail}");
    Rejected {
        code: 422,
        reason: "Invalid",
        message: format!(".{GROUP} \"\" is invalid: {field}: {cause}"),
        details: Some(json!({
            "group": GROUP,
            "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": field}],
        })),
    }
}

/// Answers a SelfSubjectAccessReview `request` body sent by `user` (`201` body), or the
/// 422 for an invalid spec.
pub(crate) fn self_subject_access_review(
    objects: &dyn RbacObjects,
    user: &User,
    request: &Value,
) -> Result<Value, Rejected> {
    let spec = request.get("spec").unwrap_or(&Value::Null);
    let resource = spec.get("resourceAttributes").filter(|v| !v.is_null());
    let non_resource = spec.get("nonResourceAttributes").filter(|v| !v.is_null());
    let (attrs, echoed) = match (resource, non_resource) {
        (Some(_), Some(nr)) => {
            return Err(invalid(
                "spec.nonResourceAttributes",
                &internal_non_resource(nr),
                "cannot be specified in combination with resourceAttributes",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "spec.resourceAttributes",
                "null",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            ));
        }
        (Some(r), None) => {
            let version = match text(r, "version") {
                "" => "*",
                v => v,
            };
            let attrs = Attributes {
                api_version: version.to_owned(),
                ..Attributes::resource(text(r, "verb"), text(r, "group"), text(r, "resource"))
                    .in_namespace(text(r, "namespace"))
                    .named(text(r, "name"))
                    .with_subresource(text(r, "subresource"))
            };
            let echoed = echo(r, RESOURCE_FIELDS, &["fieldSelector", "labelSelector"]);
            (attrs, json!({"resourceAttributes": echoed}))
        }
        (None, Some(nr)) => {
            let attrs = Attributes::non_resource(text(nr, "verb"), text(nr, "path"));
            let echoed = echo(nr, &["path", "verb"], &[]);
            (attrs, json!({"nonResourceAttributes": echoed}))
        }
    };
    let decision = authorize(objects, user, &attrs);
    let mut status = Map::new();
    status.insert("allowed".into(), decision.allowed.into());
    if !decision.reason.is_empty() {
        status.insert("reason".into(), decision.reason.into());
    }
    let metadata = request
        .get("metadata")
        .filter(|m| m.is_object())
        .cloned()
        .unwrap_or_else(|| json!({}));
    Ok(json!({
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": metadata,
        "spec": echoed,
        "status": status,
    }))
}

/// The FieldsV1 set of a value below the root: objects list `.` (themselves) and their
/// fields, everything else (scalars, atomic lists) is a leaf.
fn fields_v1(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut set = Map::new();
            set.insert(".".into(), json!({}));
            for (k, child) in m {
                set.insert(format!("f:{k}"), fields_v1(child));
            }
            Value::Object(set)
        }
        _ => json!({}),
    }
}

/// Adds the `managedFields` entry the server's field manager records for the create: the
/// spec fields the client set belong to `manager` (the `fieldManager` parameter or the
/// User-Agent's program name) as an `Update` at `now`.
pub(crate) fn with_managed_fields(mut review: Value, manager: &str, now: &str) -> Value {
    let Some(spec) = review.get("spec").and_then(Value::as_object) else {
        return review;
    };
    if spec.is_empty() {
        return review;
    }
    let mut spec_set = Map::new();
    for (k, child) in spec {
        spec_set.insert(format!("f:{k}"), fields_v1(child));
    }
    let entry = json!({
        "manager": manager,
        "operation": "Update",
        "apiVersion": review.get("apiVersion").cloned().unwrap_or_default(),
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": spec_set},
    });
    if let Some(meta) = review.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("managedFields".into(), json!([entry]));
    }
    review
}
