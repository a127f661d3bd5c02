//! [`Client`]: the cheap-to-clone entry point that owns the transport.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, header};
use http_body_util::BodyExt;
use kubeset_config::Config;
use kubeset_transport::{BoxError, BoxService, RequestBody, ResponseBody};
use serde::de::DeserializeOwned;
use tower::{Service, ServiceExt};

use crate::Error;
use crate::builder::ClientBuilder;
use crate::decode::decode_json;
use crate::status::{api_error, failure_in_success};

/// `Accept` for ordinary JSON answers.
pub(crate) const JSON: &str = "application/json";

/// A connection to one API server as one identity; every handle is made from it.
///
/// Cloning is cheap (one reference count): share one client across tasks. Requests from all
/// clones share the transport's connections (HTTP/2 multiplexing where the server offers it).
///
/// ```no_run
/// use kubeset_clientset::Client;
///
/// # async fn demo() -> Result<(), kubeset_clientset::Error> {
/// let client = Client::infer().await?;
/// let pods = client.pods("kube-system").list(&Default::default()).await?;
/// for pod in &pods.items {
///     println!("{:?}", pod.metadata.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    service: BoxService,
    default_namespace: String,
    protobuf: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("default_namespace", &self.inner.default_namespace)
            .field("protobuf", &self.inner.protobuf)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client for `config` with the standard transport stack and default options
    /// (`Client::builder(config).build()`); the client's default namespace is the config's.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), kubeset_clientset::Error> {
    /// let config = kubeset_config::Config::new("https://127.0.0.1:6443".parse().unwrap());
    /// let client = kubeset_clientset::Client::new(config)?;
    /// # Ok(()) }
    /// ```
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::builder(config).build()
    }

    /// A builder for a client with options: timeouts, rate limit, User-Agent, retries, and
    /// who receives the server's warnings. The client keeps `config`'s default namespace.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// # async fn demo() -> Result<(), kubeset_clientset::Error> {
    /// let config = kubeset_config::Config::infer()?;
    /// let client = kubeset_clientset::Client::builder(config)
    ///     .user_agent("my-scheduler/0.1")
    ///     .rate_limit(100.0, 200)
    ///     .timeout(Duration::from_secs(20))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(()) }
    /// ```
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder::new(config)
    }

    /// Builds a client the way a pod or kubectl would find the server: in-cluster
    /// ServiceAccount files, else kubeconfig.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_clientset::Error> {
    /// let client = kubeset_clientset::Client::infer().await?;
    /// println!("default namespace: {}", client.default_namespace());
    /// # Ok(()) }
    /// ```
    pub async fn infer() -> Result<Self, Error> {
        let config = crate::wiring::infer_config().await?;
        Self::new(config)
    }

    /// Builds a client over any tower service: a custom layer stack, or a mock in tests.
    ///
    /// Requests carry origin-form URIs (`/api/v1/...`); the service must route them to the
    /// API server. The default namespace is `default`. None of the standard layers is added
    /// (retries, rate limit, warnings): the service is the whole stack. To keep them over a
    /// custom connection, use [`ClientBuilder::build_with_service`].
    ///
    /// ```
    /// use kubeset_clientset::Client;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let (service, _handle) = tower_test::mock::pair::<
    ///     http::Request<kubeset_transport::RequestBody>,
    ///     http::Response<http_body_util::Full<bytes::Bytes>>,
    /// >();
    /// let client = Client::from_service(service).with_default_namespace("apps");
    /// assert_eq!(client.default_namespace(), "apps");
    /// # }
    /// ```
    pub fn from_service<S, B>(service: S) -> Self
    where
        S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let service = service
            .map_response(|response: Response<B>| {
                response.map(|body| body.map_err(Into::into).boxed_unsync())
            })
            .map_err(Into::into);
        Self::from_box_service(BoxService::new(service), String::from("default"))
    }

    pub(crate) fn from_box_service(service: BoxService, default_namespace: String) -> Self {
        Self {
            inner: Arc::new(Inner {
                service,
                default_namespace,
                protobuf: false,
            }),
        }
    }

    /// The same connection with another default namespace.
    pub fn with_default_namespace(self, namespace: impl Into<String>) -> Self {
        let service = self.inner.service.clone();
        let protobuf = self.inner.protobuf;
        Self::from_box_service(service, namespace.into()).with_protobuf(protobuf)
    }

    /// The same connection, with handles made from it speaking protobuf for built-in types
    /// (or not): see [`ClientBuilder::protobuf`].
    ///
    /// ```
    /// # let (service, _handle) = tower_test::mock::pair::<
    /// #     http::Request<kubeset_transport::RequestBody>,
    /// #     http::Response<http_body_util::Full<bytes::Bytes>>,
    /// # >();
    /// let client = kubeset_clientset::Client::from_service(service).with_protobuf(true);
    /// assert!(client.protobuf());
    /// ```
    pub fn with_protobuf(self, protobuf: bool) -> Self {
        Self {
            inner: Arc::new(Inner {
                service: self.inner.service.clone(),
                default_namespace: self.inner.default_namespace.clone(),
                protobuf,
            }),
        }
    }

    /// Whether handles made from this client speak protobuf for built-in types.
    pub fn protobuf(&self) -> bool {
        self.inner.protobuf
    }

    /// The namespace `*_default` handles use (the kubeconfig context's or the pod's).
    pub fn default_namespace(&self) -> &str {
        &self.inner.default_namespace
    }

    /// Sends a raw request and returns the streaming response when its status is a success;
    /// an error status becomes [`Error::Api`] with the decoded `Status`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let request = http::Request::get("/version")
    ///     .body(kubeset_transport::RequestBody::default())
    ///     .unwrap();
    /// let response = client.send(request).await?;
    /// println!("{}", response.status());
    /// # Ok(()) }
    /// ```
    pub async fn send(
        &self,
        request: Request<RequestBody>,
    ) -> Result<Response<ResponseBody>, Error> {
        let url = request.uri().to_string();
        self.dispatch(request, &url).await
    }

    /// Sends `request` and returns the answer whatever its status: for connection upgrades,
    /// whose success is `101 Switching Protocols`.
    pub(crate) async fn send_upgrade(
        &self,
        request: Request<RequestBody>,
        url: &str,
    ) -> Result<Response<ResponseBody>, Error> {
        let method = request.method().clone();
        self.inner
            .service
            .clone()
            .oneshot(request)
            .await
            .map_err(|source| Error::Transport {
                method,
                url: url.to_owned(),
                source,
            })
    }

    /// [`Client::send`] for a request whose URL string the caller already has (for errors).
    pub(crate) async fn dispatch(
        &self,
        request: Request<RequestBody>,
        url: &str,
    ) -> Result<Response<ResponseBody>, Error> {
        let method = request.method().clone();
        let response = self
            .inner
            .service
            .clone()
            .oneshot(request)
            .await
            .map_err(|source| Error::Transport {
                method: method.clone(),
                url: url.to_owned(),
                source,
            })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let code = response.status().as_u16();
        let redirect = response
            .status()
            .is_redirection()
            .then(|| crate::status::redirect_target(response.headers()));
        let protobuf = crate::protobuf::is_protobuf(response.headers());
        let mut bytes = collect(response.into_body(), url).await?;
        if protobuf && let Some(json) = crate::protobuf::status_as_json(&bytes) {
            bytes = Bytes::from(json);
        }
        let mut error = api_error(code, &bytes, method, url.to_owned());
        if let Some(target) = redirect {
            error.status.message = Some(format!(
                "the server redirected the request to {target}; redirects are never followed"
            ));
        }
        Err(error.into())
    }

    /// GETs `path` (with its query) and returns the body, like `kubectl get --raw`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let body = client.get_raw("/apis").await?;
    /// println!("{}", String::from_utf8_lossy(&body));
    /// # Ok(()) }
    /// ```
    pub async fn get_raw(&self, path: &str) -> Result<Bytes, Error> {
        let request = build(Method::GET, path.to_owned(), JSON, None)?;
        let response = self.dispatch(request, path).await?;
        collect(response.into_body(), path).await
    }

    /// The API server's version (`/version`), as `kubectl version` shows it.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let info = client.apiserver_version().await?;
    /// println!("{} ({})", info.git_version, info.platform);
    /// # Ok(()) }
    /// ```
    pub async fn apiserver_version(
        &self,
    ) -> Result<k8s_openapi::apimachinery::pkg::version::Info, Error> {
        self.request_json(build(Method::GET, String::from("/version"), JSON, None)?)
            .await
    }

    /// Sends `request` and decodes the whole (small) answer as `T`.
    pub(crate) async fn request_json<T: DeserializeOwned>(
        &self,
        request: Request<RequestBody>,
    ) -> Result<T, Error> {
        let url = request.uri().to_string();
        let method = request.method().clone();
        let response = self.dispatch(request, &url).await?;
        let protobuf = crate::protobuf::is_protobuf(response.headers());
        let bytes = collect(response.into_body(), &url).await?;
        if protobuf {
            return crate::protobuf::decode(&bytes, &url);
        }
        if let Some(failure) = failure_in_success(&bytes, &method, &url) {
            return Err(failure.into());
        }
        decode_json(&bytes, &url)
    }

    /// Sends `request` and returns the raw answer bytes.
    pub(crate) async fn request_bytes(
        &self,
        request: Request<RequestBody>,
    ) -> Result<Bytes, Error> {
        let url = request.uri().to_string();
        let response = self.dispatch(request, &url).await?;
        collect(response.into_body(), &url).await
    }
}

/// Reads a whole body.
pub(crate) async fn collect(body: ResponseBody, url: &str) -> Result<Bytes, Error> {
    body.collect()
        .await
        .map(|collected| collected.to_bytes())
        .map_err(|source| Error::ReadBody {
            url: url.to_owned(),
            source,
        })
}

/// A request with `Accept: accept` and, when `body` is given, its content type.
pub(crate) fn build(
    method: Method,
    url: String,
    accept: &'static str,
    body: Option<(Bytes, &'static str)>,
) -> Result<Request<RequestBody>, Error> {
    let mut builder = Request::builder()
        .method(method)
        .uri(url.as_str())
        .header(header::ACCEPT, HeaderValue::from_static(accept));
    let body = match body {
        Some((bytes, content_type)) => {
            builder = builder.header(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            RequestBody::new(bytes)
        }
        None => RequestBody::default(),
    };
    builder
        .body(body)
        .map_err(|source| Error::BuildRequest { url, source })
}

/// Encodes `value` as a JSON request body.
pub(crate) fn encode<T: serde::Serialize>(value: &T) -> Result<Bytes, Error> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|source| Error::Encode {
            type_name: std::any::type_name::<T>(),
            source,
        })
}
