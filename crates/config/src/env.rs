//! Access to environment variables through a trait, so loaders stay testable.
//!
//! Loaders never call `std::env::var` directly: they take an [`Env`]. Production code passes
//! [`ProcessEnv`]; tests pass a map, so no test depends on (or leaks into) the process
//! environment.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;

/// A source of environment variables.
///
/// ```
/// use std::collections::BTreeMap;
/// use kubeset_config::Env;
///
/// let env = BTreeMap::from([("KUBERNETES_SERVICE_HOST", "10.0.0.1")]);
/// assert_eq!(env.var("KUBERNETES_SERVICE_HOST").as_deref(), Some("10.0.0.1".as_ref()));
/// assert_eq!(env.var("HOME"), None);
/// ```
pub trait Env {
    /// The value of `name`, or `None` when it is not set.
    fn var(&self, name: &str) -> Option<OsString>;

    /// The value of `name` when it is set, valid UTF-8 and not empty.
    fn non_empty(&self, name: &str) -> Option<String> {
        self.var(name)
            .and_then(|value| value.into_string().ok())
            .filter(|value| !value.is_empty())
    }
}

/// The environment of the current process.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }
}

impl<K: AsRef<str> + Ord, V: AsRef<str>> Env for BTreeMap<K, V> {
    fn var(&self, name: &str) -> Option<OsString> {
        self.iter()
            .find(|(key, _)| key.as_ref() == name)
            .map(|(_, value)| OsString::from(value.as_ref()))
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S> Env for HashMap<K, V, S> {
    fn var(&self, name: &str) -> Option<OsString> {
        self.iter()
            .find(|(key, _)| key.as_ref() == name)
            .map(|(_, value)| OsString::from(value.as_ref()))
    }
}

impl<E: Env + ?Sized> Env for &E {
    fn var(&self, name: &str) -> Option<OsString> {
        (**self).var(name)
    }
}
