//! The Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) as serde.
//!
//! [`from_slice`] decodes any `Deserialize` type — k8s-openapi's structs, `serde_json::Value` —
//! straight from the protobuf bytes of a built-in type, with no JSON in between; [`to_vec`]
//! encodes any `Serialize` value as the protobuf message of its `apiVersion` and `kind`. Both
//! are driven by one table ([`schema`]) that `cargo xtask protogen` generates from Kubernetes'
//! own `.proto` files and Go struct tags (vendored in `proto/`, see `proto/SOURCE.md`); there
//! is no hand-written code per type.
//!
//! The JSON form a value takes is the one Kubernetes' JSON encoding gives the same object:
//! JSON names, `Time` as RFC 3339, `IntOrString`, `Quantity`, `Duration`, `RawExtension` and
//! `FieldsV1` as embedded JSON, `bytes` as base64, map fields as objects, structs inlined into
//! their parent (`Volume.volumeSource`), and a zero non-pointer scalar with `omitempty` left
//! out as Go's JSON leaves it out. Encoding writes what Go's generated marshaller writes.
//!
//! Custom resources have no protobuf form; ask for JSON for them.
//!
//! ```
//! use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
//!
//! let pod = Pod {
//!     metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
//!         name: Some("web".into()),
//!         ..Default::default()
//!     },
//!     spec: Some(PodSpec {
//!         containers: vec![Container { name: "nginx".into(), ..Default::default() }],
//!         ..Default::default()
//!     }),
//!     ..Default::default()
//! };
//! let bytes = kubeset_protobuf::to_vec(&pod, "v1", "Pod")?;
//! assert!(bytes.starts_with(b"k8s\0"));
//! let back: Pod = kubeset_protobuf::from_slice(&bytes)?;
//! assert_eq!(back, pod);
//! # Ok::<(), kubeset_protobuf::Error>(())
//! ```

mod de;
mod envelope;
mod error;
#[rustfmt::skip]
mod generated;
mod list;
pub mod schema;
mod ser;
mod time;
mod wire;

use serde::{Deserialize, Serialize};

pub use envelope::{Envelope, MAGIC};
pub use error::{Error, ErrorKind, Path};
pub use list::{ItemBatch, ListParts, ListSplitter};
use schema::Message;

/// The media type of the encoding.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The message of a top-level type (`Status` and `WatchEvent` under any `v1`, as the API server
/// sends them).
///
/// ```
/// let pod = kubeset_protobuf::message_for("v1", "Pod").unwrap();
/// assert_eq!(pod.name, "k8s.io.api.core.v1.Pod");
/// ```
pub fn message_for(api_version: &str, kind: &str) -> Option<&'static Message> {
    schema::message_for(api_version, kind).or_else(|| {
        api_version
            .ends_with("v1")
            .then(|| schema::message_for("meta.k8s.io/v1", kind))
            .flatten()
    })
}

fn message_or_error(api_version: &str, kind: &str) -> Result<&'static Message, Error> {
    message_for(api_version, kind).ok_or_else(|| {
        ErrorKind::UnknownType {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
        }
        .into()
    })
}

/// Decodes a `k8s\0`-prefixed object; the value gets its `apiVersion` and `kind` from the
/// envelope, first, as in JSON.
///
/// ```
/// use k8s_openapi::api::core::v1::ConfigMap;
///
/// let bytes = kubeset_protobuf::to_vec(&ConfigMap::default(), "v1", "ConfigMap")?;
/// let value: serde_json::Value = kubeset_protobuf::from_slice(&bytes)?;
/// assert_eq!(value["kind"], "ConfigMap");
/// # Ok::<(), kubeset_protobuf::Error>(())
/// ```
pub fn from_slice<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let envelope = Envelope::read(bytes)?;
    let message = message_or_error(envelope.api_version, envelope.kind)?;
    T::deserialize(de::MessageDe {
        message,
        buf: envelope.raw,
        type_meta: Some((envelope.api_version, envelope.kind)),
        depth: 0,
    })
    .map_err(|e| e.in_message(message.name))
}

/// Decodes the bytes of one `message` (no envelope, no `apiVersion`/`kind`): a list item.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
///
/// let pod = kubeset_protobuf::message_for("v1", "Pod").unwrap();
/// let decoded: Pod = kubeset_protobuf::from_message(pod, &[])?;
/// assert_eq!(decoded, Pod::default());
/// # Ok::<(), kubeset_protobuf::Error>(())
/// ```
pub fn from_message<'de, T: Deserialize<'de>>(
    message: &'static Message,
    bytes: &'de [u8],
) -> Result<T, Error> {
    T::deserialize(de::MessageDe::new(message, bytes)).map_err(|e| e.in_message(message.name))
}

/// Encodes `value` as the protobuf object of `api_version` and `kind`, `k8s\0` envelope
/// included.
///
/// ```
/// let value = serde_json::json!({"metadata": {"name": "a"}, "data": {"k": "v"}});
/// let bytes = kubeset_protobuf::to_vec(&value, "v1", "ConfigMap")?;
/// let back: serde_json::Value = kubeset_protobuf::from_slice(&bytes)?;
/// assert_eq!(back["data"]["k"], "v");
/// # Ok::<(), kubeset_protobuf::Error>(())
/// ```
pub fn to_vec<T: ?Sized + Serialize>(
    value: &T,
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, Error> {
    let message = message_or_error(api_version, kind)?;
    ser::write_object(message, value, api_version, kind)
}

/// Encodes `value` as the bytes of `message`, without an envelope.
///
/// ```
/// let labels = kubeset_protobuf::message_for("meta.k8s.io/v1", "LabelSelector").unwrap();
/// let bytes = kubeset_protobuf::to_message(labels, &serde_json::json!({"matchLabels": {"a": "b"}}))?;
/// assert!(!bytes.is_empty());
/// # Ok::<(), kubeset_protobuf::Error>(())
/// ```
pub fn to_message<T: ?Sized + Serialize>(
    message: &'static Message,
    value: &T,
) -> Result<Vec<u8>, Error> {
    ser::write_message(message, value)
}
