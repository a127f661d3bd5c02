//! The pod rules beyond containers and pod-level fields: ephemeral containers (the
//! `pods/ephemeralcontainers` subresource `kubectl debug` writes to, and their validation).
//! Each refused write has one fault, so the causes hold on a cluster too.

use bytes::Bytes;
use http_body_util::BodyExt as _;
use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{Client, Error, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::invalid::{invalid, pod_spec};
use crate::support::setup;

fn pod(name: &str, extra: Value) -> Pod {
    let mut spec = pod_spec("Always");
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
}

/// A debugging container as `kubectl debug -it --target=c` adds it.
fn debugger(image: &str) -> Value {
    json!({"name": "debugger", "image": image, "targetContainerName": "c",
        "stdin": true, "tty": true})
}

/// Sends `body` to the pod's `ephemeralcontainers` subresource with `method` (`PUT`, or
/// `PATCH` as a strategic merge patch, as `kubectl debug` does) and decodes the pod.
async fn ephemeral(
    client: &Client,
    ns: &str,
    name: &str,
    method: http::Method,
    body: &Value,
) -> Result<Value, Error> {
    let content_type = if method == http::Method::PATCH {
        "application/strategic-merge-patch+json"
    } else {
        "application/json"
    };
    let request = http::Request::builder()
        .method(method)
        .uri(format!(
            "/api/v1/namespaces/{ns}/pods/{name}/ephemeralcontainers"
        ))
        .header(http::header::CONTENT_TYPE, content_type)
        .body(kubeset::transport::RequestBody::new(Bytes::from(
            serde_json::to_vec(body).unwrap(),
        )))
        .unwrap();
    let response = client.send(request).await?;
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Ok(serde_json::from_slice(&body).unwrap())
}

fn cause(field: &str, reason: &str) -> Vec<(String, String)> {
    vec![(field.to_owned(), reason.to_owned())]
}

#[tokio::test]
async fn an_ephemeral_container_is_added_to_a_running_pod_and_never_changed() {
    let ctx = setup("pod-ephemeral").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &pod("target", json!({})))
        .await
        .unwrap();
    // report the pod running, as a kubelet would
    let running = json!({"status": {"phase": "Running"}});
    pods.patch_status("target", &PatchParams::default(), &Patch::Merge(running))
        .await
        .unwrap();

    // GET answers the pod itself.
    let read: Pod = pods
        .get_subresource("ephemeralcontainers", "target")
        .await
        .unwrap();
    assert_eq!(read.metadata.name.as_deref(), Some("target"));
    assert!(read.spec.unwrap().ephemeral_containers.is_none());

    // The patch kubectl debug sends; labels in it are not the subresource's to change.
    let patch = json!({"metadata": {"labels": {"debugged": "yes"}},
        "spec": {"ephemeralContainers": [debugger("busybox:1.36")]}});
    let added = ephemeral(&ctx.client, &ctx.ns, "target", http::Method::PATCH, &patch)
        .await
        .unwrap();
    let ec = &added["spec"]["ephemeralContainers"][0];
    assert_eq!(ec["name"], "debugger");
    assert_eq!(ec["targetContainerName"], "c");
    // defaulted like any container
    assert_eq!(ec["terminationMessagePolicy"], "File");
    assert_eq!(ec["imagePullPolicy"], "IfNotPresent");
    assert!(added["metadata"].get("labels").is_none(), "{added}");
    assert_eq!(added["status"]["phase"], "Running");
    assert_eq!(added["spec"]["containers"][0]["name"], "c");
    // The writer owns only what the subresource keeps (its strategy's include filter), not
    // the labels it sent.
    let entries = added["metadata"]["managedFields"].as_array().unwrap();
    let entry = entries
        .iter()
        .find(|e| e["subresource"] == "ephemeralcontainers")
        .unwrap_or_else(|| panic!("no ephemeralcontainers entry in {entries:?}"));
    let owned = entry["fieldsV1"].as_object().unwrap();
    assert_eq!(owned.keys().collect::<Vec<_>>(), ["f:spec"], "{entry}");
    let spec = owned["f:spec"].as_object().unwrap();
    assert_eq!(
        spec.keys().collect::<Vec<_>>(),
        ["f:ephemeralContainers"],
        "{entry}"
    );
    assert!(
        spec["f:ephemeralContainers"]
            .get("k:{\"name\":\"debugger\"}")
            .is_some(),
        "{entry}"
    );

    // Changing it is refused, with a diff after the message's first line.
    let mut changed = added.clone();
    changed["spec"]["ephemeralContainers"][0]["image"] = json!("busybox:1.37");
    let err = ephemeral(&ctx.client, &ctx.ns, "target", http::Method::PUT, &changed)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
        ["spec.ephemeralContainers"],
        "{message}"
    );
    assert!(
        message.starts_with(
            "Pod \"target\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be changed\n"
        ),
        "{message}"
    );
    assert!(message.contains("busybox:1.37"), "{message}");

    // So is removing it.
    let mut removed = added.clone();
    removed["spec"]["ephemeralContainers"] = json!([]);
    let err = ephemeral(&ctx.client, &ctx.ns, "target", http::Method::PUT, &removed)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        cause("spec.ephemeralContainers", "FieldValueForbidden")
    );
    assert!(
        message.ends_with("existing ephemeral containers \"debugger\" may not be removed\n"),
        "{message}"
    );

    // A write based on an older version conflicts, as every update does.
    let mut stale = added.clone();
    stale["metadata"]["resourceVersion"] = read.metadata.resource_version.clone().into();
    let mut second = debugger("busybox:1.36");
    second["name"] = json!("second");
    stale["spec"]["ephemeralContainers"]
        .as_array_mut()
        .unwrap()
        .push(second);
    let err = ephemeral(&ctx.client, &ctx.ns, "target", http::Method::PUT, &stale)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(409), "{err}");

    // The pod itself cannot take ephemeral containers through a plain update.
    let current = pods.get("target").await.unwrap();
    let mut plain = serde_json::to_value(&current).unwrap();
    plain["spec"]["ephemeralContainers"] = json!([]);
    let plain: Pod = serde_json::from_value(plain).unwrap();
    let err = pods
        .replace("target", &PostParams::default(), &plain)
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        [("spec".to_owned(), "FieldValueForbidden".to_owned())],
        "{message}"
    );
    assert_eq!(current.spec.unwrap().ephemeral_containers.unwrap().len(), 1);
}

#[tokio::test]
async fn ephemeral_containers_are_validated() {
    let ctx = setup("pod-ephemeral-invalid").await;
    let pods = ctx.client.pods(&ctx.ns);

    // Not on create.
    let err = pods
        .create(
            &PostParams::default(),
            &pod(
                "early",
                json!({"ephemeralContainers": [debugger("busybox")]}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).1,
        [(
            "spec.ephemeralContainers".to_owned(),
            "FieldValueForbidden".to_owned()
        )]
    );

    pods.create(&PostParams::default(), &pod("target", json!({})))
        .await
        .unwrap();
    let refused = |ec: Value| {
        let client = ctx.client.clone();
        let ns = ctx.ns.clone();
        async move {
            let patch = json!({"spec": {"ephemeralContainers": [ec]}});
            let err = ephemeral(&client, &ns, "target", http::Method::PATCH, &patch)
                .await
                .unwrap_err();
            invalid(&err).1
        }
    };
    let mut with_ports = debugger("busybox");
    with_ports["ports"] = json!([{"containerPort": 80}]);
    assert_eq!(
        refused(with_ports).await,
        cause("spec.ephemeralContainers[0].ports", "FieldValueForbidden")
    );
    let mut with_probe = debugger("busybox");
    with_probe["readinessProbe"] = json!({"exec": {"command": ["true"]}});
    assert_eq!(
        refused(with_probe).await,
        cause(
            "spec.ephemeralContainers[0].readinessProbe",
            "FieldValueForbidden"
        )
    );
    let mut unknown_target = debugger("busybox");
    unknown_target["targetContainerName"] = json!("nope");
    assert_eq!(
        refused(unknown_target).await,
        cause(
            "spec.ephemeralContainers[0].targetContainerName",
            "FieldValueNotFound"
        )
    );
    let mut same_name = debugger("busybox");
    same_name["name"] = json!("c");
    assert_eq!(
        refused(same_name).await,
        cause("spec.ephemeralContainers[0].name", "FieldValueDuplicate")
    );
    // nothing was added
    let stored = pods.get("target").await.unwrap();
    assert!(stored.spec.unwrap().ephemeral_containers.is_none());
}

async fn refused(
    pods: &kubeset::clientset::Api<Pod>,
    name: &str,
    extra: Value,
) -> Vec<(String, String)> {
    let err = pods
        .create(&PostParams::default(), &pod(name, extra))
        .await
        .unwrap_err();
    invalid(&err).1
}

#[tokio::test]
async fn volume_sources_and_their_uses_are_checked() {
    let ctx = setup("pod-volume-more").await;
    let pods = ctx.client.pods(&ctx.ns);
    // the in-tree plugins' own rules
    assert_eq!(
        refused(
            &pods,
            "nfs",
            json!({"volumes": [{"name": "v", "nfs": {"server": "nfs.local", "path": "exports"}}]})
        )
        .await,
        cause("spec.volumes[0].nfs.path", "FieldValueInvalid")
    );
    assert_eq!(
        refused(
            &pods,
            "iscsi",
            json!({"volumes": [{"name": "v", "iscsi": {"targetPortal": "10.0.0.1:3260",
                "iqn": "iqn.2001-04.com.example:disk", "lun": 256}}]})
        )
        .await,
        cause("spec.volumes[0].iscsi.lun", "FieldValueInvalid")
    );
    // a second source is refused at Go's path for it
    assert_eq!(
        refused(
            &pods,
            "two",
            json!({"volumes": [{"name": "v", "emptyDir": {}, "cephfs": {"monitors": ["m"]}}]})
        )
        .await,
        cause("spec.volumes[0].cephFS", "FieldValueForbidden")
    );
    // downward API files name pod fields a volume may show
    assert_eq!(
        refused(
            &pods,
            "downward",
            json!({"volumes": [{"name": "v", "downwardAPI": {"items": [{"path": "node",
                "fieldRef": {"fieldPath": "spec.nodeName"}}]}}]})
        )
        .await,
        cause(
            "spec.volumes[0].downwardAPI.fieldRef.fieldPath",
            "FieldValueNotSupported"
        )
    );
    // block devices come from claims only
    let mut spec = pod_spec("Always");
    spec["containers"][0]["volumeDevices"] = json!([{"name": "v", "devicePath": "/dev/v"}]);
    spec["volumes"] = json!([{"name": "v", "emptyDir": {}}]);
    assert_eq!(
        refused(&pods, "block", spec).await,
        cause(
            "spec.containers[0].volumeDevices[0].name",
            "FieldValueInvalid"
        )
    );
    // a mount of a volume that failed validation is not found as well
    let mut spec = pod_spec("Always");
    spec["containers"][0]["volumeMounts"] = json!([{"name": "cfg", "mountPath": "/cfg"}]);
    spec["volumes"] = json!([{"name": "cfg", "configMap": {"name": ""}}]);
    assert_eq!(
        refused(&pods, "mount", spec).await,
        [
            (
                "spec.volumes[0].configMap.name".to_owned(),
                "FieldValueRequired".to_owned()
            ),
            (
                "spec.containers[0].volumeMounts[0].name".to_owned(),
                "FieldValueNotFound".to_owned()
            ),
        ]
    );
}

fn pod_with_labels(name: &str, labels: Value, extra: Value) -> Pod {
    let mut pod = serde_json::to_value(pod(name, extra)).unwrap();
    pod["metadata"]["labels"] = labels;
    serde_json::from_value(pod).unwrap()
}

#[tokio::test]
async fn security_os_scheduling_and_annotation_rules_are_checked() {
    let ctx = setup("pod-more-rules").await;
    let pods = ctx.client.pods(&ctx.ns);
    assert_eq!(
        refused(
            &pods,
            "sysctl",
            json!({"securityContext": {"sysctls": [{"name": "Kernel.X", "value": "1"}]}})
        )
        .await,
        cause("spec.securityContext.sysctls[0].name", "FieldValueInvalid")
    );
    assert_eq!(
        refused(
            &pods,
            "linux",
            json!({"os": {"name": "linux"},
                "securityContext": {"windowsOptions": {"runAsUserName": "app"}}})
        )
        .await,
        cause("spec.securityContext.windowsOptions", "FieldValueForbidden")
    );
    let mut spec = pod_spec("Always");
    spec["os"] = json!({"name": "windows"});
    spec["containers"][0]["securityContext"] = json!({"privileged": false});
    assert_eq!(
        refused(&pods, "windows", spec).await,
        cause(
            "spec.containers[0].securityContext.privileged",
            "FieldValueForbidden"
        )
    );
    let mut spec = pod_spec("Always");
    spec["terminationGracePeriodSeconds"] = json!(30);
    spec["containers"][0]["lifecycle"] = json!({"preStop": {"sleep": {"seconds": 60}}});
    let err = pods
        .create(&PostParams::default(), &pod("sleepy", spec))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        cause(
            "spec.containers[0].lifecycle.preStop.sleep",
            "FieldValueInvalid"
        )
    );
    assert!(
        message.ends_with("must be non-negative and less than terminationGracePeriodSeconds (30)"),
        "{message}"
    );
    let err = pods
        .create(
            &PostParams::default(),
            &pod("deadline", json!({"activeDeadlineSeconds": 0})),
        )
        .await
        .unwrap_err();
    let (message, _) = invalid(&err);
    assert!(
        message.ends_with(
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"
        ),
        "{message}"
    );
    // matchLabelKeys become an expression on create; a key the selector already has clashes
    let affinity = json!({"affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": {"app": "web"}},
            "matchLabelKeys": ["app"], "topologyKey": "kubernetes.io/hostname"}]}}});
    let err = pods
        .create(
            &PostParams::default(),
            &pod_with_labels("affine", json!({"app": "web"}), affinity),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).1,
        cause(
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0][0]",
            "FieldValueInvalid"
        )
    );
    let mut annotated = serde_json::to_value(pod("costly", json!({}))).unwrap();
    annotated["metadata"]["annotations"] =
        json!({"controller.kubernetes.io/pod-deletion-cost": "+5"});
    let err = pods
        .create(
            &PostParams::default(),
            &serde_json::from_value(annotated).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).1,
        cause(
            "metadata.annotations[controller.kubernetes.io/pod-deletion-cost]",
            "FieldValueInvalid"
        )
    );
    // pod-level resources hold cpu and memory only
    assert_eq!(
        refused(
            &pods,
            "pod-level",
            json!({"resources": {"limits": {"cpu": "1", "ephemeral-storage": "1Gi"}}})
        )
        .await,
        cause(
            "spec.resources.limits[ephemeral-storage]",
            "FieldValueNotSupported"
        )
    );
    // relaxed DNS search names and a matchLabelKeys term of its own are accepted
    let fine = json!({"dnsConfig": {"searches": [".", "_srv.example.com"]},
        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": {"tier": "front"}},
            "matchLabelKeys": ["app"], "topologyKey": "kubernetes.io/hostname"}]}}});
    let created = pods
        .create(
            &PostParams::default(),
            &pod_with_labels("fine", json!({"app": "web", "tier": "front"}), fine),
        )
        .await
        .unwrap();
    let term = &serde_json::to_value(created.spec.unwrap().affinity).unwrap()["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        [0];
    assert_eq!(
        term["labelSelector"]["matchExpressions"],
        json!([{"key": "app", "operator": "In", "values": ["web"]}])
    );
}

#[tokio::test]
async fn resource_claims_are_checked() {
    let ctx = setup("pod-claims").await;
    let pods = ctx.client.pods(&ctx.ns);
    assert_eq!(
        refused(
            &pods,
            "no-source",
            json!({"resourceClaims": [{"name": "gpu"}]})
        )
        .await,
        cause("spec.resourceClaims[0]", "FieldValueInvalid")
    );
    let mut spec = pod_spec("Always");
    spec["containers"][0]["resources"] = json!({"claims": [{"name": "gpu"}]});
    let err = pods
        .create(&PostParams::default(), &pod("unknown", spec))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        cause(
            "spec.containers[0].resources.claims[0]",
            "FieldValueNotFound"
        )
    );
    assert!(
        message.ends_with("must be one of the names in pod.spec.resourceClaims which is empty"),
        "{message}"
    );
}
