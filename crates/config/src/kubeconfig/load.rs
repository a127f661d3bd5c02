//! Finding and reading kubeconfig files: `--kubeconfig`, else `KUBECONFIG`, else
//! `$HOME/.kube/config`.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use super::merge::merge;
use super::model::Kubeconfig;
use super::wire::parse;
use crate::Env;
use crate::error::KubeconfigError;

/// The kubeconfig files to load, in precedence order, and why.
///
/// ```
/// use std::collections::BTreeMap;
/// use kubeset_config::kubeconfig::Sources;
///
/// let env = BTreeMap::from([("KUBECONFIG", "/a:/b::/a"), ("HOME", "/home/me")]);
/// let sources = Sources::from_env(None, &env);
/// assert_eq!(sources.paths(), ["/a", "/b"].map(std::path::Path::new));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sources {
    /// One file named explicitly (`--kubeconfig`): no merging, and it must exist.
    Explicit {
        /// The file.
        path: PathBuf,
    },
    /// The `KUBECONFIG` list: deduplicated, empty entries dropped, missing files skipped.
    EnvList {
        /// The files, in precedence order.
        paths: Vec<PathBuf>,
    },
    /// The default file, `$HOME/.kube/config`; missing means an empty kubeconfig.
    Default {
        /// The file.
        path: PathBuf,
    },
    /// Neither `KUBECONFIG` nor `HOME` is set: no file at all.
    None,
}

impl Sources {
    /// Chooses the files the way kubectl does: `explicit` if given, else the non-empty
    /// `KUBECONFIG`, else `$HOME/.kube/config`.
    pub fn from_env(explicit: Option<&Path>, env: &dyn Env) -> Sources {
        if let Some(path) = explicit.filter(|path| !path.as_os_str().is_empty()) {
            return Sources::Explicit {
                path: path.to_path_buf(),
            };
        }
        if let Some(list) = env.var("KUBECONFIG").filter(|list| !list.is_empty()) {
            return Sources::EnvList {
                paths: split_list(&list),
            };
        }
        match env.var("HOME").filter(|home| !home.is_empty()) {
            Some(home) => Sources::Default {
                path: default_path(Path::new(&home)),
            },
            None => Sources::None,
        }
    }

    /// The candidate files, in precedence order.
    pub fn paths(&self) -> Vec<&Path> {
        match self {
            Sources::Explicit { path } | Sources::Default { path } => vec![path.as_path()],
            Sources::EnvList { paths } => paths.iter().map(PathBuf::as_path).collect(),
            Sources::None => Vec::new(),
        }
    }

    /// Loads and merges the files, as a client does: an explicit file must exist.
    pub fn load(&self) -> Result<Kubeconfig, KubeconfigError> {
        self.load_inner(true)
    }

    /// Loads and merges the files as kubectl's `config` commands do: a missing explicit file
    /// is an empty kubeconfig (those commands may be about to create it).
    pub fn load_lenient(&self) -> Result<Kubeconfig, KubeconfigError> {
        self.load_inner(false)
    }

    fn load_inner(&self, explicit_must_exist: bool) -> Result<Kubeconfig, KubeconfigError> {
        let paths = self.paths();
        let mut files = Vec::with_capacity(paths.len());
        let mut missing = Vec::new();
        for path in &paths {
            match read_file(path)? {
                Some(config) => files.push(config),
                None if explicit_must_exist && matches!(self, Sources::Explicit { .. }) => {
                    return Err(KubeconfigError::NotFound {
                        path: path.to_path_buf(),
                    });
                }
                None => missing.push(path.display().to_string()),
            }
        }
        if matches!(self, Sources::EnvList { .. }) && files.is_empty() && !missing.is_empty() {
            tracing::warn!(files = %missing.join(", "), "no KUBECONFIG file exists");
        }
        Ok(merge(files))
    }
}

/// `$HOME/.kube/config`.
pub(crate) fn default_path(home: &Path) -> PathBuf {
    home.join(".kube").join("config")
}

/// Splits a `KUBECONFIG` value: `:`-separated, empty entries dropped, duplicates dropped.
fn split_list(list: &OsString) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for path in std::env::split_paths(list) {
        if !path.as_os_str().is_empty() && !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// Reads and parses one file; `Ok(None)` when it does not exist.
fn read_file(path: &Path) -> Result<Option<Kubeconfig>, KubeconfigError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(KubeconfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let origin = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = String::from_utf8(bytes).map_err(|_| KubeconfigError::NotUtf8 {
        path: origin.clone(),
    })?;
    parse(&text, &origin).map(Some)
}
