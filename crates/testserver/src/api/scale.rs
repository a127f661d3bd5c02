//! GET, PUT and PATCH of the `scale` subresource (an `autoscaling/v1` Scale mapped onto the
//! object by `crate::crd::scale`), written through the write pipeline as an update of the
//! `scale` subresource: for a custom resource at the paths its CRD names, for the built-in
//! types that have one (deployments, replicasets, statefulsets, replicationcontrollers) at
//! `.spec.replicas` and `.status.replicas`, with `status.selector` the string form of
//! `.spec.selector`, as their registries' `ScaleREST` answer.

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
use crate::registry::print;

/// Where the Scale's fields live in the object.
enum Source {
    /// A CRD version's `subresources.scale`.
    Custom(Value),
    /// A built-in type's `ScaleREST`.
    Builtin,
}

impl Source {
    /// The paths, in a CRD's `subresources.scale` shape.
    fn paths(&self) -> Value {
        match self {
            Source::Custom(paths) => paths.clone(),
            Source::Builtin => {
                serde_json::json!({"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"})
            }
        }
    }

    /// The Scale of an object (external form).
    fn scale_of(&self, external: &Value) -> Value {
        let mut out = scale::to_scale(&self.paths(), external);
        if matches!(self, Source::Builtin) {
            let selector = print::label_selector_string(external.pointer("/spec/selector"))
                .unwrap_or_default();
            if !selector.is_empty() {
                out["status"]["selector"] = selector.into();
            }
        }
        out
    }
}

fn subresource(target: &Target) -> Result<Source, ApiError> {
    match &target.rt.custom {
        Some(custom) => custom
            .scale()
            .cloned()
            .map(Source::Custom)
            .ok_or_else(ApiError::method_not_allowed),
        None if target.rt.subresources.contains_key("scale") => Ok(Source::Builtin),
        None => Err(ApiError::method_not_allowed()),
    }
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
    if let Source::Custom(sub) = &sub
        && !scale::has_spec_replicas(sub, &external)
    {
        // apierrors.NewInternalError
        let cause = format!(
            "the spec replicas field {} does not exist",
            crate::validation::go_quote(scale::spec_replicas_path(sub))
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
        &sub.scale_of(&external),
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
        user: Some(&ctx.user),
    };
    let updated = write::update(app, rt, &ns, &name, opts, &mut |old| {
        let current = sub.scale_of(&crate::api::convert::to_external(rt, old));
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
        scale::apply(&sub.paths(), old, &wanted).map_err(|e| ApiError::from_status(422, e.status()))
    })?;
    let external = crate::api::convert::to_external(rt, &updated);
    Ok(respond::value(
        200,
        &sub.scale_of(&external),
        ctx.repr.format,
    ))
}
