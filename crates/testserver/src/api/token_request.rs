//! `POST .../serviceaccounts/NAME/token`: TokenRequest.

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};

use crate::api::body::go_json_error;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::{ApiError, Cause};
use crate::api::{App, Ctx, hooks, meta_str};
use crate::auth::ISSUER;
use crate::auth::token::{Binding, TokenSpec, mint};
use crate::clock;

/// Mints a token for the ServiceAccount in the URL.
pub(super) fn create(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let protobuf = crate::api::body::body_type(ctx.header("content-type"))
        == crate::api::body::BodyType::Protobuf;
    let req: Value = if protobuf {
        crate::api::protobuf::decode(body)?
    } else {
        serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the object provided is unrecognized (must be of type TokenRequest): couldn't get version/kind; json parse error: {}",
            go_json_error(body, &e)
        ))
        })?
    };
    if !req.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is unrecognized (must be of type TokenRequest): couldn't get version/kind; json parse error: json: cannot unmarshal non-object into Go value",
        ));
    }
    hooks::validate_token_request(&req)?;
    let ns = target.namespace.as_deref().unwrap_or("");
    let name = target.name.as_deref().unwrap_or("");
    let expiration = req
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(3600);
    let invalid = |msg: String| {
        ApiError::invalid(
            "TokenRequest",
            "authentication.k8s.io",
            "",
            vec![Cause::new(
                "FieldValueInvalid",
                "spec.expirationSeconds",
                msg,
            )],
        )
    };
    if expiration < 600 {
        return Err(invalid(format!(
            "Invalid value: {expiration}: may not specify a duration less than 10 minutes"
        )));
    }
    if expiration > 1 << 32 {
        return Err(invalid(format!(
            "Invalid value: {expiration}: may not specify a duration larger than 2^32 seconds"
        )));
    }
    let audiences: Vec<String> = req
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .filter(|a: &Vec<String>| !a.is_empty())
        .unwrap_or_else(|| vec![ISSUER.to_owned()]);
    let sa = app
        .store
        .get(&app.key(&target.rt, ns, name))
        .ok_or_else(|| ApiError::not_found(&target.rt, name))?;
    let bound = req
        .pointer("/spec/boundObjectRef")
        .filter(|b| !b.is_null())
        .cloned();
    let binding = match &bound {
        None => None,
        Some(b) => {
            let kind = b.get("kind").and_then(Value::as_str).unwrap_or("");
            let api_version = b.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let obj_name = b.get("name").and_then(Value::as_str).unwrap_or("");
            let plural = match kind {
                "Pod" => "pods",
                "Secret" => "secrets",
                "Node" => "nodes",
                _ => {
                    let (g, v) = api_version.split_once('/').unwrap_or(("", api_version));
                    return Err(ApiError::bad_request(format!(
                        "cannot bind token to object of type {g}/{v}, Kind={kind}"
                    )));
                }
            };
            let rt = app
                .registry
                .find("", "v1", plural)
                .ok_or_else(ApiError::no_resource)?;
            let obj = app
                .store
                .get(&app.key(&rt, ns, obj_name))
                .ok_or_else(|| ApiError::not_found(&rt, obj_name))?;
            let uid = meta_str(&obj, "uid").to_owned();
            if let Some(want) = b
                .get("uid")
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty())
                && want != uid
            {
                return Err(ApiError::conflict_kind(
                    kind,
                    "",
                    obj_name,
                    &format!(
                        "the UID in the bound object reference ({want}) does not match the UID in record. The object might have been deleted and then recreated"
                    ),
                ));
            }
            Some(Binding {
                kind: kind.to_owned(),
                name: obj_name.to_owned(),
                uid,
            })
        }
    };
    let now = clock::unix_now();
    let sa_uid = meta_str(&sa, "uid").to_owned();
    let spec = TokenSpec {
        namespace: ns,
        name,
        uid: &sa_uid,
        audiences: &audiences,
        expiration_seconds: expiration,
        binding,
        now,
    };
    let (token, exp) = mint(&app.signer, &spec);
    let mut answer = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": sa_uid,
            "creationTimestamp": clock::rfc3339(now),
        },
        "spec": {
            "audiences": audiences,
            "expirationSeconds": expiration,
            "boundObjectRef": bound.unwrap_or(Value::Null),
        },
        "status": {"token": token, "expirationTimestamp": clock::rfc3339(exp)},
    });
    hooks::record_token_request_fields(&req, &mut answer, &ctx.manager());
    Ok(respond::value(201, &answer, ctx.repr.format))
}
