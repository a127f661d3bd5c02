//! RBAC objects read from manifests (YAML or JSON, many documents, any other kinds ignored),
//! and the bootstrap policy of a fresh cluster.

use std::path::{Path, PathBuf};

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde_json::Value;

use crate::error::Error;

/// The label kube-apiserver puts on its bootstrap roles and bindings.
pub const BOOTSTRAP_LABEL: &str = "kubernetes.io/bootstrapping";

/// Roles, ClusterRoles and their bindings.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Policy {
    /// ClusterRoles.
    pub cluster_roles: Vec<ClusterRole>,
    /// Roles.
    pub roles: Vec<Role>,
    /// ClusterRoleBindings.
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    /// RoleBindings.
    pub role_bindings: Vec<RoleBinding>,
}

impl Policy {
    /// The RBAC objects of YAML (or JSON) text with any number of documents; other kinds
    /// (Deployments, ServiceAccounts) are skipped.
    ///
    /// # Errors
    /// The text is not YAML, or an RBAC object does not decode ([`Error::Manifest`]).
    ///
    /// ```
    /// let policy = kubeset_audit::Policy::from_yaml(
    ///     "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot}\n---\n\
    ///      apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n\
    ///      rules: [{apiGroups: [''], resources: [nodes], verbs: [get]}]\n",
    /// )?;
    /// assert_eq!(policy.cluster_roles.len(), 1);
    /// # Ok::<_, kubeset_audit::Error>(())
    /// ```
    pub fn from_yaml(text: &str) -> Result<Policy, Error> {
        parse(text, Path::new("<text>"))
    }

    /// [`Policy::from_yaml`] of a file, or of every `.yaml`, `.yml` and `.json` file of a
    /// directory (in name order, not recursing).
    ///
    /// # Errors
    /// A file cannot be read ([`Error::Read`]) or parsed ([`Error::Manifest`]).
    ///
    /// ```no_run
    /// let policy = kubeset_audit::Policy::read(std::path::Path::new("examples/deploy/scheduler"))?;
    /// # Ok::<_, kubeset_audit::Error>(())
    /// ```
    pub fn read(path: &Path) -> Result<Policy, Error> {
        let read_error = |source| Error::Read {
            path: path.to_owned(),
            source,
        };
        let files: Vec<PathBuf> = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(read_error)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                })
                .collect();
            files.sort();
            files
        } else {
            vec![path.to_owned()]
        };
        let mut policy = Policy::default();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|source| Error::Read {
                path: file.clone(),
                source,
            })?;
            policy.merge(parse(&text, &file)?);
        }
        Ok(policy)
    }

    /// The bootstrap ClusterRoles daemons bind to (`system:persistent-volume-provisioner`) and
    /// those every authenticated user has (`system:basic-user`, `system:discovery`,
    /// `system:public-info-viewer`) with their bindings, as kube-apiserver v1.36 creates them.
    ///
    /// ```
    /// let policy = kubeset_audit::Policy::bootstrap();
    /// assert!(policy.cluster_roles.iter().any(|r| r.metadata.name.as_deref() == Some("system:persistent-volume-provisioner")));
    /// ```
    pub fn bootstrap() -> Policy {
        // the table is ours and tested; an empty policy would only make comparisons stricter
        parse(include_str!("bootstrap.yaml"), Path::new("bootstrap.yaml")).unwrap_or_default()
    }

    /// Adds another policy's objects.
    pub fn merge(&mut self, other: Policy) {
        self.cluster_roles.extend(other.cluster_roles);
        self.roles.extend(other.roles);
        self.cluster_role_bindings
            .extend(other.cluster_role_bindings);
        self.role_bindings.extend(other.role_bindings);
    }
}

fn parse(text: &str, origin: &Path) -> Result<Policy, Error> {
    let manifest_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Manifest {
        origin: origin.to_owned(),
        source,
    };
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| manifest_error(Box::new(e)))?;
    let mut policy = Policy::default();
    for doc in documents {
        let decode_error = |e: serde_json::Error| manifest_error(Box::new(e));
        match doc.get("kind").and_then(Value::as_str) {
            Some("ClusterRole") => policy
                .cluster_roles
                .push(serde_json::from_value(doc).map_err(decode_error)?),
            Some("Role") => policy
                .roles
                .push(serde_json::from_value(doc).map_err(decode_error)?),
            Some("ClusterRoleBinding") => policy
                .cluster_role_bindings
                .push(serde_json::from_value(doc).map_err(decode_error)?),
            Some("RoleBinding") => policy
                .role_bindings
                .push(serde_json::from_value(doc).map_err(decode_error)?),
            _ => {}
        }
    }
    Ok(policy)
}
