//! storage.k8s.io/v1 VolumeAttachment and VolumeAttributesClass validation
//! (`pkg/apis/storage/validation`: `ValidateVolumeAttachment`, `ValidateVolumeAttachmentV1`,
//! `ValidateVolumeAttachmentUpdate`, `ValidateVolumeAttributesClass`,
//! `ValidateVolumeAttributesClassUpdate`), each function returning the whole list the Go
//! function returns, its `ObjectMeta` rules included.
//!
//! An attachment's status is checked with its spec on every write (the status strategy reuses
//! the main strategy's `ValidateUpdate`): the attachment metadata's size, the error messages'
//! length and the error codes. An `inlineVolumeSpec` is not checked as a PersistentVolume
//! spec.

use serde_json::{Map, Value};

use super::field_error::BadValue;
use super::godump::{self, Field, Struct, Ty};
use super::{FieldError, NameRule, csi, names, object_meta, object_meta_update};

const MAX_ATTACHED_METADATA_SIZE: usize = 256 * 1024;
const MAX_VOLUME_ERROR_MESSAGE: usize = 1024;
const MAX_PARAMETERS: usize = 512;
const MAX_PARAMETERS_SIZE: usize = 256 * 1024;
const ONE_SOURCE: &str = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";

static ATTACHMENT_SOURCE: Struct = Struct {
    fields: &[
        Field::new(
            "PersistentVolumeName",
            "persistentVolumeName",
            Ty::Ptr(&Ty::Str),
        ),
        Field::new("InlineVolumeSpec", "inlineVolumeSpec", Ty::Json),
    ],
};

/// The internal `storage.VolumeAttachmentSpec`, as the immutability error prints it.
static ATTACHMENT_SPEC: Struct = Struct {
    fields: &[
        Field::new("Attacher", "attacher", Ty::Str),
        Field::new("Source", "source", Ty::Struct(&ATTACHMENT_SOURCE)),
        Field::new("NodeName", "nodeName", Ty::Str),
    ],
};

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn set<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    v.pointer(pointer).filter(|v| !v.is_null())
}

/// `ValidateVolumeAttachment`: metadata, spec (attacher, one source, node name) and status.
pub(crate) fn volume_attachment(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    if str_at(obj, "/spec/attacher").is_empty() {
        errs.push(FieldError::required("spec.attacher", ""));
    }
    let pv = set(obj, "/spec/source/persistentVolumeName");
    let inline = set(obj, "/spec/source/inlineVolumeSpec");
    match (pv, inline) {
        (None, None) => errs.push(FieldError::required("spec.source", ONE_SOURCE)),
        (Some(_), Some(_)) => errs.push(FieldError::forbidden("spec.source", ONE_SOURCE)),
        (Some(name), None) if name.as_str() == Some("") => errs.push(FieldError::required(
            "spec.source.persistentVolumeName",
            "must specify non empty persistentVolumeName",
        )),
        _ => {}
    }
    let node = str_at(obj, "/spec/nodeName");
    for msg in names::dns1123_subdomain(node) {
        errs.push(FieldError::invalid("spec.nodeName", node, msg));
    }
    errs.extend(attachment_status(obj));
    errs
}

/// `validateVolumeAttachmentStatus`.
fn attachment_status(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let metadata = obj
        .pointer("/status/attachmentMetadata")
        .and_then(Value::as_object);
    let size: usize = metadata
        .into_iter()
        .flatten()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > MAX_ATTACHED_METADATA_SIZE {
        errs.push(FieldError::too_long(
            "status.attachmentMetadata",
            MAX_ATTACHED_METADATA_SIZE,
        ));
    }
    for key in ["attachError", "detachError"] {
        let Some(error) = set(obj, &format!("/status/{key}")) else {
            continue;
        };
        if str_at(error, "/message").len() > MAX_VOLUME_ERROR_MESSAGE {
            // Go reports the metadata's limit here, not the message's.
            errs.push(FieldError::too_long(
                format!("status.{key}.message"),
                MAX_ATTACHED_METADATA_SIZE,
            ));
        }
        if let Some(code) = error.get("errorCode").and_then(Value::as_i64)
            && code < 0
        {
            errs.push(FieldError::invalid(
                format!("status.{key}.errorCode"),
                code,
                "must be between 0 and 2147483647, inclusive",
            ));
        }
    }
    errs
}

/// The strategy's `Validate`: `ValidateVolumeAttachment`, then the stricter v1 rules of new
/// attachments (`ValidateVolumeAttachmentV1`: the attacher is a CSI driver name, the
/// persistent volume's name a DNS subdomain).
pub(crate) fn volume_attachment_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = volume_attachment(obj);
    errs.extend(csi::driver_name(
        str_at(obj, "/spec/attacher"),
        "spec.attacher",
    ));
    if let Some(pv) = set(obj, "/spec/source/persistentVolumeName").and_then(Value::as_str) {
        for msg in names::dns1123_subdomain(pv) {
            errs.push(FieldError::invalid(
                "spec.source.persistentVolumeName",
                pv,
                msg,
            ));
        }
    }
    errs
}

/// The strategy's `ValidateUpdate` (main resource and status alike):
/// `ValidateVolumeAttachment` of the new object, then `ValidateVolumeAttachmentUpdate`, which
/// repeats it and refuses any change of the spec.
pub(crate) fn volume_attachment_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = volume_attachment(new);
    errs.extend(volume_attachment(new));
    let null = Value::Null;
    let (now, before) = (
        new.get("spec").unwrap_or(&null),
        old.get("spec").unwrap_or(&null),
    );
    if now != before {
        let dumped = godump::compact(&godump::dump(&ATTACHMENT_SPEC, now));
        errs.push(FieldError::invalid(
            "spec",
            BadValue::Raw(dumped),
            "field is immutable",
        ));
    }
    errs
}

/// `validateProvisioner` (a VolumeAttributesClass's driver name).
fn provisioner(value: &str, path: &str) -> Vec<FieldError> {
    if value.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let lower = value.to_lowercase();
    names::qualified_name(&lower)
        .into_iter()
        .map(|msg| FieldError::invalid(path, lower.as_str(), msg))
        .collect()
}

/// `validateParameters` with empty parameters refused.
fn parameters(params: Option<&Map<String, Value>>, path: &str) -> Vec<FieldError> {
    let empty = Map::new();
    let params = params.unwrap_or(&empty);
    if params.len() > MAX_PARAMETERS {
        return vec![FieldError::too_long(path, MAX_PARAMETERS)];
    }
    let mut errs = Vec::new();
    let mut size = 0;
    for (k, v) in params {
        if k.is_empty() {
            errs.push(FieldError::invalid(path, "", "field can not be empty."));
        }
        size += k.len() + v.as_str().map_or(0, str::len);
    }
    if size > MAX_PARAMETERS_SIZE {
        errs.push(FieldError::too_long(path, MAX_PARAMETERS_SIZE));
    }
    if params.is_empty() {
        errs.push(FieldError::required(
            path,
            "must contain at least one key/value pair",
        ));
    }
    errs
}

/// `ValidateVolumeAttributesClass`.
pub(crate) fn volume_attributes_class(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    errs.extend(provisioner(str_at(obj, "/driverName"), "driverName"));
    errs.extend(parameters(
        obj.get("parameters").and_then(Value::as_object),
        "parameters",
    ));
    errs
}

/// The strategy's `ValidateUpdate`: `ValidateVolumeAttributesClass` of the new object, then
/// `ValidateVolumeAttributesClassUpdate` (the metadata update, the driver and parameters that
/// may not change, and the new object's checks again).
pub(crate) fn volume_attributes_class_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = volume_attributes_class(new);
    errs.extend(object_meta_update(new, old));
    if str_at(new, "/driverName") != str_at(old, "/driverName") {
        errs.push(FieldError::forbidden(
            "driverName",
            "updates to driverName are forbidden.",
        ));
    }
    let params = |v: &Value| set(v, "/parameters").cloned();
    if params(new) != params(old) {
        errs.push(FieldError::forbidden(
            "parameters",
            "updates to parameters are forbidden.",
        ));
    }
    errs.extend(volume_attributes_class(new));
    errs
}

#[cfg(test)]
mod tests;
