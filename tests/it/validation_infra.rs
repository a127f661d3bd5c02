//! Spec validation of the types storage, node and network controllers write, as
//! kube-apiserver answers it: EndpointSlices (addresses by type, ports, the immutable address
//! type), RuntimeClasses (handler, tolerations), CSIDrivers (defaults, immutable fields),
//! VolumeAttachments (sources, the immutable spec, status), IPAddresses and ServiceCIDRs. The
//! messages are the real server's, so these hold on a cluster too; cluster-scoped objects are
//! named after the test's namespace and deleted.

use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{IPAddress, ServiceCIDR};
use k8s_openapi::api::node::v1::RuntimeClass;
use k8s_openapi::api::storage::v1::{CSIDriver, VolumeAttachment};
use kubeset::clientset::{Api, DeleteParams, Error, Patch, PatchParams, PostParams};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::setup;

/// The 422's causes as `(field, message)`.
#[track_caller]
fn causes(err: &Error) -> Vec<(String, String)> {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!((api.code, api.reason()), (422, "Invalid"), "{err}");
    err.status()
        .and_then(|s| s.details.as_ref())
        .and_then(|d| d.causes.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.field.unwrap_or_default(), c.message.unwrap_or_default()))
        .collect()
}

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
        .collect()
}

#[tokio::test]
async fn endpoint_slices_check_addresses_ports_and_their_address_type() {
    let ctx = setup("valid-slices").await;
    let slices: Api<EndpointSlice> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let bad: EndpointSlice = typed(json!({"metadata": {"name": "web-bad"},
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.0.0.1", "127.0.0.1", "fd00::1"]}],
        "ports": [{"port": 80}, {"port": 81}, {"name": "x", "protocol": "HTTP", "port": 82}]}));
    let err = slices
        .create(&PostParams::default(), &bad)
        .await
        .unwrap_err();
    assert_eq!(
        causes(&err),
        owned(&[
            (
                "endpoints[0].addresses[1]",
                "Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"
            ),
            (
                "endpoints[0].addresses[2]",
                "Invalid value: \"fd00::1\": must be a valid IPv4 address"
            ),
            ("ports[1].name", "Duplicate value: \"\""),
            (
                "ports[2].protocol",
                "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""
            ),
        ])
    );

    // a valid slice gets its ports' defaults; its address type may not change
    let good: EndpointSlice = typed(json!({"metadata": {"name": "web"}, "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80}]}));
    let created = slices.create(&PostParams::default(), &good).await.unwrap();
    let port = &created.ports.unwrap()[0];
    assert_eq!(
        (port.name.as_deref(), port.protocol.as_deref()),
        (Some(""), Some("TCP"))
    );
    let err = slices
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"addressType": "FQDN", "endpoints": [{"addresses": ["example.com"]}]}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        causes(&err),
        owned(&[("addressType", "Invalid value: \"FQDN\": field is immutable")])
    );
}

#[tokio::test]
async fn runtime_classes_check_the_handler_and_tolerations() {
    let ctx = setup("valid-runtimeclasses").await;
    let classes: Api<RuntimeClass> = Api::cluster(ctx.client.clone());
    let name = format!("{}-rc", ctx.ns);
    let bad: RuntimeClass = typed(json!({"metadata": {"name": name}, "handler": "Run_C",
        "scheduling": {"tolerations": [{"operator": "Equal", "value": "x"}]}}));
    let err = classes
        .create(&PostParams::default(), &bad)
        .await
        .unwrap_err();
    let fields: Vec<String> = causes(&err).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["handler", "scheduling.tolerations[0].operator"],
        "{err}"
    );

    let good: RuntimeClass = typed(json!({"metadata": {"name": name}, "handler": "runc"}));
    classes.create(&PostParams::default(), &good).await.unwrap();
    let patched = classes
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"handler": "kata"})),
        )
        .await;
    // delete before asserting, so a failure leaves nothing behind on a cluster
    classes
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        causes(&patched.unwrap_err()),
        owned(&[("handler", "Invalid value: \"kata\": field is immutable")])
    );
}

#[tokio::test]
async fn csi_drivers_are_defaulted_and_keep_their_attach_mode() {
    let ctx = setup("valid-csidrivers").await;
    let drivers: Api<CSIDriver> = Api::cluster(ctx.client.clone());
    let name = format!("{}.csi.example.com", ctx.ns);
    let driver: CSIDriver = typed(json!({"metadata": {"name": name}, "spec": {}}));
    let created = drivers
        .create(&PostParams::default(), &driver)
        .await
        .unwrap();
    let patched = drivers
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"attachRequired": false,
                "tokenRequests": [{"audience": "a"}, {"audience": "a"}]}})),
        )
        .await;
    // delete before asserting, so a failure leaves nothing behind on a cluster
    drivers
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    let spec = created.spec;
    assert_eq!(
        (
            spec.attach_required,
            spec.pod_info_on_mount,
            spec.fs_group_policy.as_deref()
        ),
        (Some(true), Some(false), Some("ReadWriteOnceWithFSType"))
    );
    assert_eq!(
        spec.volume_lifecycle_modes.as_deref(),
        Some(&["Persistent".to_owned()][..])
    );
    assert_eq!(
        causes(&patched.unwrap_err()),
        owned(&[
            ("spec.tokenRequests[1].audience", "Duplicate value: \"a\""),
            (
                "spec.attachedRequired",
                "Invalid value: false: field is immutable"
            ),
        ])
    );
}

#[tokio::test]
async fn volume_attachments_keep_their_spec_and_check_their_status() {
    let ctx = setup("valid-attachments").await;
    let attachments: Api<VolumeAttachment> = Api::cluster(ctx.client.clone());
    let name = format!("{}-va", ctx.ns);
    let bad: VolumeAttachment = typed(json!({"metadata": {"name": name},
        "spec": {"attacher": "csi.example.com", "nodeName": "Node_1", "source": {}}}));
    let err = attachments
        .create(&PostParams::default(), &bad)
        .await
        .unwrap_err();
    let fields: Vec<String> = causes(&err).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["spec.source", "spec.nodeName"], "{err}");

    let good: VolumeAttachment = typed(json!({"metadata": {"name": name},
        "spec": {"attacher": "csi.example.com", "nodeName": "node-1",
            "source": {"persistentVolumeName": "pv-1"}}}));
    let created = attachments
        .create(&PostParams::default(), &good)
        .await
        .unwrap();
    let moved = attachments
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"nodeName": "node-2"}})),
        )
        .await;
    let failed = attachments
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"attached": true,
                "attachError": {"message": "boom", "errorCode": -1}}})),
        )
        .await;
    let attached = attachments
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"attached": true}})),
        )
        .await;
    // delete before asserting, so a failure leaves nothing behind on a cluster
    attachments
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();

    assert_eq!(created.status.map(|s| s.attached), Some(false));
    assert_eq!(
        causes(&moved.unwrap_err()),
        owned(&[(
            "spec",
            "Invalid value: {\"Attacher\":\"csi.example.com\",\"Source\":{\"PersistentVolumeName\":\"pv-1\",\"InlineVolumeSpec\":null},\"NodeName\":\"node-2\"}: field is immutable"
        )])
    );
    // the status strategy validates the whole object, whose checks run twice
    let expected = (
        "status.attachError.errorCode",
        "Invalid value: -1: must be between 0 and 2147483647, inclusive",
    );
    assert_eq!(causes(&failed.unwrap_err()), owned(&[expected, expected]));
    assert_eq!(attached.unwrap().status.map(|s| s.attached), Some(true));
}

#[tokio::test]
async fn ip_addresses_and_service_cidrs_use_strict_ip_syntax() {
    let ctx = setup("valid-ipaddresses").await;
    let addresses: Api<IPAddress> = Api::cluster(ctx.client.clone());
    let bad: IPAddress = typed(json!({"metadata": {"name": "10.0.0.01"},
        "spec": {"parentRef": {"resource": "services", "namespace": ctx.ns, "name": "svc"}}}));
    let err = match addresses.create(&PostParams::default(), &bad).await {
        Ok(_) => {
            // leave no allocator object behind on a cluster that took it
            let _ = addresses
                .delete("10.0.0.01", &DeleteParams::default())
                .await;
            panic!("an IPAddress with leading zeros was created");
        }
        Err(err) => err,
    };
    assert_eq!(
        causes(&err),
        owned(&[(
            "metadata.name",
            "Invalid value: \"10.0.0.01\": must not have leading 0s"
        )])
    );

    let cidrs: Api<ServiceCIDR> = Api::cluster(ctx.client.clone());
    let name = format!("{}-cidr", ctx.ns);
    let bad: ServiceCIDR = typed(json!({"metadata": {"name": name},
        "spec": {"cidrs": ["10.250.0.1/24"]}}));
    let err = match cidrs.create(&PostParams::default(), &bad).await {
        Ok(_) => {
            let _ = cidrs.delete(&name, &DeleteParams::default()).await;
            panic!("a ServiceCIDR with host bits was created");
        }
        Err(err) => err,
    };
    assert_eq!(
        causes(&err),
        owned(&[(
            "spec.cidrs[0]",
            "Invalid value: \"10.250.0.1/24\": must not have bits set beyond the prefix length"
        )])
    );
}
