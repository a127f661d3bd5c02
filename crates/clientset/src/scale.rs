//! The `scale` subresource (`autoscaling/v1` Scale) of deployments, replicasets,
//! statefulsets, replicationcontrollers and custom resources that declare one.
//!
//! A Scale carries the object's `resourceVersion`: a [`Api::replace_scale`] of a Scale read
//! earlier fails with 409 Conflict when the object changed in between (read again and retry),
//! while [`Api::scale`] sends only the replica count and always applies.

use http::Method;
use k8s_openapi::api::autoscaling::v1::Scale;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{JSON, encode};
use crate::query::Query;
use crate::{Api, Error, Patch, PatchParams, PostParams};

impl<K> Api<K>
where
    K: DeserializeOwned + Send + 'static,
{
    /// Reads the Scale of `name`: desired replicas in `spec`, current replicas and the pod
    /// selector (as a string) in `status`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let scale = client.deployments("apps").get_scale("web").await?;
    /// println!("{:?} wanted, {} running", scale.spec.and_then(|s| s.replicas), scale.status.map_or(0, |s| s.replicas));
    /// # Ok(()) }
    /// ```
    pub async fn get_scale(&self, name: &str) -> Result<Scale, Error> {
        self.get_at(name, Some("scale"), JSON).await
    }

    /// Writes a Scale (typically one read with [`Api::get_scale`]): 409 Conflict when its
    /// `resourceVersion` is no longer the object's, 422 for negative replicas.
    ///
    /// ```no_run
    /// use kubeset_clientset::PostParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let sets = client.stateful_sets("db");
    /// let mut scale = sets.get_scale("pg").await?;
    /// scale.spec.get_or_insert_default().replicas = Some(3);
    /// sets.replace_scale("pg", &PostParams::default(), &scale).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace_scale(
        &self,
        name: &str,
        pp: &PostParams,
        scale: &Scale,
    ) -> Result<Scale, Error> {
        let mut query = Query::new(self.item_path(name, Some("scale"))?);
        pp.write(&mut query);
        self.send_body(Method::PUT, query.finish(), encode(scale)?, JSON)
            .await
    }

    /// Patches the Scale of `name` (merge or JSON patch of the Scale object).
    ///
    /// ```no_run
    /// use kubeset_clientset::{Patch, PatchParams};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": 0}}));
    /// client.replica_sets("apps").patch_scale("web-5d8f", &PatchParams::default(), &patch).await?;
    /// # Ok(()) }
    /// ```
    pub async fn patch_scale<P: Serialize>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<Scale, Error> {
        self.patch_at(name, Some("scale"), pp, patch).await
    }

    /// Sets the desired replicas of `name`, whatever they were (a merge patch of the Scale,
    /// as `kubectl scale` without `--current-replicas` or `--resource-version`).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let scale = client.deployments("apps").scale("web", 5).await?;
    /// assert_eq!(scale.spec.and_then(|s| s.replicas), Some(5));
    /// # Ok(()) }
    /// ```
    pub async fn scale(&self, name: &str, replicas: i32) -> Result<Scale, Error> {
        let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": replicas}}));
        self.patch_scale(name, &PatchParams::default(), &patch)
            .await
    }
}
