//! The test server's protobuf request bodies: a create or update body sent as
//! `application/vnd.kubernetes.protobuf` for one of [`RESOURCES`], decoded as the handlers
//! decode it (RBAC objects and self reviews by their own reader, the rest by
//! kubeset-protobuf, then the `apiVersion`/`kind` check). Each body is an object or refused
//! with a Status whose code is the answer's; an accepted object is answered in protobuf.
//!
//! Input: the first byte picks the resource; the rest is the body (`k8s\0` included).
#![no_main]

use libfuzzer_sys::fuzz_target;

/// `group`, `version`, `plural` of the resource the body is sent to.
const RESOURCES: [(&str, &str, &str); 8] = [
    ("", "v1", "pods"),
    ("", "v1", "configmaps"),
    ("", "v1", "secrets"),
    ("apps", "v1", "deployments"),
    ("rbac.authorization.k8s.io", "v1", "roles"),
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings"),
    ("authorization.k8s.io", "v1", "selfsubjectaccessreviews"),
    ("authentication.k8s.io", "v1", "selfsubjectreviews"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (group, version, plural) = RESOURCES[usize::from(pick) % RESOURCES.len()];
    match kubeset_testserver::fuzzing::protobuf_body(group, version, plural, body) {
        Ok(object) => {
            assert!(object.is_object(), "{object}");
            let api_version = object["apiVersion"].as_str().unwrap_or_default();
            let kind = object["kind"].as_str().unwrap_or_default();
            if kubeset_protobuf::message_for(api_version, kind).is_some() {
                let _ = kubeset_protobuf::to_vec(&object, api_version, kind);
            }
        }
        Err((code, body)) => {
            assert!((400..600).contains(&code), "code {code}");
            let status: serde_json::Value = serde_json::from_str(&body).expect("a Status");
            assert_eq!(status["code"], code, "{body}");
        }
    }
});
