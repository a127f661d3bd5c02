//! What every API command needs: the resolved configuration, a client, the namespace and
//! (on first use) discovery.

use std::path::Path;

use kubeset::clientset::{Api, ApiResource, Client, Discovery, DiscoveryCache, DynamicObject};
use kubeset::config::{ProcessEnv, incluster};
use tokio::sync::OnceCell;

use crate::GlobalFlags;
use crate::failure::Failure;

/// A connection to the API server as kubectl's global flags select it.
pub(crate) struct Session {
    /// The client.
    pub(crate) client: Client,
    /// `-n`, else the context's namespace, else `default`.
    pub(crate) namespace: String,
    /// `host:port` of the server, for kubectl's connection messages.
    pub(crate) server: String,
    /// kubectl's discovery cache for this server (`None` without a home directory).
    cache: Option<DiscoveryCache>,
    /// Discovery as first read (through the cache).
    discovery: OnceCell<Discovery>,
    /// Discovery fetched from the server after a miss, or when a command wants it fresh.
    fresh: OnceCell<Discovery>,
}

impl Session {
    /// Resolves the configuration as kubectl does and builds the client.
    pub(crate) fn new(globals: &GlobalFlags) -> Result<Self, Failure> {
        let config = crate::get_raw::resolve(
            globals.kubeconfig.as_deref(),
            &ProcessEnv,
            &globals.overrides(),
            Path::new(incluster::SERVICE_ACCOUNT_DIR),
        )
        .map_err(|e| Failure::line(e.to_string()))?;
        let server = config
            .cluster_url
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_else(|| config.cluster_url.to_string());
        let cache = globals
            .cache_dir
            .clone()
            .or_else(DiscoveryCache::default_root)
            .map(|root| DiscoveryCache::for_server(&root, &config.cluster_url.to_string()));
        let mut namespace = config.default_namespace.clone();
        if namespace.is_empty() {
            namespace = String::from("default");
        }
        let mut builder = Client::builder(config);
        if let Some(level) = globals.v {
            builder = builder.http_log(level);
        }
        let client = builder.build().map_err(|e| Failure::request(&e, &server))?;
        Ok(Self {
            client,
            namespace,
            server,
            cache,
            discovery: OnceCell::new(),
            fresh: OnceCell::new(),
        })
    }

    /// The server's resources, through kubectl's disk cache (fetched once per run).
    pub(crate) async fn discovery(&self) -> Result<&Discovery, Failure> {
        if let Some(fresh) = self.fresh.get() {
            return Ok(fresh);
        }
        self.discovery
            .get_or_try_init(|| async {
                match &self.cache {
                    Some(cache) => self.client.discover_cached(cache).await,
                    None => self.client.discover().await,
                }
            })
            .await
            .map_err(|e| self.fail(&e))
    }

    /// The server's resources as it lists them now (the cache rewritten), as kubectl
    /// invalidates its cache.
    pub(crate) async fn fresh_discovery(&self) -> Result<&Discovery, Failure> {
        self.fresh
            .get_or_try_init(|| async {
                match &self.cache {
                    Some(cache) => self.client.rediscover_cached(cache).await,
                    None => self.client.discover().await,
                }
            })
            .await
            .map_err(|e| self.fail(&e))
    }

    /// [`Session::discovery`], fetched fresh when it lacks something `knows` looks for and
    /// came from cache files (a CRD created since they were written), as kubectl does on a
    /// miss.
    pub(crate) async fn discovery_knowing(
        &self,
        knows: impl Fn(&Discovery) -> bool,
    ) -> Result<&Discovery, Failure> {
        let discovery = self.discovery().await?;
        if discovery.fresh || knows(discovery) {
            return Ok(discovery);
        }
        self.fresh_discovery().await
    }

    /// kubectl's line for a failed request.
    pub(crate) fn fail(&self, error: &kubeset::clientset::Error) -> Failure {
        Failure::request(error, &self.server)
    }

    /// A dynamic handle on `resource`: in `namespace` when it is namespaced (`None`: all
    /// namespaces), else cluster-wide.
    pub(crate) fn api(
        &self,
        resource: &ApiResource,
        namespace: Option<&str>,
    ) -> Api<DynamicObject> {
        match namespace.filter(|_| resource.namespaced) {
            Some(ns) => Api::dynamic_namespaced(self.client.clone(), resource, ns)
                .unwrap_or_else(|_| Api::dynamic_all(self.client.clone(), resource)),
            None => Api::dynamic_all(self.client.clone(), resource),
        }
    }
}
