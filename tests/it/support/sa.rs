//! A pod's ServiceAccount files (`token`, `ca.crt`, `namespace`) and its two environment
//! variables, for in-cluster tests.
//!
//! Against the test server these come from its own `service_account_env`; against an external
//! cluster they are made the same way a kubelet makes them: a TokenRequest for the
//! ServiceAccount, the cluster's CA, and the API server's host and port.

use std::collections::BTreeMap;
use std::path::Path;

use kubeset::clientset::TokenParams;
use kubeset::config::Material;
use kubeset_testserver::ServiceAccountEnv;

use super::{Ctx, admin_config, test_server};

/// A ServiceAccount's in-cluster environment.
pub(crate) enum ServiceAccountFiles {
    /// Made by the test server.
    TestServer(ServiceAccountEnv),
    /// Made here from a TokenRequest (external cluster).
    External {
        /// The directory with the three files.
        dir: tempfile::TempDir,
        /// `KUBERNETES_SERVICE_HOST`.
        host: String,
        /// `KUBERNETES_SERVICE_PORT`.
        port: String,
    },
}

impl ServiceAccountFiles {
    /// The environment of ServiceAccount `name` in the test's namespace (which must exist).
    pub(crate) async fn new(ctx: &Ctx, name: &str) -> Self {
        if let Some(server) = test_server() {
            let env = server.service_account_env(&ctx.ns, name).await.unwrap();
            return Self::TestServer(env);
        }
        let config = admin_config();
        let dir = tempfile::tempdir().unwrap();
        let ca = match &config.tls.root_certs {
            Some(material @ (Material::File(_) | Material::Inline(_))) => {
                material.read().unwrap().expose().clone()
            }
            None => Vec::new(),
        };
        std::fs::write(dir.path().join("ca.crt"), ca).unwrap();
        std::fs::write(dir.path().join("namespace"), &ctx.ns).unwrap();
        let authority = config.cluster_url.authority().unwrap();
        let files = Self::External {
            dir,
            host: authority.host().trim_matches(['[', ']']).to_owned(),
            port: authority.port_u16().unwrap_or(443).to_string(),
        };
        files.write_token(&issue(ctx, name).await);
        files
    }

    /// The directory standing in for `/var/run/secrets/kubernetes.io/serviceaccount`.
    pub(crate) fn dir(&self) -> &Path {
        match self {
            Self::TestServer(env) => env.dir(),
            Self::External { dir, .. } => dir.path(),
        }
    }

    /// `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`, as an environment.
    pub(crate) fn env(&self) -> BTreeMap<&'static str, String> {
        let (host, port) = match self {
            Self::TestServer(env) => (env.service_host(), env.service_port()),
            Self::External { host, port, .. } => (host.as_str(), port.as_str()),
        };
        BTreeMap::from([
            ("KUBERNETES_SERVICE_HOST", host.to_owned()),
            ("KUBERNETES_SERVICE_PORT", port.to_owned()),
        ])
    }

    /// Replaces the token file with `token`, atomically.
    pub(crate) fn write_token(&self, token: &str) {
        let path = self.dir().join("token");
        let tmp = self.dir().join("token.new");
        std::fs::write(&tmp, token).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
}

async fn issue(ctx: &Ctx, name: &str) -> String {
    let issued = ctx
        .client
        .service_accounts(&ctx.ns)
        .create_token(name, &TokenParams::default().expiration_seconds(3600))
        .await
        .unwrap();
    issued.token.expose().clone()
}
