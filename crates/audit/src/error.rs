//! Errors of reading audit logs and manifests.

use std::path::{Path, PathBuf};

/// Why a log or manifest could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("failed to read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line of an audit log is not an audit event.
    #[error("audit log line {line} is not an audit event")]
    Line {
        /// The line number, from 1.
        line: usize,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A manifest is not YAML (or JSON) of Kubernetes objects.
    #[error("manifest {} is not YAML of Kubernetes objects", origin.display())]
    Manifest {
        /// The file (or `<text>` for text given directly).
        origin: PathBuf,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An object could not be encoded as YAML.
    #[error("failed to encode an RBAC object as YAML")]
    Yaml {
        /// The cause.
        #[source]
        source: serde_saphyr::SerializeError,
    },
    /// An error in a file.
    #[error("in {}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// This error as one in `path`.
    pub(crate) fn in_file(self, path: &Path) -> Error {
        Error::InFile {
            path: path.to_owned(),
            source: Box::new(self),
        }
    }
}
