//! Building HTTP responses: objects, lists, errors, plain text.

use http::{HeaderValue, Response, StatusCode, header};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::api::body::{As, Format, Representation};
use crate::api::convert::to_external;
use crate::api::status::ApiError;
use crate::api::yaml;
use crate::registry::ResourceType;

pub(crate) use crate::answer::body::{Body, full};

fn with_type(status: u16, content_type: &'static str, body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// An object or list in the negotiated format.
pub(crate) fn value(status: u16, v: &impl Serialize, format: Format) -> Response<Body> {
    match format {
        Format::Json => match serde_json::to_vec(v) {
            Ok(bytes) => with_type(status, "application/json", full(bytes)),
            Err(e) => error(&ApiError::internal(e.to_string())),
        },
        Format::Yaml => match serde_json::to_value(v) {
            Ok(v) => with_type(status, "application/yaml", full(yaml::to_yaml(&v))),
            Err(e) => error(&ApiError::internal(e.to_string())),
        },
        Format::Protobuf { or_json } => match serde_json::to_value(v) {
            Ok(v) => match crate::api::protobuf::encode(&v) {
                Some(bytes) => with_type(status, kubeset_protobuf::CONTENT_TYPE, full(bytes)),
                None if or_json => value(status, &v, Format::Json),
                None => error(&ApiError::not_acceptable()),
            },
            Err(e) => error(&ApiError::internal(e.to_string())),
        },
    }
}

/// A `Status` answer (a binding's or delete's `Success`), which the audit log records.
pub(crate) fn status(code: u16, status: &Value, format: Format) -> Response<Body> {
    let mut r = value(code, status, format);
    r.extensions_mut()
        .insert(crate::audit::Answered(std::sync::Arc::new(status.clone())));
    r
}

/// A text/plain answer.
pub(crate) fn text(status: u16, body: &'static str) -> Response<Body> {
    with_type(status, "text/plain; charset=utf-8", full(body))
}

/// An error answer.
pub(crate) fn error(e: &ApiError) -> Response<Body> {
    if e.plain {
        return with_type(e.code, "text/plain; charset=utf-8", full(e.message.clone()));
    }
    let status = e.to_status();
    let mut r = match serde_json::to_vec(&status) {
        Ok(bytes) => with_type(e.code, "application/json", full(bytes)),
        Err(_) => text(500, "internal error\n"),
    };
    r.extensions_mut()
        .insert(crate::audit::Answered(std::sync::Arc::new(status)));
    if let Some(secs) = e.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    add_warnings(&mut r, &e.warnings);
    r
}

/// Appends `warnings` as `Warning: 299 - "<text>"` headers, in order.
pub(crate) fn add_warnings(answer: &mut Response<Body>, warnings: &[String]) {
    for w in warnings {
        let text = format!("299 - {}", crate::validation::go_quote(w));
        if let Ok(v) = HeaderValue::from_str(&text) {
            answer.headers_mut().append(header::WARNING, v);
        }
    }
}

/// Serializes an object without `kind` and `apiVersion` (list items).
pub(crate) struct Item<'a>(pub(crate) &'a Value);

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(m) => {
                let mut map = s.serialize_map(None)?;
                for (k, v) in m {
                    if k != "kind" && k != "apiVersion" {
                        map.serialize_entry(k, v)?;
                    }
                }
                map.end()
            }
            other => other.serialize(s),
        }
    }
}

/// The object in the requested shape (`PartialObjectMetadata` for metadata-only requests).
pub(crate) fn shaped(rt: &ResourceType, obj: &Value, repr: Representation) -> Value {
    match repr.shape {
        As::Metadata => partial_metadata(obj),
        _ => to_external(rt, obj),
    }
}

/// `PartialObjectMetadata` of an object.
pub(crate) fn partial_metadata(obj: &Value) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), "PartialObjectMetadata".into());
    m.insert("apiVersion".into(), "meta.k8s.io/v1".into());
    m.insert(
        "metadata".into(),
        obj.get("metadata")
            .cloned()
            .unwrap_or(Value::Object(Map::new())),
    );
    Value::Object(m)
}
