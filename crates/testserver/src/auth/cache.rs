//! kube-apiserver's cache of bearer-token authentications.
//!
//! The real server wraps its token authenticators in a cache (`tokencache`): a token that
//! authenticated is accepted again for ten seconds without being checked
//! (`TokenSuccessCacheTTL`), a rejected one is checked every time (`TokenFailureCacheTTL` is
//! 0). So a ServiceAccount token keeps authenticating — as the ServiceAccount it named, with
//! its old uid — for up to ten seconds after that ServiceAccount, its pod or its Secret was
//! deleted. Clients that rotate tokens see exactly this on a cluster, and so they do here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::User;

/// How long a successful authentication is remembered (kube-apiserver's default).
pub(crate) const SUCCESS_TTL: Duration = Duration::from_secs(10);

/// More tokens than this in ten seconds and the cache starts over (the real one is a 32k-entry
/// striped LRU); memory stays bounded whatever clients send.
const MAX_ENTRIES: usize = 32 * 1024;

/// One remembered authentication.
struct Entry {
    user: User,
    /// When it was checked, in Unix seconds (the expired-tokens fault rejects older ones).
    checked_at: i64,
    until: Instant,
}

/// Successful token authentications by the SHA-256 of the token (tokens never stay in
/// memory).
pub(crate) struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("TokenCache")
            .field("ttl", &self.ttl)
            .field("entries", &entries)
            .finish()
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(SUCCESS_TTL)
    }
}

impl TokenCache {
    /// A cache remembering successes for `ttl` (zero: remember nothing).
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The user `token` authenticated as within the TTL, else what `verify` says now (then
    /// remembered if it is a user). A remembered authentication checked before `not_before`
    /// (Unix seconds) is ignored, as the expired-tokens fault asks.
    pub(crate) fn authenticate(
        &self,
        token: &str,
        now_unix: i64,
        not_before: i64,
        verify: impl FnOnce() -> Option<User>,
    ) -> Option<User> {
        if self.ttl.is_zero() {
            return verify();
        }
        let key = digest(token);
        let now = Instant::now();
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(entry) = entries.get(&key)
                && entry.until > now
                && entry.checked_at >= not_before
            {
                return Some(entry.user.clone());
            }
        }
        let user = verify()?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                user: user.clone(),
                checked_at: now_unix,
                until: now + self.ttl,
            },
        );
        Some(user)
    }
}

fn digest(token: &str) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut key = [0; 32];
    key.copy_from_slice(digest.as_ref());
    key
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn user(uid: &str) -> User {
        User {
            uid: uid.into(),
            ..User::anonymous()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_is_remembered_for_ten_seconds_and_a_failure_never() {
        let cache = TokenCache::default();
        let checks = Cell::new(0);
        let check = |answer: Option<User>| {
            checks.set(checks.get() + 1);
            answer
        };
        assert_eq!(
            cache.authenticate("t", 0, 0, || check(Some(user("old")))),
            Some(user("old"))
        );
        // The account is gone now, but the cached answer stands until the TTL runs out.
        tokio::time::advance(Duration::from_secs(9)).await;
        assert_eq!(
            cache.authenticate("t", 0, 0, || check(None)),
            Some(user("old"))
        );
        assert_eq!(checks.get(), 1);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(cache.authenticate("t", 0, 0, || check(None)), None);
        assert_eq!(cache.authenticate("t", 0, 0, || check(None)), None);
        assert_eq!(checks.get(), 3, "failures are checked every time");
        // Another token is another entry.
        assert_eq!(
            cache.authenticate("u", 0, 0, || check(Some(user("new")))),
            Some(user("new"))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_expired_tokens_fault_overrides_the_cache() {
        let cache = TokenCache::default();
        assert!(
            cache
                .authenticate("t", 100, 0, || Some(user("a")))
                .is_some()
        );
        assert_eq!(cache.authenticate("t", 100, 101, || None), None);
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let cache = TokenCache::new(Duration::ZERO);
        assert!(cache.authenticate("t", 0, 0, || Some(user("a"))).is_some());
        assert_eq!(cache.authenticate("t", 0, 0, || None), None);
    }
}
