//! Access reviews: may I (SelfSubjectAccessReview) or may this user (SubjectAccessReview,
//! LocalSubjectAccessReview) do this? The spec is validated (exactly one of resource and
//! non-resource attributes; a user or group for the non-self kinds), echoed back as sent,
//! and answered with the decision and the authorizer's reason.

use serde_json::{Map, Value, json};

use super::Rejected;
use crate::auth::User;
use crate::rbac::attributes::Attributes;
use crate::rbac::evaluate::authorize;
use crate::rbac::goquote::quote;
use crate::rbac::objects::RbacObjects;
use crate::rbac::rule::strings;

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

/// One validation error: field path, the text after it (`Invalid value: ...: detail`) and
/// the cause's reason.
pub(super) struct FieldError {
    pub(super) field: String,
    pub(super) body: String,
    pub(super) reason: &'static str,
}

/// `field.Invalid` with the value already printed as the server prints it.
pub(super) fn field_invalid(field: &str, value: &str, detail: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        body: format!("Invalid value: {value}: {detail}"),
        reason: "FieldValueInvalid",
    }
}

/// `apierrors.NewInvalid` for the (internal, kind-less) review object.
fn invalid(errors: &[FieldError]) -> Rejected {
    let texts: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.body))
        .collect();
    let all = if texts.len() == 1 {
        texts.concat()
    } else {
        format!("[{}]", texts.join(", "))
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.reason, "message": e.body, "field": e.field}))
        .collect();
    Rejected {
        code: 422,
        reason: "Invalid",
        message: format!(".{GROUP} \"\" is invalid: {all}"),
        details: Some(json!({"group": GROUP, "causes": causes})),
    }
}

/// Validates the attributes of a review spec; the request attributes and their echo.
fn attributes(
    spec: &Value,
    errors: &mut Vec<FieldError>,
) -> Option<(Attributes, Map<String, Value>)> {
    let resource = spec.get("resourceAttributes").filter(|v| !v.is_null());
    let non_resource = spec.get("nonResourceAttributes").filter(|v| !v.is_null());
    let mut echoed = Map::new();
    match (resource, non_resource) {
        (Some(_), Some(nr)) => {
            errors.push(field_invalid(
                "spec.nonResourceAttributes",
                &internal_non_resource(nr),
                "cannot be specified in combination with resourceAttributes",
            ));
            None
        }
        (None, None) => {
            errors.push(field_invalid(
                "spec.resourceAttributes",
                "null",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            ));
            None
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
            let e = echo(r, RESOURCE_FIELDS, &["fieldSelector", "labelSelector"]);
            echoed.insert("resourceAttributes".into(), e);
            Some((attrs, echoed))
        }
        (None, Some(nr)) => {
            let attrs = Attributes::non_resource(text(nr, "verb"), text(nr, "path"));
            echoed.insert(
                "nonResourceAttributes".into(),
                echo(nr, &["path", "verb"], &[]),
            );
            Some((attrs, echoed))
        }
    }
}

/// The review object answered: request metadata and spec echoed, the decision as status.
fn answer(
    kind: &str,
    request: &Value,
    spec: Map<String, Value>,
    objects: &dyn RbacObjects,
    user: &User,
    attrs: &Attributes,
) -> Value {
    let decision = authorize(objects, user, attrs);
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
    json!({
        "kind": kind,
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": metadata,
        "spec": spec,
        "status": status,
    })
}

/// Answers a SelfSubjectAccessReview `request` body sent by `user` (`201` body, with the
/// `managedFields` of `stamp`), or the 422 for an invalid spec or non-empty metadata.
pub(crate) fn self_subject_access_review(
    objects: &dyn RbacObjects,
    user: &User,
    request: &Value,
    stamp: &Stamp<'_>,
) -> Result<Value, Rejected> {
    let spec = request.get("spec").unwrap_or(&Value::Null);
    let mut errors = Vec::new();
    let found = attributes(spec, &mut errors);
    super::selectors::validate(spec, &mut errors);
    errors.extend(super::metadata::metadata_error(request, false, stamp));
    match found {
        Some((attrs, echoed)) if errors.is_empty() => Ok(with_managed_fields(
            answer(
                "SelfSubjectAccessReview",
                request,
                echoed,
                objects,
                user,
                &attrs,
            ),
            stamp,
        )),
        _ => Err(invalid(&errors)),
    }
}

/// The user a SubjectAccessReview asks about: exactly the spec's `user`, `uid`, `groups`
/// and `extra` (no implicit groups are added).
fn spec_user(spec: &Value) -> User {
    let extra = spec
        .get("extra")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), strings(&json!({ "v": v }), "v")))
                .collect()
        })
        .unwrap_or_default();
    User {
        name: text(spec, "user").to_owned(),
        uid: text(spec, "uid").to_owned(),
        groups: strings(spec, "groups"),
        extra,
    }
}

/// Answers a SubjectAccessReview (`namespace` `None`) or a LocalSubjectAccessReview posted
/// to `namespace` (`201` body, with the `managedFields` of `stamp`), or the 422 for an
/// invalid spec or metadata.
pub(crate) fn subject_access_review(
    objects: &dyn RbacObjects,
    request: &Value,
    namespace: Option<&str>,
    stamp: &Stamp<'_>,
) -> Result<Value, Rejected> {
    let spec = request.get("spec").unwrap_or(&Value::Null);
    let mut errors = Vec::new();
    let found = attributes(spec, &mut errors);
    let user = spec_user(spec);
    if user.name.is_empty() && user.groups.is_empty() {
        errors.push(field_invalid(
            "spec.user",
            "\"\"",
            "at least one of user or group must be specified",
        ));
    }
    super::selectors::validate(spec, &mut errors);
    errors.extend(super::metadata::metadata_error(
        request,
        namespace.is_some(),
        stamp,
    ));
    if let Some(ns) = namespace {
        if let Some(r) = spec.get("resourceAttributes").filter(|v| v.is_object())
            && text(r, "namespace") != ns
        {
            errors.push(field_invalid(
                "spec.resourceAttributes.namespace",
                &quote(text(r, "namespace")),
                "must match metadata.namespace",
            ));
        }
        if let Some(nr) = spec.get("nonResourceAttributes").filter(|v| v.is_object()) {
            errors.push(field_invalid(
                "spec.nonResourceAttributes",
                &internal_non_resource(nr),
                "disallowed on this kind of request",
            ));
        }
    }
    let Some((attrs, mut echoed)) = found.filter(|_| errors.is_empty()) else {
        return Err(invalid(&errors));
    };
    for key in ["user", "uid"] {
        let v = text(spec, key);
        if !v.is_empty() {
            echoed.insert(key.into(), v.into());
        }
    }
    for key in ["groups", "extra"] {
        if let Some(v) = spec.get(key).filter(|v| !v.is_null()) {
            echoed.insert(key.into(), v.clone());
        }
    }
    let kind = if namespace.is_some() {
        "LocalSubjectAccessReview"
    } else {
        "SubjectAccessReview"
    };
    Ok(with_managed_fields(
        answer(kind, request, echoed, objects, &user, &attrs),
        stamp,
    ))
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

/// Who creates a review and when: what the field manager records in `managedFields`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp<'a> {
    /// The `fieldManager` parameter, or the User-Agent's program name.
    pub(crate) manager: &'a str,
    /// The time of the create (RFC 3339).
    pub(crate) now: &'a str,
}

/// `metadata` fields the field manager never records (`stripMetaManager`).
const STRIPPED_META: &[&str] = &[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "generation",
    "managedFields",
    "resourceVersion",
];

/// The `managedFields` entry the server's field manager records for the create of `review`:
/// the spec and metadata fields the client set belong to the stamp's manager as an `Update`;
/// `None` when the client set none.
pub(super) fn managed_fields_entry(review: &Value, stamp: &Stamp<'_>) -> Option<Value> {
    let mut set = Map::new();
    for part in ["metadata", "spec"] {
        let Some(fields) = review.get(part).and_then(Value::as_object) else {
            continue;
        };
        let mut part_set = Map::new();
        for (k, child) in fields {
            let skip = part == "metadata" && STRIPPED_META.contains(&k.as_str());
            if !skip && !child.is_null() {
                part_set.insert(format!("f:{k}"), fields_v1(child));
            }
        }
        if !part_set.is_empty() {
            set.insert(format!("f:{part}"), Value::Object(part_set));
        }
    }
    if set.is_empty() {
        return None;
    }
    Some(json!({
        "manager": stamp.manager,
        "operation": "Update",
        "apiVersion": review.get("apiVersion").cloned().unwrap_or_default(),
        "time": stamp.now,
        "fieldsType": "FieldsV1",
        "fieldsV1": set,
    }))
}

/// Adds the `managedFields` entry the server's field manager records for the create
/// ([`managed_fields_entry`]).
pub(crate) fn with_managed_fields(mut review: Value, stamp: &Stamp<'_>) -> Value {
    let Some(entry) = managed_fields_entry(&review, stamp) else {
        return review;
    };
    if let Some(meta) = review.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("managedFields".into(), json!([entry]));
    }
    review
}
