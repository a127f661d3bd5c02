//! The cluster the demo runs against: an in-process `kubeset-testserver` by default, or the
//! current context of a kubeconfig.

use std::path::PathBuf;
use std::time::Duration;

use kubeset_clientset::Client;
use kubeset_config::kubeconfig::Overrides;
use kubeset_config::{Config, ProcessEnv};
use kubeset_testserver::TestServer;

use super::{DemoError, narrate, title};

/// The cluster and an admin client for it.
pub(crate) struct Cluster {
    /// The admin client (the demo's own, never handed to the programs it runs).
    pub(crate) client: Client,
    /// A scratch directory for the pods' files and the programs' data.
    pub(crate) scratch: tempfile::TempDir,
    /// The in-process server, when no kubeconfig was given.
    pub(crate) server: Option<TestServer>,
}

impl Cluster {
    pub(crate) async fn connect(kubeconfig: Option<PathBuf>) -> Result<Self, DemoError> {
        title(1, "an API server");
        let scratch = tempfile::tempdir()
            .map_err(|e| DemoError::msg(format!("no temporary directory: {e}")))?;
        let (config, server) = match kubeconfig {
            Some(path) => {
                let config = kubeconfig_config(&path)?;
                narrate(&format!(
                    "using the cluster of {} at {}",
                    path.display(),
                    config.cluster_url
                ));
                (config, None)
            }
            None => {
                // The PersistentVolume binder and the pvc/pv-protection controllers run as
                // kube-controller-manager's would, so the provisioner's volumes get bound and
                // released.
                let server = TestServer::builder()
                    .pv_binder(Duration::from_secs(1))
                    .storage_protection()
                    .start()
                    .await
                    .map_err(|e| DemoError::msg(format!("cannot start the test server: {e}")))?;
                let path = scratch.path().join("admin.kubeconfig");
                server
                    .write_kubeconfig(&path)
                    .map_err(|e| DemoError::msg(format!("cannot write {}: {e}", path.display())))?;
                narrate(&format!(
                    "kubeset-testserver listening on {} (in this process; RBAC, ServiceAccount admission, TokenRequest, the PV binder)",
                    server.url()
                ));
                let config = kubeconfig_config(&path)?;
                (config, Some(server))
            }
        };
        let client = Client::new(config)?;
        let version = client.apiserver_version().await?;
        narrate(&format!(
            "the API server says it is {}",
            version.git_version
        ));
        Ok(Self {
            client,
            scratch,
            server,
        })
    }
}

/// The current context of kubeconfig `path`, as `kubectl --kubeconfig PATH` resolves it.
fn kubeconfig_config(path: &std::path::Path) -> Result<Config, DemoError> {
    Config::from_kubeconfig_with(Some(path), &ProcessEnv, &Overrides::default())
        .map_err(|e| DemoError::msg(format!("cannot use kubeconfig {}: {e}", path.display())))
}
