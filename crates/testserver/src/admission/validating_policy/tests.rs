//! The ValidatingAdmissionPolicy plugin, case by case, as Go's `dispatcher.Dispatch`,
//! `validator.Validate` and `generic.CollectParams` decide.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::validate;
use crate::admission::recorder::{self, Added, RequestInfo};
use crate::admission::testing::MemLookup;
use crate::admission::{
    AdmissionError, Attributes, AuthzQuestion, Equivalent, Lookup, Operation, UserInfo,
};

/// A [`MemLookup`] that also serves ConfigMaps (namespaced) and Nodes (cluster-scoped) as
/// parameter kinds.
struct Store(MemLookup);

impl Lookup for Store {
    fn get(&self, g: &str, r: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        self.0.get(g, r, ns, name)
    }
    fn list(&self, g: &str, r: &str, ns: Option<&str>) -> Vec<Value> {
        self.0.list(g, r, ns)
    }
    fn allows(&self, user: &UserInfo<'_>, q: &AuthzQuestion<'_>) -> bool {
        self.0.allows(user, q)
    }
    fn equivalents(&self, attrs: &Attributes<'_>) -> Vec<Equivalent> {
        self.0.equivalents(attrs)
    }
    fn write_status(
        &self,
        group: &str,
        resource: &str,
        obj: &Value,
    ) -> Result<(), crate::admission::StatusConflict> {
        self.0.write_status(group, resource, obj)
    }
    fn resource_for(&self, group: &str, version: &str, kind: &str) -> Option<(String, bool)> {
        match (group, version, kind) {
            ("", "v1", "ConfigMap") => Some(("configmaps".into(), true)),
            ("", "v1", "Node") => Some(("nodes".into(), false)),
            _ => None,
        }
    }
}

const GROUP: &str = "admissionregistration.k8s.io";

fn policy(name: &str, spec: Value) -> Value {
    let mut spec = spec;
    spec["matchConstraints"] = json!({"resourceRules": [{"apiGroups": ["apps"],
        "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE", "DELETE"],
        "resources": ["deployments"]}]});
    json!({"metadata": {"name": name}, "spec": spec})
}

fn binding(name: &str, policy: &str, spec: Value) -> Value {
    let mut spec = spec;
    spec["policyName"] = json!(policy);
    if spec.get("validationActions").is_none() {
        spec["validationActions"] = json!(["Deny"]);
    }
    json!({"metadata": {"name": name}, "spec": spec})
}

fn store(objects: &[Value]) -> Store {
    let mut lookup = MemLookup::namespace("ns");
    for o in objects {
        let resource = if o.pointer("/spec/policyName").is_some() {
            "validatingadmissionpolicybindings"
        } else {
            "validatingadmissionpolicies"
        };
        lookup = lookup.with(GROUP, resource, None, o.clone());
    }
    Store(lookup)
}

fn deployment(replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"}},
        "spec": {"replicas": replicas}})
}

/// The plugin on `op` of `obj` (`old`) by alice: its error's status, and what it added.
fn run(
    lookup: &Store,
    op: Operation,
    obj: Option<&Value>,
    old: Option<&Value>,
) -> (Result<(), Value>, Added) {
    let groups = vec!["system:authenticated".to_owned()];
    let extra = BTreeMap::new();
    let attrs = Attributes {
        group: "apps",
        version: "v1",
        resource: "deployments",
        subresource: "",
        kind: "Deployment",
        namespace: "ns",
        name: if op == Operation::Create { "" } else { "web" },
        operation: op,
        user: Some(UserInfo {
            name: "alice",
            uid: "",
            groups: &groups,
            extra: &extra,
        }),
    };
    let (result, added) = recorder::record(RequestInfo::default(), || {
        validate(&attrs, obj, old, lookup)
    });
    (result.map_err(|e: AdmissionError| e.status()), added)
}

fn create(lookup: &Store, replicas: i64) -> (Result<(), Value>, Added) {
    run(lookup, Operation::Create, Some(&deployment(replicas)), None)
}

fn message(result: &Result<(), Value>) -> &str {
    match result {
        Ok(()) => "<admitted>",
        Err(status) => status["message"].as_str().unwrap_or(""),
    }
}

fn at_most(max: i64, extra: Value) -> Value {
    let mut v = json!({"expression": format!("object.spec.replicas <= {max}")});
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// `Dispatch`: the first denial refuses with `admission.NewForbidden`'s message, the
/// validation's reason and `reasonToCode`'s code, and the message as the one cause; a
/// validation without message says `failed expression: <expr>`.
#[test]
fn denial_is_forbidden_text_with_the_validations_reason() {
    let lookup = store(&[
        policy(
            "max",
            json!({"validations": [at_most(5, json!({"message": " too many ",
            "reason": "Forbidden"}))]}),
        ),
        binding("max-b", "max", json!({})),
    ]);
    assert_eq!(create(&lookup, 3).0, Ok(()));
    let (result, _) = create(&lookup, 7);
    let cause = "ValidatingAdmissionPolicy 'max' with binding 'max-b' denied request: too many";
    assert_eq!(
        result,
        Err(
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("deployments.apps \"web\" is forbidden: {cause}"),
            "reason": "Forbidden",
            "details": {"name": "web", "group": "apps", "kind": "deployments",
                "causes": [{"message": cause}]},
            "code": 403})
        )
    );
    for (extra, reason, code, text) in [
        (
            json!({}),
            "Invalid",
            422,
            "failed expression: object.spec.replicas <= 5",
        ),
        (
            json!({"reason": "RequestEntityTooLarge", "messageExpression":
                "'replicas ' + string(object.spec.replicas) + ' > 5'"}),
            "RequestEntityTooLarge",
            413,
            "replicas 7 > 5",
        ),
        (
            json!({"reason": "Unauthorized", "message": "fixed",
                "messageExpression": "'two\\nlines'"}),
            "Unauthorized",
            401,
            "fixed",
        ),
    ] {
        let lookup = store(&[
            policy("max", json!({"validations": [at_most(5, extra)]})),
            binding("max-b", "max", json!({})),
        ]);
        let status = create(&lookup, 7).0.unwrap_err();
        assert_eq!(
            (status["reason"].as_str(), status["code"].as_u64()),
            (Some(reason), Some(code))
        );
        assert!(
            status["message"]
                .as_str()
                .unwrap()
                .ends_with(&format!("denied request: {text}")),
            "{status}"
        );
    }
}

/// `Dispatch`'s validationActions: Warn adds the warning, Audit the `validation_failure`
/// annotation (Go's JSON field order), and neither refuses.
#[test]
fn warn_and_audit_actions_do_not_refuse() {
    let lookup = store(&[
        policy(
            "max",
            json!({"validations": [{"expression": "true"},
            at_most(5, json!({"message": "too many"}))]}),
        ),
        binding(
            "max-b",
            "max",
            json!({"validationActions": ["Warn", "Audit"]}),
        ),
    ]);
    let (result, added) = create(&lookup, 7);
    assert_eq!(result, Ok(()));
    assert_eq!(
        added.warnings,
        ["Validation failed for ValidatingAdmissionPolicy 'max' with binding 'max-b': too many"]
    );
    assert_eq!(
        added.annotations,
        [(
            "validation.policy.admission.k8s.io/validation_failure".to_owned(),
            r#"[{"message":"too many","policy":"max","binding":"max-b","expressionIndex":1,"validationActions":["Warn","Audit"]}]"#.to_owned()
        )]
    );
}

/// `Validate`: an evaluation error denies under `failurePolicy: Fail` (the default) with
/// `expression '<e>' resulted in error: ...`, and admits under `Ignore`.
#[test]
fn evaluation_errors_follow_the_failure_policy() {
    let spec = |failure: &str| json!({"failurePolicy": failure, "validations": [{"expression": "object.spec.nope > 1"}]});
    let lookup = store(&[policy("p", spec("Fail")), binding("b", "p", json!({}))]);
    assert_eq!(
        message(&create(&lookup, 1).0),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' \
         denied request: expression 'object.spec.nope > 1' resulted in error: no such key: nope"
    );
    assert_eq!(create(&lookup, 1).0.unwrap_err()["code"], 422);
    let lookup = store(&[policy("p", spec("Ignore")), binding("b", "p", json!({}))]);
    assert_eq!(create(&lookup, 1).0, Ok(()));
}

/// `CollectParams`: a named parameter is `params`; a missing one admits under `Allow` and
/// fails the binding under `Deny`; a paramKind no resource serves fails the policy.
#[test]
fn params_are_collected_as_collect_params_does() {
    let limits = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "limits", "namespace": "ns", "labels": {"use": "max"}},
        "data": {"max": "2"}});
    let with_params = |param_ref: Value, kind: &str| {
        let mut lookup = store(&[
            policy(
                "p",
                json!({"paramKind": {"apiVersion": "v1", "kind": kind},
                "validations": [{"expression": "object.spec.replicas <= int(params.data.max)",
                    "messageExpression": "'at most ' + params.data.max"}]}),
            ),
            binding("b", "p", json!({"paramRef": param_ref})),
        ]);
        lookup.0 = lookup.0.with("", "configmaps", Some("ns"), limits.clone());
        lookup
    };
    let named = with_params(
        json!({"name": "limits", "parameterNotFoundAction": "Deny"}),
        "ConfigMap",
    );
    assert_eq!(create(&named, 2).0, Ok(()));
    assert!(message(&create(&named, 3).0).ends_with("denied request: at most 2"));
    let selected = with_params(
        json!({"selector": {"matchLabels": {"use": "max"}}, "parameterNotFoundAction": "Deny"}),
        "ConfigMap",
    );
    assert!(message(&create(&selected, 3).0).ends_with("denied request: at most 2"));
    let missing_allow = with_params(
        json!({"name": "nope", "parameterNotFoundAction": "Allow"}),
        "ConfigMap",
    );
    assert_eq!(create(&missing_allow, 9).0, Ok(()));
    let missing_deny = with_params(
        json!({"name": "nope", "parameterNotFoundAction": "Deny"}),
        "ConfigMap",
    );
    assert_eq!(
        message(&create(&missing_deny, 1).0),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' \
         denied request: failed to configure binding: no params found for policy binding with \
         `Deny` parameterNotFoundAction"
    );
    let cluster_ns = with_params(
        json!({"name": "n", "namespace": "ns",
        "parameterNotFoundAction": "Deny"}),
        "Node",
    );
    assert!(message(&create(&cluster_ns, 1).0).ends_with(
        "failed to configure binding: paramRef.namespace must not be provided for a \
         cluster-scoped `paramKind`"
    ));
    let unknown = with_params(
        json!({"name": "limits", "parameterNotFoundAction": "Deny"}),
        "Nope",
    );
    assert_eq!(
        message(&create(&unknown, 1).0),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'p' denied request: \
         failed to configure policy: failed to find resource referenced by paramKind: \
         '/v1, Kind=Nope'"
    );
}

/// `Validate` and `Dispatch`: a false match condition skips the policy; a binding's
/// matchResources narrows it; a policy that is not bound, or whose binding names another,
/// does nothing.
#[test]
fn conditions_and_binding_resources_narrow_the_policy() {
    let deny_all = |extra: Value| {
        let mut spec = json!({"validations": [{"expression": "false"}]});
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        spec
    };
    let skipped = store(&[
        policy(
            "p",
            deny_all(json!({"matchConditions": [{"name": "big",
            "expression": "object.spec.replicas > 10"}]})),
        ),
        binding("b", "p", json!({})),
    ]);
    assert_eq!(create(&skipped, 3).0, Ok(()));
    assert!(create(&skipped, 11).0.is_err());
    let other_labels = store(&[
        policy("p", deny_all(json!({}))),
        binding(
            "b",
            "p",
            json!({"matchResources": {"objectSelector":
            {"matchLabels": {"app": "db"}}}}),
        ),
    ]);
    assert_eq!(create(&other_labels, 3).0, Ok(()));
    let unbound = store(&[
        policy("p", deny_all(json!({}))),
        binding("b", "q", json!({})),
    ]);
    assert_eq!(create(&unbound, 3).0, Ok(()));
}

/// `Dispatch`'s audit annotations: `<policy>/<key>` with the trimmed value; a value of another
/// type than string or null denies.
#[test]
fn audit_annotations_are_published_per_policy() {
    let lookup = store(&[
        policy(
            "p",
            json!({"auditAnnotations": [
            {"key": "replicas", "valueExpression": "' ' + string(object.spec.replicas) + ' '"},
            {"key": "none", "valueExpression": "null"}]}),
        ),
        binding("b", "p", json!({})),
    ]);
    let (result, added) = create(&lookup, 3);
    assert_eq!(result, Ok(()));
    assert_eq!(
        added.annotations,
        [("p/replicas".to_owned(), "3".to_owned())]
    );
    let lookup = store(&[
        policy(
            "p",
            json!({"auditAnnotations": [{"key": "n", "valueExpression": "1"}]}),
        ),
        binding("b", "p", json!({})),
    ]);
    assert!(message(&create(&lookup, 3).0).ends_with(
        "denied request: valueExpression '1' resulted in unsupported return type: int. Return \
         type must be either string or null."
    ));
}

/// A delete is validated with the stored object as `oldObject` and no `object`; variables
/// compose in order.
#[test]
fn deletes_see_the_old_object() {
    let lookup = store(&[
        policy(
            "keep",
            json!({
            "variables": [{"name": "old", "expression": "oldObject"},
                {"name": "big", "expression": "variables.old.spec.replicas > 5"}],
            "validations": [{"expression": "object != null || !variables.big",
                "messageExpression": "'cannot delete ' + oldObject.metadata.name + ' by ' + request.userInfo.username"}]}),
        ),
        binding("b", "keep", json!({})),
    ]);
    let old = deployment(9);
    assert!(
        message(&run(&lookup, Operation::Delete, None, Some(&old)).0)
            .ends_with("denied request: cannot delete web by alice")
    );
    let small = deployment(1);
    assert_eq!(
        run(&lookup, Operation::Delete, None, Some(&small)).0,
        Ok(())
    );
}
