//! The final comparisons: the controller's cache, the writer's record and the mirrors
//! against the server's objects, and the writer's ledger against the server's audit log.

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kubeset_clientset::{Client, ListParams};
use kubeset_runtime::Store;

use crate::cluster::{NAMESPACE, WRITER_USER};
use crate::error::Error;
use crate::writer::{LABEL, Ledger, OP, op_of};

/// How one view of the objects differs from the server's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// On the server, absent from the view (lost).
    pub missing: Vec<String>,
    /// In the view, absent from the server (resurrected, or never removed).
    pub extra: Vec<String>,
    /// In both, in another version.
    pub stale: Vec<String>,
}

impl Diff {
    /// Whether the views agree.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.stale.is_empty()
    }

    fn between(server: &BTreeMap<String, String>, view: &BTreeMap<String, String>) -> Self {
        let mut diff = Diff::default();
        for (name, version) in server {
            match view.get(name) {
                None => diff.missing.push(name.clone()),
                Some(v) if v != version => diff.stale.push(name.clone()),
                Some(_) => {}
            }
        }
        diff.extra = view
            .keys()
            .filter(|name| !server.contains_key(*name))
            .cloned()
            .collect();
        diff
    }
}

/// Writes the server made more or fewer times than the writer made them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExactlyOnce {
    /// Successful writes beyond the writer's (a retried create or update made twice).
    pub duplicates: u64,
    /// Writes the writer made that the server has no record of.
    pub missing: u64,
    /// Where they differ: `name verb: server N, writer M`.
    pub detail: Vec<String>,
}

/// The writer's ConfigMaps on the server: name to (resourceVersion, op).
pub(crate) async fn server_config_maps(
    admin: &Client,
) -> Result<BTreeMap<String, (String, String)>, Error> {
    let list = admin
        .config_maps(NAMESPACE)
        .list(&ListParams::default().labels(&format!("{LABEL}=true")))
        .await
        .map_err(|source| Error::Api {
            what: "list the ConfigMaps",
            source,
        })?;
    Ok(list
        .items
        .iter()
        .map(|cm: &ConfigMap| {
            let op = op_of(cm).map(|op| op.to_string()).unwrap_or_default();
            (name_of(&cm.metadata), (version_of(&cm.metadata), op))
        })
        .collect())
}

/// The mirror Secrets on the server: name to op.
pub(crate) async fn server_secrets(admin: &Client) -> Result<BTreeMap<String, String>, Error> {
    let list = admin
        .secrets(NAMESPACE)
        .list(&ListParams::default())
        .await
        .map_err(|source| Error::Api {
            what: "list the Secrets",
            source,
        })?;
    Ok(list
        .items
        .iter()
        .filter_map(|s: &Secret| {
            let op = s.metadata.annotations.as_ref()?.get(OP)?.clone();
            Some((name_of(&s.metadata), op))
        })
        .collect())
}

fn name_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

fn version_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    meta.resource_version.clone().unwrap_or_default()
}

/// The controller's cache against the server (by resourceVersion).
pub(crate) fn cache(store: &Store<ConfigMap>, server: &BTreeMap<String, (String, String)>) -> Diff {
    let cached = store
        .list()
        .iter()
        .map(|cm| (name_of(&cm.metadata), version_of(&cm.metadata)))
        .collect();
    let server = server
        .iter()
        .map(|(name, (rv, _))| (name.clone(), rv.clone()))
        .collect();
    Diff::between(&server, &cached)
}

/// The writer's record against the server (by the op that last wrote each object); names
/// whose state the writer does not know are left out.
pub(crate) fn writer(
    expected: &BTreeMap<String, u64>,
    unknown: &[String],
    server: &BTreeMap<String, (String, String)>,
) -> Diff {
    let known = |name: &String| !unknown.contains(name);
    let expected = expected
        .iter()
        .filter(|(name, _)| known(name))
        .map(|(name, op)| (name.clone(), op.to_string()))
        .collect();
    let server = server
        .iter()
        .filter(|(name, _)| known(name))
        .map(|(name, (_, op))| (name.clone(), op.clone()))
        .collect();
    // the server is the truth the writer's view is compared with
    Diff::between(&server, &expected)
}

/// The mirrors against their ConfigMaps (by op).
pub(crate) fn mirrors(
    server: &BTreeMap<String, (String, String)>,
    secrets: &BTreeMap<String, String>,
) -> Diff {
    let wanted = server
        .iter()
        .map(|(name, (_, op))| (name.clone(), op.clone()))
        .collect();
    Diff::between(&wanted, secrets)
}

/// The writer's ledger against its successful writes in the audit log.
pub(crate) fn exactly_once(audit_log: &Path, ledger: &Ledger) -> Result<ExactlyOnce, Error> {
    let events = kubeset_audit::read_log(audit_log).map_err(|source| Error::Audit { source })?;
    let mut made: Ledger = Ledger::new();
    for event in &events {
        let success = event
            .response_status
            .as_ref()
            .is_some_and(|s| (200..300).contains(&s.code));
        let Some(object) = &event.object_ref else {
            continue;
        };
        if !success || event.user.username != WRITER_USER || object.resource != "configmaps" {
            continue;
        }
        let slot = match event.verb.as_str() {
            "create" => 0,
            "update" => 1,
            "delete" => 2,
            _ => continue,
        };
        made.entry(object.name.clone()).or_default()[slot] += 1;
    }
    let mut result = ExactlyOnce::default();
    let names: std::collections::BTreeSet<&String> = made.keys().chain(ledger.keys()).collect();
    for name in names {
        let server = made.get(name).copied().unwrap_or_default();
        let writer = ledger.get(name).copied().unwrap_or_default();
        for (slot, verb) in ["create", "update", "delete"].iter().enumerate() {
            let (s, w) = (server[slot], writer[slot]);
            if s != w {
                result.duplicates += s.saturating_sub(w);
                result.missing += w.saturating_sub(s);
                result
                    .detail
                    .push(format!("{name} {verb}: server {s}, writer {w}"));
            }
        }
    }
    Ok(result)
}
