//! Matching, case by case, as Go's `rules.Matcher`, namespace and object matchers,
//! `ShouldCallHook` and `policy/matching.Matcher.Matches` decide.

use serde_json::{Value, json};

use super::{Criteria, MatchError, Matched, matches};
use crate::admission::testing::MemLookup;
use crate::admission::{Attributes, Operation};

fn attrs<'a>(resource: &'a str, subresource: &'a str, op: Operation) -> Attributes<'a> {
    Attributes {
        group: "",
        version: "v1",
        resource,
        subresource,
        kind: "Pod",
        namespace: "ns",
        name: "p",
        operation: op,
        user: None,
    }
}

fn webhook(rules: Value) -> Value {
    json!({"name": "w.example.com", "rules": rules, "matchPolicy": "Equivalent",
        "namespaceSelector": {}, "objectSelector": {}})
}

fn rule(ops: &[&str], resources: &[&str]) -> Value {
    json!({"operations": ops, "apiGroups": [""], "apiVersions": ["v1"], "resources": resources})
}

fn lookup() -> MemLookup {
    MemLookup::default().with(
        "",
        "namespaces",
        None,
        json!({"metadata": {"name": "ns", "labels": {"team": "a"}}}),
    )
}

fn hit(hook: &Value, attrs: &Attributes<'_>, obj: Option<&Value>) -> bool {
    matches(&Criteria::of_webhook(hook), attrs, obj, None, &lookup())
        .expect("matching decides")
        .is_some()
}

/// `Matcher.resource`: `pods` names the resource alone, `pods/*` it and its subresources, `*/status`
/// one subresource of any resource, `*` resources without a subresource, `*/*` everything.
#[test]
fn resources_and_subresources() {
    let cases = [
        ("pods", "", "pods", true),
        ("pods", "status", "pods", false),
        ("pods", "status", "pods/*", true),
        ("pods", "", "pods/*", true),
        ("pods", "status", "*/status", true),
        ("pods", "exec", "*/status", false),
        ("pods", "", "*", true),
        ("pods", "status", "*", false),
        ("pods", "status", "*/*", true),
        ("configmaps", "", "pods", false),
    ];
    for (resource, sub, listed, want) in cases {
        let hook = webhook(json!([rule(&["*"], &[listed])]));
        let got = hit(&hook, &attrs(resource, sub, Operation::Create), None);
        assert_eq!(got, want, "{resource}/{sub} against {listed}");
    }
}

/// Operations, groups and versions are each a list naming the value or `*`.
#[test]
fn operations_groups_and_versions() {
    let update_only = webhook(json!([rule(&["UPDATE"], &["pods"])]));
    assert!(!hit(
        &update_only,
        &attrs("pods", "", Operation::Create),
        None
    ));
    assert!(hit(
        &update_only,
        &attrs("pods", "", Operation::Update),
        None
    ));
    let apps = webhook(json!([{"operations": ["*"], "apiGroups": ["apps"],
        "apiVersions": ["*"], "resources": ["*"]}]));
    assert!(!hit(&apps, &attrs("pods", "", Operation::Delete), None));
    let deployment = Attributes {
        group: "apps",
        resource: "deployments",
        kind: "Deployment",
        ..attrs("", "", Operation::Delete)
    };
    assert!(hit(&apps, &deployment, None));
}

/// `Matcher.scope`: a Namespace is cluster-scoped; a namespaced request has a namespace.
#[test]
fn scope() {
    let scoped = |scope: &str| {
        webhook(
            json!([{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"],
            "resources": ["*"], "scope": scope}]),
        )
    };
    let pod = attrs("pods", "", Operation::Create);
    let node = Attributes {
        namespace: "",
        resource: "nodes",
        ..pod
    };
    let namespace = Attributes {
        namespace: "",
        resource: "namespaces",
        name: "ns",
        ..pod
    };
    let ns_obj = json!({"metadata": {"name": "ns"}});
    assert!(hit(&scoped("Namespaced"), &pod, None));
    assert!(!hit(&scoped("Namespaced"), &node, None));
    assert!(!hit(&scoped("Namespaced"), &namespace, Some(&ns_obj)));
    assert!(!hit(&scoped("Cluster"), &pod, None));
    assert!(hit(&scoped("Cluster"), &node, None));
    assert!(hit(&scoped("Cluster"), &namespace, Some(&ns_obj)));
    assert!(hit(&scoped("*"), &pod, None));
}

/// `MatchNamespaceSelector`: the request's namespace's labels; cluster-scoped requests other
/// than Namespaces are never exempted; a Namespace being written is judged by its new labels;
/// a missing namespace is a 404 only when the rules match.
#[test]
fn namespace_selector() {
    let selecting = |team: &str, resources: &[&str]| {
        let mut hook = webhook(json!([rule(&["*"], resources)]));
        hook["namespaceSelector"] = json!({"matchLabels": {"team": team}});
        hook
    };
    let pod = attrs("pods", "", Operation::Create);
    assert!(hit(&selecting("a", &["pods"]), &pod, None));
    assert!(!hit(&selecting("b", &["pods"]), &pod, None));
    let node = Attributes {
        namespace: "",
        resource: "nodes",
        ..pod
    };
    assert!(hit(&selecting("b", &["nodes"]), &node, None));
    let namespace = Attributes {
        namespace: "",
        resource: "namespaces",
        name: "",
        ..pod
    };
    let labelled = json!({"metadata": {"name": "new", "labels": {"team": "b"}}});
    assert!(hit(
        &selecting("b", &["namespaces"]),
        &namespace,
        Some(&labelled)
    ));
    let elsewhere = Attributes {
        namespace: "gone",
        ..pod
    };
    let criteria = selecting("a", &["pods"]);
    let got = matches(
        &Criteria::of_webhook(&criteria),
        &elsewhere,
        None,
        None,
        &lookup(),
    );
    assert_eq!(
        got,
        Err(MatchError::NamespaceNotFound {
            namespace: "gone".into()
        })
    );
    let other_rules = selecting("a", &["configmaps"]);
    let got = matches(
        &Criteria::of_webhook(&other_rules),
        &elsewhere,
        None,
        None,
        &lookup(),
    );
    assert_eq!(got, Ok(None));
}

/// `MatchObjectSelector`: the new or the old object's labels.
#[test]
fn object_selector() {
    let mut hook = webhook(json!([rule(&["*"], &["pods"])]));
    hook["objectSelector"] =
        json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]});
    let criteria = Criteria::of_webhook(&hook);
    let web = json!({"metadata": {"labels": {"app": "web"}}});
    let db = json!({"metadata": {"labels": {"app": "db"}}});
    let update = attrs("pods", "", Operation::Update);
    let decide = |obj: Option<&Value>, old: Option<&Value>| {
        matches(&criteria, &update, obj, old, &lookup())
            .expect("decides")
            .is_some()
    };
    assert!(decide(Some(&web), None));
    assert!(decide(Some(&db), Some(&web)));
    assert!(!decide(Some(&db), Some(&db)));
    assert!(!decide(None, None));
}

/// Policies: no `resourceRules` matches everything, `excludeResourceRules` wins, and
/// `resourceNames` names the URL's name or, on a create, the object's.
#[test]
fn policy_rules() {
    let everything = json!({"namespaceSelector": {}, "objectSelector": {}});
    let pod = attrs("pods", "", Operation::Create);
    let decide = |m: &Value, attrs: &Attributes<'_>, obj: Option<&Value>| {
        matches(
            &Criteria::of_match_resources(m),
            attrs,
            obj,
            None,
            &lookup(),
        )
        .expect("decides")
        .is_some()
    };
    assert!(decide(&everything, &pod, None));
    assert!(!hit(&webhook(json!([])), &pod, None));
    let excluded = json!({"excludeResourceRules": [rule(&["CREATE"], &["pods"])]});
    assert!(!decide(&excluded, &pod, None));
    let mut named = rule(&["*"], &["pods"]);
    named["resourceNames"] = json!(["p"]);
    let by_name = json!({"resourceRules": [named]});
    assert!(decide(&by_name, &pod, None));
    let created = Attributes { name: "", ..pod };
    let other = json!({"metadata": {"name": "q"}});
    assert!(!decide(&by_name, &created, Some(&other)));
    let same = json!({"metadata": {"name": "p"}});
    assert!(decide(&by_name, &created, Some(&same)));
}

/// `matchPolicy: Equivalent` matches the resource as served in another version and reports
/// that version; `Exact` (and an absent policy) does not.
#[test]
fn equivalent_resources() {
    let lookup = lookup().equivalent("", "v1", "events", "Event").equivalent(
        "events.k8s.io",
        "v1",
        "events",
        "Event",
    );
    let request = Attributes {
        group: "events.k8s.io",
        resource: "events",
        kind: "Event",
        ..attrs("", "", Operation::Create)
    };
    let mut hook = webhook(json!([rule(&["CREATE"], &["events"])]));
    let got = matches(&Criteria::of_webhook(&hook), &request, None, None, &lookup);
    let want = Matched {
        group: String::new(),
        version: "v1".into(),
        resource: "events".into(),
        subresource: String::new(),
        kind: "Event".into(),
    };
    assert_eq!(got, Ok(Some(want)));
    hook["matchPolicy"] = json!("Exact");
    let got = matches(&Criteria::of_webhook(&hook), &request, None, None, &lookup);
    assert_eq!(got, Ok(None));
}

/// `IsExemptAdmissionConfigurationResource`: no webhook or policy sees writes of webhook
/// configurations, policies or bindings, whatever its rules say.
#[test]
fn admission_configuration_is_exempt() {
    let hook = webhook(
        json!([{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"],
        "resources": ["*"]}]),
    );
    let config = Attributes {
        group: "admissionregistration.k8s.io",
        resource: "validatingwebhookconfigurations",
        namespace: "",
        kind: "ValidatingWebhookConfiguration",
        ..attrs("", "", Operation::Create)
    };
    assert!(!hit(&hook, &config, None));
    let roles = Attributes {
        group: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        ..config
    };
    assert!(hit(&hook, &roles, None));
}
