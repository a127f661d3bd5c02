//! Where each value of a resolved [`Config`](crate::Config) came from.
//!
//! The basis for a "why is my client talking to X as Y" report. Values are summarised with
//! secrets redacted: a token shows as `<redacted>`, inline key data as its length.

use std::fmt;
use std::path::PathBuf;

/// The source of one setting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A field of a kubeconfig entry.
    Kubeconfig {
        /// The file that defined the entry, when known.
        file: Option<PathBuf>,
        /// The entry (`cluster "prod"`, `user "admin"`, `context "dev"`, `current-context`).
        entry: String,
        /// The field (`server`, `token`, ...).
        field: &'static str,
    },
    /// An override (kubectl's global flags, or [`Overrides`](crate::kubeconfig::Overrides)).
    Override {
        /// The flag (`--server`, `--namespace`, ...).
        flag: &'static str,
    },
    /// An environment variable.
    EnvVar {
        /// The variable's name.
        name: &'static str,
    },
    /// A file read directly (the in-cluster ServiceAccount files).
    File {
        /// The file.
        path: PathBuf,
    },
    /// A built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Kubeconfig { file, entry, field } => {
                write!(f, "{field} of {entry}")?;
                match file {
                    Some(file) => write!(f, " in {}", file.display()),
                    None => Ok(()),
                }
            }
            Source::Override { flag } => write!(f, "override {flag}"),
            Source::EnvVar { name } => write!(f, "environment variable {name}"),
            Source::File { path } => write!(f, "file {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// One setting, its (redacted) value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Origin {
    /// The setting, named as in kubeconfig (`server`, `namespace`, `token`, ...).
    pub setting: &'static str,
    /// A printable summary of the value; secrets are `<redacted>`.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// The origins of the settings of one resolved configuration, in resolution order.
///
/// ```
/// use kubeset_config::provenance::{Provenance, Source};
///
/// let mut provenance = Provenance::default();
/// provenance.record("namespace", "kube-system", Source::EnvVar { name: "POD_NAMESPACE" });
/// assert_eq!(provenance.get("namespace").unwrap().value, "kube-system");
/// assert!(provenance.to_string().contains("environment variable POD_NAMESPACE"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    origins: Vec<Origin>,
}

impl Provenance {
    /// Records (or replaces) where `setting` came from.
    pub fn record(&mut self, setting: &'static str, value: impl Into<String>, source: Source) {
        let origin = Origin {
            setting,
            value: value.into(),
            source,
        };
        match self.origins.iter_mut().find(|o| o.setting == setting) {
            Some(existing) => *existing = origin,
            None => self.origins.push(origin),
        }
    }

    /// Where `setting` came from, if it was set.
    pub fn get(&self, setting: &str) -> Option<&Origin> {
        self.origins.iter().find(|origin| origin.setting == setting)
    }

    /// All recorded settings, in resolution order.
    pub fn iter(&self) -> impl Iterator<Item = &Origin> {
        self.origins.iter()
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for origin in &self.origins {
            writeln!(
                f,
                "{}: {} (from {})",
                origin.setting, origin.value, origin.source
            )?;
        }
        Ok(())
    }
}

/// The summary shown for a secret value.
pub(crate) const REDACTED: &str = "<redacted>";
