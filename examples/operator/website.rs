//! The `Website` kind (`websites.kubeset.example/v1`): a static site whose pages the operator
//! publishes in a ConfigMap.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kubeset::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The condition type that says whether the pages are published.
pub(crate) const READY: &str = "Ready";

/// A static website: its title and pages. The operator publishes them (with `{{title}}`
/// replaced by the title) in the ConfigMap `website-<name>`, which a web server mounts.
#[allow(
    clippy::duplicated_attributes,
    reason = "two printer columns of one type are not a duplicate"
)]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kubeset(
    group = "kubeset.example",
    version = "v1",
    kind = "Website",
    namespaced
)]
#[kubeset(status = "WebsiteStatus", shortname = "site", category = "kubeset")]
#[kubeset(printcolumn(name = "Title", type = "string", json_path = ".spec.title"))]
#[kubeset(printcolumn(name = "Pages", type = "integer", json_path = ".status.pages"))]
#[kubeset(printcolumn(
    name = "Ready",
    type = "string",
    json_path = ".status.conditions[?(@.type==\"Ready\")].status"
))]
#[kubeset(printcolumn(name = "Age", type = "date", json_path = ".metadata.creationTimestamp"))]
#[kubeset(validation(
    rule = "'index.html' in self.pages",
    message = "a website needs an index.html page"
))]
#[kubeset(validation(
    rule = "self.pages.all(p, p.matches('^[-._a-zA-Z0-9]+$'))",
    message = "page names are ConfigMap keys: letters, digits, '-', '_' and '.'"
))]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebsiteSpec {
    /// The site's title; `{{title}}` in a page is replaced by it.
    #[schemars(length(min = 1, max = 100))]
    pub(crate) title: String,
    /// The pages, by file name (`index.html`, `about.html`, ...).
    pub(crate) pages: BTreeMap<String, String>,
}

/// What the operator published.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebsiteStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) observed_generation: Option<i64>,
    /// `Ready`: whether the pages of that generation are published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub(crate) conditions: Vec<Condition>,
    /// How many pages are published.
    #[serde(default)]
    pub(crate) pages: i32,
    /// The ConfigMap holding them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) config_map: Option<String>,
}

impl Website {
    /// `metadata.name` (never empty for an object read from the API).
    pub(crate) fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or_default()
    }

    /// The name of the ConfigMap that holds the pages.
    pub(crate) fn config_map_name(&self) -> String {
        format!("website-{}", self.name())
    }

    /// The published pages: each page with `{{title}}` replaced by the title.
    pub(crate) fn rendered_pages(&self) -> BTreeMap<String, String> {
        self.spec
            .pages
            .iter()
            .map(|(name, body)| (name.clone(), body.replace("{{title}}", &self.spec.title)))
            .collect()
    }

    /// The condition `type_` of the status, if any.
    pub(crate) fn condition(&self, type_: &str) -> Option<&Condition> {
        self.status
            .as_ref()?
            .conditions
            .iter()
            .find(|c| c.type_ == type_)
    }
}

/// A condition as the API conventions want it; `lastTransitionTime` is kept from `previous`
/// when the status did not change, so it says when it last changed.
pub(crate) fn condition(
    previous: Option<&Condition>,
    type_: &str,
    status: bool,
    reason: &str,
    message: String,
    generation: Option<i64>,
) -> Condition {
    let status = if status { "True" } else { "False" };
    let last_transition_time = match previous {
        Some(p) if p.status == status => p.last_transition_time.clone(),
        _ => Time(k8s_openapi::jiff::Timestamp::now()),
    };
    Condition {
        type_: type_.to_owned(),
        status: status.to_owned(),
        reason: reason.to_owned(),
        message,
        observed_generation: generation,
        last_transition_time,
    }
}
