//! Write verbs: create, replace, patch, delete, delete_collection, and their status forms.

use either::Either;
use http::Method;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{JSON, build, encode};
use crate::decode::decode_json;
use crate::list::read_list;
use crate::query::Query;
use crate::{Api, DeleteParams, Error, ListParams, ObjectList, Patch, PatchParams, PostParams};

#[derive(serde::Deserialize)]
struct KindPeek<'a> {
    #[serde(borrow, default)]
    kind: Option<std::borrow::Cow<'a, str>>,
}

/// Whether a JSON body is a `Status` (what deletes answer once the object is gone).
fn is_status(bytes: &[u8]) -> bool {
    serde_json::from_slice::<KindPeek<'_>>(bytes).is_ok_and(|p| p.kind.as_deref() == Some("Status"))
}

impl<K> Api<K>
where
    K: DeserializeOwned + Send + 'static,
{
    /// Creates `object`; the answer is the object as stored (uid, resourceVersion, defaults).
    ///
    /// ```no_run
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kubeset_clientset::PostParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let mut cm = ConfigMap::default();
    /// cm.metadata.name = Some("settings".into());
    /// cm.data = Some([("mode".to_string(), "fast".to_string())].into());
    /// let cms = client.config_maps("apps");
    /// // Check with the server's validation and defaulting first, without storing:
    /// cms.create(&PostParams::default().dry_run(), &cm).await?;
    /// let stored = cms.create(&PostParams::default().field_manager("me"), &cm).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, pp: &PostParams, object: &K) -> Result<K, Error>
    where
        K: Serialize,
    {
        let mut query = Query::new(self.base.collection.clone());
        pp.write(&mut query);
        self.send_object(Method::POST, query.finish(), object).await
    }

    /// Replaces object `name` (a full update; set `metadata.resourceVersion` for optimistic
    /// concurrency: a stale one is 409 Conflict).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let cms = client.config_maps("apps");
    /// let mut cm = cms.get("settings").await?;
    /// cm.data.get_or_insert_with(Default::default).insert("mode".into(), "slow".into());
    /// match cms.replace("settings", &Default::default(), &cm).await {
    ///     Err(err) if err.is_conflict() => println!("changed meanwhile; read again"),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn replace(&self, name: &str, pp: &PostParams, object: &K) -> Result<K, Error>
    where
        K: Serialize,
    {
        self.replace_at(name, None, pp, object).await
    }

    /// Replaces the `status` subresource of `name` (what a controller writes; the spec in
    /// `object` is ignored).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::PostParams;
    ///
    /// let pvs = client.persistent_volumes();
    /// let mut pv = pvs.get_status("pv-1").await?;
    /// if let Some(status) = pv.status.as_mut() {
    ///     status.phase = Some("Available".into());
    /// }
    /// let pv = pvs.replace_status("pv-1", &PostParams::default().field_manager("provisioner"), &pv).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace_status(&self, name: &str, pp: &PostParams, object: &K) -> Result<K, Error>
    where
        K: Serialize,
    {
        self.replace_at(name, Some("status"), pp, object).await
    }

    async fn replace_at(
        &self,
        name: &str,
        subresource: Option<&str>,
        pp: &PostParams,
        object: &K,
    ) -> Result<K, Error>
    where
        K: Serialize,
    {
        let mut query = Query::new(self.item_path(name, subresource)?);
        pp.write(&mut query);
        self.send_object(Method::PUT, query.finish(), object).await
    }

    /// Patches object `name`.
    ///
    /// ```no_run
    /// use kubeset_clientset::{Patch, PatchParams};
    /// use serde_json::json;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let pods = client.pods("apps");
    /// let merge = Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}}));
    /// pods.patch("web-0", &PatchParams::default(), &merge).await?;
    /// let apply = Patch::Apply(json!({
    ///     "apiVersion": "v1", "kind": "Pod",
    ///     "metadata": {"name": "web-0", "annotations": {"owner": "me"}},
    /// }));
    /// pods.patch("web-0", &PatchParams::apply("my-controller").force(), &apply).await?;
    /// # Ok(()) }
    /// ```
    pub async fn patch<P: Serialize>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<K, Error> {
        self.patch_at(name, None, pp, patch).await
    }

    /// Patches the `status` subresource of `name`.
    ///
    /// ```no_run
    /// use kubeset_clientset::{Patch, PatchParams};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let patch = Patch::Merge(serde_json::json!({"status": {"phase": "Available"}}));
    /// client.persistent_volumes().patch_status("pv-1", &PatchParams::default(), &patch).await?;
    /// # Ok(()) }
    /// ```
    pub async fn patch_status<P: Serialize>(
        &self,
        name: &str,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<K, Error> {
        self.patch_at(name, Some("status"), pp, patch).await
    }

    pub(crate) async fn patch_at<P: Serialize, T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: Option<&str>,
        pp: &PatchParams,
        patch: &Patch<P>,
    ) -> Result<T, Error> {
        let mut query = Query::new(self.item_path(name, subresource)?);
        let cleared;
        let pp = if !patch.is_apply() && pp.force {
            // `force` is only valid for apply; the server rejects it elsewhere.
            cleared = PatchParams {
                force: false,
                ..pp.clone()
            };
            &cleared
        } else {
            pp
        };
        pp.write(&mut query);
        let body = encode(patch.body())?;
        let request = build(
            Method::PATCH,
            query.finish(),
            JSON,
            Some((body, patch.content_type())),
        )?;
        self.client.request_json(request).await
    }

    /// Deletes object `name`. The answer is the object when it still exists (finalizers, a
    /// grace period, foreground deletion), else the server's `Status`.
    ///
    /// ```no_run
    /// use either::Either;
    /// use kubeset_clientset::DeleteParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let dp = DeleteParams::default().grace_period(0);
    /// match client.pods("apps").delete("web-0", &dp).await? {
    ///     Either::Left(pod) => println!("deleting, finalizers {:?}", pod.metadata.finalizers),
    ///     Either::Right(status) => println!("deleted: {:?}", status.status),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, name: &str, dp: &DeleteParams) -> Result<Either<K, Status>, Error> {
        let path = self.item_path(name, None)?;
        let request = delete_request(path, dp)?;
        let url = request.uri().to_string();
        let bytes = self.client.request_bytes(request).await?;
        if is_status(&bytes) {
            decode_json(&bytes, &url).map(Either::Right)
        } else {
            decode_json(&bytes, &url).map(Either::Left)
        }
    }

    /// Deletes every object the selectors match. The answer is the list of deleted objects
    /// (as the server reports them), or a `Status`.
    ///
    /// ```no_run
    /// use kubeset_clientset::{DeleteParams, ListParams};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let lp = ListParams::default().labels("job=cleanup");
    /// client.config_maps("apps").delete_collection(&DeleteParams::default(), &lp).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_collection(
        &self,
        dp: &DeleteParams,
        lp: &ListParams,
    ) -> Result<Either<ObjectList<K>, Status>, Error> {
        let mut query = Query::new(self.base.collection.clone());
        lp.write(&mut query);
        let request = delete_request(query.finish(), dp)?;
        let url = request.uri().to_string();
        let response = self.client.dispatch(request, &url).await?;
        let body = crate::client::collect(response.into_body(), &url).await?;
        if is_status(&body) {
            return decode_json(&body, &url).map(Either::Right);
        }
        read_list(buffered(body), &url).await.map(Either::Left)
    }

    /// Creates a subresource of `name` (`binding`, `eviction`, `token`) and decodes the answer.
    ///
    /// ```no_run
    /// use k8s_openapi::api::authentication::v1::TokenRequest;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let request = serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}});
    /// let issued: TokenRequest = client
    ///     .service_accounts("apps")
    ///     .create_subresource("token", "default", &Default::default(), &request)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_subresource<T: Serialize, R: DeserializeOwned>(
        &self,
        subresource: &str,
        name: &str,
        pp: &PostParams,
        body: &T,
    ) -> Result<R, Error> {
        let mut query = Query::new(self.item_path(name, Some(subresource))?);
        pp.write(&mut query);
        let request = build(
            Method::POST,
            query.finish(),
            JSON,
            Some((encode(body)?, JSON)),
        )?;
        self.client.request_json(request).await
    }

    /// Sends `object` as a create or update body: protobuf on a protobuf handle, else JSON.
    async fn send_object(&self, method: Method, url: String, object: &K) -> Result<K, Error>
    where
        K: Serialize,
    {
        match &self.base.protobuf {
            Some(proto) => {
                let body = proto.encode(object)?;
                let request = build(
                    method,
                    url,
                    crate::protobuf::ACCEPT,
                    Some((body, crate::protobuf::CONTENT_TYPE)),
                )?;
                self.client.request_json(request).await
            }
            None => self.send_body(method, url, encode(object)?, JSON).await,
        }
    }

    pub(crate) async fn send_body<T: DeserializeOwned>(
        &self,
        method: Method,
        url: String,
        body: bytes::Bytes,
        content_type: &'static str,
    ) -> Result<T, Error> {
        let request = build(method, url, JSON, Some((body, content_type)))?;
        self.client.request_json(request).await
    }
}

/// A body already in memory, as a response body.
fn buffered(bytes: bytes::Bytes) -> kubeset_transport::ResponseBody {
    use http_body_util::BodyExt;
    fn never(e: std::convert::Infallible) -> kubeset_transport::BoxError {
        match e {}
    }
    http_body_util::Full::new(bytes)
        .map_err(never)
        .boxed_unsync()
}

fn delete_request(
    url: String,
    dp: &DeleteParams,
) -> Result<http::Request<kubeset_transport::RequestBody>, Error> {
    match dp.body() {
        Some(options) => build(Method::DELETE, url, JSON, Some((encode(&options)?, JSON))),
        None => build(Method::DELETE, url, JSON, None),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn status_detection() {
        assert!(super::is_status(br#"{"kind":"Status","status":"Success"}"#));
        assert!(!super::is_status(
            br#"{"kind":"Pod","metadata":{"name":"Status"}}"#
        ));
        assert!(!super::is_status(b"not json"));
    }
}
