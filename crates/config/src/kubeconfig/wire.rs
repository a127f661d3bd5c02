//! The on-disk `v1` format and its parsing (YAML or JSON, UTF-8 with or without BOM).
//!
//! Parsing follows kubectl's YAML → JSON → struct path: YAML 1.1 booleans (`yes`, `on`) and
//! legacy octal numbers are understood in untyped places (extensions), duplicate keys keep
//! the last value, a number or boolean where a string belongs is an error, and unknown fields
//! are ignored.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use serde::Deserialize;

use super::gojson::{GoKey, GoString, GoValue, SecretWire, StrictBool};
use super::model::{
    AuthInfo, AuthProviderConfig, Cluster, Context, ExecEnvVar, ExecSpec, Extensions, Kubeconfig,
    Preferences,
};
use crate::Secret;
use crate::error::{EntryRef, KubeconfigError, Section};

#[derive(Deserialize, Default)]
#[serde(default)]
struct File {
    kind: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    preferences: Option<PreferencesWire>,
    clusters: Option<Vec<NamedCluster>>,
    users: Option<Vec<NamedUser>>,
    contexts: Option<Vec<NamedContext>>,
    #[serde(rename = "current-context")]
    current_context: Option<String>,
    extensions: Option<Vec<NamedExtension>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NamedCluster {
    name: Option<String>,
    cluster: Option<ClusterWire>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NamedUser {
    name: Option<String>,
    user: Option<UserWire>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NamedContext {
    name: Option<String>,
    context: Option<ContextWire>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NamedExtension {
    name: Option<String>,
    extension: Option<GoValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PreferencesWire {
    colors: Option<StrictBool>,
    extensions: Option<Vec<NamedExtension>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct ClusterWire {
    server: Option<String>,
    tls_server_name: Option<String>,
    insecure_skip_tls_verify: Option<StrictBool>,
    certificate_authority: Option<String>,
    certificate_authority_data: Option<String>,
    proxy_url: Option<String>,
    disable_compression: Option<StrictBool>,
    extensions: Option<Vec<NamedExtension>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct UserWire {
    client_certificate: Option<String>,
    client_certificate_data: Option<String>,
    client_key: Option<String>,
    client_key_data: Option<SecretWire>,
    token: Option<SecretWire>,
    #[serde(rename = "tokenFile")]
    token_file: Option<String>,
    #[serde(rename = "as")]
    impersonate: Option<String>,
    #[serde(rename = "as-uid")]
    impersonate_uid: Option<String>,
    #[serde(rename = "as-groups")]
    impersonate_groups: Option<Vec<GoString>>,
    #[serde(rename = "as-user-extra")]
    impersonate_user_extra: Option<BTreeMap<GoKey, Option<Vec<GoString>>>>,
    username: Option<String>,
    password: Option<SecretWire>,
    auth_provider: Option<AuthProviderWire>,
    exec: Option<ExecWire>,
    extensions: Option<Vec<NamedExtension>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuthProviderWire {
    name: Option<String>,
    config: Option<BTreeMap<GoKey, Option<SecretWire>>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ExecWire {
    command: Option<String>,
    args: Option<Vec<GoString>>,
    env: Option<Vec<ExecEnvWire>>,
    api_version: Option<String>,
    install_hint: Option<String>,
    provide_cluster_info: Option<StrictBool>,
    interactive_mode: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExecEnvWire {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContextWire {
    cluster: Option<String>,
    user: Option<String>,
    namespace: Option<String>,
    extensions: Option<Vec<NamedExtension>>,
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        legacy_octal_numbers: true,
        no_schema: true,
        with_snippet: false,
    }
}

/// Parses one kubeconfig document. `path` names the file in errors and becomes each entry's
/// origin.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Kubeconfig, KubeconfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Like kubectl, only the first document counts: later ones are not even parsed.
    let file: Option<File> = serde_saphyr::from_str_with_options(first_document(text), options())
        .map_err(|error| {
        let location = error.location();
        KubeconfigError::Syntax {
            path: path.to_path_buf(),
            line: location.map(|l| l.line()),
            column: location.map(|l| l.column()),
            message: syntax_message(&error),
        }
    })?;
    let file = file.unwrap_or_default();
    convert(file, path)
}

/// The text of the first YAML document: up to the second `---` marker or the first `...`
/// marker at the start of a line (markers cannot occur inside a document's content).
fn first_document(text: &str) -> &str {
    let mut seen_content = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = |marker: &str| {
            bare.strip_prefix(marker)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        };
        if is_marker("...") {
            return &text[..offset];
        }
        if is_marker("---") {
            if seen_content {
                return &text[..offset];
            }
            seen_content = true;
        } else if !(bare.trim().is_empty() || bare.starts_with('#') || bare.starts_with('%')) {
            seen_content = true;
        }
        offset += line.len();
    }
    text
}

/// The parser's message without the document snippet (which may hold secrets) and without
/// the position (which we print ourselves).
fn syntax_message(error: &serde_saphyr::Error) -> String {
    let options = serde_saphyr::render_options! {
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let text = error.without_snippet().render_with_options(options);
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

fn convert(file: File, path: &Path) -> Result<Kubeconfig, KubeconfigError> {
    let kind = file.kind.unwrap_or_default();
    let api_version = file.api_version.unwrap_or_default();
    if !(kind.is_empty() || kind == "Config") || !(api_version.is_empty() || api_version == "v1") {
        return Err(KubeconfigError::WrongKind {
            path: path.to_path_buf(),
            kind,
            api_version,
        });
    }
    let origin = Some(path.to_path_buf());
    let current_context = file.current_context.unwrap_or_default();
    let mut config = Kubeconfig {
        current_context_origin: (!current_context.is_empty()).then(|| path.to_path_buf()),
        current_context,
        files: vec![path.to_path_buf()],
        ..Kubeconfig::default()
    };
    if let Some(preferences) = file.preferences {
        config.preferences = Preferences {
            colors: preferences.colors.is_some_and(|b| b.0),
            extensions: extensions(preferences.extensions, path)?,
        };
    }
    config.extensions = extensions(file.extensions, path)?;

    for named in file.clusters.unwrap_or_default() {
        let name = named.name.unwrap_or_default();
        let wire = named.cluster.unwrap_or_default();
        let entry = entry(Section::Cluster, &name, path);
        let cluster = Cluster {
            server: wire.server.unwrap_or_default(),
            tls_server_name: wire.tls_server_name.unwrap_or_default(),
            insecure_skip_tls_verify: wire.insecure_skip_tls_verify.is_some_and(|b| b.0),
            certificate_authority: wire.certificate_authority.unwrap_or_default(),
            certificate_authority_data: decode(
                wire.certificate_authority_data,
                &entry,
                "certificate-authority-data",
            )?,
            proxy_url: wire.proxy_url.unwrap_or_default(),
            disable_compression: wire.disable_compression.is_some_and(|b| b.0),
            extensions: extensions(wire.extensions, path)?,
            origin: origin.clone(),
        };
        insert_unique(&mut config.clusters, name, cluster, Section::Cluster, path)?;
    }

    for named in file.users.unwrap_or_default() {
        let name = named.name.unwrap_or_default();
        let wire = named.user.unwrap_or_default();
        let entry = entry(Section::User, &name, path);
        let user = AuthInfo {
            client_certificate: wire.client_certificate.unwrap_or_default(),
            client_certificate_data: decode(
                wire.client_certificate_data,
                &entry,
                "client-certificate-data",
            )?,
            client_key: wire.client_key.unwrap_or_default(),
            client_key_data: Secret::new(decode(
                wire.client_key_data.map(|data| data.0),
                &entry,
                "client-key-data",
            )?),
            token: Secret::new(wire.token.map(|t| t.0).unwrap_or_default()),
            token_file: wire.token_file.unwrap_or_default(),
            impersonate: wire.impersonate.unwrap_or_default(),
            impersonate_uid: wire.impersonate_uid.unwrap_or_default(),
            impersonate_groups: strings(wire.impersonate_groups.unwrap_or_default()),
            impersonate_user_extra: wire
                .impersonate_user_extra
                .unwrap_or_default()
                .into_iter()
                .map(|(key, values)| (key.0, values.map(strings)))
                .collect(),
            username: wire.username.unwrap_or_default(),
            password: Secret::new(wire.password.map(|p| p.0).unwrap_or_default()),
            auth_provider: wire.auth_provider.map(|provider| AuthProviderConfig {
                name: provider.name.unwrap_or_default(),
                config: provider.config.map(|config| {
                    Secret::new(
                        config
                            .into_iter()
                            .map(|(key, value)| (key.0, value.map(|v| v.0).unwrap_or_default()))
                            .collect(),
                    )
                }),
            }),
            exec: wire.exec.map(|exec| ExecSpec {
                command: exec.command.unwrap_or_default(),
                args: exec.args.map(strings),
                env: exec.env.map(|env| {
                    env.into_iter()
                        .map(|var| ExecEnvVar {
                            name: var.name.unwrap_or_default(),
                            value: var.value.unwrap_or_default(),
                        })
                        .collect()
                }),
                install_hint: exec.install_hint.unwrap_or_default(),
                provide_cluster_info: exec.provide_cluster_info.is_some_and(|b| b.0),
                interactive_mode: default_interactive_mode(
                    exec.interactive_mode.unwrap_or_default(),
                    exec.api_version.as_deref(),
                ),
                api_version: exec.api_version.unwrap_or_default(),
            }),
            extensions: extensions(wire.extensions, path)?,
            origin: origin.clone(),
        };
        insert_unique(&mut config.users, name, user, Section::User, path)?;
    }

    for named in file.contexts.unwrap_or_default() {
        let name = named.name.unwrap_or_default();
        let wire = named.context.unwrap_or_default();
        let context = Context {
            cluster: wire.cluster.unwrap_or_default(),
            user: wire.user.unwrap_or_default(),
            namespace: wire.namespace.unwrap_or_default(),
            extensions: extensions(wire.extensions, path)?,
            origin: origin.clone(),
        };
        insert_unique(&mut config.contexts, name, context, Section::Context, path)?;
    }
    Ok(config)
}

/// clientcmd's defaulting: an empty `interactiveMode` means `IfAvailable` for the beta and
/// alpha APIs (`v1` requires it to be set).
fn default_interactive_mode(mode: String, api_version: Option<&str>) -> String {
    match api_version {
        Some("client.authentication.k8s.io/v1beta1" | "client.authentication.k8s.io/v1alpha1")
            if mode.is_empty() =>
        {
            String::from("IfAvailable")
        }
        _ => mode,
    }
}

fn strings(list: Vec<GoString>) -> Vec<String> {
    list.into_iter().map(|s| s.0).collect()
}

fn entry(section: Section, name: &str, path: &Path) -> EntryRef {
    EntryRef {
        section,
        name: name.to_string(),
        file: Some(path.to_path_buf()),
    }
}

fn insert_unique<T>(
    map: &mut BTreeMap<String, T>,
    name: String,
    value: T,
    section: Section,
    path: &Path,
) -> Result<(), KubeconfigError> {
    if map.contains_key(&name) {
        return Err(KubeconfigError::DuplicateName {
            path: path.to_path_buf(),
            section,
            name,
        });
    }
    map.insert(name, value);
    Ok(())
}

fn extensions(
    list: Option<Vec<NamedExtension>>,
    path: &Path,
) -> Result<Extensions, KubeconfigError> {
    let mut map = Extensions::new();
    for named in list.unwrap_or_default() {
        let name = named.name.unwrap_or_default();
        let value = named.extension.map_or(serde_json::Value::Null, |v| v.0);
        insert_unique(&mut map, name, value, Section::Extension, path)?;
    }
    Ok(map)
}

/// Decodes a `*-data` field as Go's `encoding/json` decodes `[]byte`: standard alphabet,
/// padding required, line breaks ignored, non-zero trailing bits accepted.
fn decode(
    data: Option<String>,
    entry: &EntryRef,
    field: &'static str,
) -> Result<Vec<u8>, KubeconfigError> {
    let Some(data) = data else {
        return Ok(Vec::new());
    };
    let compact: String = data.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    ENGINE
        .decode(compact)
        .map_err(|source| KubeconfigError::Base64 {
            entry: entry.clone(),
            field,
            source,
        })
}

const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

/// Encodes bytes as kubectl prints `*-data` fields.
pub(crate) fn encode(data: &[u8]) -> String {
    ENGINE.encode(data)
}
