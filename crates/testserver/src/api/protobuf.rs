//! The Kubernetes protobuf encoding for built-in types, through `kubeset-protobuf` (a table
//! generated from Kubernetes' `.proto` files, so every built-in kind is known): request bodies
//! sent with `Content-Type: application/vnd.kubernetes.protobuf` are decoded into the object's
//! JSON form, and answers negotiated as protobuf are encoded from it. Custom resources have no
//! protobuf form: a request for them in protobuf only is 406, as kube-apiserver answers.

use serde_json::Value;

use crate::api::status::ApiError;

/// Decodes a `k8s\0`-prefixed protobuf body into the object's JSON form (`apiVersion` and
/// `kind` from the envelope).
pub(crate) fn decode(body: &[u8]) -> Result<Value, ApiError> {
    kubeset_protobuf::from_slice(body).map_err(|e| match e.kind() {
        kubeset_protobuf::ErrorKind::UnknownType { .. } => ApiError::unsupported_body(),
        _ => ApiError::bad_request("the protobuf body is not a valid Kubernetes object"),
    })
}

/// Encodes an object or list (its JSON form names its `apiVersion` and `kind`) as protobuf;
/// `None` for a type without a protobuf form.
pub(crate) fn encode(value: &Value) -> Option<Vec<u8>> {
    let api_version = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    kubeset_protobuf::message_for(api_version, kind)?;
    kubeset_protobuf::to_vec(value, api_version, kind).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protobuf::encode::field;

    #[test]
    fn decodes_a_configmap() {
        let meta = field(1, b"c1");
        let entry = [field(1, b"a"), field(2, b"1")].concat();
        let raw = [field(1, &meta), field(2, &entry)].concat();
        let type_meta = [field(1, b"v1"), field(2, b"ConfigMap")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(
            v.clone(),
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1"}, "data": {"a": "1"}})
        );
        assert_eq!(decode(b"nope").unwrap_err().code, 400);
        assert_eq!(
            encode(&v).map(|bytes| decode(&bytes).unwrap()),
            Some(v),
            "encoding is the inverse"
        );
    }

    #[test]
    fn decodes_an_eviction_keeping_a_zero_grace_period() {
        let meta = [field(1, b"p"), field(3, b"ns")].concat();
        let preconditions = field(1, b"u1");
        // gracePeriodSeconds = 0 (a set pointer), preconditions, dryRun = [All]
        let options = [vec![1 << 3, 0], field(2, &preconditions), field(5, b"All")].concat();
        let raw = [field(1, &meta), field(2, &options)].concat();
        let type_meta = [field(1, b"policy/v1"), field(2, b"Eviction")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            serde_json::json!({"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": "p", "namespace": "ns"},
                "deleteOptions": {"gracePeriodSeconds": 0, "preconditions": {"uid": "u1"},
                    "dryRun": ["All"]}})
        );
    }

    #[test]
    fn decodes_a_binding() {
        let target = [field(1, b"Node"), field(3, b"n1")].concat();
        let raw = [field(1, &field(1, b"p")), field(2, &target)].concat();
        let type_meta = [field(1, b"v1"), field(2, b"Binding")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            serde_json::json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
                "target": {"kind": "Node", "name": "n1"}})
        );
    }
}
