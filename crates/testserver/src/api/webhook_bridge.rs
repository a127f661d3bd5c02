//! The bridge between the asynchronous dispatch and a synchronous write that may call admission
//! webhooks (see `admission::webhook::bridge`): the write runs on tokio's blocking pool, with
//! what the AdmissionReview needs about the request (options, user, the type's defaulting and
//! conversions); what webhooks add comes back to the answer and the audit event.

use serde_json::Value;

use crate::admission;
use crate::api::App;
use crate::api::hooks::apply_defaults;
use crate::api::respond::Body;
use crate::api::status::ApiError;
use crate::registry::ResourceType;

/// Answers a write that may reach an admission webhook: `answer` runs on tokio's blocking pool
/// inside the webhook bridge (`admission::webhook::bridge`), whose calls the runtime drives
/// meanwhile; what admission recorded (webhooks' warnings and audit annotations among it) goes
/// to the answer and the request's audit event here, on the runtime.
pub(crate) async fn answer_with_webhooks(
    app: &std::sync::Arc<App>,
    ctx: crate::api::Ctx,
    (verb, body): (&str, &bytes::Bytes),
    rt: &std::sync::Arc<ResourceType>,
    recorded: admission::recorder::RequestInfo,
    answer: impl FnOnce(
        &std::sync::Arc<App>,
        &crate::api::Ctx,
        admission::recorder::RequestInfo,
    ) -> (
        Result<http::Response<Body>, ApiError>,
        admission::recorder::Added,
    ) + Send
    + 'static,
) -> Result<http::Response<Body>, ApiError> {
    use admission::webhook::bridge;
    let mut info = bridge::RequestInfo {
        dry_run: recorded.dry_run,
        options: options(&ctx, verb, body),
        defaults: None,
        versions: None,
    };
    info.versions = Some(bridge::Converter(std::sync::Arc::new(WebhookVersions {
        app: app.clone(),
        rt: rt.clone(),
    })));
    let defaulted = rt.clone();
    info.defaults = Some(bridge::Defaulter(std::sync::Arc::new(
        move |obj: &mut Value| {
            // an object that no longer defaults is refused by validation later
            let _ = apply_defaults(&defaulted, obj);
        },
    )));
    let app = app.clone();
    let handle = tokio::runtime::Handle::current();
    let joined = tokio::task::spawn_blocking(move || {
        bridge::run(handle, info, || answer(&app, &ctx, recorded))
    })
    .await;
    let (answered, added) =
        joined.map_err(|e| ApiError::internal(format!("the request's handler failed: {e}")))?;
    crate::api::hooks::with_added(answered, added)
}

/// The request's options as the handler reads them (a delete's from its body, else from the
/// query), without `kind` and `apiVersion`.
fn options(
    ctx: &crate::api::Ctx,
    verb: &str,
    body: &bytes::Bytes,
) -> serde_json::Map<String, Value> {
    let mut options = serde_json::Map::new();
    let delete = verb == "delete" || verb == "deletecollection";
    let from_body = delete && !body.iter().all(u8::is_ascii_whitespace);
    if from_body {
        if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
            options = m;
        }
    } else {
        if let Some(d) = ctx.query.get("dryRun") {
            options.insert("dryRun".into(), serde_json::json!([d]));
        }
        let mut text = vec!["fieldManager", "fieldValidation"];
        if delete {
            text = vec!["propagationPolicy"];
            if let Some(g) = ctx
                .query
                .get("gracePeriodSeconds")
                .and_then(|g| g.parse::<i64>().ok())
            {
                options.insert("gracePeriodSeconds".into(), g.into());
            }
            if let Some(o) = ctx
                .query
                .get("orphanDependents")
                .and_then(|o| o.parse::<bool>().ok())
            {
                options.insert("orphanDependents".into(), o.into());
            }
        }
        for key in text {
            if let Some(v) = ctx.query.get(key).filter(|v| !v.is_empty()) {
                options.insert(key.into(), v.into());
            }
        }
    }
    options
}

/// The conversions of a written type's objects for webhooks: from the stored form admission
/// holds to the external form of the version a webhook matched, and back.
struct WebhookVersions {
    app: std::sync::Arc<App>,
    /// The resource the request writes.
    rt: std::sync::Arc<ResourceType>,
}

impl WebhookVersions {
    fn matched_type(
        &self,
        m: &admission::matching::Matched,
    ) -> Option<std::sync::Arc<ResourceType>> {
        self.app.registry.find(&m.group, &m.version, &m.resource)
    }
}

impl admission::webhook::bridge::Versions for WebhookVersions {
    fn view(&self, obj: &Value, to: &admission::matching::Matched) -> Value {
        match self.matched_type(to) {
            Some(rt) => crate::api::convert::to_external(&rt, obj),
            None => crate::api::convert::to_external(&self.rt, obj),
        }
    }

    fn back(&self, obj: &Value, from: &admission::matching::Matched) -> Value {
        let stored = match self.matched_type(from) {
            Some(rt) => crate::api::convert::to_storage(&rt, obj),
            None => obj.clone(),
        };
        // through the request's own version: a custom resource's object takes its version back
        let own = crate::api::convert::to_external(&self.rt, &stored);
        crate::api::convert::to_storage(&self.rt, &own)
    }
}
