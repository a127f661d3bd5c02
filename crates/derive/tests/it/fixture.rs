//! The representative spec the tests share: nested structs, enums, Option, Vec, maps,
//! IntOrString, Quantity, defaults, free-form JSON, a status and a scale subresource.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kubeset_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A representative spec: nested structs, enums, Option, Vec, maps, IntOrString, Quantity,
/// defaults and free-form JSON.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, JsonSchema)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo", namespaced)]
#[kubeset(status = "FooStatus", shortname = "fo", category = "all")]
#[kubeset(printcolumn(name = "Replicas", type = "integer", json_path = ".spec.replicas"))]
#[kubeset(selectable = ".spec.color", validation = "self.replicas <= 10")]
#[kubeset(scale(
    spec_replicas_path = ".spec.replicas",
    status_replicas_path = ".status.replicas"
))]
#[serde(rename_all = "camelCase")]
pub(crate) struct FooSpec {
    /// How many.
    pub(crate) replicas: i32,
    /// A color.
    #[serde(default = "default_color")]
    #[schemars(extend("x-kubernetes-validations" = [{"rule": "self != ''"}]))]
    pub(crate) color: String,
    pub(crate) mode: Mode,
    pub(crate) maybe_mode: Option<Mode>,
    pub(crate) inner: Inner,
    pub(crate) maybe_inner: Option<Inner>,
    pub(crate) items: Vec<Inner>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) port: IntOrString,
    pub(crate) maybe_port: Option<IntOrString>,
    pub(crate) memory: Quantity,
    pub(crate) free: serde_json::Value,
    pub(crate) action: Action,
    pub(crate) source: Source,
    pub(crate) maybe_action: Option<Action>,
}

#[derive(Serialize, Deserialize, Clone, Debug, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Source {
    Git { url: String },
    Image { image: String, pull: Option<bool> },
}

fn default_color() -> String {
    "blue".into()
}

#[derive(Serialize, Deserialize, Clone, Debug, JsonSchema)]
pub(crate) enum Mode {
    Fast,
    Slow,
}

#[derive(Serialize, Deserialize, Clone, Debug, JsonSchema)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub(crate) enum Action {
    /// Restart it.
    Restart { after_seconds: u32 },
    /// Scale it.
    Scale { to: u32 },
}

#[derive(Serialize, Deserialize, Clone, Debug, JsonSchema)]
pub(crate) struct Inner {
    pub(crate) name: String,
    pub(crate) weight: Option<f64>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
pub(crate) struct FooStatus {
    pub(crate) replicas: i32,
    pub(crate) message: Option<String>,
}
