//! From a merged kubeconfig and overrides to a client [`Config`] (clientcmd's
//! `DirectClientConfig.ClientConfig`).
//!
//! Where client-go and kube-rs disagree we follow client-go: `*-data` wins over the file; a
//! CA together with `insecure-skip-tls-verify` is an error; with both `token` and `tokenFile`
//! the file's (refreshed) value is used; exec `apiVersion` must be `v1` or `v1beta1`; a
//! context naming a user that does not exist means "no credentials". Unlike kubectl, a
//! context without a usable cluster is an error rather than a silent `http://localhost:8080`.

use std::path::Path;

use super::exec::{exec_cluster_info, exec_config};
use super::model::{AuthInfo, Cluster, Context, Kubeconfig};
use super::overrides::Overrides;
use super::view::{entry_ref, resolve_against};
use crate::Secret;
use crate::config::{AuthProvider, BasicAuth, BearerToken, Config, Impersonation, Material};
use crate::error::{EntryRef, NoServerReason, ResolveError, Section};
use crate::provenance::{REDACTED, Source};

impl Kubeconfig {
    /// Resolves the current context (or the overridden one) into a client configuration and
    /// checks the files it names: CA, client certificate and key must be readable, and the
    /// token file is read (its value goes to [`BearerToken::File::initial`]).
    pub fn to_config(&self, overrides: &Overrides) -> Result<Config, ResolveError> {
        let mut resolved = self.resolve(overrides)?;
        read_files(&mut resolved)?;
        Ok(resolved.config)
    }

    /// Like [`Kubeconfig::to_config`] but touches no file: paths are resolved (against the
    /// directory of the kubeconfig that set them) but not read.
    pub fn to_config_unchecked(&self, overrides: &Overrides) -> Result<Config, ResolveError> {
        self.resolve(overrides).map(|resolved| resolved.config)
    }

    fn resolve(&self, overrides: &Overrides) -> Result<Resolved, ResolveError> {
        let mut config = Config::new(http::Uri::from_static("https://localhost"));
        let provenance = &mut config.provenance;

        // Context.
        let (context_name, named_by) = match Overrides::get(&overrides.context) {
            Some(name) => (name.to_string(), "--context"),
            None => (self.current_context.clone(), "current-context"),
        };
        let empty_context = Context::default();
        let context = if context_name.is_empty() {
            &empty_context
        } else {
            let context =
                self.contexts
                    .get(&context_name)
                    .ok_or_else(|| ResolveError::ContextNotFound {
                        name: context_name.clone(),
                        named_by: named_by.to_string(),
                        files: self.files.clone(),
                    })?;
            let source = match named_by {
                "--context" => Source::Override { flag: "--context" },
                _ => Source::Kubeconfig {
                    file: self.current_context_origin.clone(),
                    entry: String::from("kubeconfig"),
                    field: "current-context",
                },
            };
            provenance.record("context", context_name.clone(), source);
            context
        };
        let context_entry = entry_ref(Section::Context, &context_name, context.origin.as_deref());

        // Cluster and user entries.
        let empty_cluster = Cluster::default();
        let (cluster_name, cluster) = match Overrides::get(&overrides.cluster) {
            Some(name) => {
                let cluster =
                    self.clusters
                        .get(name)
                        .ok_or_else(|| ResolveError::ClusterNotFound {
                            name: name.to_string(),
                            files: self.files.clone(),
                        })?;
                provenance.record("cluster", name, Source::Override { flag: "--cluster" });
                (name.to_string(), cluster)
            }
            None => {
                let cluster = self.clusters.get(&context.cluster);
                if cluster.is_some() {
                    provenance.record(
                        "cluster",
                        context.cluster.clone(),
                        field_source(&context_entry, "cluster"),
                    );
                }
                (context.cluster.clone(), cluster.unwrap_or(&empty_cluster))
            }
        };
        let empty_user = AuthInfo::default();
        let (user_name, user) = match Overrides::get(&overrides.user) {
            Some(name) => {
                let user = self
                    .users
                    .get(name)
                    .ok_or_else(|| ResolveError::UserNotFound {
                        name: name.to_string(),
                        files: self.files.clone(),
                    })?;
                provenance.record("user", name, Source::Override { flag: "--user" });
                (name.to_string(), user)
            }
            None => {
                let user = self.users.get(&context.user);
                if user.is_some() {
                    provenance.record(
                        "user",
                        context.user.clone(),
                        field_source(&context_entry, "user"),
                    );
                }
                (context.user.clone(), user.unwrap_or(&empty_user))
            }
        };
        let cluster_entry = entry_ref(Section::Cluster, &cluster_name, cluster.origin.as_deref());
        let user_entry = entry_ref(Section::User, &user_name, user.origin.as_deref());

        // TLS.
        let tls = &mut config.tls;
        if !cluster.certificate_authority_data.is_empty() {
            tls.root_certs = Some(Material::Inline(Secret::new(
                cluster.certificate_authority_data.clone(),
            )));
            provenance.record(
                "certificate-authority",
                inline_summary(&cluster.certificate_authority_data),
                field_source(&cluster_entry, "certificate-authority-data"),
            );
        } else if !cluster.certificate_authority.is_empty() {
            let path = resolve_against(&cluster.certificate_authority, cluster.origin.as_deref());
            provenance.record(
                "certificate-authority",
                path.display().to_string(),
                field_source(&cluster_entry, "certificate-authority"),
            );
            tls.root_certs = Some(Material::File(path));
        }
        if cluster.insecure_skip_tls_verify {
            if tls.root_certs.is_some() {
                return Err(ResolveError::CaWithInsecure {
                    entry: cluster_entry,
                });
            }
            tls.danger_accept_invalid_certs = true;
            provenance.record(
                "insecure-skip-tls-verify",
                "true",
                field_source(&cluster_entry, "insecure-skip-tls-verify"),
            );
        }
        if !cluster.tls_server_name.is_empty() {
            tls.server_name = Some(cluster.tls_server_name.clone());
            provenance.record(
                "tls-server-name",
                cluster.tls_server_name.clone(),
                field_source(&cluster_entry, "tls-server-name"),
            );
        }
        tls.client_cert = material(
            &user.client_certificate_data,
            &user.client_certificate,
            user.origin.as_deref(),
        );
        tls.client_key = material(
            user.client_key_data.expose(),
            &user.client_key,
            user.origin.as_deref(),
        );
        match (&tls.client_cert, &tls.client_key) {
            (Some(cert), Some(_)) => {
                let field = match cert {
                    Material::Inline(_) => "client-certificate-data",
                    Material::File(_) => "client-certificate",
                };
                provenance.record(
                    "client-certificate",
                    material_summary(cert),
                    field_source(&user_entry, field),
                );
                provenance.record(
                    "client-key",
                    String::from(REDACTED),
                    field_source(&user_entry, "client-key"),
                );
            }
            (Some(_), None) => {
                return Err(ResolveError::HalfClientCert {
                    entry: user_entry,
                    present: "client-certificate",
                    missing: "client-key",
                });
            }
            (None, Some(_)) => {
                return Err(ResolveError::HalfClientCert {
                    entry: user_entry,
                    present: "client-key",
                    missing: "client-certificate",
                });
            }
            (None, None) => {}
        }

        // Header credentials.
        let auth = &mut config.auth;
        if !user.token_file.is_empty() {
            let path = resolve_against(&user.token_file, user.origin.as_deref());
            provenance.record(
                "token",
                format!("{REDACTED} (re-read from {})", path.display()),
                field_source(&user_entry, "tokenFile"),
            );
            auth.bearer = Some(BearerToken::File {
                path,
                initial: None,
            });
        } else if !user.token.expose().is_empty() {
            auth.bearer = Some(BearerToken::Static(user.token.clone()));
            provenance.record("token", REDACTED, field_source(&user_entry, "token"));
        }
        if !user.username.is_empty() || !user.password.expose().is_empty() {
            if auth.bearer.is_some() {
                return Err(ResolveError::TokenWithBasicAuth { entry: user_entry });
            }
            auth.basic = Some(BasicAuth {
                username: user.username.clone(),
                password: user.password.clone(),
            });
            provenance.record(
                "basic-auth",
                format!("{} / {REDACTED}", user.username),
                field_source(&user_entry, "username"),
            );
        }
        if user.exec.is_some() && user.auth_provider.is_some() {
            return Err(ResolveError::ExecWithAuthProvider { entry: user_entry });
        }
        if let Some(exec) = &user.exec {
            let exec_config = exec_config(exec, user, &user_entry)?;
            provenance.record(
                "exec",
                exec_config.command.clone(),
                field_source(&user_entry, "exec"),
            );
            auth.exec = Some(exec_config);
        }
        if let Some(provider) = &user.auth_provider {
            auth.auth_provider = Some(AuthProvider {
                name: provider.name.clone(),
                config: Secret::new(
                    provider
                        .config
                        .as_ref()
                        .map(|config| config.expose().clone())
                        .unwrap_or_default(),
                ),
            });
            provenance.record(
                "auth-provider",
                provider.name.clone(),
                field_source(&user_entry, "auth-provider"),
            );
        }

        // Impersonation.
        config.impersonate = Impersonation {
            user: non_empty(&user.impersonate),
            uid: non_empty(&user.impersonate_uid),
            groups: user.impersonate_groups.clone(),
            extra: user
                .impersonate_user_extra
                .iter()
                .map(|(key, values)| (key.clone(), values.clone().unwrap_or_default()))
                .collect(),
        };
        if !config.impersonate.is_empty() {
            provenance.record(
                "impersonate",
                user.impersonate.clone(),
                field_source(&user_entry, "as"),
            );
        }

        // Server, proxy, compression.
        let (server, server_source) = match Overrides::get(&overrides.server) {
            Some(server) => (server.to_string(), Source::Override { flag: "--server" }),
            None if !cluster.server.is_empty() => (
                cluster.server.clone(),
                field_source(&cluster_entry, "server"),
            ),
            None => {
                return Err(ResolveError::NoServer {
                    reason: no_server_reason(self, &context_name, &cluster_name),
                    cluster_defined: self.clusters.contains_key(&cluster_name),
                    files: self.files.clone(),
                });
            }
        };
        let default_tls = config.tls.root_certs.is_some() || config.tls.danger_accept_invalid_certs;
        config.cluster_url = server_url(&server, default_tls, &server_source)?;
        config
            .provenance
            .record("server", server.clone(), server_source);
        if !cluster.proxy_url.is_empty() {
            let proxy = parse_url(&cluster.proxy_url, &cluster_entry.to_string(), "proxy-url")?;
            if !matches!(proxy.scheme_str(), Some("http" | "https" | "socks5")) {
                return Err(ResolveError::UnsupportedScheme {
                    entry: cluster_entry.to_string(),
                    field: "proxy-url",
                    value: cluster.proxy_url.clone(),
                    want: "http, https or socks5",
                });
            }
            config.proxy_url = Some(proxy);
            config.provenance.record(
                "proxy-url",
                cluster.proxy_url.clone(),
                field_source(&cluster_entry, "proxy-url"),
            );
        }
        if cluster.disable_compression {
            config.disable_compression = true;
            config.provenance.record(
                "disable-compression",
                "true",
                field_source(&cluster_entry, "disable-compression"),
            );
        }

        // Namespace.
        let (namespace, source) = match Overrides::get(&overrides.namespace) {
            Some(namespace) => (
                namespace.to_string(),
                Source::Override {
                    flag: "--namespace",
                },
            ),
            None if !context.namespace.is_empty() => (
                context.namespace.clone(),
                field_source(&context_entry, "namespace"),
            ),
            None => (String::from("default"), Source::Default),
        };
        config.default_namespace = namespace.clone();
        config.provenance.record("namespace", namespace, source);

        if let Some(exec) = &mut config.auth.exec
            && exec.provide_cluster_info
        {
            exec.cluster = Some(exec_cluster_info(cluster, &server));
        }
        Ok(Resolved {
            config,
            cluster_entry,
            user_entry,
            cluster_ca_for_exec: cluster.certificate_authority_data.is_empty(),
        })
    }
}

/// A resolved configuration and the entries it came from, for the file checks.
struct Resolved {
    config: Config,
    cluster_entry: EntryRef,
    user_entry: EntryRef,
    /// The exec cluster info still needs the CA file's content.
    cluster_ca_for_exec: bool,
}

/// The I/O step: checks that the named files are readable and reads the token file.
fn read_files(resolved: &mut Resolved) -> Result<(), ResolveError> {
    let Resolved {
        config,
        cluster_entry,
        user_entry,
        cluster_ca_for_exec,
    } = resolved;
    let read = |path: &Path, entry: &EntryRef, field: &'static str| {
        std::fs::read(path).map_err(|source| ResolveError::File {
            entry: entry.clone(),
            field,
            path: path.to_path_buf(),
            source,
        })
    };
    if let Some(Material::File(path)) = &config.tls.root_certs {
        let ca = read(path, cluster_entry, "certificate-authority")?;
        if let Some(exec) = &mut config.auth.exec
            && let (true, Some(serde_json::Value::Object(cluster))) =
                (*cluster_ca_for_exec, &mut exec.cluster)
        {
            cluster.insert(
                "certificate-authority-data".into(),
                super::wire::encode(&ca).into(),
            );
        }
    }
    if let Some(Material::File(path)) = &config.tls.client_cert {
        read(path, user_entry, "client-certificate")?;
    }
    if let Some(Material::File(path)) = &config.tls.client_key {
        read(path, user_entry, "client-key")?;
    }
    if let Some(BearerToken::File { path, initial }) = &mut config.auth.bearer {
        let bytes = read(path, user_entry, "tokenFile")?;
        let token = String::from_utf8_lossy(&bytes).trim().to_string();
        if token.is_empty() {
            tracing::warn!(path = %path.display(), "token file is empty");
        } else {
            *initial = Some(Secret::new(token));
        }
    }
    Ok(())
}

fn field_source(entry: &EntryRef, field: &'static str) -> Source {
    Source::Kubeconfig {
        file: entry.file.clone(),
        entry: format!("{} {:?}", entry.section, entry.name),
        field,
    }
}

pub(super) fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

fn material(data: &[u8], path: &str, origin: Option<&Path>) -> Option<Material> {
    if !data.is_empty() {
        Some(Material::Inline(Secret::new(data.to_vec())))
    } else if !path.is_empty() {
        Some(Material::File(resolve_against(path, origin)))
    } else {
        None
    }
}

fn inline_summary(data: &[u8]) -> String {
    format!("<inline, {} bytes>", data.len())
}

fn material_summary(material: &Material) -> String {
    match material {
        Material::File(path) => path.display().to_string(),
        Material::Inline(data) => inline_summary(data.expose()),
    }
}

/// Why no server was found. The cluster name is checked first: `--cluster` may select a cluster
/// even when no context is set.
fn no_server_reason(config: &Kubeconfig, context: &str, cluster: &str) -> NoServerReason {
    if cluster.is_empty() {
        if !context.is_empty() {
            NoServerReason::ContextWithoutCluster {
                context: context.to_owned(),
            }
        } else if config.contexts.is_empty() {
            NoServerReason::NoContexts
        } else {
            NoServerReason::NoCurrentContext
        }
    } else if !config.clusters.contains_key(cluster) {
        NoServerReason::MissingCluster {
            context: context.to_owned(),
            cluster: cluster.to_owned(),
        }
    } else {
        NoServerReason::ClusterWithoutServer {
            cluster: cluster.to_owned(),
        }
    }
}

fn parse_url(value: &str, entry: &str, field: &'static str) -> Result<http::Uri, ResolveError> {
    value
        .parse::<http::Uri>()
        .map_err(|source| ResolveError::InvalidUrl {
            entry: entry.to_string(),
            field,
            value: value.to_string(),
            source,
        })
}

/// client-go's `DefaultServerURL`: a server without a scheme gets `https://` when TLS is
/// configured (a CA or insecure-skip-tls-verify), else `http://`.
fn server_url(server: &str, default_tls: bool, source: &Source) -> Result<http::Uri, ResolveError> {
    let entry = source.to_string();
    let uri = parse_url(server, &entry, "server")?;
    let uri = if uri.scheme().is_none() {
        let scheme = if default_tls { "https" } else { "http" };
        parse_url(&format!("{scheme}://{server}"), &entry, "server")?
    } else {
        uri
    };
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(host)) if !host.is_empty() => Ok(uri),
        _ => Err(ResolveError::UnsupportedScheme {
            entry,
            field: "server",
            value: server.to_string(),
            want: "http or https with a host",
        }),
    }
}
