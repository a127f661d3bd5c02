//! Overrides as kubectl's global flags give them.

/// Values that replace what the kubeconfig says, like kubectl's `--context`, `--cluster`,
/// `--user`, `--namespace` and `--server`. Empty fields override nothing.
///
/// ```
/// use kubeset_config::kubeconfig::Overrides;
///
/// let overrides = Overrides::default().namespace("kube-system").context("dev");
/// assert_eq!(overrides.namespace.as_deref(), Some("kube-system"));
/// assert!(overrides.user.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Overrides {
    /// `--context`: use this context instead of `current-context`.
    pub context: Option<String>,
    /// `--cluster`: use this cluster entry instead of the context's.
    pub cluster: Option<String>,
    /// `--user`: use this user entry instead of the context's.
    pub user: Option<String>,
    /// `--namespace`/`-n`.
    pub namespace: Option<String>,
    /// `--server`: use this URL instead of the cluster's `server`.
    pub server: Option<String>,
}

impl Overrides {
    /// Sets `--context`.
    pub fn context(mut self, name: impl Into<String>) -> Self {
        self.context = Some(name.into());
        self
    }

    /// Sets `--cluster`.
    pub fn cluster(mut self, name: impl Into<String>) -> Self {
        self.cluster = Some(name.into());
        self
    }

    /// Sets `--user`.
    pub fn user(mut self, name: impl Into<String>) -> Self {
        self.user = Some(name.into());
        self
    }

    /// Sets `--namespace`.
    pub fn namespace(mut self, name: impl Into<String>) -> Self {
        self.namespace = Some(name.into());
        self
    }

    /// Sets `--server`.
    pub fn server(mut self, url: impl Into<String>) -> Self {
        self.server = Some(url.into());
        self
    }

    /// An override value, if set and not empty (kubectl ignores empty flags).
    pub(crate) fn get(value: &Option<String>) -> Option<&str> {
        value.as_deref().filter(|value| !value.is_empty())
    }
}
