//! The server's side of admission's [`Lookup`]: reads of the store, RBAC's decisions, the
//! served versions of a resource, and the one write admission makes (ResourceQuota charging a
//! quota's `status.used`), which a dry run skips.

use serde_json::Value;

use crate::admission::{self, Attributes, AuthzQuestion, Lookup, UserInfo};
use crate::api::App;
use crate::api::write::WriteOpts;
use crate::auth::User;
use crate::storage::{Key, Scope};

/// Read access to storage, RBAC's decisions, and the status writes of quota charging, for
/// admission plugins.
pub(crate) struct StoreLookup<'a> {
    pub(crate) app: &'a App,
    /// The request is a dry run: status writes are skipped (and answer `Ok`).
    pub(crate) dry_run: bool,
}

/// The field manager of admission's own writes (the real server's loopback client).
const ADMISSION_MANAGER: &str = "kube-apiserver";

impl Lookup for StoreLookup<'_> {
    fn get(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let key = Key::new(
            &format!("{group}/{resource}"),
            namespace.unwrap_or(""),
            name,
        );
        self.app.store.get(&key).map(|v| (*v).clone())
    }

    fn list(&self, group: &str, resource: &str, namespace: Option<&str>) -> Vec<Value> {
        let Ok(snap) = self.app.store.snapshot(None) else {
            return Vec::new();
        };
        let scope = Scope {
            resource: format!("{group}/{resource}"),
            namespace: namespace.map(str::to_owned),
        };
        snap.range(&scope, None)
            .map(|(_, v)| (**v).clone())
            .collect()
    }

    fn allows(&self, user: &UserInfo<'_>, question: &AuthzQuestion<'_>) -> bool {
        let user = User {
            name: user.name.to_owned(),
            uid: user.uid.to_owned(),
            groups: user.groups.to_vec(),
            extra: user.extra.clone(),
        };
        let attrs = if question.path.is_empty() {
            let mut attrs = crate::rbac::attributes::Attributes::resource(
                question.verb,
                question.group,
                question.resource,
            )
            .named(question.name)
            .in_namespace(question.namespace)
            .with_subresource(question.subresource);
            "*".clone_into(&mut attrs.api_version);
            attrs
        } else {
            crate::rbac::attributes::Attributes::non_resource(question.verb, question.path)
        };
        crate::rbac::seam::decide(&user, &attrs, &*self.app.store).allowed
    }

    fn write_status(
        &self,
        group: &str,
        resource: &str,
        obj: &Value,
    ) -> Result<(), admission::StatusConflict> {
        if self.dry_run {
            return Ok(());
        }
        let rt = self
            .app
            .registry
            .types()
            .find(|rt| rt.group == group && rt.plural == resource && rt.custom.is_none());
        let Some(rt) = rt else {
            return Err(admission::StatusConflict);
        };
        let opts = WriteOpts {
            subresource: "status",
            ..WriteOpts::by_server(ADMISSION_MANAGER)
        };
        let meta = |key: &str| {
            obj.pointer(&format!("/metadata/{key}"))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let status = obj.get("status").cloned().unwrap_or(Value::Null);
        let written = crate::api::write::update(
            self.app,
            rt,
            meta("namespace"),
            meta("name"),
            opts,
            &mut |old| {
                let mut new = old.clone();
                if let Some(map) = new.as_object_mut() {
                    if let Some(m) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                        // an empty resourceVersion would make the write unconditional
                        let rv = meta("resourceVersion");
                        m.insert(
                            "resourceVersion".into(),
                            if rv.is_empty() { "0" } else { rv }.into(),
                        );
                    }
                    map.insert("status".into(), status.clone());
                }
                Ok(new)
            },
        );
        written.map(|_| ()).map_err(|_| admission::StatusConflict)
    }

    fn resource_for(&self, group: &str, version: &str, kind: &str) -> Option<(String, bool)> {
        self.app
            .registry
            .types()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .map(|t| (t.plural.clone(), t.namespaced))
    }

    fn equivalents(&self, attrs: &Attributes<'_>) -> Vec<admission::Equivalent> {
        let registry = &self.app.registry;
        let Some(own) = registry.find(attrs.group, attrs.version, attrs.resource) else {
            return Vec::new();
        };
        let storage = own.storage_prefix();
        registry
            .types()
            .filter(|t| t.storage_prefix() == storage)
            .filter(|t| {
                attrs.subresource.is_empty() || t.subresources.contains_key(attrs.subresource)
            })
            .map(|t| admission::Equivalent {
                group: t.group.clone(),
                version: t.version.clone(),
                resource: t.plural.clone(),
                kind: t.kind.clone(),
            })
            .collect()
    }
}
