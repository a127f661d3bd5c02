//! The write pipeline every create, update and patch goes through (requests and controllers).
//!
//! Order, as in kube-apiserver: decode and default, record `managedFields`, mutating admission,
//! the type's strategy (status reset, generation), `generateName`, system metadata, validation,
//! validating admission, storage.

use std::sync::Arc;

use serde_json::Value;

use crate::api::hooks;
use crate::api::status::ApiError;
use crate::api::{App, meta_mut, meta_str};
use crate::registry::ResourceType;
use crate::storage::{StoreError, revision_of};

/// Options of one write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteOpts<'a> {
    /// The field manager recorded in `managedFields`.
    pub(crate) manager: &'a str,
    /// Validate and answer, but store nothing.
    pub(crate) dry_run: bool,
    /// The subresource written (`status`), or `""`.
    pub(crate) subresource: &'a str,
    /// Who writes (after impersonation); `None` for the server's own writes (controllers,
    /// bootstrap), which admission plugins that ask the authorizer let through.
    pub(crate) user: Option<&'a crate::auth::User>,
}

impl<'a> WriteOpts<'a> {
    /// A write of the server's own (a controller's or the bootstrap's) to the main resource,
    /// recorded as `manager`'s Update; change `subresource` with struct update syntax.
    pub(crate) const fn by_server(manager: &'a str) -> Self {
        Self {
            manager,
            dry_run: false,
            subresource: "",
            user: None,
        }
    }
}

/// Whether the write pipeline records `managedFields` (an Update by the manager) or keeps the
/// ones the caller computed (server-side apply records its own Apply entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Managed {
    /// Record an Update operation of `WriteOpts::manager`.
    Record,
    /// Keep `metadata.managedFields` as the caller set them.
    Keep,
}

/// Creates an object in `namespace` (ignored for cluster-scoped types).
pub(crate) fn create(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    obj: Value,
    opts: WriteOpts<'_>,
) -> Result<Arc<Value>, ApiError> {
    create_with(app, rt, namespace, obj, opts, Managed::Record)
}

/// [`create`], saying whether `managedFields` are recorded or already set by the caller.
pub(crate) fn create_with(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    mut obj: Value,
    opts: WriteOpts<'_>,
    managed: Managed,
) -> Result<Arc<Value>, ApiError> {
    obj["kind"] = Value::String(rt.kind.clone());
    obj["apiVersion"] = Value::String(rt.stored_api_version());
    if rt.namespaced {
        let body_ns = meta_str(&obj, "namespace");
        if !body_ns.is_empty() && body_ns != namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if let Some(m) = meta_mut(&mut obj) {
            m.insert("namespace".into(), namespace.into());
        }
    } else if let Some(m) = meta_mut(&mut obj) {
        m.remove("namespace");
    }
    if let Some(m) = meta_mut(&mut obj) {
        m.remove("generation");
    }
    hooks::apply_defaults(rt, &mut obj)?;
    if managed == Managed::Record {
        hooks::record_managed_fields(
            &app.registry,
            rt,
            None,
            &mut obj,
            opts.manager,
            opts.subresource,
        );
    }
    hooks::admit_create(app, rt, namespace, &opts, &mut obj)?;
    if let Some(m) = meta_mut(&mut obj) {
        // uid and creationTimestamp are set by the create pipeline, before the strategy
        m.remove("resourceVersion");
        m.remove("deletionTimestamp");
        m.remove("deletionGracePeriodSeconds");
        m.remove("selfLink");
    }
    let name = meta_str(&obj, "name").to_owned();
    let key = app.key(rt, namespace, &name);
    if app.store.get(&key).is_some() {
        // refused by the store, after `rest.BeforeCreate` recorded the strategy's warnings
        let warnings = rt.strategy.warnings_on_create(&obj);
        return Err(ApiError::already_exists(rt, &name).with_warnings(warnings));
    }
    if opts.dry_run {
        return Ok(Arc::new(obj));
    }
    app.store.create(&key, obj).map_err(|e| match e {
        StoreError::AlreadyExists => ApiError::already_exists(rt, &name),
        other => ApiError::internal(other.to_string()),
    })
}

/// Computes the new object from the stored one.
pub(crate) type Transform<'a> = dyn FnMut(&Value) -> Result<Value, ApiError> + 'a;

/// Updates the object at `namespace/name` with `transform(old)`, retrying on a concurrent write
/// unless the new object names the resourceVersion it was based on.
pub(crate) fn update(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    opts: WriteOpts<'_>,
    transform: &mut Transform<'_>,
) -> Result<Arc<Value>, ApiError> {
    update_with(app, rt, namespace, name, opts, Managed::Record, transform)
}

/// [`update`], saying whether `managedFields` are recorded or already set by `transform`.
pub(crate) fn update_with(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    opts: WriteOpts<'_>,
    managed: Managed,
    transform: &mut Transform<'_>,
) -> Result<Arc<Value>, ApiError> {
    let key = app.key(rt, namespace, name);
    for _ in 0..16 {
        let old = app
            .store
            .get(&key)
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        let mut new = transform(&old)?;
        let old_rv = revision_of(&old);
        let asked_rv = meta_str(&new, "resourceVersion").to_owned();
        if !asked_rv.is_empty() && asked_rv != old_rv.to_string() {
            return Err(ApiError::stale(rt, name));
        }
        prepare_update(app, rt, namespace, name, &old, &mut new, (opts, managed))?;
        if same_object(&old, &new) {
            return Ok(old);
        }
        if opts.dry_run {
            return Ok(Arc::new(new));
        }
        let finished = is_deleting(&new) && no_finalizers(&new);
        match app.store.update(&key, old_rv, new) {
            Ok(stored) => {
                if finished {
                    // the last finalizer is gone: the object goes away now
                    let _ = app.store.delete(&key, revision_of(&stored), None);
                }
                return Ok(stored);
            }
            Err(StoreError::Conflict { .. }) if asked_rv.is_empty() => continue,
            Err(StoreError::Conflict { .. }) => return Err(ApiError::stale(rt, name)),
            Err(StoreError::NotFound) => return Err(ApiError::not_found(rt, name)),
            Err(other) => return Err(ApiError::internal(other.to_string())),
        }
    }
    Err(ApiError::stale(rt, name))
}

fn prepare_update(
    app: &App,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    old: &Value,
    new: &mut Value,
    (opts, managed): (WriteOpts<'_>, Managed),
) -> Result<(), ApiError> {
    if !new.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is not a JSON object",
        ));
    }
    let body_name = meta_str(new, "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    if rt.namespaced {
        let body_ns = meta_str(new, "namespace");
        if !body_ns.is_empty() && body_ns != namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
    }
    new["kind"] = Value::String(rt.kind.clone());
    new["apiVersion"] = Value::String(rt.stored_api_version());
    hooks::apply_defaults(rt, new)?;
    // system metadata is the server's
    let keep = [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
    ];
    let old_meta = old.get("metadata").cloned().unwrap_or_default();
    if let Some(m) = meta_mut(new) {
        m.insert("name".into(), name.into());
        if rt.namespaced {
            m.insert("namespace".into(), namespace.into());
        }
        for k in keep {
            match old_meta.get(k) {
                Some(v) => {
                    m.insert(k.into(), v.clone());
                }
                None => {
                    m.remove(k);
                }
            }
        }
        // the caller checked the precondition; validation wants the version updated
        m.insert(
            "resourceVersion".into(),
            revision_of(old).to_string().into(),
        );
    }
    if managed == Managed::Record {
        hooks::record_managed_fields(
            &app.registry,
            rt,
            Some(old),
            new,
            opts.manager,
            opts.subresource,
        );
    }
    hooks::admit_update(app, rt, (namespace, name), &opts, new, old)?;
    if let Some(m) = meta_mut(new) {
        m.insert(
            "resourceVersion".into(),
            revision_of(old).to_string().into(),
        );
    }
    Ok(())
}

/// Whether an update changes nothing but `managedFields` timestamps (the real server then
/// keeps the stored object and its resourceVersion).
fn same_object(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = meta_mut(&mut v) {
            m.remove("resourceVersion");
            if let Some(Value::Array(mf)) = m.get_mut("managedFields") {
                for e in mf {
                    if let Some(o) = e.as_object_mut() {
                        o.remove("time");
                    }
                }
            }
        }
        v
    };
    strip(old) == strip(new)
}

/// Whether the object has a deletionTimestamp.
pub(crate) fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// Whether the object has no finalizers.
pub(crate) fn no_finalizers(obj: &Value) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
}
