//! Several versions of one kind: one derive per version in modules of their own, merged into
//! one CRD with `merge_crds`, served by the test server at both versions.

use kubeset_clientset::{Api, PostParams};
use kubeset_testserver::TestServer;

mod v1alpha1 {
    use kubeset_derive::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    #[derive(CustomResource, Serialize, Deserialize, Clone, Debug, JsonSchema)]
    #[kubeset(group = "example.com", version = "v1alpha1", kind = "Bar", namespaced)]
    pub(crate) struct BarSpec {
        pub(crate) size: i64,
    }
}

mod v1 {
    use kubeset_derive::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    #[derive(CustomResource, Serialize, Deserialize, Clone, Debug, JsonSchema)]
    #[kubeset(group = "example.com", version = "v1", kind = "Bar", namespaced)]
    pub(crate) struct BarSpec {
        pub(crate) size: i64,
    }
}

mod other {
    use kubeset_derive::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    #[derive(CustomResource, Serialize, Deserialize, Clone, Debug, JsonSchema)]
    #[kubeset(group = "example.com", version = "v1", kind = "Baz")]
    pub(crate) struct BazSpec {
        pub(crate) size: i64,
    }
}

#[test]
fn merged_versions_have_one_storage_version() {
    let crd = v1::Bar::merge_crds(vec![v1alpha1::Bar::crd(), v1::Bar::crd()], "v1").unwrap();
    let versions: Vec<_> = crd
        .spec
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.served, v.storage))
        .collect();
    assert_eq!(versions, [("v1alpha1", true, false), ("v1", true, true)]);
}

#[test]
fn merge_errors_say_what_is_wrong() {
    let check = |crds, storage: &str, expected: &str| {
        let err = v1::Bar::merge_crds(crds, storage).unwrap_err();
        assert!(err.contains(expected), "{err}");
    };
    check(vec![], "v1", "no CustomResourceDefinitions");
    check(
        vec![v1::Bar::crd(), other::Baz::crd()],
        "v1",
        "not of one kind",
    );
    check(vec![v1::Bar::crd(), v1::Bar::crd()], "v1", "given twice");
    check(vec![v1alpha1::Bar::crd()], "v1", "storage version v1");
}

#[test]
fn cluster_scope_without_namespaced() {
    fn cluster<K: k8s_openapi::Resource<Scope = k8s_openapi::ClusterResourceScope>>() {}
    cluster::<other::Baz>();
    assert_eq!(other::Baz::crd().spec.scope, "Cluster");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_written_at_one_version_is_read_at_the_other() {
    let server = TestServer::start().await.unwrap();
    let client = super::server::client(&server).await;
    let crd = v1::Bar::merge_crds(vec![v1alpha1::Bar::crd(), v1::Bar::crd()], "v1").unwrap();
    super::server::install(&client, &crd).await;
    super::server::namespace(&client, "demo").await;

    let old: Api<v1alpha1::Bar> = Api::namespaced(client.clone(), "demo");
    let new: Api<v1::Bar> = Api::namespaced(client, "demo");
    let spec = v1alpha1::BarSpec { size: 3 };
    old.create(&PostParams::default(), &v1alpha1::Bar::new("b", spec))
        .await
        .unwrap();
    let read = new.get("b").await.unwrap();
    assert_eq!(read.spec.size, 3);
}
