//! CRD validation rules (`x-kubernetes-validations`) using Kubernetes' CEL libraries: objects
//! accepted and refused with the real 422 causes, a transition rule inside a map list, an
//! `optionalOldSelf` rule, and CRDs refused for `oldSelf` where old values cannot be found and
//! for a field the schema does not declare.
//!
//! Each test installs a CRD of its own (a group named after its namespace) and removes it.

use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset::clientset::{Api, ApiResource, Client, DeleteParams, DynamicObject, PostParams};
use kubeset::runtime::wait::crd_established;
use serde_json::{Value, json};

use crate::support::invalid::invalid;
use crate::support::{admin_config, clean_up, setup};

/// The spec schema: rules on the spec using the quantity, URL, list, regex, CIDR, format and
/// strings libraries; a map list of ports whose items are immutable by name; a `mode` that
/// starts as `initial` and never changes (`optionalOldSelf`).
fn spec_schema() -> Value {
    json!({
        "type": "object",
        "x-kubernetes-validations": [
            {"rule": "quantity(self.memory).isLessThan(quantity('1Gi'))",
                "message": "memory must be below 1Gi", "fieldPath": ".memory"},
            {"rule": "isURL(self.url) && url(self.url).getScheme() == 'https'",
                "message": "url must be https"},
            {"rule": "self.tags.all(t, t.matches('^[a-z]+$')) && self.tags.isSorted()",
                "message": "tags must be sorted lowercase words", "fieldPath": ".tags"},
            {"rule": "cidr(self.cidr).containsIP(self.addr)",
                "messageExpression": "'address ' + self.addr + ' is outside ' + self.cidr"},
            {"rule": "!format.dns1123Label().validate(self.host.lowerAscii()).hasValue()",
                "message": "host must be a DNS label"},
            {"rule": "self.ports.map(p, p.port).max() < 10000"},
        ],
        "required": ["memory", "url", "tags", "cidr", "addr", "host", "ports"],
        "properties": {
            "memory": {"type": "string", "maxLength": 16},
            "url": {"type": "string", "maxLength": 128},
            "tags": {"type": "array", "maxItems": 8,
                "items": {"type": "string", "maxLength": 16}},
            "cidr": {"type": "string", "maxLength": 64},
            "addr": {"type": "string", "maxLength": 64},
            "host": {"type": "string", "maxLength": 64},
            "mode": {"type": "string", "maxLength": 16,
                "x-kubernetes-validations": [{"rule": "self == oldSelf.orValue('initial')",
                    "optionalOldSelf": true, "message": "mode starts as initial and is fixed"}]},
            "ports": {"type": "array", "maxItems": 8, "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "required": ["name", "port"],
                    "x-kubernetes-validations": [
                        {"rule": "self.port == oldSelf.port", "message": "port is immutable"}],
                    "properties": {"name": {"type": "string", "maxLength": 16},
                        "port": {"type": "integer"}}}},
        },
    })
}

/// A CRD of `Widget`s in a group of this test's own, with `spec` as its spec schema; removed
/// when dropped.
struct Crd {
    name: String,
    group: String,
}

impl Crd {
    fn body(group: &str, spec: Value) -> CustomResourceDefinition {
        serde_json::from_value(json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("widgets.{group}")},
            "spec": {
                "group": group,
                "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                    "listKind": "WidgetList"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object",
                        "properties": {"spec": spec}}}}],
            },
        }))
        .unwrap()
    }

    /// Installs the CRD and waits until it is Established.
    async fn install(client: &Client, ns: &str, spec: Value) -> Crd {
        let group = format!("{ns}.cel.kubeset.test");
        let crds: Api<CustomResourceDefinition> = Api::cluster(client.clone());
        let crd = crds
            .create(&PostParams::default(), &Crd::body(&group, spec))
            .await
            .unwrap();
        let name = crd.metadata.name.unwrap();
        crd_established(&crds, &name, Duration::from_secs(30))
            .await
            .unwrap();
        Crd { name, group }
    }

    fn widgets(&self, client: &Client, ns: &str) -> Api<DynamicObject> {
        let resource = ApiResource::new(&self.group, "v1", "Widget", "widgets", true);
        Api::dynamic_namespaced(client.clone(), &resource, ns).unwrap()
    }

    fn widget(&self, name: &str, spec: Value) -> Value {
        json!({"apiVersion": format!("{}/v1", self.group), "kind": "Widget",
            "metadata": {"name": name}, "spec": spec})
    }
}

impl Drop for Crd {
    fn drop(&mut self) {
        let name = self.name.clone();
        clean_up(admin_config(), "removing the CRD", |client| async move {
            let crds: Api<CustomResourceDefinition> = Api::cluster(client);
            let _ = crds.delete(&name, &DeleteParams::default()).await;
            let deadline = Instant::now() + Duration::from_secs(60);
            while crds.get_opt(&name).await.ok().flatten().is_some() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }
}

/// A spec every rule accepts.
fn good_spec() -> Value {
    json!({"memory": "512Mi", "url": "https://example.com/x", "tags": ["a", "b"],
        "cidr": "10.0.0.0/8", "addr": "10.1.2.3", "host": "web",
        "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]})
}

#[tokio::test]
async fn rules_using_kubernetes_libraries_accept_and_refuse_objects() {
    let ctx = setup("crd-cel-libs").await;
    let crd = Crd::install(&ctx.client, &ctx.ns, spec_schema()).await;
    let widgets = crd.widgets(&ctx.client, &ctx.ns);
    let pp = PostParams::default();

    let created = widgets
        .create(&pp, &crd.widget("good", good_spec()))
        .await
        .unwrap();
    assert_eq!(created["spec"]["memory"], "512Mi");

    let bad = json!({"memory": "2Gi", "url": "http://example.com", "tags": ["b", "a"],
        "cidr": "10.0.0.0/8", "addr": "192.168.0.1", "host": "Bad_Host",
        "ports": [{"name": "http", "port": 20000}]});
    let err = widgets
        .create(&pp, &crd.widget("bad", bad))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    let field = |f: &str| (f.to_owned(), "FieldValueInvalid".to_owned());
    assert_eq!(
        causes,
        [
            field("spec.memory"),
            field("spec"),
            field("spec.tags"),
            field("spec"),
            field("spec"),
            field("spec"),
        ],
        "{message}"
    );
    assert_eq!(
        message,
        format!(
            "Widget.{} \"bad\" is invalid: [spec.memory: Invalid value: memory must be below \
             1Gi, spec: Invalid value: url must be https, spec.tags: Invalid value: tags must \
             be sorted lowercase words, spec: Invalid value: address 192.168.0.1 is outside \
             10.0.0.0/8, spec: Invalid value: host must be a DNS label, spec: Invalid value: \
             failed rule: self.ports.map(p, p.port).max() < 10000]",
            crd.group
        )
    );

    // an evaluation error of a library function is the rule's error, in cel-go's words
    let mut odd = good_spec();
    odd["memory"] = json!("lots");
    let err = widgets
        .create(&pp, &crd.widget("odd", odd))
        .await
        .unwrap_err();
    let (message, _) = invalid(&err);
    assert!(
        message.ends_with(
            "spec: Invalid value: \"object\": quantities must match the regular expression \
             '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' evaluating rule: \
             quantity(self.memory).isLessThan(quantity('1Gi'))"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn transition_rules_inside_map_lists_and_optional_old_self() {
    let ctx = setup("crd-cel-transition").await;
    let crd = Crd::install(&ctx.client, &ctx.ns, spec_schema()).await;
    let widgets = crd.widgets(&ctx.client, &ctx.ns);
    let pp = PostParams::default();

    // optionalOldSelf: the rule runs on create, with no old value
    let mut wrong_start = good_spec();
    wrong_start["mode"] = json!("other");
    let err = widgets
        .create(&pp, &crd.widget("w", wrong_start))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        [("spec.mode".to_owned(), "FieldValueInvalid".to_owned())]
    );
    assert!(
        message
            .ends_with("spec.mode: Invalid value: \"other\": mode starts as initial and is fixed"),
        "{message}"
    );

    let mut spec = good_spec();
    spec["mode"] = json!("initial");
    let mut stored = widgets.create(&pp, &crd.widget("w", spec)).await.unwrap();

    // the ports moved and one changed: the changed item meets its old self by name
    stored["spec"]["ports"] =
        json!([{"name": "https", "port": 8443}, {"name": "http", "port": 80}]);
    let err = widgets.replace("w", &pp, &stored).await.unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        causes,
        [("spec.ports[0]".to_owned(), "FieldValueInvalid".to_owned())]
    );
    assert!(
        message.ends_with("spec.ports[0]: Invalid value: port is immutable"),
        "{message}"
    );

    // moved but unchanged, and a new port: accepted
    stored["spec"]["ports"] = json!([{"name": "https", "port": 443}, {"name": "http", "port": 80},
        {"name": "admin", "port": 9000}]);
    let updated = widgets.replace("w", &pp, &stored).await.unwrap();
    assert_eq!(updated["spec"]["ports"][2]["name"], "admin");
}

#[tokio::test]
async fn rules_the_schema_cannot_support_refuse_the_crd() {
    let ctx = setup("crd-cel-refused").await;
    let crds: Api<CustomResourceDefinition> = Api::cluster(ctx.client.clone());
    let group = format!("{}.cel.kubeset.test", ctx.ns);
    let spec = json!({"type": "object", "properties": {"items": {"type": "array",
        "items": {"type": "string", "maxLength": 8,
            "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}}}});
    let err = crds
        .create(&PostParams::default(), &Crd::body(&group, spec))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(causes.len(), 1, "{message}");
    assert!(
        causes[0]
            .0
            .ends_with(".openAPIV3Schema.properties[spec].properties[items].items.x-kubernetes-validations[0].rule"),
        "{causes:?}"
    );
    assert!(
        message.contains(
            "Invalid value: \"self == oldSelf\": oldSelf cannot be used on the uncorrelatable \
             portion of the schema within "
        ),
        "{message}"
    );

    // a field the schema does not declare: cel-go's type check refuses the rule
    let spec = json!({"type": "object", "properties": {"size": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.noSuchField == 1"}]});
    let err = crds
        .create(&PostParams::default(), &Crd::body(&group, spec))
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(causes.len(), 1, "{message}");
    assert!(
        causes[0]
            .0
            .ends_with(".openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule"),
        "{causes:?}"
    );
    assert!(
        message.ends_with(
            "compilation failed: ERROR: <input>:1:5: undefined field 'noSuchField'\n | \
             self.noSuchField == 1\n | ....^"
        ),
        "{message}"
    );
}
