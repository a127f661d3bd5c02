//! A discovery cache on disk that kubectl shares: client-go's `discovery/cached/disk` layout.
//!
//! Layout, under `<cache root>/discovery/<server, escaped>/` (`~/.kube/cache/discovery/
//! 127.0.0.1_6443/`): `servergroups.json` (an `APIGroupList`, core group first) and
//! `<group>/<version>/serverresources.json` (`v1/serverresources.json` for core), each written
//! in the legacy JSON form even when the server answered in aggregated form, as client-go
//! does. Guarantees:
//! - a file is used while its modification time is younger than the TTL (kubectl's default,
//!   six hours); an older, missing or unreadable file is fetched again and rewritten;
//! - files are written to a temporary name in the same directory, made `0660`, then renamed,
//!   so a concurrent reader (another kctl, kubectl) sees the old file or the new one, never
//!   half of one; directories are made `0750`;
//! - a failure to read or write the cache is logged and never fails discovery: the server is
//!   asked instead;
//! - empty resource lists are not written, as client-go does not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Discovery;
use super::wire::{GroupList, ResourceList, Split};
use crate::{Client, Error};

/// kubectl's discovery cache TTL.
const DEFAULT_TTL: Duration = Duration::from_secs(6 * 60 * 60);

/// Where one server's discovery is cached on disk, and for how long a file is trusted.
///
/// ```no_run
/// use kubeset_clientset::DiscoveryCache;
///
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let root = DiscoveryCache::default_root().expect("HOME is set");
/// let cache = DiscoveryCache::for_server(&root, "https://127.0.0.1:6443");
/// let mut discovery = client.discover_cached(&cache).await?;
/// if discovery.resolve_name("backups").is_none() && !discovery.fresh {
///     // the cache may predate the CRD: ask the server, as kubectl does on a miss
///     discovery = client.rediscover_cached(&cache).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryCache {
    dir: PathBuf,
    ttl: Duration,
}

impl DiscoveryCache {
    /// The cache in exactly `dir` (the directory holding `servergroups.json`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            ttl: DEFAULT_TTL,
        }
    }

    /// The cache of `server` (the kubeconfig's `server` URL) under a cache root, where kubectl
    /// keeps it: `<root>/discovery/<cache_dir_name(server)>`.
    ///
    /// ```
    /// use kubeset_clientset::DiscoveryCache;
    ///
    /// let cache = DiscoveryCache::for_server("/home/me/.kube/cache".as_ref(), "https://10.0.0.1:6443");
    /// assert_eq!(cache.dir(), std::path::Path::new("/home/me/.kube/cache/discovery/10.0.0.1_6443"));
    /// ```
    pub fn for_server(root: &Path, server: &str) -> Self {
        Self::new(root.join("discovery").join(cache_dir_name(server)))
    }

    /// kubectl's cache root: `$KUBECACHEDIR`, else `~/.kube/cache` (`None` without a home).
    pub fn default_root() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("KUBECACHEDIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir));
        }
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
        Some(PathBuf::from(home).join(".kube").join("cache"))
    }

    /// How long a file is trusted (default six hours, as kubectl).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let cache = kubeset_clientset::DiscoveryCache::new("/tmp/c").with_ttl(Duration::from_secs(600));
    /// assert_eq!(cache.ttl(), Duration::from_secs(600));
    /// ```
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The directory holding `servergroups.json`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How long a file is trusted.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn groups_file(&self) -> PathBuf {
        self.dir.join("servergroups.json")
    }

    fn resources_file(&self, group_version: &str) -> PathBuf {
        let mut path = self.dir.clone();
        path.extend(group_version.split('/'));
        path.join("serverresources.json")
    }
}

/// client-go's `computeDiscoverCacheDir` name for a server: the first `https://` and
/// `http://` removed, every character but ASCII letters, digits, `_`, `/`, `.`, `(` and `)`
/// replaced by `_`, then cleaned as a relative path (`127.0.0.1:6443` -> `127.0.0.1_6443`).
///
/// ```
/// assert_eq!(kubeset_clientset::cache_dir_name("https://127.0.0.1:6443"), "127.0.0.1_6443");
/// assert_eq!(kubeset_clientset::cache_dir_name("https://h.example:443/k8s/"), "h.example_443/k8s");
/// ```
pub fn cache_dir_name(server: &str) -> String {
    let schemeless = server
        .replacen("https://", "", 1)
        .replacen("http://", "", 1);
    let safe: String = schemeless
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // filepath.Join cleans: empty and `.` elements go, `..` removes its parent
    let mut parts: Vec<&str> = Vec::new();
    for part in safe.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl Client {
    /// [`Client::discover`] through a disk cache kubectl shares: files younger than the
    /// cache's TTL are used, the rest is fetched (aggregated discovery when the server offers
    /// it) and written back. `fresh` is `false` when any part came from a file.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let cache = kubeset_clientset::DiscoveryCache::new("/tmp/discovery/10.0.0.1_6443");
    /// let discovery = client.discover_cached(&cache).await?;
    /// println!("{} resources", discovery.resources.len());
    /// # Ok(()) }
    /// ```
    pub async fn discover_cached(&self, cache: &DiscoveryCache) -> Result<Discovery, Error> {
        self.discover_through(cache, true).await
    }

    /// Discovery from the server, written to the cache: what kubectl does after a miss in a
    /// cache that was not fresh (a CRD created since it was written).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let cache = kubeset_clientset::DiscoveryCache::new("/tmp/discovery/10.0.0.1_6443");
    /// let discovery = client.rediscover_cached(&cache).await?;
    /// assert!(discovery.fresh);
    /// # Ok(()) }
    /// ```
    pub async fn rediscover_cached(&self, cache: &DiscoveryCache) -> Result<Discovery, Error> {
        self.discover_through(cache, false).await
    }

    async fn discover_through(
        &self,
        cache: &DiscoveryCache,
        use_files: bool,
    ) -> Result<Discovery, Error> {
        let ttl = cache.ttl;
        let groups_file = cache.groups_file();
        let cached_groups = if use_files {
            blocking(move || read_fresh::<GroupList>(&groups_file, ttl)).await
        } else {
            None
        };
        let mut fresh = cached_groups.is_none();
        let mut writes: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let (groups, mut known) = match cached_groups {
            Some(list) => (list.groups, HashMap::new()),
            None => {
                let roots = self.discovery_roots().await?;
                let list = GroupList::new(roots.groups);
                if !list.groups.is_empty() {
                    writes.push((cache.groups_file(), encode(&list)));
                }
                (list.groups, roots.known)
            }
        };
        let group_versions: Vec<String> = groups
            .iter()
            .flat_map(|g| g.versions.iter().map(|v| v.group_version.clone()))
            .collect();
        let files: Vec<(String, PathBuf)> = group_versions
            .iter()
            .map(|gv| (gv.clone(), cache.resources_file(gv)))
            .collect();
        let from_files: Vec<Option<ResourceList>> = if use_files {
            blocking(move || {
                files
                    .iter()
                    .map(|(_, path)| read_fresh::<ResourceList>(path, ttl))
                    .collect()
            })
            .await
        } else {
            vec![None; group_versions.len()]
        };
        let from_server = fresh;
        if !from_server && from_files.iter().any(Option::is_none) {
            // one aggregated answer refills every missing file (client-go's memory cache
            // under the disk cache does the same); a legacy server gets per-version requests
            known = self.discovery_roots().await?.known;
        }
        let mut lists = Vec::new();
        let mut missing = Vec::new();
        for (gv, file) in group_versions.into_iter().zip(from_files) {
            if let Some(list) = file {
                fresh = false;
                lists.push((gv, Ok(list)));
                continue;
            }
            match known.remove(&gv) {
                Some(Split::Current(list)) => {
                    if !list.resources.is_empty() {
                        writes.push((cache.resources_file(&gv), encode(&list)));
                    }
                    lists.push((gv, Ok(list)));
                }
                Some(Split::Stale(_)) => {
                    lists.push((gv.clone(), Err(Error::StaleDiscovery { group_version: gv })))
                }
                None => missing.push(gv),
            }
        }
        let fetched = self.resource_lists(missing).await;
        for (gv, result) in &fetched {
            if let Ok(list) = result
                && !list.resources.is_empty()
            {
                writes.push((cache.resources_file(gv), encode(list)));
            }
        }
        lists.extend(fetched);
        if !writes.is_empty() {
            blocking(move || {
                for (path, bytes) in writes {
                    if let Err(err) = write_atomically(&path, &bytes) {
                        tracing::info!(path = %path.display(), error = %err, "failed to write the discovery cache");
                    }
                }
            })
            .await;
        }
        let mut discovery = Discovery::from_parts(&groups, lists);
        discovery.fresh = fresh;
        Ok(discovery)
    }
}

/// Runs file work off the async threads; a panicked or cancelled task counts as a miss.
async fn blocking<T: Default + Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap_or_default()
}

/// The JSON in the form client-go writes (`LegacyCodec`: compact, a final newline).
fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A cache file younger than `ttl`, decoded; `None` when missing, old or unreadable.
fn read_fresh<T: serde::de::DeserializeOwned>(path: &Path, ttl: Duration) -> Option<T> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let age = SystemTime::now()
        .duration_since(modified)
        .unwrap_or_default();
    if age > ttl {
        tracing::debug!(path = %path.display(), "discovery cache file expired");
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(value) => Some(value),
        Err(err) => {
            tracing::debug!(path = %path.display(), error = %err, "unreadable discovery cache file");
            None
        }
    }
}

/// Writes `bytes` to a temporary file next to `path`, makes it `0660` and renames it over
/// `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::hash::{BuildHasher, Hasher};
    use std::io::Write;

    let dir = path.parent().unwrap_or(Path::new("."));
    create_dirs(dir)?;
    let suffix = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let base = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!("{base}.{suffix}"));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        set_mode(&temp, 0o660)?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn create_dirs(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)
}

#[cfg(not(unix))]
fn create_dirs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(server: &str, expected: &str) {
        assert_eq!(cache_dir_name(server), expected, "{server}");
    }

    #[test]
    fn directory_names_are_escaped_as_client_go_does() {
        check("https://127.0.0.1:6443", "127.0.0.1_6443");
        check("https://127.0.0.1:6443/", "127.0.0.1_6443");
        check("http://localhost:8080", "localhost_8080");
        check("https://[::1]:6443", "___1__6443");
        check(
            "https://h.example.com/k8s/clusters/c-1",
            "h.example.com/k8s/clusters/c_1",
        );
        check("https://h/a/../b", "h/b");
        check("https://bücher.example", "b_cher.example");
        check("https://x(y)", "x(y)");
        check("10.0.0.1:6443", "10.0.0.1_6443");
    }

    #[test]
    fn files_are_replaced_whole_with_the_modes_kubectl_uses() {
        let root = tempfile_dir();
        let cache = DiscoveryCache::new(root.join("127.0.0.1_6443"));
        let path = cache.resources_file("apps/v1");
        assert_eq!(
            path,
            root.join("127.0.0.1_6443/apps/v1/serverresources.json")
        );
        write_atomically(&path, b"{}\n").unwrap();
        write_atomically(&path, b"{\"x\":1}\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"x\":1}\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["serverresources.json"], "no temporary file is left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o660);
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn old_files_are_not_used() {
        let root = tempfile_dir();
        let path = root.join("servergroups.json");
        std::fs::write(
            &path,
            br#"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#,
        )
        .unwrap();
        assert!(read_fresh::<GroupList>(&path, Duration::from_secs(60)).is_some());
        assert!(read_fresh::<GroupList>(&path, Duration::ZERO).is_none());
        std::fs::write(&path, b"not json").unwrap();
        assert!(read_fresh::<GroupList>(&path, Duration::from_secs(60)).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        use std::hash::{BuildHasher, Hasher};
        let n = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let dir = std::env::temp_dir().join(format!("kubeset-discovery-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
