//! What `kubectl config view` does to a loaded kubeconfig: minify, flatten, redact, print.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::model::{AuthInfo, Cluster, Context, Extensions, Kubeconfig, Preferences};
use super::wire::encode;
use crate::error::{EntryRef, Section, ViewError};

/// Shown instead of `*-data` fields unless `--raw` (kubectl's `DATA+OMITTED`).
pub const DATA_OMITTED: &str = "DATA+OMITTED";
/// Shown instead of tokens and passwords unless `--raw` (kubectl's `REDACTED`).
pub const REDACTED: &str = "REDACTED";

impl Kubeconfig {
    /// Keeps only the current context and the cluster and user it names (`--minify`).
    ///
    /// Fails as kubectl does when there is no current context or it names a missing entry;
    /// an empty cluster or user name in the context is allowed.
    pub fn minify(&mut self) -> Result<(), ViewError> {
        if self.current_context.is_empty() {
            return Err(ViewError::NoCurrentContext);
        }
        let Some(context) = self.contexts.remove(&self.current_context) else {
            return Err(ViewError::ContextNotFound {
                name: self.current_context.clone(),
            });
        };
        let cluster = take_named(&mut self.clusters, &context.cluster)
            .map_err(|name| ViewError::ClusterNotFound { name })?;
        let user = take_named(&mut self.users, &context.user)
            .map_err(|name| ViewError::UserNotFound { name })?;
        self.clusters = cluster.into_iter().collect();
        self.users = user.into_iter().collect();
        self.contexts = [(self.current_context.clone(), context)].into();
        Ok(())
    }

    /// Replaces every certificate and key path with the file's content (`--flatten`).
    ///
    /// Relative paths resolve against the directory of the file that set them. A field that
    /// has both a path and inline data is an error, as in kubectl. `tokenFile` is kept.
    pub fn flatten(&mut self) -> Result<(), ViewError> {
        for (name, cluster) in &mut self.clusters {
            let entry = entry_ref(Section::Cluster, name, cluster.origin.as_deref());
            flatten_field(
                &mut cluster.certificate_authority,
                &mut cluster.certificate_authority_data,
                &entry,
                "certificate-authority",
            )?;
        }
        for (name, user) in &mut self.users {
            let entry = entry_ref(Section::User, name, user.origin.as_deref());
            flatten_field(
                &mut user.client_certificate,
                &mut user.client_certificate_data,
                &entry,
                "client-certificate",
            )?;
            let mut key = std::mem::take(&mut user.client_key_data).into_inner();
            let result = flatten_field(&mut user.client_key, &mut key, &entry, "client-key");
            user.client_key_data = key.into();
            result?;
        }
        Ok(())
    }

    /// The kubeconfig as kubectl prints it (`v1` JSON, with kubectl's empty-field rules).
    ///
    /// With `raw == false`, `*-data` fields print as [`DATA_OMITTED`] and tokens and
    /// passwords as [`REDACTED`], as `kubectl config view` does without `--raw`.
    ///
    /// ```
    /// use kubeset_config::kubeconfig::Kubeconfig;
    ///
    /// let yaml = "users:\n- name: u\n  user: {token: s3cr3t}\n";
    /// let config = Kubeconfig::from_yaml(yaml, "/k".as_ref()).unwrap();
    /// let shown = config.to_view_json(false);
    /// assert_eq!(shown["users"][0]["user"]["token"], "REDACTED");
    /// assert_eq!(config.to_view_json(true)["users"][0]["user"]["token"], "s3cr3t");
    /// ```
    pub fn to_view_json(&self, raw: bool) -> Value {
        let list = |items: Vec<Value>| {
            if items.is_empty() {
                Value::Null
            } else {
                Value::Array(items)
            }
        };
        let clusters = self
            .clusters
            .iter()
            .map(|(name, cluster)| json!({"name": name, "cluster": cluster_json(cluster, raw)}))
            .collect();
        let users = self
            .users
            .iter()
            .map(|(name, user)| json!({"name": name, "user": user_json(user, raw)}))
            .collect();
        let contexts = self
            .contexts
            .iter()
            .map(|(name, context)| json!({"name": name, "context": context_json(context)}))
            .collect();
        let mut out = Map::new();
        out.insert("kind".into(), "Config".into());
        out.insert("apiVersion".into(), "v1".into());
        out.insert("preferences".into(), preferences_json(&self.preferences));
        out.insert("clusters".into(), list(clusters));
        out.insert("users".into(), list(users));
        out.insert("contexts".into(), list(contexts));
        out.insert(
            "current-context".into(),
            self.current_context.clone().into(),
        );
        put_extensions(&mut out, &self.extensions);
        Value::Object(out)
    }
}

fn take_named<T>(
    map: &mut std::collections::BTreeMap<String, T>,
    name: &str,
) -> Result<Option<(String, T)>, String> {
    if name.is_empty() {
        return Ok(None);
    }
    map.remove_entry(name)
        .map(Some)
        .ok_or_else(|| name.to_string())
}

pub(crate) fn entry_ref(section: Section, name: &str, origin: Option<&Path>) -> EntryRef {
    EntryRef {
        section,
        name: name.to_string(),
        file: origin.map(Path::to_path_buf),
    }
}

/// Resolves `path` against the directory of `origin`, as clientcmd's `ResolvePath`
/// (`filepath.Join`, which also cleans `.` and `..` lexically).
pub(crate) fn resolve_against(path: &str, origin: Option<&Path>) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match origin.and_then(Path::parent) {
        Some(dir) => clean(&dir.join(path)),
        None => path.to_path_buf(),
    }
}

/// Lexical clean: drops `.` and folds `name/..`, like Go's `filepath.Clean`.
fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !matches!(out.components().next_back(), Some(Component::RootDir)) {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn flatten_field(
    path: &mut String,
    data: &mut Vec<u8>,
    entry: &EntryRef,
    field: &'static str,
) -> Result<(), ViewError> {
    if path.is_empty() {
        return Ok(());
    }
    if !data.is_empty() {
        return Err(ViewError::PathAndData {
            entry: entry.clone(),
            field,
        });
    }
    let resolved = resolve_against(path, entry.file.as_deref());
    *data = std::fs::read(&resolved).map_err(|source| ViewError::File {
        entry: entry.clone(),
        field,
        path: resolved.clone(),
        source,
    })?;
    path.clear();
    Ok(())
}

fn put_str(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.into(), value.into());
    }
}

fn put_bool(map: &mut Map<String, Value>, key: &str, value: bool) {
    if value {
        map.insert(key.into(), true.into());
    }
}

fn put_data(map: &mut Map<String, Value>, key: &str, value: &[u8], raw: bool) {
    if !value.is_empty() {
        let shown = if raw {
            encode(value)
        } else {
            DATA_OMITTED.to_string()
        };
        map.insert(key.into(), shown.into());
    }
}

fn put_secret(map: &mut Map<String, Value>, key: &str, value: &str, raw: bool) {
    if !value.is_empty() {
        map.insert(key.into(), if raw { value } else { REDACTED }.into());
    }
}

fn put_extensions(map: &mut Map<String, Value>, extensions: &Extensions) {
    if !extensions.is_empty() {
        let list = extensions
            .iter()
            .map(|(name, extension)| json!({"name": name, "extension": extension}))
            .collect();
        map.insert("extensions".into(), Value::Array(list));
    }
}

fn preferences_json(preferences: &Preferences) -> Value {
    let mut map = Map::new();
    put_bool(&mut map, "colors", preferences.colors);
    put_extensions(&mut map, &preferences.extensions);
    Value::Object(map)
}

fn cluster_json(cluster: &Cluster, raw: bool) -> Value {
    let mut map = Map::new();
    put_str(&mut map, "server", &cluster.server);
    put_str(&mut map, "tls-server-name", &cluster.tls_server_name);
    put_bool(
        &mut map,
        "insecure-skip-tls-verify",
        cluster.insecure_skip_tls_verify,
    );
    put_str(
        &mut map,
        "certificate-authority",
        &cluster.certificate_authority,
    );
    put_data(
        &mut map,
        "certificate-authority-data",
        &cluster.certificate_authority_data,
        raw,
    );
    put_str(&mut map, "proxy-url", &cluster.proxy_url);
    put_bool(&mut map, "disable-compression", cluster.disable_compression);
    put_extensions(&mut map, &cluster.extensions);
    Value::Object(map)
}

fn user_json(user: &AuthInfo, raw: bool) -> Value {
    let mut map = Map::new();
    put_str(&mut map, "client-certificate", &user.client_certificate);
    put_data(
        &mut map,
        "client-certificate-data",
        &user.client_certificate_data,
        raw,
    );
    put_str(&mut map, "client-key", &user.client_key);
    put_data(
        &mut map,
        "client-key-data",
        user.client_key_data.expose(),
        raw,
    );
    put_secret(&mut map, "token", user.token.expose(), raw);
    put_str(&mut map, "tokenFile", &user.token_file);
    put_str(&mut map, "as", &user.impersonate);
    put_str(&mut map, "as-uid", &user.impersonate_uid);
    if !user.impersonate_groups.is_empty() {
        map.insert("as-groups".into(), json!(user.impersonate_groups));
    }
    if !user.impersonate_user_extra.is_empty() {
        map.insert("as-user-extra".into(), json!(user.impersonate_user_extra));
    }
    put_str(&mut map, "username", &user.username);
    put_secret(&mut map, "password", user.password.expose(), raw);
    if let Some(provider) = &user.auth_provider {
        let config = provider
            .config
            .as_ref()
            .map_or(Value::Null, |config| json!(config.expose()));
        map.insert(
            "auth-provider".into(),
            json!({"name": provider.name, "config": config}),
        );
    }
    if let Some(exec) = &user.exec {
        let mut out = Map::new();
        out.insert("command".into(), exec.command.clone().into());
        out.insert("args".into(), json!(exec.args));
        let env = exec.env.as_ref().map(|env| {
            env.iter()
                .map(|var| json!({"name": var.name, "value": var.value}))
                .collect::<Vec<_>>()
        });
        out.insert("env".into(), json!(env));
        put_str(&mut out, "apiVersion", &exec.api_version);
        put_str(&mut out, "installHint", &exec.install_hint);
        out.insert(
            "provideClusterInfo".into(),
            exec.provide_cluster_info.into(),
        );
        put_str(&mut out, "interactiveMode", &exec.interactive_mode);
        map.insert("exec".into(), Value::Object(out));
    }
    put_extensions(&mut map, &user.extensions);
    Value::Object(map)
}

fn context_json(context: &Context) -> Value {
    let mut map = Map::new();
    map.insert("cluster".into(), context.cluster.clone().into());
    map.insert("user".into(), context.user.clone().into());
    put_str(&mut map, "namespace", &context.namespace);
    put_extensions(&mut map, &context.extensions);
    Value::Object(map)
}
