//! Read verbs: get, get_opt, list, the paging stream, watch.

use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use http::Method;
use serde::de::DeserializeOwned;

use crate::client::{JSON, build};
use crate::list::{decode_item, decode_keyed, fill_dynamic_types, read_list, read_list_with};
use crate::protobuf;
use crate::query::Query;
use crate::{Api, Error, GetParams, ListParams, ObjectList, WatchParams, WatchStream};

/// Page size of [`Api::list_all`] when the caller sets no limit (client-go's pager default).
const DEFAULT_PAGE: u32 = 500;

/// Where [`Api::list_all`] is: the next page's parameters and the last item's storage key.
struct Pager {
    lp: ListParams,
    last_key: Option<String>,
}

impl<K> Api<K>
where
    K: DeserializeOwned + Send + 'static,
{
    /// Reads object `name`; 404 is an error (see [`Api::get_opt`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let pod = client.pods("apps").get("web-0").await?;
    /// let node = client.nodes().get("node-1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, name: &str) -> Result<K, Error> {
        self.get_at(name, None, JSON).await
    }

    /// Reads object `name` with options (a cached read with `resourceVersion=0`).
    ///
    /// ```no_run
    /// use kubeset_clientset::GetParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let node = client.nodes().get_with("node-1", &GetParams::any_version()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_with(&self, name: &str, gp: &GetParams) -> Result<K, Error> {
        let mut query = Query::new(self.item_path(name, None)?);
        gp.write(&mut query);
        self.client
            .request_json(build(Method::GET, query.finish(), JSON, None)?)
            .await
    }

    /// Reads object `name`, or `None` if it does not exist.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// if client.config_maps("apps").get_opt("settings").await?.is_none() {
    ///     println!("not created yet");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_opt(&self, name: &str) -> Result<Option<K>, Error> {
        match self.get(name).await {
            Ok(object) => Ok(Some(object)),
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Reads the `status` subresource of `name`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let pod = client.pods("apps").get_status("web-0").await?;
    /// println!("{:?}", pod.status.and_then(|s| s.phase));
    /// # Ok(()) }
    /// ```
    pub async fn get_status(&self, name: &str) -> Result<K, Error> {
        self.get_at(name, Some("status"), JSON).await
    }

    /// Reads any subresource of `name` as `T` (for example `scale`).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let status: k8s_openapi::api::core::v1::Pod = client.pods("apps").get_subresource("status", "web-0").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_subresource<T: DeserializeOwned>(
        &self,
        subresource: &str,
        name: &str,
    ) -> Result<T, Error> {
        self.get_at(name, Some(subresource), JSON).await
    }

    pub(crate) async fn get_at<T: DeserializeOwned>(
        &self,
        name: &str,
        subresource: Option<&str>,
        accept: &'static str,
    ) -> Result<T, Error> {
        let path = self.item_path(name, subresource)?;
        let accept = self.accept(accept);
        self.client
            .request_json(build(Method::GET, path, accept, None)?)
            .await
    }

    /// Lists one page of objects (all of them when `limit` is unset).
    ///
    /// The answer is decoded while it streams in, batches of items in parallel on blocking
    /// threads: the whole body is never buffered.
    ///
    /// ```no_run
    /// use kubeset_clientset::{ListParams, VersionMatch};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let lp = ListParams::default().labels("app=web").fields("spec.nodeName=node-1");
    /// let pods = client.pods("apps").list(&lp).await?;
    /// // Cheap for the server: any cached state at least as new as a known version.
    /// let lp = ListParams::default().at("12345", VersionMatch::NotOlderThan);
    /// let nodes = client.nodes().list(&lp).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, lp: &ListParams) -> Result<ObjectList<K>, Error> {
        self.list_as(lp, JSON).await
    }

    pub(crate) async fn list_as<T>(
        &self,
        lp: &ListParams,
        accept: &'static str,
    ) -> Result<ObjectList<T>, Error>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let url = self.list_url(lp);
        let response = self
            .client
            .dispatch(
                build(Method::GET, url.clone(), self.accept(accept), None)?,
                &url,
            )
            .await?;
        if self.base.protobuf.is_some() {
            let (headers, body) = (response.headers().clone(), response.into_body());
            return Ok(protobuf::read_list(&headers, body, &url, false).await?.0);
        }
        read_list(response.into_body(), &url).await
    }

    /// Every object, fetched page by page (`limit`, default 500, then `continue`), as a stream.
    ///
    /// Only one page is held at a time. If a continue token expires mid-way (410 Gone: the
    /// server compacted the snapshot the pages were read from), the rest is read with one
    /// full list at the requested resourceVersion, as client-go's pager does
    /// (`FullListIfExpired`), and only the objects after the last one already yielded are
    /// yielded from it, in the server's order (`namespace/name`). No object is yielded twice,
    /// but the objects then come from two snapshots: one changed or created in between may be
    /// missed or seen in its newer state, as with the server's own "inconsistent continue".
    /// A caller that needs one consistent snapshot lists without a limit.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let mut pods = std::pin::pin!(client.all_pods().list_all(&Default::default()));
    /// while let Some(pod) = pods.try_next().await? {
    ///     println!("{:?}", pod.metadata.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        &self,
        lp: &ListParams,
    ) -> impl Stream<Item = Result<K, Error>> + Send + 'static {
        let requested = lp.clone();
        let mut lp = lp.clone();
        lp.limit.get_or_insert(DEFAULT_PAGE);
        let api = self.clone();
        let start = Pager { lp, last_key: None };
        stream::try_unfold(Some(start), move |state| {
            let api = api.clone();
            let requested = requested.clone();
            async move {
                let Some(mut pager) = state else {
                    return Ok(None);
                };
                let (page, key) = match api.list_keyed(&pager.lp).await {
                    Ok(answer) => answer,
                    Err(err) if err.is_gone() && pager.lp.continue_token.is_some() => {
                        let rest = api.list_rest(&requested, pager.last_key.as_deref()).await?;
                        return Ok(Some((rest, None)));
                    }
                    Err(err) => return Err(err),
                };
                if key.is_some() {
                    pager.last_key = key;
                }
                let next = page.continue_token().map(|token| {
                    pager.lp.continue_token = Some(token.to_owned());
                    // A continued list must not repeat the resourceVersion.
                    pager.lp.resource_version = None;
                    pager.lp.version_match = None;
                    pager
                });
                Ok::<_, Error>(Some((page.items, next)))
            }
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    /// One page and the storage key of its last item.
    async fn list_keyed(&self, lp: &ListParams) -> Result<(ObjectList<K>, Option<String>), Error> {
        let url = self.list_url(lp);
        let response = self
            .client
            .dispatch(
                build(Method::GET, url.clone(), self.accept(JSON), None)?,
                &url,
            )
            .await?;
        if self.base.protobuf.is_some() {
            let (headers, body) = (response.headers().clone(), response.into_body());
            return protobuf::read_list(&headers, body, &url, true).await;
        }
        let (mut list, key) =
            read_list_with(response.into_body(), &url, decode_item::<K>, true).await?;
        fill_dynamic_types(&mut list);
        Ok((list, key))
    }

    /// The objects after `after` (a storage key) in one full list at `requested`'s version:
    /// the fallback of [`Api::list_all`] when a continue token expired.
    async fn list_rest(
        &self,
        requested: &ListParams,
        after: Option<&str>,
    ) -> Result<Vec<K>, Error> {
        let mut lp = requested.clone();
        lp.limit = None;
        lp.continue_token = None;
        tracing::debug!(collection = %self.base.collection, "continue token expired; listing the rest in full");
        let url = self.list_url(&lp);
        let response = self
            .client
            .dispatch(build(Method::GET, url.clone(), JSON, None)?, &url)
            .await?;
        let (list, _) =
            read_list_with(response.into_body(), &url, decode_keyed::<K>, false).await?;
        let mut rest: ObjectList<K> = list
            .items
            .into_iter()
            .filter(|item| match (after, item.key.as_deref()) {
                (Some(after), Some(key)) => key > after,
                _ => true,
            })
            .map(|item| item.object)
            .collect();
        rest.api_version = list.api_version;
        rest.kind = list.kind;
        fill_dynamic_types(&mut rest);
        Ok(rest.items)
    }

    /// `accept`, or protobuf with a JSON fallback for a plain JSON read on a protobuf handle.
    fn accept(&self, accept: &'static str) -> &'static str {
        match self.base.protobuf {
            Some(_) if accept == JSON => protobuf::ACCEPT,
            _ => accept,
        }
    }

    fn list_url(&self, lp: &ListParams) -> String {
        let mut query = Query::new(self.base.collection.clone());
        lp.write(&mut query);
        query.finish()
    }

    /// Watches for changes.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use kubeset_clientset::{ListParams, WatchEvent, WatchParams};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let cms = client.config_maps("apps");
    /// let list = cms.list(&ListParams::default()).await?;
    /// let rv = list.resource_version().unwrap_or("0");
    /// let mut events = cms.watch(&WatchParams::default().from_version(rv)).await?;
    /// while let Some(event) = events.try_next().await? {
    ///     if let WatchEvent::Modified(cm) = event {
    ///         println!("changed: {:?}", cm.metadata.name);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn watch(&self, wp: &WatchParams) -> Result<WatchStream<K>, Error> {
        self.watch_as(wp, JSON).await
    }

    pub(crate) async fn watch_as<T: DeserializeOwned>(
        &self,
        wp: &WatchParams,
        accept: &'static str,
    ) -> Result<WatchStream<T>, Error> {
        let mut query = Query::new(self.base.collection.clone());
        wp.write(&mut query);
        let url = query.finish();
        let response = self
            .client
            .dispatch(build(Method::GET, url.clone(), accept, None)?, &url)
            .await?;
        Ok(WatchStream::new(response.into_body(), url))
    }
}
