//! What `kubectl config view` does to a loaded kubeconfig: minify, flatten, redact, print.

use std::path::{Path, PathBuf};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

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
        let Some(context) = self.contexts.get(&self.current_context) else {
            return Err(ViewError::ContextNotFound {
                name: self.current_context.clone(),
            });
        };
        // Check everything before changing anything: a failed minify leaves self as it was.
        if !context.cluster.is_empty() && !self.clusters.contains_key(&context.cluster) {
            return Err(ViewError::ClusterNotFound {
                name: context.cluster.clone(),
            });
        }
        if !context.user.is_empty() && !self.users.contains_key(&context.user) {
            return Err(ViewError::UserNotFound {
                name: context.user.clone(),
            });
        }
        let (cluster, user) = (context.cluster.clone(), context.user.clone());
        self.contexts
            .retain(|name, _| *name == self.current_context);
        self.clusters
            .retain(|name, _| *name == cluster && !cluster.is_empty());
        self.users
            .retain(|name, _| *name == user && !user.is_empty());
        Ok(())
    }

    /// Replaces every certificate and key path with the file's content (`--flatten`).
    ///
    /// Relative paths resolve against the directory of the file that set them. A field that
    /// has both a path and inline data is an error, as in kubectl. `tokenFile` is kept.
    pub fn flatten(&mut self) -> Result<(), ViewError> {
        // Work on a copy so that a failure leaves self as it was.
        let mut flat = self.clone();
        flat.flatten_in_place()?;
        *self = flat;
        Ok(())
    }

    fn flatten_in_place(&mut self) -> Result<(), ViewError> {
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

    /// The kubeconfig as kubectl prints it: `v1`, kubectl's empty-field rules and field
    /// order. Serialize it with `serde_json` for kubectl's JSON, byte for byte.
    ///
    /// With `raw == false`, `*-data` fields print as [`DATA_OMITTED`] and tokens and
    /// passwords as [`REDACTED`], as `kubectl config view` does without `--raw`.
    pub fn view(&self, raw: bool) -> ViewDocument {
        let list = |items: Vec<Node>| {
            if items.is_empty() {
                Node::Leaf(Value::Null)
            } else {
                Node::Array(items)
            }
        };
        let named = |key: &str, name: &str, body: Node| {
            let mut entry = Obj::default();
            entry.put("name", Node::Leaf(name.into()));
            entry.put(key, body);
            entry.into()
        };
        let clusters = self
            .clusters
            .iter()
            .map(|(name, cluster)| named("cluster", name, cluster_node(cluster, raw)))
            .collect();
        let users = self
            .users
            .iter()
            .map(|(name, user)| named("user", name, user_node(user, raw)))
            .collect();
        let contexts = self
            .contexts
            .iter()
            .map(|(name, context)| named("context", name, context_node(context)))
            .collect();
        let mut out = Obj::default();
        out.put("kind", Node::Leaf("Config".into()));
        out.put("apiVersion", Node::Leaf("v1".into()));
        out.put("preferences", preferences_node(&self.preferences));
        out.put("clusters", list(clusters));
        out.put("users", list(users));
        out.put("contexts", list(contexts));
        out.put(
            "current-context",
            Node::Leaf(self.current_context.clone().into()),
        );
        out.put_extensions(&self.extensions);
        ViewDocument(out.into())
    }

    /// [`Kubeconfig::view`] as a JSON value (keys sorted, as kubectl's YAML output has them).
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
        self.view(raw).to_json()
    }
}

/// What `kubectl config view` prints: a JSON document whose keys keep kubectl's order.
///
/// ```
/// use kubeset_config::kubeconfig::Kubeconfig;
///
/// let text = serde_json::to_string(&Kubeconfig::default().view(false)).unwrap();
/// assert!(text.starts_with(r#"{"kind":"Config","apiVersion":"v1","preferences":{}"#));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ViewDocument(Node);

impl ViewDocument {
    /// The document as a JSON value (object keys sorted).
    pub fn to_json(&self) -> Value {
        self.0.to_json()
    }
}

impl Serialize for ViewDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Leaf(Value),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
}

impl Node {
    fn to_json(&self) -> Value {
        match self {
            Node::Leaf(value) => value.clone(),
            Node::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(key, node)| (key.clone(), node.to_json()))
                    .collect(),
            ),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_json).collect()),
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Leaf(value) => value.serialize(serializer),
            Node::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (key, node) in fields {
                    map.serialize_entry(key, node)?;
                }
                map.end()
            }
            Node::Array(items) => items.serialize(serializer),
        }
    }
}

/// An object under construction, in kubectl's field order, with Go's `omitempty` helpers.
#[derive(Default)]
struct Obj(Vec<(String, Node)>);

impl From<Obj> for Node {
    fn from(obj: Obj) -> Node {
        Node::Object(obj.0)
    }
}

impl Obj {
    fn put(&mut self, key: &str, node: Node) {
        self.0.push((key.to_string(), node));
    }

    fn put_value(&mut self, key: &str, value: Value) {
        self.put(key, Node::Leaf(value));
    }

    fn put_str(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.put_value(key, value.into());
        }
    }

    fn put_bool(&mut self, key: &str, value: bool) {
        if value {
            self.put_value(key, true.into());
        }
    }

    fn put_data(&mut self, key: &str, value: &[u8], raw: bool) {
        if !value.is_empty() {
            let shown = if raw {
                encode(value)
            } else {
                DATA_OMITTED.to_string()
            };
            self.put_value(key, shown.into());
        }
    }

    fn put_secret(&mut self, key: &str, value: &str, raw: bool) {
        if !value.is_empty() {
            self.put_value(key, if raw { value } else { REDACTED }.into());
        }
    }

    fn put_extensions(&mut self, extensions: &Extensions) {
        if !extensions.is_empty() {
            let list = extensions
                .iter()
                .map(|(name, extension)| {
                    let mut entry = Obj::default();
                    entry.put_value("name", name.as_str().into());
                    entry.put_value("extension", extension.clone());
                    entry.into()
                })
                .collect();
            self.put("extensions", Node::Array(list));
        }
    }
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

fn preferences_node(preferences: &Preferences) -> Node {
    let mut obj = Obj::default();
    obj.put_bool("colors", preferences.colors);
    obj.put_extensions(&preferences.extensions);
    obj.into()
}

fn cluster_node(cluster: &Cluster, raw: bool) -> Node {
    let mut obj = Obj::default();
    obj.put_str("server", &cluster.server);
    obj.put_str("tls-server-name", &cluster.tls_server_name);
    obj.put_bool("insecure-skip-tls-verify", cluster.insecure_skip_tls_verify);
    obj.put_str("certificate-authority", &cluster.certificate_authority);
    obj.put_data(
        "certificate-authority-data",
        &cluster.certificate_authority_data,
        raw,
    );
    obj.put_str("proxy-url", &cluster.proxy_url);
    obj.put_bool("disable-compression", cluster.disable_compression);
    obj.put_extensions(&cluster.extensions);
    obj.into()
}

fn user_node(user: &AuthInfo, raw: bool) -> Node {
    let mut obj = Obj::default();
    obj.put_str("client-certificate", &user.client_certificate);
    obj.put_data(
        "client-certificate-data",
        &user.client_certificate_data,
        raw,
    );
    obj.put_str("client-key", &user.client_key);
    obj.put_data("client-key-data", user.client_key_data.expose(), raw);
    obj.put_secret("token", user.token.expose(), raw);
    obj.put_str("tokenFile", &user.token_file);
    obj.put_str("as", &user.impersonate);
    obj.put_str("as-uid", &user.impersonate_uid);
    if !user.impersonate_groups.is_empty() {
        obj.put_value("as-groups", json!(user.impersonate_groups));
    }
    if !user.impersonate_user_extra.is_empty() {
        obj.put_value("as-user-extra", json!(user.impersonate_user_extra));
    }
    obj.put_str("username", &user.username);
    obj.put_secret("password", user.password.expose(), raw);
    if let Some(provider) = &user.auth_provider {
        let mut out = Obj::default();
        out.put_value("name", provider.name.as_str().into());
        let config = provider
            .config
            .as_ref()
            .map_or(Value::Null, |config| json!(config.expose()));
        out.put_value("config", config);
        obj.put("auth-provider", out.into());
    }
    if let Some(exec) = &user.exec {
        let mut out = Obj::default();
        out.put_value("command", exec.command.as_str().into());
        out.put_value("args", json!(exec.args));
        let env = exec.env.as_ref().map(|env| {
            env.iter()
                .map(|var| json!({"name": var.name, "value": var.value}))
                .collect::<Vec<_>>()
        });
        out.put_value("env", json!(env));
        out.put_str("apiVersion", &exec.api_version);
        out.put_str("installHint", &exec.install_hint);
        out.put_value("provideClusterInfo", exec.provide_cluster_info.into());
        out.put_str("interactiveMode", &exec.interactive_mode);
        obj.put("exec", out.into());
    }
    obj.put_extensions(&user.extensions);
    obj.into()
}

fn context_node(context: &Context) -> Node {
    let mut obj = Obj::default();
    obj.put_value("cluster", context.cluster.as_str().into());
    obj.put_value("user", context.user.as_str().into());
    obj.put_str("namespace", &context.namespace);
    obj.put_extensions(&context.extensions);
    obj.into()
}
