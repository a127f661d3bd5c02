//! The provisioner's configuration file: upstream's ConfigMap keys in one YAML document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Config {
    /// Storage class name -> where its volumes are discovered.
    pub(crate) storage_class_map: BTreeMap<String, ClassConfig>,
    /// Labels of the node copied onto every PV (e.g. `topology.kubernetes.io/zone`).
    #[serde(default, rename = "nodeLabelsForPV")]
    pub(crate) node_labels_for_pv: Vec<String>,
    /// Labels put on every PV.
    #[serde(default, rename = "labelsForPV")]
    pub(crate) labels_for_pv: BTreeMap<String, String>,
    /// Name the provisioner `local-volume-provisioner-<node>` instead of
    /// `local-volume-provisioner-<node>-<node uid>`.
    #[serde(default)]
    pub(crate) use_node_name_only: bool,
}

/// One storage class.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ClassConfig {
    /// The discovery directory on the host: PVs name `<hostDir>/<entry>`.
    pub(crate) host_dir: PathBuf,
    /// The same directory as mounted in the provisioner's container (default `hostDir`).
    #[serde(default)]
    pub(crate) mount_dir: Option<PathBuf>,
    /// `Filesystem` (the default; `Block` is not supported by this example).
    #[serde(default = "filesystem")]
    pub(crate) volume_mode: String,
    /// `spec.local.fsType` of the PVs, if set.
    #[serde(default)]
    pub(crate) fs_type: Option<String>,
}

fn filesystem() -> String {
    "Filesystem".to_owned()
}

impl ClassConfig {
    /// Where this process reads the discovery directory.
    pub(crate) fn mount_dir(&self) -> &Path {
        self.mount_dir.as_deref().unwrap_or(&self.host_dir)
    }
}

/// Why the configuration cannot be used (written by hand: `thiserror` is no dependency of
/// the root package).
#[derive(Debug)]
pub(crate) enum ConfigError {
    /// The file could not be read.
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The YAML is not a configuration.
    Parse {
        path: PathBuf,
        source: Box<serde_saphyr::Error>,
    },
    /// A class asks for something this provisioner does not do.
    Invalid { class: String, reason: String },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, .. } => write!(f, "cannot read configuration {}", path.display()),
            Self::Parse { path, .. } => {
                write!(f, "configuration {} is not valid", path.display())
            }
            Self::Invalid { class, reason } => write!(f, "storage class {class}: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            Self::Parse { source, .. } => Some(source.as_ref()),
            Self::Invalid { .. } => None,
        }
    }
}

impl Config {
    /// Reads and checks the file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let config: Config =
            serde_saphyr::from_str(&text).map_err(|source| ConfigError::Parse {
                path: path.to_owned(),
                source: Box::new(source),
            })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        for (class, c) in &self.storage_class_map {
            let invalid = |reason: &str| ConfigError::Invalid {
                class: class.clone(),
                reason: reason.to_owned(),
            };
            if c.volume_mode != "Filesystem" {
                return Err(invalid(&format!(
                    "volumeMode {:?} is not supported (only Filesystem; upstream cleans block \
                     devices with a script this example does not ship)",
                    c.volume_mode
                )));
            }
            if !c.host_dir.is_absolute() || !c.mount_dir().is_absolute() {
                return Err(invalid("hostDir and mountDir must be absolute paths"));
            }
        }
        Ok(())
    }
}
