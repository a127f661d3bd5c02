//! Metadata-only reads: `PartialObjectMetadata` instead of whole objects.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{Api, Error, ListParams, ObjectList, WatchParams, WatchStream};

/// `Accept` for one object's metadata (falls back to the full object on servers without it).
pub(crate) const ACCEPT_META: &str =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
/// `Accept` for a list of metadata.
pub(crate) const ACCEPT_META_LIST: &str =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/// An object's metadata without its spec and status: a fraction of the memory and decoding
/// time of the full object, and all many controllers need.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PartialObjectMetadata {
    /// `meta.k8s.io/v1` (or the full object's when the server fell back).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `PartialObjectMetadata` (or the full object's kind).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// The metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
}

impl<K> Api<K>
where
    K: DeserializeOwned + Send + 'static,
{
    /// Reads only the metadata of `name`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let meta = client.pods("apps").get_metadata("web-0").await?;
    /// println!("{:?}", meta.metadata.labels);
    /// # Ok(()) }
    /// ```
    pub async fn get_metadata(&self, name: &str) -> Result<PartialObjectMetadata, Error> {
        self.get_at(name, None, ACCEPT_META).await
    }

    /// Lists only metadata.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let metas = client.all_pods().list_metadata(&Default::default()).await?;
    /// let names: Vec<_> = metas.iter().filter_map(|m| m.metadata.name.as_deref()).collect();
    /// # Ok(()) }
    /// ```
    pub async fn list_metadata(
        &self,
        lp: &ListParams,
    ) -> Result<ObjectList<PartialObjectMetadata>, Error> {
        self.list_as(lp, ACCEPT_META_LIST).await
    }

    /// Watches only metadata.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let events = client.nodes().watch_metadata(&Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn watch_metadata(
        &self,
        wp: &WatchParams,
    ) -> Result<WatchStream<PartialObjectMetadata>, Error> {
        self.watch_as(wp, ACCEPT_META).await
    }
}
