//! PATCH: JSON merge patch, JSON patch (RFC 6902), strategic merge patch and server-side apply
//! (`application/apply-patch+yaml`, see [`crate::fields::apply`]).

use std::sync::Arc;

use bytes::Bytes;
use http::Response;
use serde_json::Value;

use crate::api::body::{BodyType, body_type, go_json_error};
use crate::api::convert::StoredVersions;
use crate::api::convert::{to_external, to_storage};
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::{self, Managed, WriteOpts};
use crate::api::{App, Ctx, hooks, meta_mut, meta_str};
use crate::clock;
use crate::fields::apply::{ApplyError, apply_across, parse_apply_body};
use crate::fields::managed::Write;
use crate::fields::schema::TypeInfo;
use crate::fields::versions::{OneVersion, Versions};
use crate::registry::ResourceType;

/// Answers a patch.
pub(super) fn patch(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let sub = match target.subresource.as_deref() {
        None => "",
        Some("status") => "status",
        Some("approval") => "approval",
        Some("ephemeralcontainers") => "ephemeralcontainers",
        Some("scale") => return crate::api::scale::write(app, ctx, target, body, true),
        Some(_) => return Err(ApiError::method_not_allowed()),
    };
    let kind = body_type(ctx.header("content-type"));
    let is_apply = kind == BodyType::ApplyPatch;
    match kind {
        BodyType::MergePatch | BodyType::JsonPatch | BodyType::ApplyPatch
            if rt.custom.is_some() => {}
        _ if rt.custom.is_some() => {
            // the CRD handler's own negotiation (no strategic merge for custom resources)
            return Err(ApiError::from_status(
                415,
                serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure",
                    "message": "the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json",
                    "reason": "UnsupportedMediaType", "code": 415}),
            ));
        }
        BodyType::MergePatch
        | BodyType::JsonPatch
        | BodyType::StrategicMergePatch
        | BodyType::ApplyPatch => {}
        _ => return Err(ApiError::unsupported_patch_type()),
    }
    // ValidatePatchOptions
    let dry_run = ctx.query.all("dryRun");
    crate::validation::patch_options(
        is_apply,
        ctx.query.get("fieldManager").unwrap_or_default(),
        ctx.query.get("force").map(|_| true),
        (&dry_run, ctx.query.get("fieldValidation")),
    )
    .map_err(|invalid| ApiError::from_status(422, invalid.status()))?;
    let dry = !dry_run.is_empty();
    let patch: Value = if is_apply {
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::bad_request("the patch is not valid UTF-8"))?;
        parse_apply_body(text).map_err(|e| apply_error(&e))?
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("error decoding patch: {}", go_json_error(body, &e)))
        })?
    };
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let manager = ctx.manager();
    let opts = WriteOpts {
        manager: &manager,
        dry_run: dry,
        subresource: sub,
        user: Some(&ctx.user),
    };
    let key = app.key(rt, &ns, &name);
    let info = hooks::type_info(rt);
    if is_apply && let Some(info) = info {
        let text = std::str::from_utf8(body).unwrap_or_default();
        let warnings = crate::api::strict::apply_config(ctx, text)?;
        return server_side_apply(app, ctx, rt, info, (&ns, &name), (patch, warnings), opts);
    }
    if is_apply && sub.is_empty() && app.store.get(&key).is_none() {
        let obj = to_storage(rt, &patch);
        hooks::confirm_rbac_write(app, &ctx.user, rt, &ns, &name, &obj, None)?;
        let created = write::create(app, rt, &ns, obj, opts)?;
        let mut answer = respond::value(
            201,
            &respond::shaped(rt, &created, ctx.repr),
            ctx.repr.format,
        );
        let warnings = crate::api::warnings::created(rt, Vec::new(), &created);
        crate::api::respond::add_warnings(&mut answer, &warnings);
        return Ok(answer);
    }
    let pins_rv = patch.pointer("/metadata/resourceVersion").is_some();
    let field_validation = ctx.query.get("fieldValidation");
    let mut warnings = Vec::new();
    let mut replaced = None;
    let updated = write::update(app, rt, &ns, &name, opts, &mut |old| {
        let mut doc = to_external(rt, old);
        match kind {
            BodyType::StrategicMergePatch => {
                if let Some(info) = info {
                    doc = crate::fields::strategic::strategic_merge_patch(info, &doc, &patch)
                        .map_err(|e| ApiError::from_status(e.code(), e.to_status()))?;
                } else {
                    json_patch::merge(&mut doc, &patch);
                }
            }
            BodyType::JsonPatch => {
                let ops: json_patch::Patch =
                    serde_json::from_value(patch.clone()).map_err(|e| {
                        ApiError::bad_request(format!("the JSON patch is invalid: {e}"))
                    })?;
                json_patch::patch(&mut doc, &ops).map_err(|_| ApiError::invalid_generic())?;
            }
            _ => json_patch::merge(&mut doc, &patch),
        }
        if !pins_rv && let Some(m) = meta_mut(&mut doc) {
            m.remove("resourceVersion");
        }
        warnings = hooks::decode_custom(rt, field_validation, &mut doc)?;
        warnings.extend(crate::api::strict::patched(
            rt,
            ctx,
            (body, &patch),
            &mut doc,
        )?);
        let new = to_storage(rt, &doc);
        hooks::confirm_rbac_write(app, &ctx.user, rt, &ns, &name, &new, Some(old))?;
        replaced = Some(old.clone());
        Ok(new)
    });
    let updated = match updated {
        Ok(updated) => updated,
        Err(e) => return crate::api::warnings::refused(e, &warnings),
    };
    let mut answer = respond::value(
        200,
        &respond::shaped(rt, &updated, ctx.repr),
        ctx.repr.format,
    );
    let warnings = crate::api::warnings::updated(rt, sub, warnings, (&updated, replaced.as_ref()));
    crate::api::respond::add_warnings(&mut answer, &warnings);
    Ok(answer)
}

/// Server-side apply of `config` by `write.manager`: creates the object when it does not exist
/// (not for subresources), else applies to the live object; the result is then defaulted,
/// admitted and validated like any write, keeping the managedFields the apply computed. The
/// answer carries the configuration's `warnings`, then the strategy's.
fn server_side_apply(
    app: &App,
    ctx: &Ctx,
    rt: &Arc<ResourceType>,
    info: &TypeInfo,
    (ns, name): (&str, &str),
    (mut config, warnings): (Value, Vec<String>),
    opts: WriteOpts<'_>,
) -> Result<Response<Body>, ApiError> {
    let now = clock::now();
    let write = &Write {
        info,
        manager: opts.manager,
        subresource: (!opts.subresource.is_empty()).then_some(opts.subresource),
        time: &now,
    };
    // Go's strconv.ParseBool spellings of true
    let force = matches!(
        ctx.query.get("force"),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True")
    );
    let body_name = meta_str(&config, "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    // managers of the resource's other versions are judged in theirs (custom resources convert
    // with `None`: every version is the same object)
    let stored = StoredVersions {
        registry: &app.registry,
        rt,
    };
    let versions: &dyn Versions = match rt.custom {
        Some(_) => &OneVersion,
        None => &stored,
    };
    let key = app.key(rt, ns, name);
    if opts.subresource.is_empty() && app.store.get(&key).is_none() {
        if let Some(m) = meta_mut(&mut config) {
            m.insert("name".into(), name.into());
        }
        let applied =
            apply_across(write, None, &config, force, versions).map_err(|e| apply_error(&e))?;
        let obj = to_storage(rt, &applied.object);
        hooks::confirm_rbac_write(app, &ctx.user, rt, ns, name, &obj, None)?;
        let created = match write::create_with(app, rt, ns, obj, opts, Managed::Keep) {
            Ok(created) => created,
            Err(e) => return crate::api::warnings::refused(e, &warnings),
        };
        let mut answer = respond::value(
            201,
            &respond::shaped(rt, &created, ctx.repr),
            ctx.repr.format,
        );
        let warnings = crate::api::warnings::created(rt, warnings, &created);
        crate::api::respond::add_warnings(&mut answer, &warnings);
        return Ok(answer);
    }
    let mut replaced = None;
    let updated = write::update_with(app, rt, ns, name, opts, Managed::Keep, &mut |old| {
        let live = to_external(rt, old);
        let applied = apply_across(write, Some(&live), &config, force, versions)
            .map_err(|e| apply_error(&e))?;
        let new = to_storage(rt, &applied.object);
        hooks::confirm_rbac_write(app, &ctx.user, rt, ns, name, &new, Some(old))?;
        replaced = Some(old.clone());
        Ok(new)
    });
    let updated = match updated {
        Ok(updated) => updated,
        Err(e) => return crate::api::warnings::refused(e, &warnings),
    };
    let mut answer = respond::value(
        200,
        &respond::shaped(rt, &updated, ctx.repr),
        ctx.repr.format,
    );
    let warnings = crate::api::warnings::updated(
        rt,
        opts.subresource,
        warnings,
        (&updated, replaced.as_ref()),
    );
    crate::api::respond::add_warnings(&mut answer, &warnings);
    Ok(answer)
}

/// The answer for a failed apply (400 bad body, 409 conflicts, 500 untypable configuration).
fn apply_error(err: &ApplyError) -> ApiError {
    ApiError::from_status(err.code(), err.to_status())
}
