//! kubeset-audit against the cluster: its table of bootstrap roles is what the API server
//! really has (on the test server, or a real cluster with `KUBESET_TEST_KUBECONFIG`).

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule};
use kubeset::audit::Policy;
use kubeset::clientset::{Api, Client};

use crate::support::admin_config;

/// A rule with its lists sorted, so order does not matter.
fn normal(rule: &PolicyRule) -> PolicyRule {
    let sorted = |v: &Option<Vec<String>>| {
        v.clone().map(|mut v| {
            v.sort();
            v
        })
    };
    let mut verbs = rule.verbs.clone();
    verbs.sort();
    PolicyRule {
        api_groups: sorted(&rule.api_groups).filter(|v| !v.is_empty()),
        resources: sorted(&rule.resources).filter(|v| !v.is_empty()),
        resource_names: sorted(&rule.resource_names).filter(|v| !v.is_empty()),
        non_resource_urls: sorted(&rule.non_resource_urls).filter(|v| !v.is_empty()),
        verbs,
    }
}

#[tokio::test]
async fn bootstrap_table_matches_the_server() {
    let client = Client::new(admin_config()).unwrap();
    let table = Policy::bootstrap();
    assert!(table.cluster_roles.len() >= 4);
    let roles: Api<ClusterRole> = Api::cluster(client.clone());
    for ours in &table.cluster_roles {
        let name = ours.metadata.name.as_deref().unwrap();
        let live = roles.get(name).await.unwrap();
        let mut want: Vec<PolicyRule> = ours.rules.iter().flatten().map(normal).collect();
        let mut got: Vec<PolicyRule> = live.rules.iter().flatten().map(normal).collect();
        want.sort_by_key(|r| format!("{r:?}"));
        got.sort_by_key(|r| format!("{r:?}"));
        assert_eq!(got, want, "ClusterRole {name}");
    }
    let bindings: Api<ClusterRoleBinding> = Api::cluster(client);
    for ours in &table.cluster_role_bindings {
        let name = ours.metadata.name.as_deref().unwrap();
        let live = bindings.get(name).await.unwrap();
        assert_eq!(live.role_ref.name, ours.role_ref.name, "{name}");
        let subjects = |b: &ClusterRoleBinding| {
            let mut s: Vec<String> = b
                .subjects
                .iter()
                .flatten()
                .map(|s| format!("{}/{}", s.kind, s.name))
                .collect();
            s.sort();
            s
        };
        assert_eq!(subjects(&live), subjects(ours), "ClusterRoleBinding {name}");
    }
}
