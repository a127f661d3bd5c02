//! What every API command needs: the resolved configuration, a client, the namespace and
//! (on first use) discovery.

use std::path::Path;

use kubeset::clientset::{Api, ApiResource, Client, Discovery, DynamicObject};
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
    discovery: OnceCell<Discovery>,
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
        let mut namespace = config.default_namespace.clone();
        if namespace.is_empty() {
            namespace = String::from("default");
        }
        let client = Client::new(config).map_err(|e| Failure::request(&e, &server))?;
        Ok(Self {
            client,
            namespace,
            server,
            discovery: OnceCell::new(),
        })
    }

    /// The server's resources, fetched once.
    pub(crate) async fn discovery(&self) -> Result<&Discovery, Failure> {
        self.discovery
            .get_or_try_init(|| self.client.discover())
            .await
            .map_err(|e| self.fail(&e))
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
