//! GET, PUT and PATCH of a custom resource's `scale` subresource (an `autoscaling/v1`
//! Scale mapped onto the object by `crate::crd::scale`), written through the write pipeline
//! as an update of the `scale` subresource.

use bytes::Bytes;
use http::Response;
use serde_json::Value;

use crate::api::body::{BodyType, body_type};
use crate::api::query::dry_run;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts};
use crate::api::{App, Ctx};
use crate::crd::scale;

fn subresource(target: &Target) -> Result<Value, ApiError> {
    target
        .rt
        .custom
        .as_ref()
        .and_then(|c| c.scale())
        .cloned()
        .ok_or_else(ApiError::method_not_allowed)
}

/// GET `.../NAME/scale`.
pub(super) fn get(app: &App, ctx: &Ctx, target: &Target) -> Result<Response<Body>, ApiError> {
    let sub = subresource(target)?;
    let rt = &target.rt;
    let name = target.name.as_deref().unwrap_or("");
    let ns = target.namespace.as_deref().unwrap_or("");
    let obj = app
        .store
        .get(&app.key(rt, ns, name))
        .ok_or_else(|| ApiError::not_found(rt, name))?;
    let external = crate::api::convert::to_external(rt, &obj);
    if !scale::has_spec_replicas(&sub, &external) {
        // apierrors.NewInternalError
        let cause = format!(
            "the spec replicas field {} does not exist",
            crate::validation::go_quote(scale::spec_replicas_path(&sub))
        );
        return Err(ApiError::from_status(
            500,
            serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "message": format!("Internal error occurred: {cause}"),
                "reason": "InternalError", "details": {"causes": [{"message": cause}]},
                "code": 500}),
        ));
    }
    Ok(respond::value(
        200,
        &scale::to_scale(&sub, &external),
        ctx.repr.format,
    ))
}

/// PUT (a Scale body) or PATCH (merge or JSON patch of the Scale) of `.../NAME/scale`.
pub(super) fn write(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
    patch: bool,
) -> Result<Response<Body>, ApiError> {
    let sub = subresource(target)?;
    let rt = &target.rt;
    let name = target.name.clone().unwrap_or_default();
    let ns = target.namespace.clone().unwrap_or_default();
    let dry = dry_run(
        &ctx.query,
        if patch {
            "PatchOptions"
        } else {
            "UpdateOptions"
        },
    )?;
    let kind = body_type(ctx.header("content-type"));
    let input: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding body: {e}")))?;
    let manager = ctx.manager();
    let opts = WriteOpts {
        manager: &manager,
        dry_run: dry,
        subresource: "scale",
    };
    let updated = write::update(app, rt, &ns, &name, opts, &mut |old| {
        let current = scale::to_scale(&sub, &crate::api::convert::to_external(rt, old));
        let wanted = if !patch {
            input.clone()
        } else {
            let mut doc = current;
            match kind {
                BodyType::MergePatch => json_patch::merge(&mut doc, &input),
                BodyType::JsonPatch => {
                    let ops: json_patch::Patch =
                        serde_json::from_value(input.clone()).map_err(|e| {
                            ApiError::bad_request(format!("the JSON patch is invalid: {e}"))
                        })?;
                    json_patch::patch(&mut doc, &ops).map_err(|_| ApiError::invalid_generic())?;
                }
                _ => return Err(ApiError::unsupported_patch_type()),
            }
            if let Some(m) = crate::api::meta_mut(&mut doc) {
                m.remove("resourceVersion");
            }
            doc
        };
        scale::apply(&sub, old, &wanted).map_err(|e| ApiError::from_status(422, e.status()))
    })?;
    let external = crate::api::convert::to_external(rt, &updated);
    Ok(respond::value(
        200,
        &scale::to_scale(&sub, &external),
        ctx.repr.format,
    ))
}
