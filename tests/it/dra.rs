//! resource.k8s.io ResourceClaims, as kube-apiserver validates them: the spec is immutable
//! (`ValidateResourceClaimUpdate`; the refused value is Go's `%#v`, so only the rest of the
//! message is compared) and a reservation needs its consumer's uid and an allocation first
//! (`ValidateResourceClaimStatusUpdate`). The messages are the real server's, so this holds
//! on a cluster too.

use k8s_openapi::api::resource::v1::ResourceClaim;
use kubeset::clientset::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::setup;

#[tokio::test]
async fn a_claim_is_reserved_only_once_allocated() {
    let ctx = setup("dra-reserve").await;
    let claims: Api<ResourceClaim> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let claim: ResourceClaim = serde_json::from_value(json!({"metadata": {"name": "gpu"},
        "spec": {"devices": {"requests": [{"name": "gpu",
            "exactly": {"deviceClassName": "gpu.example.com"}}]}}}))
    .unwrap();
    claims.create(&PostParams::default(), &claim).await.unwrap();

    let retarget = Patch::Merge(json!({"spec": {"devices": {"requests": [{"name": "gpu",
        "exactly": {"deviceClassName": "tpu.example.com"}}]}}}));
    let err = claims
        .patch("gpu", &PatchParams::default(), &retarget)
        .await
        .unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(api.code, 422, "{err}");
    let message = api.message();
    assert!(
        message
            .starts_with("ResourceClaim.resource.k8s.io \"gpu\" is invalid: spec: Invalid value: ")
            && message.ends_with(": field is immutable"),
        "{message}"
    );

    let patch = Patch::Merge(json!({"status": {"reservedFor": [
        {"resource": "pods", "name": "p"}]}}));
    let err = claims
        .patch_status("gpu", &PatchParams::default(), &patch)
        .await
        .unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(api.code, 422, "{err}");
    let message = api.message();
    assert!(
        message.starts_with("ResourceClaim.resource.k8s.io \"gpu\" is invalid: "),
        "{message}"
    );
    for expected in [
        "status.reservedFor[0].uid: Required value",
        "status.reservedFor: Forbidden: may not be specified when `allocated` is not set",
    ] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
    let stored = claims.get("gpu").await.unwrap();
    assert!(
        stored
            .status
            .is_none_or(|s| s.reserved_for.unwrap_or_default().is_empty()),
        "nothing was stored"
    );
}
