//! resource.k8s.io (dynamic resource allocation), as kube-apiserver v1.36 defaults and
//! validates it: a claim's requests get their allocation mode, count and toleration operator;
//! a DeviceClass's selectors must compile; a request is `exactly` or `firstAvailable`, not
//! both; a ResourceSlice's attribute names are C identifiers; a claim's spec is immutable
//! (`ValidateResourceClaimUpdate`; the refused value is Go's `%#v`, so only the rest of the
//! message is compared) and a reservation needs its consumer's uid and an allocation first
//! (`ValidateResourceClaimStatusUpdate`). The messages are the real server's and the
//! cluster-scoped objects are named after the test's namespace and deleted, so this holds on
//! a cluster too.

use k8s_openapi::api::resource::v1::{DeviceClass, ResourceClaim, ResourceSlice};
use kubeset::clientset::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::invalid::invalid;
use crate::support::setup;

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn cause(field: &str, reason: &str) -> (String, String) {
    (field.to_owned(), reason.to_owned())
}

#[tokio::test]
async fn a_claim_is_stored_with_the_v1_defaults() {
    let ctx = setup("dra-defaults").await;
    let claims: Api<ResourceClaim> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let claim: ResourceClaim = typed(json!({"metadata": {"name": "gpu"},
        "spec": {"devices": {"requests": [
            {"name": "one", "exactly": {"deviceClassName": "gpu.example.com",
                "tolerations": [{"key": "example.com/broken"}]}},
            {"name": "any", "firstAvailable": [
                {"name": "all", "deviceClassName": "gpu.example.com", "allocationMode": "All"},
                {"name": "two", "deviceClassName": "gpu.example.com", "count": 2}]}]}}}));
    let created = claims.create(&PostParams::default(), &claim).await.unwrap();
    let stored = serde_json::to_value(&created).unwrap();
    let requests = &stored["spec"]["devices"]["requests"];
    assert_eq!(requests[0]["exactly"]["allocationMode"], "ExactCount");
    assert_eq!(requests[0]["exactly"]["count"], 1);
    assert_eq!(
        requests[0]["exactly"]["tolerations"][0]["operator"],
        "Equal"
    );
    let subs = &requests[1]["firstAvailable"];
    assert_eq!(
        (&subs[0]["allocationMode"], subs[0].get("count")),
        (&json!("All"), None)
    );
    assert_eq!(
        (&subs[1]["allocationMode"], &subs[1]["count"]),
        (&json!("ExactCount"), &json!(2))
    );
    assert_eq!(stored.pointer("/status/allocation"), None);
}

#[tokio::test]
async fn a_request_is_exactly_one_kind() {
    let ctx = setup("dra-request-kind").await;
    let claims: Api<ResourceClaim> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let claim: ResourceClaim = typed(json!({"metadata": {"name": "both"},
        "spec": {"devices": {"requests": [{"name": "gpu",
            "exactly": {"deviceClassName": "gpu.example.com"},
            "firstAvailable": [{"name": "any", "deviceClassName": "gpu.example.com"}]}]}}}));
    let err = claims
        .create(&PostParams::default(), &claim)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "ResourceClaim.resource.k8s.io \"both\" is invalid: spec.devices.requests[0]: Invalid value: null: exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set"
    );
    assert_eq!(
        causes,
        [cause("spec.devices.requests[0]", "FieldValueInvalid")]
    );
}

#[tokio::test]
async fn a_device_class_selector_must_compile() {
    let ctx = setup("dra-class").await;
    let classes: Api<DeviceClass> = Api::cluster(ctx.client.clone());
    let name = format!("{}.example.com", ctx.ns);
    let class: DeviceClass = typed(json!({"metadata": {"name": name},
        "spec": {"selectors": [{"cel": {"expression": "device.driver =="}}]}}));
    let err = classes
        .create(&PostParams::default(), &class)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    let expected = format!(
        "DeviceClass.resource.k8s.io \"{name}\" is invalid: spec.selectors[0].cel.expression: Invalid value: \"device.driver ==\": compilation failed: ERROR: <input>:1:17: Syntax error: "
    );
    assert!(message.starts_with(&expected), "{message}");
    assert_eq!(
        causes,
        [cause(
            "spec.selectors[0].cel.expression",
            "FieldValueInvalid"
        )]
    );

    // a class that compiles starts at generation 1; a spec change bumps it
    let good: DeviceClass = typed(json!({"metadata": {"name": name},
        "spec": {"selectors": [{"cel": {"expression": "device.driver == 'gpu.example.com'"}}]}}));
    let created = classes.create(&PostParams::default(), &good).await.unwrap();
    let patched = classes
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"selectors": [{"cel": {"expression": "true"}}]}})),
        )
        .await;
    // delete before asserting, so a failure leaves nothing behind on a cluster
    classes
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    assert_eq!(patched.unwrap().metadata.generation, Some(2));
}

#[tokio::test]
async fn a_slice_attribute_name_is_a_c_identifier() {
    let ctx = setup("dra-slice").await;
    let slices: Api<ResourceSlice> = Api::cluster(ctx.client.clone());
    let name = format!("{}-gpus", ctx.ns);
    let slice: ResourceSlice = typed(json!({"metadata": {"name": name},
        "spec": {"driver": "gpu.example.com", "allNodes": true,
            "pool": {"name": "pool", "generation": 1, "resourceSliceCount": 1},
            "devices": [{"name": "gpu-0", "attributes": {"gpu.example.com/model-name": {"string": "a100"}}}]}}));
    let err = slices
        .create(&PostParams::default(), &slice)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        format!(
            "ResourceSlice.resource.k8s.io \"{name}\" is invalid: spec.devices[0].attributes[gpu.example.com/model-name]: Invalid value: \"model-name\": a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')"
        )
    );
    assert_eq!(
        causes,
        [cause(
            "spec.devices[0].attributes[gpu.example.com/model-name]",
            "FieldValueInvalid"
        )]
    );
}

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

#[tokio::test]
async fn a_slice_is_defaulted_and_selected_by_node() {
    let ctx = setup("dra-slice-node").await;
    let slices: Api<ResourceSlice> = Api::cluster(ctx.client.clone());
    let name = format!("{}-node", ctx.ns);
    let slice: ResourceSlice = typed(json!({"metadata": {"name": name},
        "spec": {"driver": "gpu.example.com", "nodeName": name,
            "pool": {"name": name, "generation": 1, "resourceSliceCount": 1},
            "devices": [{"name": "gpu-0", "attributes": {"model": {"string": "a100"}},
                "taints": [{"key": "example.com/broken", "effect": "NoSchedule"}]}]}}));
    let created = slices.create(&PostParams::default(), &slice).await;
    let listed = slices
        .list(&ListParams::default().fields(&format!("spec.nodeName={name}")))
        .await;
    let other = slices
        .list(&ListParams::default().fields("spec.nodeName=no-such-node"))
        .await;
    // delete before asserting, so a failure leaves nothing behind on a cluster
    slices
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    let created = serde_json::to_value(created.unwrap()).unwrap();
    assert_eq!(created["metadata"]["generation"], 1);
    let added = created["spec"]["devices"][0]["taints"][0]["timeAdded"].as_str();
    assert!(added.is_some_and(|t| t.ends_with('Z')), "{created}");
    let names: Vec<Option<String>> = listed
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.metadata.name)
        .collect();
    assert_eq!(names, [Some(name)]);
    assert!(other.unwrap().items.is_empty());
}
