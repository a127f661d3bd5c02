//! The seams where defaulting, admission, validation, `managedFields` and selectors plug into
//! the server. Each is called from exactly one place in the write or read path; the logic lives
//! in the pure `admission`, `validation`, `selector` and `fields` modules.

use serde_json::Value;

use crate::admission::{self, Attributes, Operation, UserInfo};
use crate::api::App;
use crate::api::status::ApiError;
use crate::api::store_lookup::StoreLookup;
use crate::api::write::WriteOpts;
use crate::auth::User;
use crate::clock;
use crate::fields::managed::{Write, record_update, record_update_across, set_managed_fields};
use crate::registry::{Registry, ResourceType, pipeline};
use crate::selector::{FieldSelector, LabelSelector};
use crate::validation;

/// The operation admission sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Create.
    Create,
    /// Update or patch.
    Update,
    /// Delete.
    Delete,
}

/// The admission view of a request's user.
fn user_info(user: &User) -> UserInfo<'_> {
    UserInfo {
        name: &user.name,
        uid: &user.uid,
        groups: &user.groups,
        extra: &user.extra,
    }
}

/// API field defaulting of a decoded object: a typed decoding drops `null`s, then the
/// type's defaults.
pub(crate) fn apply_defaults(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    if !obj.is_object() {
        return Ok(());
    }
    if rt.custom.is_none() {
        admission::defaults::strip_nulls(obj);
    }
    rt.strategy
        .default(obj)
        .map_err(|e| ApiError::bad_request(e.status_message()))
}

/// Records the write in `metadata.managedFields`, in the version `rt` serves (`old` and `new`
/// are stored objects): managers of the other versions of the same stored resource lose what
/// changed in their own version (see [`record_update_across`]).
pub(crate) fn record_managed_fields(
    registry: &Registry,
    rt: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: &str,
) {
    let Some(info) = type_info(rt) else {
        return;
    };
    let now = clock::now();
    let write = Write {
        info,
        manager,
        subresource: (!subresource.is_empty()).then_some(subresource),
        time: &now,
    };
    let entries = if rt.custom.is_some() {
        // in a custom resource an explicit null is a value (a field of its own)
        let old = old.map(nulls_as_values);
        record_update(&write, old.as_ref(), &nulls_as_values(new))
    } else {
        let versions = crate::api::convert::StoredVersions { registry, rt };
        if crate::api::convert::is_converted(rt) {
            let external = |v: &Value| crate::api::convert::to_external(rt, v);
            let old = old.map(external);
            record_update_across(&write, old.as_ref(), &external(new), &versions)
        } else {
            record_update_across(&write, old, new, &versions)
        }
    };
    set_managed_fields(new, entries);
}

/// `v` with every `null` replaced by a marker scalar, so that field management (which reads
/// `null` as "no field", as for typed objects) sees it as the value it is in unstructured data.
fn nulls_as_values(v: &Value) -> Value {
    match v {
        Value::Null => Value::String("\u{0}null".into()),
        Value::Array(items) => Value::Array(items.iter().map(nulls_as_values).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), nulls_as_values(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The field-management description of `rt` (a custom resource's comes from its strategy).
pub(crate) fn type_info(rt: &ResourceType) -> Option<&'static crate::fields::schema::TypeInfo> {
    match &rt.custom {
        Some(custom) => Some(custom.type_info()),
        None => crate::fields::schema::lookup(&rt.api_version(), &rt.kind),
    }
}

/// The decoder's view of a custom resource body (kind check, pruning of unknown fields as
/// `fieldValidation` asks); returns the `Warning`s to send. A no-op for built-in types.
pub(crate) fn decode_custom(
    rt: &ResourceType,
    field_validation: Option<&str>,
    obj: &mut Value,
) -> Result<Vec<String>, ApiError> {
    match &rt.custom {
        Some(custom) => custom
            .decode(
                obj,
                crate::crd::strategy::FieldValidation::parse(field_validation),
            )
            .map_err(|refusal| match refusal {
                crate::crd::strategy::Refusal::WrongKind { invalid, .. } => invalid_422(&invalid),
                crate::crd::strategy::Refusal::Strict { message } => ApiError::bad_request(message),
            }),
        None => Ok(Vec::new()),
    }
}

fn admission_error(e: &admission::AdmissionError) -> ApiError {
    ApiError::from_status(e.code(), e.status())
}

fn refusal(refused: pipeline::Refused) -> ApiError {
    admission_error(&refused.error).with_warnings(crate::warnings::recorded(refused.warnings))
}

fn attributes<'a>(
    rt: &'a ResourceType,
    op: Op,
    (namespace, name): (&'a str, &'a str),
    sub: &'a str,
    user: Option<&'a User>,
) -> Attributes<'a> {
    Attributes {
        group: &rt.group,
        resource: &rt.plural,
        subresource: sub,
        version: &rt.version,
        kind: &rt.kind,
        namespace: if rt.namespaced { namespace } else { "" },
        name,
        operation: match op {
            Op::Create => Operation::Create,
            Op::Update => Operation::Update,
            Op::Delete => Operation::Delete,
        },
        user: user.map(user_info),
    }
}

/// Admission of a delete (NamespaceLifecycle keeps the immortal namespaces).
pub(crate) fn admit_delete(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
) -> Result<(), ApiError> {
    let attrs = attributes(rt, Op::Delete, (namespace, name), "", None);
    admission::admit(
        &attrs,
        None,
        None,
        &StoreLookup {
            app,
            dry_run: false,
        },
    )
    .map_err(|e| ApiError::from_status(e.code(), e.status()))
}

/// What admission needs to know of a request besides its attributes: its user, and whether it
/// is a dry run (`dryRun=All` in the query, or in a delete's body).
pub(crate) fn admission_request_info(
    ctx: &crate::api::Ctx,
    verb: &str,
    body: &[u8],
) -> admission::recorder::RequestInfo {
    let in_body = || {
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|b| b.get("dryRun").cloned())
            .and_then(|d| d.as_array().map(|d| d.iter().any(|v| v == "All")))
            .unwrap_or(false)
    };
    let dry_run = ctx.query.get("dryRun") == Some("All")
        || (matches!(verb, "delete" | "deletecollection") && in_body());
    admission::recorder::RequestInfo {
        user: Some(admission::recorder::Requester {
            name: ctx.user.name.clone(),
            uid: ctx.user.uid.clone(),
            groups: ctx.user.groups.clone(),
            extra: ctx.user.extra.clone(),
        }),
        dry_run,
        deletes: matches!(verb, "delete" | "deletecollection"),
        options: None,
    }
}

/// An answer with what admission added to its request: the warnings as `Warning` headers (or
/// on the error), the audit annotations on the request's audit event.
pub(crate) fn with_added(
    answer: Result<http::Response<crate::api::respond::Body>, ApiError>,
    added: admission::recorder::Added,
) -> Result<http::Response<crate::api::respond::Body>, ApiError> {
    for (key, value) in &added.annotations {
        crate::audit::annotate(key, value);
    }
    let warnings = crate::warnings::recorded(added.warnings);
    match answer {
        Ok(mut response) => {
            crate::api::respond::add_warnings(&mut response, &warnings);
            Ok(response)
        }
        Err(e) => Err(e.with_warnings(warnings)),
    }
}

/// Whether a write may reach an admission webhook: a webhook configuration is stored (the
/// cheap check before `webhook_bridge::answer_with_webhooks`).
pub(crate) fn webhooks_configured(app: &App) -> bool {
    admission::webhook::any_stored(&StoreLookup {
        app,
        dry_run: false,
    })
}

/// The admission of a delete once the stored object `old` is read and its preconditions hold
/// (Go's `deleteValidation`): MutatingAdmissionWebhook, ValidatingAdmissionPolicy, then
/// ValidatingAdmissionWebhook, as the request's user; a no-op for the deletes a request makes
/// on its way (an eviction's) and the server's own.
pub(crate) fn admit_delete_stored(
    app: &App,
    rt: &ResourceType,
    (namespace, name): (&str, &str),
    old: &Value,
) -> Result<(), ApiError> {
    let info = admission::recorder::request_info();
    if !info.deletes {
        return Ok(());
    }
    let mut attrs = attributes(rt, Op::Delete, (namespace, name), "", None);
    attrs.user = info.user.as_ref().map(admission::recorder::Requester::info);
    let lookup = StoreLookup {
        app,
        dry_run: info.dry_run,
    };
    let refused = |e: admission::AdmissionError| admission_error(&e);
    admission::webhook::admit(&attrs, None, Some(old), &lookup).map_err(refused)?;
    admission::validating_policy::validate(&attrs, None, Some(old), &lookup).map_err(refused)?;
    admission::webhook::validate(&attrs, None, Some(old), &lookup).map_err(refused)
}

/// The create path after defaulting and `managedFields`: mutating admission, the strategy,
/// `generateName`, validation, validating admission.
pub(crate) fn admit_create(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    opts: &WriteOpts<'_>,
    obj: &mut Value,
) -> Result<(), ApiError> {
    let attrs = attributes(rt, Op::Create, (namespace, ""), opts.subresource, opts.user);
    if let Some(custom) = &rt.custom
        && custom.terminating()
    {
        return Err(ApiError::from_status(
            405,
            serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure",
                "message": "create not allowed while custom resource definition is terminating",
                "reason": "MethodNotAllowed",
                "details": {"group": rt.group, "kind": rt.plural}, "code": 405}),
        ));
    }
    let lookup = StoreLookup {
        app,
        dry_run: opts.dry_run,
    };
    pipeline::create(rt, &attrs, obj, &lookup, &clock::now()).map_err(refusal)
}

/// The update path after defaulting and `managedFields` (`new` carries the stored
/// resourceVersion): mutating admission, the strategy, validation, validating admission.
pub(crate) fn admit_update(
    app: &App,
    rt: &ResourceType,
    (namespace, name): (&str, &str),
    opts: &WriteOpts<'_>,
    new: &mut Value,
    old: &Value,
) -> Result<(), ApiError> {
    let attrs = attributes(
        rt,
        Op::Update,
        (namespace, name),
        opts.subresource,
        opts.user,
    );
    let lookup = StoreLookup {
        app,
        dry_run: opts.dry_run,
    };
    pipeline::update(rt, &attrs, new, old, &lookup, &clock::now()).map_err(refusal)
}

/// Decodes a request body for `rt`: the RBAC objects and self reviews kubectl sends as
/// protobuf are read by `rbac::wire` (the generic protobuf decoder does not know them),
/// everything else by `body::decode_object`.
pub(crate) fn decode_body(
    rt: &ResourceType,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Value, ApiError> {
    let protobuf = matches!(
        crate::api::body::body_type(content_type),
        crate::api::body::BodyType::Protobuf
    );
    if protobuf && let Some(decoded) = crate::rbac::wire::decode(body) {
        let obj = decoded.map_err(|e| ApiError::bad_request(e.to_string()))?;
        let fits = obj.get("kind").and_then(Value::as_str) == Some(rt.kind.as_str())
            && obj.get("apiVersion").and_then(Value::as_str) == Some(rt.api_version().as_str());
        if fits {
            return Ok(obj);
        }
    }
    crate::api::body::decode_object(rt, &rt.kind, content_type, body)
}

/// Escalation prevention on a write of a Role, ClusterRole, RoleBinding or
/// ClusterRoleBinding by `user` (a no-op for every other type): the RBAC storage of
/// kube-apiserver runs it before validation, on creates and on the object an update or
/// patch would store (`old` is the stored object then). `url_name` is the name in the URL
/// (empty for a POST to the collection).
pub(crate) fn confirm_rbac_write(
    app: &App,
    user: &crate::auth::User,
    rt: &ResourceType,
    namespace: &str,
    url_name: &str,
    new: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    use crate::rbac::escalation::{RbacWrite, Refusal, check_write};
    use crate::rbac::objects::PolicySet;
    use crate::rbac::seam::StoreObjects;

    if !rt.strategy.checks_escalation() {
        return Ok(());
    }
    let write = RbacWrite {
        resource: &rt.plural,
        namespace: if rt.namespaced { namespace } else { "" },
        url_name,
        object: new,
        old,
    };
    let stored = StoreObjects::current(app.store.as_ref());
    let checked = match &stored {
        Some(objects) => check_write(objects, user, &write),
        None => check_write(&PolicySet::default(), user, &write),
    };
    checked.map_err(|refusal| match refusal {
        Refusal::Forbidden { answer: f } => ApiError::forbidden(f.message, f.details),
        Refusal::RoleNotFound { resource, name } => {
            let role_rt = app
                .registry
                .find("rbac.authorization.k8s.io", "v1", resource);
            match role_rt {
                Some(role_rt) => ApiError::not_found(&role_rt, &name),
                None => ApiError::internal(format!(
                    "{resource}.rbac.authorization.k8s.io \"{name}\" not found"
                )),
            }
        }
        Refusal::UnsupportedKind { message } => ApiError::internal(message),
    })
}

fn invalid_422(e: &validation::Invalid) -> ApiError {
    ApiError::from_status(422, e.status())
}

fn invalid(e: validation::Invalid) -> ApiError {
    ApiError::from_status(422, e.status())
}

/// The 400 for a body whose `apiVersion`/`kind` do not fit the endpoint.
pub(crate) fn type_meta_mismatch(
    rt: &ResourceType,
    kind: &str,
    body: &Value,
) -> Result<(), ApiError> {
    match validation::type_meta_mismatch(&rt.group, &rt.version, kind, body) {
        Some(message) => Err(ApiError::bad_request(message)),
        None => Ok(()),
    }
}

/// TokenRequest spec validation.
pub(crate) fn validate_token_request(body: &Value) -> Result<(), ApiError> {
    validation::token_request(body).map_err(invalid)
}

/// A parsed label and field selector.
#[derive(Debug)]
pub(crate) struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    /// Parses `labelSelector` and `fieldSelector` for the type.
    pub(crate) fn parse(rt: &ResourceType, label: &str, field: &str) -> Result<Self, ApiError> {
        let labels = LabelSelector::parse(label).map_err(|e| ApiError::bad_request(e.message))?;
        let fields = FieldSelector::parse(field, &|label| rt.strategy.field_label(label))
            .map_err(|e| ApiError::bad_request(e.message))?;
        Ok(Filter { labels, fields })
    }

    /// Whether nothing is selected on.
    pub(crate) fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// Whether the object matches.
    pub(crate) fn matches(&self, obj: &Value) -> bool {
        self.labels.matches_object(obj) && self.fields.matches(obj)
    }
}

/// `managedFields` of a TokenRequest answer (an Update by the caller on the `token` subresource).
pub(crate) fn record_token_request_fields(request: &Value, answer: &mut Value, manager: &str) {
    // expirationSeconds is defaulted before managedFields are computed: it belongs to the writer
    let mut request = request.clone();
    if request
        .pointer("/spec/expirationSeconds")
        .is_none_or(Value::is_null)
    {
        if !request.get("spec").is_some_and(Value::is_object) {
            request["spec"] = serde_json::json!({});
        }
        request["spec"]["expirationSeconds"] = 3600.into();
    }
    let fields = request.get("spec").and_then(Value::as_object).map(|spec| {
        let mut f = serde_json::Map::new();
        f.insert("f:spec".into(), struct_fields(spec));
        Value::Object(f)
    });
    let Some(fields) = fields.filter(|f| f["f:spec"].as_object().is_some_and(|m| !m.is_empty()))
    else {
        return;
    };
    let entry = serde_json::json!({
        "manager": manager,
        "operation": "Update",
        "apiVersion": "authentication.k8s.io/v1",
        "time": clock::now(),
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
        "subresource": "token",
    });
    set_managed_fields(answer, vec![entry]);
}

/// FieldsV1 of a struct whose nested objects are structs and whose lists are atomic.
fn struct_fields(map: &serde_json::Map<String, Value>) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in map {
        if v.is_null() {
            continue;
        }
        let inner = match v {
            Value::Object(m) => struct_fields(m),
            _ => Value::Object(Default::default()),
        };
        out.insert(format!("f:{k}"), inner);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protobuf::encode::{envelope, field};

    #[test]
    fn protobuf_rbac_bodies_are_recognised_by_the_media_type_as_body_type_reads_it() {
        let roles = ResourceType {
            group: "rbac.authorization.k8s.io".into(),
            version: "v1".into(),
            plural: "roles".into(),
            kind: "Role".into(),
            namespaced: true,
            verbs: Vec::new(),
            subresources: Default::default(),
            custom: None,
            strategy: crate::registry::StrategyRef::Static(&crate::registry::strategy::Plain),
        };
        let body = envelope(
            "rbac.authorization.k8s.io/v1",
            "Role",
            &field(1, &field(1, b"r")),
        );
        for content_type in [
            "application/vnd.kubernetes.protobuf",
            "Application/Vnd.Kubernetes.Protobuf; charset=utf-8",
        ] {
            let decoded = decode_body(&roles, Some(content_type), &body);
            assert_eq!(
                decoded.ok(),
                Some(
                    serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "Role", "metadata": {"name": "r"}})
                ),
                "{content_type}"
            );
        }
    }
}
