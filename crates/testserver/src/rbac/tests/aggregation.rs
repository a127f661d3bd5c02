//! Aggregated ClusterRoles and label selectors.

use serde_json::{Value, json};

use std::sync::Arc;

use crate::rbac::aggregation::{aggregate_all, reconcile, selector_matches};

#[track_caller]
fn check(selector: Value, labels: Value, want: bool) {
    assert_eq!(
        selector_matches(&selector, Some(&labels)),
        want,
        "{selector} on {labels}"
    );
}

#[test]
fn label_selectors() {
    check(json!({}), json!({}), true);
    check(
        json!({"matchLabels": {"a": "1"}}),
        json!({"a": "1", "b": "2"}),
        true,
    );
    check(json!({"matchLabels": {"a": "1"}}), json!({"a": "2"}), false);
    check(
        json!({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}),
        json!({"a": "2"}),
        true,
    );
    check(
        json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}),
        json!({}),
        true,
    );
    check(
        json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}),
        json!({"a": "1"}),
        false,
    );
    check(
        json!({"matchExpressions": [{"key": "a", "operator": "Exists"}]}),
        json!({"a": ""}),
        true,
    );
    check(
        json!({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}),
        json!({"a": ""}),
        false,
    );
    check(
        json!({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}),
        json!({"a": ""}),
        false,
    );
}

fn role(name: &str, labels: Value, rules: Value, aggregate: Option<&str>) -> Value {
    let mut r = json!({"kind": "ClusterRole", "metadata": {"name": name, "labels": labels}, "rules": rules});
    if let Some(label) = aggregate {
        r["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]});
    }
    r
}

#[test]
fn aggregation_follows_selectors_names_and_dedups() {
    let r1 = json!({"apiGroups": ["x.io"], "resources": ["a"], "verbs": ["get"]});
    let r2 = json!({"apiGroups": ["x.io"], "resources": ["b"], "verbs": ["get"]});
    let mut roles = vec![
        role("top", json!({}), json!(null), Some("to-top")),
        role("mid", json!({"to-top": "true"}), json!([]), Some("to-mid")),
        role(
            "z-extra",
            json!({"to-mid": "true"}),
            json!([r2.clone(), r1.clone()]),
            None,
        ),
        role(
            "a-extra",
            json!({"to-mid": "true"}),
            json!([r1.clone()]),
            None,
        ),
    ];
    let changed = aggregate_all(&mut roles);
    assert_eq!(changed, vec!["mid".to_owned(), "top".to_owned()]);
    assert_eq!(roles[1]["rules"], json!([r1.clone(), r2.clone()]));
    assert_eq!(roles[0]["rules"], json!([r1, r2]));
    // stable: a second run changes nothing
    assert!(aggregate_all(&mut roles).is_empty());
}

#[test]
fn aggregated_role_without_matches_keeps_null_rules() {
    let mut roles = vec![role("lonely", json!({}), json!(null), Some("nobody"))];
    assert!(aggregate_all(&mut roles).is_empty());
}

#[test]
fn reconcile_returns_only_outdated_aggregated_roles() {
    let r1 = json!({"apiGroups": ["x.io"], "resources": ["a"], "verbs": ["get"]});
    let mut bootstrap = crate::rbac::bootstrap::cluster_roles();
    assert!(reconcile(&bootstrap.iter().cloned().map(Arc::new).collect::<Vec<_>>()).is_empty());
    // a new role labelled for view flows into view, edit and admin
    bootstrap.push(role(
        "crd-viewer",
        json!({"rbac.authorization.k8s.io/aggregate-to-view": "true"}),
        json!([r1.clone()]),
        None,
    ));
    let updated = reconcile(&bootstrap.into_iter().map(Arc::new).collect::<Vec<_>>());
    let names: Vec<&str> = updated
        .iter()
        .map(|r| r["metadata"]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["admin", "edit", "view"]);
    for r in &updated {
        assert!(r["rules"].as_array().expect("rules").contains(&r1));
    }
}
