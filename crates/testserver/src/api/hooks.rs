//! The seams where defaulting, admission, validation, `managedFields` and selectors plug into
//! the server. Each is called from exactly one place in the write or read path; the logic lives
//! in the pure `admission`, `validation`, `selector` and `fields` modules.

use serde_json::Value;

use crate::admission::{self, Attributes, Lookup, Operation};
use crate::api::status::ApiError;
use crate::api::{App, meta_mut, meta_str};
use crate::clock;
use crate::fields::managed::{Write, record_update, set_managed_fields};
use crate::registry::ResourceType;
use crate::selector::{FieldSelector, LabelSelector};
use crate::storage::{Key, Scope};
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

/// Read access to storage for admission plugins.
struct StoreLookup<'a>(&'a App);

impl Lookup for StoreLookup<'_> {
    fn get(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let key = Key::new(
            &format!("{group}/{resource}"),
            namespace.unwrap_or(""),
            name,
        );
        self.0.store.get(&key).map(|v| (*v).clone())
    }

    fn list(&self, group: &str, resource: &str, namespace: Option<&str>) -> Vec<Value> {
        let Ok(snap) = self.0.store.snapshot(None) else {
            return Vec::new();
        };
        let scope = Scope {
            resource: format!("{group}/{resource}"),
            namespace: namespace.map(str::to_owned),
        };
        snap.range(&scope, None)
            .map(|(_, v)| (**v).clone())
            .collect()
    }
}

/// API field defaulting of a decoded object.
pub(crate) fn apply_defaults(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    admission::defaults::apply(&rt.group, &rt.plural, obj)
        .map_err(|e| ApiError::bad_request(e.status_message()))
}

/// Records the write in `metadata.managedFields`.
pub(crate) fn record_managed_fields(
    rt: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: &str,
) {
    let Some(info) = crate::fields::schema::lookup(&rt.api_version(), &rt.kind) else {
        return;
    };
    let now = clock::now();
    let write = Write {
        info,
        manager,
        subresource: (!subresource.is_empty()).then_some(subresource),
        time: &now,
    };
    let entries = record_update(&write, old, new);
    set_managed_fields(new, entries);
}

fn attributes<'a>(
    rt: &'a ResourceType,
    op: Op,
    namespace: &'a str,
    name: &'a str,
    sub: &'a str,
) -> Attributes<'a> {
    Attributes {
        group: &rt.group,
        resource: &rt.plural,
        subresource: sub,
        namespace: if rt.namespaced { namespace } else { "" },
        name,
        operation: match op {
            Op::Create => Operation::Create,
            Op::Update => Operation::Update,
            Op::Delete => Operation::Delete,
        },
    }
}

/// Mutating admission (and the namespace lifecycle checks).
#[allow(
    clippy::too_many_arguments,
    reason = "the admission attributes of one request"
)]
pub(crate) fn admit(
    app: &App,
    rt: &ResourceType,
    op: Op,
    namespace: &str,
    name: &str,
    subresource: &str,
    obj: Option<&mut Value>,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let attrs = attributes(rt, op, namespace, name, subresource);
    admission::admit(&attrs, obj, old, &StoreLookup(app))
        .map_err(|e| ApiError::from_status(e.code(), e.status()))
}

/// Validating admission.
pub(crate) fn validate_admission(
    app: &App,
    rt: &ResourceType,
    op: Op,
    namespace: &str,
    obj: &Value,
) -> Result<(), ApiError> {
    let name = meta_str(obj, "name");
    let attrs = attributes(rt, op, namespace, name, "");
    admission::validate(&attrs, Some(obj), &StoreLookup(app))
        .map_err(|e| ApiError::from_status(e.code(), e.status()))
}

/// The type's create strategy (status reset, generation, computed status).
pub(crate) fn prepare_create(rt: &ResourceType, obj: &mut Value) {
    admission::strategy::prepare_for_create(&rt.group, &rt.plural, obj, &clock::now());
}

/// The type's update strategy (keeps status or spec, bumps generation).
pub(crate) fn prepare_update(rt: &ResourceType, subresource: &str, obj: &mut Value, old: &Value) {
    admission::strategy::prepare_for_update(
        &rt.group,
        &rt.plural,
        subresource,
        obj,
        old,
        &clock::now(),
    );
}

/// Resolves `generateName` into `name`.
pub(crate) fn generate_name(obj: &mut Value) {
    let prefix = meta_str(obj, "generateName").to_owned();
    if meta_str(obj, "name").is_empty()
        && !prefix.is_empty()
        && let Some(m) = meta_mut(obj)
    {
        m.insert("name".into(), admission::names::generate(&prefix).into());
    }
}

fn invalid(e: validation::Invalid) -> ApiError {
    ApiError::from_status(422, e.status())
}

/// Create validation.
pub(crate) fn validate_create(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    validation::validate_create(&rt.group, &rt.plural, obj).map_err(invalid)
}

/// Update validation.
pub(crate) fn validate_update(
    rt: &ResourceType,
    subresource: &str,
    obj: &Value,
    old: &Value,
) -> Result<(), ApiError> {
    validation::validate_update(&rt.group, &rt.plural, subresource, obj, old).map_err(invalid)
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
        let fields = FieldSelector::parse(&rt.group, &rt.plural, field)
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
