//! The webhook plugins' pure parts, case by case, each against the Go function it follows.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::bridge::{self, RequestInfo};
use super::config::{self, Hook, Kind};
use super::endpoint::{self, Refused};
use super::response::{self, Unreadable};
use super::{matching, review};
use crate::admission::matching::Matched;
use crate::admission::testing::MemLookup;
use crate::admission::{AdmissionError, Attributes, Operation, UserInfo};

fn attrs(op: Operation, name: &str) -> Attributes<'_> {
    Attributes {
        group: "",
        version: "v1",
        resource: "configmaps",
        subresource: "",
        kind: "ConfigMap",
        namespace: "ns",
        name,
        operation: op,
        user: None,
    }
}

fn matched() -> Matched {
    Matched {
        group: "".into(),
        version: "v1".into(),
        resource: "configmaps".into(),
        subresource: "".into(),
        kind: "ConfigMap".into(),
    }
}

fn hook(spec: Value) -> Hook {
    Hook {
        uid: "c/w/0".into(),
        configuration: "c".into(),
        name: "w.example.com".into(),
        spec,
    }
}

// --- request.VerifyAdmissionResponse and the REST client's decoding ---

#[track_caller]
fn check_verify(body: Value, version: &str, mutating: bool, expected: Result<(), Unreadable>) {
    let got = response::verify((200, body.to_string().as_bytes()), version, "u1", mutating);
    assert_eq!(got.map(drop), expected, "{body}");
}

fn review_answer(response: Value) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})
}

#[test]
fn verify_admission_response() {
    let invalid = |m: &str| Err(Unreadable::Invalid(m.into()));
    check_verify(
        review_answer(json!({"uid": "u1", "allowed": true})),
        "v1",
        false,
        Ok(()),
    );
    check_verify(
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}),
        "v1",
        false,
        invalid("webhook response was absent"),
    );
    check_verify(
        review_answer(json!({"uid": "other", "allowed": true})),
        "v1",
        false,
        invalid("expected response.uid=\"u1\", got \"other\""),
    );
    check_verify(
        json!({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview",
            "response": {"uid": "u1", "allowed": true}}),
        "v1",
        false,
        invalid(
            "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview",
        ),
    );
    let patch = "W10="; // base64 of []
    check_verify(
        review_answer(json!({"uid": "u1", "allowed": true, "patch": patch})),
        "v1",
        true,
        invalid("webhook returned response.patch but not response.patchType"),
    );
    check_verify(
        review_answer(json!({"uid": "u1", "allowed": true, "patchType": "JSONPatch"})),
        "v1",
        true,
        invalid("webhook returned response.patchType but not response.patch"),
    );
    check_verify(
        review_answer(json!({"uid": "u1", "allowed": true, "patch": patch, "patchType": ""})),
        "v1",
        true,
        invalid("webhook returned invalid response.patchType of \"\""),
    );
    check_verify(
        review_answer(json!({"uid": "u1", "allowed": true, "patch": patch})),
        "v1",
        false,
        invalid("validating webhook may not return response.patch"),
    );
    check_verify(
        review_answer(json!({"uid": "u1", "allowed": true, "patchType": "JSONPatch"})),
        "v1",
        false,
        invalid("validating webhook may not return response.patchType"),
    );
    // v1beta1 answers: no uid check, a patch is a JSONPatch
    let beta = json!({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview",
        "response": {"uid": "whatever", "allowed": true, "patch": patch}});
    let answer = response::verify((200, beta.to_string().as_bytes()), "v1beta1", "u1", true);
    let answer = answer.unwrap();
    assert_eq!(
        (answer.patch, answer.patch_type),
        (b"[]".to_vec(), "JSONPatch".into())
    );
}

#[test]
fn answers_that_are_no_reviews() {
    let call = |code: u16, body: &str| {
        response::verify((code, body.as_bytes()), "v1", "u1", false).map(drop)
    };
    assert_eq!(
        call(500, "boom\n"),
        Err(Unreadable::Call(
            "an error on the server (\"boom\") has prevented the request from succeeding".into()
        ))
    );
    assert_eq!(
        call(403, r#"{"kind":"Status","message":"go away"}"#),
        Err(Unreadable::Call("go away".into()))
    );
    assert!(matches!(call(200, "{"), Err(Unreadable::Call(m))
        if m.starts_with("couldn't get version/kind; json parse error: ")));
}

// --- webhookerrors.ToStatusErr and the errors around a call ---

#[test]
fn to_status_err() {
    let status =
        |result: Option<Value>| response::denied("w.example.com", result.as_ref()).status();
    let denied = status(Some(
        json!({"code": 403, "reason": "Forbidden", "message": "no"}),
    ));
    assert_eq!(
        denied,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "code": 403, "reason": "Forbidden",
            "message": "admission webhook \"w.example.com\" denied the request: no"})
    );
    let by_reason = status(Some(
        json!({"code": 200, "status": "Success", "reason": "Nope"}),
    ));
    assert_eq!(
        (
            &by_reason["code"],
            &by_reason["status"],
            &by_reason["message"]
        ),
        (
            &json!(400),
            &json!("Failure"),
            &json!("admission webhook \"w.example.com\" denied the request: Nope")
        )
    );
    let bare = status(None);
    assert_eq!(
        bare["message"],
        "admission webhook \"w.example.com\" denied the request without explanation"
    );
    assert_eq!(
        response::internal(&response::calling(
            "w.example.com",
            "failed to call webhook: x"
        ))
        .status()["message"],
        "Internal error occurred: failed calling webhook \"w.example.com\": failed to call webhook: x"
    );
    assert_eq!(
        response::dry_run_unsupported("w.example.com").status(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "admission webhook \"w.example.com\" does not support dry run",
            "reason": "BadRequest", "code": 400})
    );
}

// --- request.CreateAdmissionObjects / CreateV1AdmissionReview ---

#[test]
fn admission_review_versions_and_fields() {
    let groups = vec!["system:authenticated".to_owned()];
    let extra = BTreeMap::new();
    let mut a = attrs(Operation::Create, "");
    a.user = Some(UserInfo {
        name: "alice",
        uid: "",
        groups: &groups,
        extra: &extra,
    });
    let obj = json!({"metadata": {"name": "cm"}});
    let options = serde_json::Map::from_iter([
        ("dryRun".to_owned(), json!(["All"])),
        ("gracePeriodSeconds".to_owned(), json!(3)),
    ]);
    let parts = review::Parts {
        object: Some(&obj),
        old_object: None,
        dry_run: true,
        options: &options,
    };
    assert!(review::build(&["v2"], &a, &matched(), parts).is_none());
    let beta = review::build(&["v2", "v1beta1", "v1"], &a, &matched(), parts).unwrap();
    assert_eq!(beta.body["apiVersion"], "admission.k8s.io/v1beta1");
    let v1 = review::build(&["v1"], &a, &matched(), parts).unwrap();
    let mut request = v1.body["request"].clone();
    assert_eq!(request["uid"], v1.uid.as_str());
    request.as_object_mut().unwrap().remove("uid");
    assert_eq!(
        request,
        json!({"kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "resource": {"group": "", "version": "v1", "resource": "configmaps"},
            "requestKind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "requestResource": {"group": "", "version": "v1", "resource": "configmaps"},
            "name": "cm", "namespace": "ns", "operation": "CREATE",
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": obj, "oldObject": null, "dryRun": true,
            // a create's options keep only CreateOptions' fields
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1",
                "dryRun": ["All"]}})
    );
}

// --- webhookutil.ClientManager.HookClient and proxy.ResolveEndpoint ---

#[test]
fn endpoints_are_loopback_only() {
    let lookup = MemLookup::default()
        .with(
            "",
            "services",
            Some("ns"),
            json!({"metadata": {"name": "ext"},
            "spec": {"type": "ExternalName", "externalName": "localhost"}}),
        )
        .with(
            "",
            "services",
            Some("ns"),
            json!({"metadata": {"name": "remote"},
            "spec": {"ports": [{"name": "https", "port": 443}]}}),
        )
        .with(
            "discovery.k8s.io",
            "endpointslices",
            Some("ns"),
            json!({
            "metadata": {"name": "remote-x", "labels": {"kubernetes.io/service-name": "remote"}},
            "ports": [{"name": "https", "port": 8443}],
            "endpoints": [{"addresses": ["10.0.0.7"], "conditions": {"ready": true}}]}),
        );
    let locate = |config: Value| endpoint::locate(&config, &lookup);
    let url = locate(json!({"url": "https://127.0.0.2:8443/v?x"})).unwrap();
    assert_eq!(
        (
            url.url.as_str(),
            url.address.to_string(),
            url.server_name.as_str(),
            url.path.as_str()
        ),
        (
            "https://127.0.0.2:8443/v?x",
            "127.0.0.2:8443".into(),
            "127.0.0.2",
            "/v?x"
        )
    );
    let v6 = locate(json!({"url": "https://[::1]"})).unwrap();
    assert_eq!(
        (v6.url.as_str(), v6.address.to_string()),
        ("https://[::1]/", "[::1]:443".into())
    );
    assert_eq!(
        locate(json!({"url": "https://localhost:9/"}))
            .unwrap()
            .address
            .to_string(),
        "127.0.0.1:9"
    );
    assert_eq!(
        locate(json!({"url": "https://10.1.2.3/"})),
        Err(Refused::NotLoopback {
            host: "10.1.2.3".into()
        })
    );
    assert_eq!(
        locate(json!({"url": "https://hook.example.com/"})),
        Err(Refused::NotLoopback {
            host: "hook.example.com".into()
        })
    );
    let ext = locate(json!({"service": {"namespace": "ns", "name": "ext", "port": 8443}})).unwrap();
    assert_eq!(
        (
            ext.url.as_str(),
            ext.address.to_string(),
            ext.server_name.as_str()
        ),
        (
            "https://ext.ns.svc:8443/",
            "127.0.0.1:8443".into(),
            "ext.ns.svc"
        )
    );
    // an EndpointSlice cannot hold a loopback address: a Service with endpoints is refused
    assert_eq!(
        locate(json!({"service": {"namespace": "ns", "name": "remote"}})),
        Err(Refused::NotLoopback {
            host: "10.0.0.7".into()
        })
    );
    assert_eq!(
        locate(json!({"service": {"namespace": "ns", "name": "remote", "port": 80}}))
            .unwrap_err()
            .to_string(),
        "no service port 80 found for service \"remote\""
    );
    assert_eq!(
        locate(json!({"service": {"namespace": "ns", "name": "gone"}}))
            .unwrap_err()
            .to_string(),
        "service \"gone\" not found"
    );
    assert!(
        Refused::NotLoopback {
            host: "10.1.2.3".into()
        }
        .to_string()
        .contains("loopback addresses only")
    );
}

// --- the configuration managers' order ---

#[test]
fn webhooks_in_configuration_name_order() {
    let config = |name: &str, hooks: &[&str]| {
        let webhooks: Vec<Value> = hooks.iter().map(|h| json!({"name": h})).collect();
        json!({"metadata": {"name": name}, "webhooks": webhooks})
    };
    let group = "admissionregistration.k8s.io";
    let lookup = MemLookup::default()
        .with(
            group,
            "mutatingwebhookconfigurations",
            None,
            config("b", &["b1"]),
        )
        .with(
            group,
            "mutatingwebhookconfigurations",
            None,
            config("a", &["a1", "a2"]),
        )
        .with(
            group,
            "validatingwebhookconfigurations",
            None,
            config("v", &[]),
        );
    let hooks = config::hooks(Kind::Mutating, &lookup);
    let uids: Vec<&str> = hooks.iter().map(|h| h.uid.as_str()).collect();
    assert_eq!(uids, ["a/a1/0", "a/a2/1", "b/b1/0"]);
    assert!(config::hooks(Kind::Validating, &lookup).is_empty());
    assert!(config::any_stored(&lookup));
    let only_empty = MemLookup::default().with(
        group,
        "validatingwebhookconfigurations",
        None,
        config("v", &[]),
    );
    assert!(!config::any_stored(&only_empty));
}

// --- matchconditions.Matcher.Match inside ShouldCallHook ---

#[test]
fn match_conditions() {
    let lookup = MemLookup::namespace("ns");
    let info = RequestInfo::default();
    let obj = json!({"metadata": {"name": "cm", "labels": {"team": "a"}}});
    let with = |conditions: Value, policy: &str| {
        hook(json!({"name": "w.example.com", "failurePolicy": policy,
            "rules": [{"operations": ["*"], "apiGroups": [""], "apiVersions": ["v1"],
                "resources": ["configmaps"]}],
            "matchConditions": conditions}))
    };
    let a = attrs(Operation::Create, "");
    let call = |h: &Hook| matching::invocation(h, &a, (Some(&obj), None), (&lookup, &info));
    let team = json!([{"name": "team", "expression": "object.metadata.labels.team == 'a'"}]);
    assert_eq!(call(&with(team, "Fail")), Ok(Some(matched())));
    let other = json!([{"name": "t", "expression": "request.operation == 'DELETE'"}]);
    assert_eq!(call(&with(other, "Fail")), Ok(None));
    let broken = json!([{"name": "b", "expression": "object.nope.deeper"}]);
    assert_eq!(call(&with(broken.clone(), "Ignore")), Ok(None));
    match call(&with(broken, "Fail")) {
        Err(e @ AdmissionError::Forbidden { .. }) => {
            assert_eq!(e.code(), 403);
            assert!(
                e.to_string().starts_with(
                    "configmaps is forbidden: expression 'object.nope.deeper' resulted in error: "
                ),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
}

// --- the bridge ---

#[test]
fn the_bridge_drives_calls_only_inside_a_request_and_webhooks_record_in_its_scope() {
    assert_eq!(bridge::call(async { 1 }), None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let handle = runtime.handle().clone();
    let joined = std::thread::spawn(move || {
        bridge::run(handle, RequestInfo::default(), || {
            crate::admission::recorder::record(Default::default(), || {
                crate::admission::recorder::warn("w".into());
                crate::admission::recorder::annotate("k".into(), "v".into());
                bridge::call(async { 2 })
            })
        })
    })
    .join()
    .unwrap();
    let (called, added) = joined;
    assert_eq!(called, Some(2));
    assert_eq!(added.warnings, ["w"]);
    assert_eq!(added.annotations, [("k".to_owned(), "v".to_owned())]);
    assert!(bridge::info().is_none());
}
