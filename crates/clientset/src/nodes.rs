//! Node-specific verbs: cordon and uncordon.

use k8s_openapi::api::core::v1::Node;
use serde_json::json;

use crate::{Api, Error, Patch, PatchParams};

impl Api<Node> {
    /// Marks node `name` unschedulable (`spec.unschedulable: true`), as `kubectl cordon`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let node = client.nodes().cordon("node-1").await?;
    /// assert_eq!(node.spec.and_then(|s| s.unschedulable), Some(true));
    /// client.nodes().uncordon("node-1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn cordon(&self, name: &str) -> Result<Node, Error> {
        let patch = Patch::Merge(json!({"spec": {"unschedulable": true}}));
        self.patch(name, &PatchParams::default(), &patch).await
    }

    /// Makes node `name` schedulable again, as `kubectl uncordon` (the field is removed).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let node = client.nodes().uncordon("node-1").await?;
    /// assert_eq!(node.spec.and_then(|s| s.unschedulable), None);
    /// # Ok(()) }
    /// ```
    pub async fn uncordon(&self, name: &str) -> Result<Node, Error> {
        let patch = Patch::Merge(json!({"spec": {"unschedulable": null}}));
        self.patch(name, &PatchParams::default(), &patch).await
    }
}
