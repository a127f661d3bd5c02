//! Several versions of one kind: one derive per version in modules of their own, merged into
//! one CRD with `kubeset_clientset::crd::merge_crds`, served by the test server at both versions.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset_clientset::crd::{MergeError, merge_crds};
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
    let crd = merge_crds(vec![v1alpha1::Bar::crd(), v1::Bar::crd()], "v1").unwrap();
    let versions: Vec<_> = crd
        .spec
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.served, v.storage))
        .collect();
    assert_eq!(versions, [("v1alpha1", true, false), ("v1", true, true)]);
}

/// The error names the CRD, version or field at fault.
#[test]
fn merge_errors_say_what_is_wrong() {
    #[track_caller]
    fn check(crds: Vec<CustomResourceDefinition>, storage: &str, expected: MergeError) {
        assert_eq!(merge_crds(crds, storage).unwrap_err(), expected);
    }
    let bars = || "bars.example.com".to_owned();
    check(vec![], "v1", MergeError::Empty);
    check(
        vec![v1::Bar::crd(), other::Baz::crd()],
        "v1",
        MergeError::DifferentKinds {
            first: bars(),
            other: "bazes.example.com".into(),
        },
    );
    check(
        vec![v1::Bar::crd(), v1::Bar::crd()],
        "v1",
        MergeError::DuplicateVersion {
            crd: bars(),
            version: "v1".into(),
        },
    );
    check(
        vec![v1alpha1::Bar::crd()],
        "v1",
        MergeError::NoStorageVersion {
            crd: bars(),
            version: "v1".into(),
        },
    );
    let mut cluster = v1::Bar::crd();
    cluster.spec.scope = "Cluster".into();
    check(
        vec![v1alpha1::Bar::crd(), cluster],
        "v1",
        MergeError::Mismatch {
            crd: bars(),
            version: "v1".into(),
            field: "spec.scope",
        },
    );
    let mut renamed = v1::Bar::crd();
    renamed.spec.names.short_names = Some(vec!["b".into()]);
    let err = merge_crds(vec![v1alpha1::Bar::crd(), renamed], "v1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "version v1 of bars.example.com has another spec.names than the versions before it"
    );
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
    let crd = merge_crds(vec![v1alpha1::Bar::crd(), v1::Bar::crd()], "v1").unwrap();
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
