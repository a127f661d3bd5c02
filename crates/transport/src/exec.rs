//! Exec credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`): run the command,
//! cache its token or client certificate until it expires, share it between clients built from
//! the same configuration, and run it again on expiry or after a `401` — one run at a time.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use arc_swap::ArcSwapOption;
use kubeset_config::{ExecConfig, InteractiveMode, Secret};
use serde::Deserialize;

use crate::auth::{Credential, CredentialFuture, CredentialSource};
use crate::error::AuthError;
use crate::tls::IdentitySlot;

/// An exec plugin run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// The command was not found.
    #[error("exec plugin {command:?} was not found{}", hint(install_hint.as_deref()))]
    NotFound {
        /// The command.
        command: String,
        /// The kubeconfig's `installHint`.
        install_hint: Option<String>,
    },
    /// The command could not be started.
    #[error("could not start exec plugin {command:?}")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The plugin needs a terminal (`interactiveMode: Always`) and there is none.
    #[error(
        "exec plugin {command:?} needs an interactive terminal (interactiveMode: Always) and standard input is not one"
    )]
    NeedsTerminal {
        /// The command.
        command: String,
    },
    /// The command exited unsuccessfully.
    #[error("exec plugin {command:?} failed with {status}")]
    Failed {
        /// The command.
        command: String,
        /// How it exited.
        status: std::process::ExitStatus,
    },
    /// The command printed something that is not an `ExecCredential`.
    #[error("exec plugin {command:?} printed an invalid ExecCredential")]
    Parse {
        /// The command.
        command: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The `ExecCredential` is of another API version than the one configured.
    #[error("exec plugin {command:?} answered with apiVersion {got:?}, expected {expected:?}")]
    ApiVersion {
        /// The command.
        command: String,
        /// What the kubeconfig asked for.
        expected: String,
        /// What the plugin sent.
        got: String,
    },
    /// The `ExecCredential` holds neither a token nor a client certificate and key.
    #[error("exec plugin {command:?} returned no token and no client certificate/key pair")]
    NoCredential {
        /// The command.
        command: String,
    },
    /// The plugin returned a client certificate without its key, or a key without its
    /// certificate.
    #[error("exec plugin {command:?} returned only a client certificate or key, not both")]
    HalfCertificate {
        /// The command.
        command: String,
    },
    /// The returned token cannot be sent in an HTTP header (it holds a newline, say).
    #[error("exec plugin {command:?} returned a token that is not a valid HTTP header value")]
    InvalidToken {
        /// The command.
        command: String,
    },
    /// `expirationTimestamp` is not an RFC 3339 time.
    #[error("exec plugin {command:?} returned an invalid expirationTimestamp {value:?}")]
    Expiration {
        /// The command.
        command: String,
        /// The text.
        value: String,
    },
    /// The returned client certificate or key is unusable.
    #[error("exec plugin {command:?} returned an unusable client certificate")]
    Certificate {
        /// The command.
        command: String,
        /// Why.
        #[source]
        source: crate::error::PemError,
    },
}

fn hint(install_hint: Option<&str>) -> String {
    install_hint.map_or_else(String::new, |h| format!("\n{h}"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecCredentialOut {
    api_version: Option<String>,
    status: Option<StatusOut>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusOut {
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
    expiration_timestamp: Option<String>,
}

/// A credential the plugin returned.
struct Issued {
    credential: Credential,
    expires: Option<jiff::Timestamp>,
}

impl Issued {
    fn valid(&self) -> bool {
        self.expires.is_none_or(|exp| jiff::Timestamp::now() < exp)
    }
}

/// Credentials from an exec plugin, cached until `expirationTimestamp`.
///
/// Get one with [`ExecCredentials::shared`] so every client built from the same plugin
/// configuration shares one cache (as client-go does).
///
/// ```
/// use kubeset_config::ExecConfig;
/// use kubeset_transport::{AuthLayer, ExecCredentials};
///
/// let mut plugin = ExecConfig::new("client.authentication.k8s.io/v1", "aws");
/// plugin.args = vec!["eks".into(), "get-token".into()];
/// let layer = AuthLayer::from_shared(ExecCredentials::shared(&plugin));
/// # let _ = layer;
/// ```
pub struct ExecCredentials {
    config: ExecConfig,
    issued: ArcSwapOption<Issued>,
    identity: IdentitySlot,
    run: tokio::sync::Mutex<()>,
    generation: AtomicU64,
}

impl std::fmt::Debug for ExecCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecCredentials")
            .field("command", &self.config.command)
            .field("api_version", &self.config.api_version)
            .finish_non_exhaustive()
    }
}

static SHARED: LazyLock<Mutex<HashMap<String, Arc<ExecCredentials>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl ExecCredentials {
    /// A fresh, unshared cache for `config`.
    pub fn new(config: ExecConfig) -> Self {
        Self {
            config,
            issued: ArcSwapOption::empty(),
            identity: IdentitySlot::default(),
            run: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        }
    }

    /// The process-wide cache for this plugin configuration.
    pub fn shared(config: &ExecConfig) -> Arc<Self> {
        let key = cache_key(config);
        let mut shared = match SHARED.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        shared
            .entry(key)
            .or_insert_with(|| Arc::new(Self::new(config.clone())))
            .clone()
    }

    /// Where client certificates from the plugin are published for the TLS layer.
    pub(crate) fn identity_slot(&self) -> IdentitySlot {
        self.identity.clone()
    }

    fn current(&self) -> Option<Arc<Issued>> {
        self.issued.load_full().filter(|issued| issued.valid())
    }

    async fn run_plugin(&self) -> Result<Credential, AuthError> {
        let result = self.run_plugin_inner().await;
        let label = if result.is_ok() { "success" } else { "error" };
        metrics::counter!("kubeset_exec_plugin_calls_total", "result" => label).increment(1);
        result.map_err(AuthError::from)
    }

    async fn run_plugin_inner(&self) -> Result<Credential, ExecError> {
        let command = self.config.command.clone();
        let stdin_is_tty = std::io::stdin().is_terminal();
        let interactive = match self.config.interactive_mode {
            InteractiveMode::Never => false,
            InteractiveMode::IfAvailable => stdin_is_tty,
            InteractiveMode::Always if stdin_is_tty => true,
            InteractiveMode::Always => return Err(ExecError::NeedsTerminal { command }),
        };
        let mut spec = serde_json::json!({ "interactive": interactive });
        if self.config.provide_cluster_info
            && let Some(cluster) = &self.config.cluster
        {
            spec["cluster"] = cluster.clone();
        }
        let info = serde_json::json!({
            "apiVersion": self.config.api_version,
            "kind": "ExecCredential",
            "spec": spec,
        });
        let mut cmd = tokio::process::Command::new(&command);
        cmd.args(&self.config.args)
            .envs(self.config.env.iter().map(|(k, v)| (k, v)))
            .env("KUBERNETES_EXEC_INFO", info.to_string())
            .stdin(if interactive {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        tracing::debug!(command = %command, "running the exec credential plugin");
        let output = cmd.output().await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ExecError::NotFound {
                    command: command.clone(),
                    install_hint: self.config.install_hint.clone(),
                }
            } else {
                ExecError::Spawn {
                    command: command.clone(),
                    source,
                }
            }
        })?;
        if !output.status.success() {
            return Err(ExecError::Failed {
                command,
                status: output.status,
            });
        }
        // The output holds secrets: keep it out of error messages.
        let stdout = Secret::new(output.stdout);
        let printed = parse_output(stdout.expose(), &command, &self.config.api_version)?;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(identity) = printed.identity {
            self.identity.store(identity);
        }
        let (header, expires) = (printed.header, printed.expires);
        let credential = Credential::new(header, generation);
        self.issued.store(Some(Arc::new(Issued {
            credential: credential.clone(),
            expires,
        })));
        Ok(credential)
    }
}

/// What a plugin printed, checked: its bearer header, client identity and expiry.
pub(crate) struct Printed {
    pub(crate) header: Option<http::HeaderValue>,
    pub(crate) identity: Option<rustls::sign::CertifiedKey>,
    pub(crate) expires: Option<jiff::Timestamp>,
}

/// Parses and checks a plugin's standard output (an `ExecCredential`). Pure: no I/O, and no
/// byte of `stdout` ends up in an error.
pub(crate) fn parse_output(
    stdout: &[u8],
    command: &str,
    api_version: &str,
) -> Result<Printed, ExecError> {
    let command = command.to_owned();
    let parsed: ExecCredentialOut =
        serde_json::from_slice(stdout).map_err(|source| ExecError::Parse {
            command: command.clone(),
            source,
        })?;
    if let Some(got) = parsed.api_version
        && got != api_version
    {
        return Err(ExecError::ApiVersion {
            command,
            expected: api_version.to_owned(),
            got,
        });
    }
    let status = parsed.status.ok_or_else(|| ExecError::NoCredential {
        command: command.clone(),
    })?;
    let expires = match &status.expiration_timestamp {
        None => None,
        Some(text) => Some(
            text.parse::<jiff::Timestamp>()
                .map_err(|_| ExecError::Expiration {
                    command: command.clone(),
                    value: text.clone(),
                })?,
        ),
    };
    let header = match status.token.as_deref().map(str::trim) {
        Some(token) if !token.is_empty() => {
            crate::jwt::record(token, "exec");
            // only the header is kept: the caller numbers the credential it builds
            let credential =
                Credential::bearer(token, 0, &command).map_err(|_| ExecError::InvalidToken {
                    command: command.clone(),
                })?;
            credential.header().cloned()
        }
        _ => None,
    };
    let non_empty = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
    let pair = (
        non_empty(&status.client_certificate_data),
        non_empty(&status.client_key_data),
    );
    let identity = match pair {
        (Some(cert), Some(key)) => {
            let key = Secret::new(key);
            let identity = crate::tls::certified_key(
                cert.as_bytes(),
                &format!("exec plugin {command}"),
                key.expose().as_bytes(),
                &format!("exec plugin {command}"),
                &crate::tls::provider(),
            )
            .map_err(|source| ExecError::Certificate {
                command: command.clone(),
                source,
            })?;
            Some(identity)
        }
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            return Err(ExecError::HalfCertificate { command });
        }
    };
    if header.is_none() && identity.is_none() {
        return Err(ExecError::NoCredential { command });
    }
    Ok(Printed {
        header,
        identity,
        expires,
    })
}

fn cache_key(config: &ExecConfig) -> String {
    serde_json::json!({
        "apiVersion": config.api_version,
        "command": config.command,
        "args": config.args,
        "env": config.env,
        "provideClusterInfo": config.provide_cluster_info,
        "cluster": config.cluster,
        "interactive": format!("{:?}", config.interactive_mode),
    })
    .to_string()
}

impl CredentialSource for ExecCredentials {
    fn cached(&self) -> Option<Credential> {
        self.current().map(|issued| issued.credential.clone())
    }

    fn fetch(&self) -> CredentialFuture<'_, Credential> {
        Box::pin(async move {
            let _running = self.run.lock().await;
            // Another caller may have run the plugin while this one waited.
            if let Some(issued) = self.current() {
                return Ok(issued.credential.clone());
            }
            self.run_plugin().await
        })
    }

    fn refresh_unauthorized(&self, rejected: u64) -> CredentialFuture<'_, Option<Credential>> {
        Box::pin(async move {
            let _running = self.run.lock().await;
            if let Some(issued) = self.current()
                && issued.credential.generation() != rejected
            {
                return Ok(Some(issued.credential.clone()));
            }
            let old = self.issued.load_full();
            let fresh = self.run_plugin().await?;
            let same_token = old.is_some_and(|old| {
                old.credential.header().is_some() && old.credential.header() == fresh.header()
            });
            Ok((!same_token).then_some(fresh))
        })
    }
}
