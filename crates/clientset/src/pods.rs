//! Pod-specific verbs: logs, binding, eviction.

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use http::Method;
use http_body_util::BodyStream;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use serde_json::json;

use crate::client::{JSON, build, collect, encode};
use crate::query::Query;
use crate::{Api, DeleteParams, Error, PostParams};

/// Options of pod logs.
///
/// ```
/// use kubeset_clientset::LogParams;
///
/// let lp = LogParams::default().container("app").tail(100).since_seconds(600).follow();
/// assert!(lp.follow);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogParams {
    /// The container (required when the pod has several).
    pub container: Option<String>,
    /// Keep the stream open and send new lines as they are written.
    pub follow: bool,
    /// Only lines from the last this many seconds.
    pub since_seconds: Option<i64>,
    /// Only lines since this RFC 3339 time.
    pub since_time: Option<String>,
    /// Only the last this many lines.
    pub tail_lines: Option<i64>,
    /// At most this many bytes.
    pub limit_bytes: Option<i64>,
    /// Prefix each line with its RFC 3339 timestamp.
    pub timestamps: bool,
    /// The previous (crashed) instance's logs.
    pub previous: bool,
}

impl LogParams {
    /// Sets the container.
    pub fn container(mut self, container: &str) -> Self {
        self.container = Some(container.to_owned());
        self
    }
    /// Follows the log.
    pub fn follow(mut self) -> Self {
        self.follow = true;
        self
    }
    /// Only the last `lines` lines.
    pub fn tail(mut self, lines: i64) -> Self {
        self.tail_lines = Some(lines);
        self
    }
    /// Only the last `seconds` seconds.
    pub fn since_seconds(mut self, seconds: i64) -> Self {
        self.since_seconds = Some(seconds);
        self
    }
    /// Only lines since `time` (RFC 3339).
    pub fn since_time(mut self, time: &str) -> Self {
        self.since_time = Some(time.to_owned());
        self
    }
    /// Prefixes each line with its time.
    pub fn timestamps(mut self) -> Self {
        self.timestamps = true;
        self
    }
    /// The previous (crashed) instance's log.
    pub fn previous(mut self) -> Self {
        self.previous = true;
        self
    }

    fn write(&self, q: &mut Query) {
        q.push_opt("container", self.container.as_deref());
        q.push_flag("follow", self.follow);
        q.push_num("sinceSeconds", self.since_seconds);
        q.push_opt("sinceTime", self.since_time.as_deref());
        q.push_num("tailLines", self.tail_lines);
        q.push_num("limitBytes", self.limit_bytes);
        q.push_flag("timestamps", self.timestamps);
        q.push_flag("previous", self.previous);
    }
}

impl Api<Pod> {
    fn log_request(
        &self,
        name: &str,
        lp: &LogParams,
    ) -> Result<http::Request<kubeset_transport::RequestBody>, Error> {
        let mut query = Query::new(self.item_path(name, Some("log"))?);
        lp.write(&mut query);
        build(Method::GET, query.finish(), "*/*", None)
    }

    /// The pod's logs as text (without `follow`, the whole requested range).
    ///
    /// A pod whose node runs no kubelet answers 204 with no body: that is an empty string.
    ///
    /// ```no_run
    /// use kubeset_clientset::LogParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let text = client.pods("apps").logs("web-0", &LogParams::default().tail(20)).await?;
    /// print!("{text}");
    /// # Ok(()) }
    /// ```
    pub async fn logs(&self, name: &str, lp: &LogParams) -> Result<String, Error> {
        let request = self.log_request(name, lp)?;
        let url = request.uri().to_string();
        let response = self.client.dispatch(request, &url).await?;
        let bytes = collect(response.into_body(), &url).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The pod's logs as a stream of byte chunks, as the kubelet sends them (use with
    /// `follow` to tail a running container).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use kubeset_clientset::LogParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let lp = LogParams::default().container("app").follow().since_seconds(60);
    /// let mut chunks = client.pods("apps").log_stream("web-0", &lp).await?;
    /// while let Some(chunk) = chunks.try_next().await? {
    ///     print!("{}", String::from_utf8_lossy(&chunk));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn log_stream(
        &self,
        name: &str,
        lp: &LogParams,
    ) -> Result<impl Stream<Item = Result<Bytes, Error>> + Send + Unpin + use<>, Error> {
        let request = self.log_request(name, lp)?;
        let url = request.uri().to_string();
        let response = self.client.dispatch(request, &url).await?;
        Ok(BodyStream::new(response.into_body())
            .try_filter_map(|frame| std::future::ready(Ok(frame.into_data().ok())))
            .map_err(move |source| Error::ReadBody {
                url: url.clone(),
                source,
            }))
    }

    /// Binds pod `name` to `node`: what a scheduler does. 409 Conflict when it is already bound.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// client.pods("apps").bind("web-0", "node-1", &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn bind(&self, name: &str, node: &str, pp: &PostParams) -> Result<Status, Error> {
        let binding = json!({
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        });
        self.create_subresource("binding", name, pp, &binding).await
    }

    /// Evicts pod `name` (policy/v1), honouring PodDisruptionBudgets: a blocked eviction is
    /// 429 (`err.is_too_many_requests()`).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// match client.pods("apps").evict("web-0", &Default::default()).await {
    ///     Err(err) if err.is_too_many_requests() => println!("a disruption budget blocks it"),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn evict(&self, name: &str, dp: &DeleteParams) -> Result<Status, Error> {
        let mut eviction = json!({
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name},
        });
        if let (Some(ns), Some(object)) = (self.namespace(), eviction["metadata"].as_object_mut()) {
            object.insert("namespace".into(), ns.into());
        }
        if let Some(options) = dp.body() {
            eviction["deleteOptions"] = options;
        }
        let path = self.item_path(name, Some("eviction"))?;
        let request = build(Method::POST, path, JSON, Some((encode(&eviction)?, JSON)))?;
        self.client.request_json(request).await
    }
}
