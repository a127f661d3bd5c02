//! `fieldValidation` in the write handlers: the strict decoding of create and update bodies
//! (`create.go`/`update.go` with `transformDecodeError`) and of patched objects (`patch.go`:
//! `jsonPatcher.applyPatchToCurrentObject`, `applyPatchToObject` of strategic merge patches).
//!
//! Guarantees: a built-in object is stored without the fields its type does not have, whatever
//! `fieldValidation` says; `Warn` (the default) answers with one `Warning` per strict error,
//! `Strict` refuses with the real 400 (create, update) or 422 (patch) and its text. A value
//! its Go type cannot hold is refused first, under every `fieldValidation`: the 400 `Pod in
//! version "v1" cannot be handled as a Pod: json: cannot unmarshal ...` of a create or update,
//! the 422 `patch: Invalid value: ...` of a patch.

use serde_json::Value;

use crate::api::Ctx;
use crate::api::body::{BodyType, body_type};
use crate::api::status::ApiError;
use crate::fields::known::{self, Node};
use crate::registry::ResourceType;
use crate::strict::{
    FieldValidation, StrictError, cannot_handle, cannot_handle_error, convert_error,
    decoding_error, prune, resolve, scan, type_error, yaml_duplicate_key,
};
use crate::validation::{FieldError, Invalid};

/// `ValidateCreateOptions`/`ValidateUpdateOptions` (`kind` `CreateOptions` or
/// `UpdateOptions`) of the query: the 422 when invalid, else whether the write is a dry run.
pub(crate) fn write_options(ctx: &Ctx, kind: &str) -> Result<bool, ApiError> {
    let dry_run = ctx.query.all("dryRun");
    crate::validation::write_options(
        kind,
        ctx.query.get("fieldManager").unwrap_or_default(),
        ctx.query.get("fieldValidation"),
        &dry_run,
    )
    .map_err(|invalid| ApiError::from_status(422, invalid.status()))?;
    Ok(!dry_run.is_empty())
}

fn validation(ctx: &Ctx) -> FieldValidation {
    FieldValidation::parse(ctx.query.get("fieldValidation"))
}

/// The decoder's view of a create or update `body` already parsed into `obj`: unknown fields
/// dropped, and the `Warning` texts to send (or the 400 under `Strict`).
pub(crate) fn decode(
    rt: &ResourceType,
    ctx: &Ctx,
    body: &[u8],
    obj: &mut Value,
) -> Result<Vec<String>, ApiError> {
    let validation = validation(ctx);
    let media = body_type(ctx.header("content-type"));
    if let Some(custom) = &rt.custom {
        let duplicates = match (validation, media) {
            (FieldValidation::Ignore, _) => Vec::new(),
            (_, BodyType::Json) => scan(body, Node::Any),
            _ => Vec::new(),
        };
        return custom
            .decode_after(obj, validation, duplicates)
            .map_err(|refusal| match refusal {
                crate::crd::strategy::Refusal::WrongKind { invalid, .. } => {
                    ApiError::from_status(422, invalid.status())
                }
                crate::crd::strategy::Refusal::Strict { message } => ApiError::bad_request(message),
            });
    }
    let Some(root) = known::root(&rt.api_version(), &rt.kind) else {
        return Ok(Vec::new());
    };
    // the decoder's type errors come first, whatever fieldValidation says: YAML is decoded
    // as the JSON it converts to (re-encoded from a Go map: keys sorted, as here)
    let json = match media {
        BodyType::Yaml => serde_json::to_vec(obj).unwrap_or_default(),
        _ => body.to_vec(),
    };
    if matches!(media, BodyType::Json | BodyType::Yaml)
        && let Some(error) = type_error(&json, root)
    {
        return Err(ApiError::bad_request(cannot_handle_error(
            &rt.kind,
            &rt.version,
            &error,
        )));
    }
    let errs = match (validation, media) {
        (FieldValidation::Ignore, _) => Vec::new(),
        (_, BodyType::Json) => scan(body, root),
        // YAML: its duplicate keys first (YAMLToJSONStrict), then the JSON it converts to,
        // re-encoded from a Go map: keys sorted, as here
        (_, BodyType::Yaml) => {
            let text = std::str::from_utf8(body).unwrap_or_default();
            let mut errs: Vec<StrictError> = yaml_duplicate_key(text).into_iter().collect();
            errs.extend(scan(&serde_json::to_vec(obj).unwrap_or_default(), root));
            errs
        }
        _ => Vec::new(),
    };
    prune(root, obj);
    resolve(validation, errs)
        .map_err(|errs| ApiError::bad_request(cannot_handle(&rt.kind, &rt.version, &errs)))
}

/// The decoder's view of a built-in object after a JSON, merge or strategic merge patch
/// (`patch_body` as sent, `patch` parsed, `doc` the patched object): unknown fields dropped
/// from `doc`, the `Warning` texts, or the 422 `patch: Invalid value` under `Strict`. Custom
/// resources are left to their strategy.
pub(crate) fn patched(
    rt: &ResourceType,
    ctx: &Ctx,
    (patch_body, patch): (&[u8], &Value),
    doc: &mut Value,
) -> Result<Vec<String>, ApiError> {
    if rt.custom.is_some() {
        return Ok(Vec::new());
    }
    let Some(root) = known::root(&rt.api_version(), &rt.kind) else {
        return Ok(Vec::new());
    };
    let media = body_type(ctx.header("content-type"));
    // the patched object as Go encodes it (from a map: keys sorted)
    let patched_json = serde_json::to_string(doc).unwrap_or_default();
    // a type error trumps the strict errors, whatever fieldValidation says: JSON and merge
    // patches decode the patched JSON, strategic merge patches convert the merged map
    let type_error = if media == BodyType::StrategicMergePatch {
        convert_error(doc, root).map(|e| (crate::fields::gofmt::go_v(patch), e))
    } else {
        type_error(patched_json.as_bytes(), root).map(|e| (patched_json.clone(), e))
    };
    if let Some((value, error)) = type_error {
        let invalid = Invalid::new("", "", "", vec![FieldError::invalid("patch", value, error)]);
        return Err(ApiError::from_status(422, invalid.status()));
    }
    let validation = validation(ctx);
    if validation == FieldValidation::Ignore {
        prune(root, doc);
        return Ok(Vec::new());
    }
    // the patch's own duplicate keys (decoded into a map before it is applied)
    let applied = match media {
        BodyType::MergePatch | BodyType::StrategicMergePatch => scan(patch_body, Node::Any),
        _ => Vec::new(),
    };
    // the patched object decoded strictly
    let decoded = scan(patched_json.as_bytes(), root);
    prune(root, doc);
    if validation == FieldValidation::Warn {
        return Ok(applied
            .iter()
            .chain(&decoded)
            .map(ToString::to_string)
            .collect());
    }
    let refused: &[StrictError] = if decoded.is_empty() {
        &applied
    } else {
        &decoded
    };
    if refused.is_empty() {
        return Ok(Vec::new());
    }
    // strategic merge patches show the patch as Go's %+v of the map; the others the patched JSON
    let value = if media == BodyType::StrategicMergePatch {
        crate::fields::gofmt::go_v(patch)
    } else {
        patched_json
    };
    let invalid = Invalid::new(
        "",
        "",
        "",
        vec![FieldError::invalid("patch", value, decoding_error(refused))],
    );
    Err(ApiError::from_status(422, invalid.status()))
}

/// `applyPatcher`'s strict check of an apply configuration (`yaml.UnmarshalStrict` of the
/// body under `Warn` and `Strict`): its duplicate keys as a `Warning`, or the 400
/// `error strict decoding YAML: ...` under `Strict`.
pub(crate) fn apply_config(ctx: &Ctx, body: &str) -> Result<Vec<String>, ApiError> {
    let validation = validation(ctx);
    if validation == FieldValidation::Ignore {
        return Ok(Vec::new());
    }
    let Some(duplicate) = yaml_duplicate_key(body) else {
        return Ok(Vec::new());
    };
    let text = format!("error converting YAML to JSON: {duplicate}");
    match validation {
        FieldValidation::Strict => Err(ApiError::bad_request(format!(
            "error strict decoding YAML: {text}"
        ))),
        _ => Ok(vec![text]),
    }
}
