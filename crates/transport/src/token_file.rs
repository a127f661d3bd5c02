//! A bearer token read from a file that rotates (projected ServiceAccount tokens).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use kubeset_config::Secret;

use crate::auth::{Credential, CredentialFuture, CredentialSource};
use crate::error::AuthError;
use crate::pem::FileStamp;

/// How often the file is stat'ed for a change (a cheap check), by default.
pub(crate) const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How often the file is re-read even when it looks unchanged.
const REREAD_EVERY: Duration = Duration::from_secs(60);

struct State {
    credential: Option<(Credential, Secret<String>)>,
    checked: Instant,
    read: Instant,
    stamp: Option<FileStamp>,
}

/// A token file, re-read when it changes (checked at most every second), at least every
/// minute, and after a `401`.
///
/// The hot path is one atomic load: no lock and no I/O while the token is fresh. A failed
/// re-read keeps the last good token, logs a warning and counts
/// `kubeset_token_reloads_total{result="error"}`.
///
/// ```no_run
/// use kubeset_transport::{AuthLayer, TokenFile};
///
/// let tokens = TokenFile::new("/var/run/secrets/kubernetes.io/serviceaccount/token", None);
/// let layer = AuthLayer::new(tokens);
/// # let _ = layer;
/// ```
pub struct TokenFile {
    path: PathBuf,
    check_every: Duration,
    state: ArcSwap<State>,
    reload: tokio::sync::Mutex<()>,
    generation: AtomicU64,
}

impl std::fmt::Debug for TokenFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl TokenFile {
    /// Watches `path`; `initial` is a token already read from it (the config loader's).
    pub fn new(path: impl Into<PathBuf>, initial: Option<Secret<String>>) -> Self {
        let path = path.into();
        let now = Instant::now();
        let credential = initial.and_then(|token| {
            let token = Secret::new(token.expose().trim().to_owned());
            let origin = path.display().to_string();
            Credential::bearer(token.expose(), 1, &origin)
                .ok()
                .map(|c| (c, token))
        });
        let stamp = credential.as_ref().and_then(|_| FileStamp::of(&path));
        Self {
            state: ArcSwap::from_pointee(State {
                credential,
                checked: now,
                read: now,
                stamp,
            }),
            path,
            check_every: CHECK_EVERY,
            reload: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(1),
        }
    }

    /// Checks the file for a change at most every `interval` (default one second; it is still
    /// re-read at least every minute, and after a `401`).
    pub fn with_check_interval(mut self, interval: Duration) -> Self {
        self.check_every = interval;
        self
    }

    /// The token file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reloads if the file changed (or `force`), keeping the last good token on failure.
    async fn reload(&self, force: bool) -> Result<Credential, AuthError> {
        let _guard = self.reload.lock().await;
        let state = self.state.load_full();
        let now = Instant::now();
        if let Some((credential, _)) = &state.credential
            && !force
            && now.duration_since(state.checked) < self.check_every
        {
            // Another caller checked while this one waited for the lock: no `stat` needed.
            return Ok(credential.clone());
        }
        let stamp = FileStamp::of(&self.path);
        if let Some((credential, _)) = &state.credential
            && !force
            && stamp == state.stamp
            && now.duration_since(state.read) < REREAD_EVERY.max(self.check_every)
        {
            self.store(state.credential.clone(), now, state.read, stamp);
            return Ok(credential.clone());
        }
        match read_token(&self.path).await {
            Ok(token) => {
                metrics::counter!("kubeset_token_reloads_total", "result" => "success")
                    .increment(1);
                let unchanged = state
                    .credential
                    .as_ref()
                    .filter(|(_, old)| old.expose() == token.expose());
                let credential = match unchanged {
                    Some((credential, _)) => credential.clone(),
                    None => {
                        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
                        let origin = self.path.display().to_string();
                        let credential = Credential::bearer(token.expose(), generation, &origin)?;
                        crate::jwt::record(token.expose(), "file");
                        if state.credential.is_some() {
                            tracing::info!(path = %self.path.display(), "using the rotated token");
                        }
                        credential
                    }
                };
                self.store(Some((credential.clone(), token)), now, now, stamp);
                Ok(credential)
            }
            Err(err) => {
                metrics::counter!("kubeset_token_reloads_total", "result" => "error").increment(1);
                match &state.credential {
                    Some((credential, _)) => {
                        tracing::warn!(
                            error = %crate::error_chain(&err),
                            "could not re-read the token file; keeping the last good token"
                        );
                        self.store(state.credential.clone(), now, state.read, state.stamp);
                        Ok(credential.clone())
                    }
                    None => Err(err),
                }
            }
        }
    }

    fn store(
        &self,
        credential: Option<(Credential, Secret<String>)>,
        checked: Instant,
        read: Instant,
        stamp: Option<FileStamp>,
    ) {
        self.state.store(Arc::new(State {
            credential,
            checked,
            read,
            stamp,
        }));
    }
}

async fn read_token(path: &Path) -> Result<Secret<String>, AuthError> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|source| AuthError::TokenFile {
            path: path.to_owned(),
            source,
        })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(AuthError::EmptyTokenFile {
            path: path.to_owned(),
        });
    }
    Ok(Secret::new(token.to_owned()))
}

impl CredentialSource for TokenFile {
    fn cached(&self) -> Option<Credential> {
        let state = self.state.load();
        let (credential, _) = state.credential.as_ref()?;
        (state.checked.elapsed() < self.check_every).then(|| credential.clone())
    }

    fn fetch(&self) -> CredentialFuture<'_, Credential> {
        Box::pin(self.reload(false))
    }

    fn refresh_unauthorized(&self, rejected: u64) -> CredentialFuture<'_, Option<Credential>> {
        Box::pin(async move {
            let current = self.state.load_full();
            if let Some((credential, _)) = &current.credential
                && credential.generation() != rejected
            {
                // Another request already picked up a newer token.
                return Ok(Some(credential.clone()));
            }
            let fresh = self.reload(true).await?;
            Ok((fresh.generation() != rejected).then_some(fresh))
        })
    }
}
