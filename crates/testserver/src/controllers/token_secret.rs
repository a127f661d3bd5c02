//! The legacy token controller: fills `kubernetes.io/service-account-token` Secrets.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::MANAGER;
use crate::api::App;
use crate::api::write::{self, WriteOpts};
use crate::auth::token::mint_legacy;
use crate::clock;

const SA_NAME: &str = "kubernetes.io/service-account.name";
const SA_UID: &str = "kubernetes.io/service-account.uid";

/// Fills a token Secret that names an existing ServiceAccount and has no token yet.
pub(super) fn sync(app: &App, secret: &Value) {
    if secret.get("type").and_then(Value::as_str) != Some("kubernetes.io/service-account-token") {
        return;
    }
    if secret.pointer("/data/token").is_some()
        || secret.pointer("/metadata/deletionTimestamp").is_some()
    {
        return;
    }
    let ns = secret
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = secret
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(sa_name) = secret
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(SA_NAME))
        .and_then(Value::as_str)
    else {
        return;
    };
    let (Some(sa_rt), Some(secret_rt)) = (
        app.registry.find("", "v1", "serviceaccounts"),
        app.registry.find("", "v1", "secrets"),
    ) else {
        return;
    };
    let Some(sa) = app.store.get(&app.key(&sa_rt, ns, sa_name)) else {
        return;
    };
    let sa_uid = sa
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let token = mint_legacy(&app.signer, ns, name, sa_name, &sa_uid, clock::unix_now());
    let opts = WriteOpts::by_server(MANAGER);
    let _ = write::update(app, &secret_rt, ns, name, opts, &mut |old| {
        let mut new = old.clone();
        new["data"]["token"] = STANDARD.encode(&token).into();
        new["data"]["ca.crt"] = STANDARD.encode(&app.pki.ca_pem).into();
        new["data"]["namespace"] = STANDARD.encode(ns).into();
        new["metadata"]["annotations"][SA_UID] = sa_uid.clone().into();
        if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        Ok(new)
    });
}
