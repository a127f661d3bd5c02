//! Options of the write verbs: create, replace, patch, delete.

use serde::Serialize;

use crate::query::Query;

/// How the server validates unknown or duplicate fields in a write (`fieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValidation {
    /// Drop them silently.
    Ignore,
    /// Drop them and answer with a `Warning` header (the server's default).
    Warn,
    /// Reject the request.
    Strict,
}

impl FieldValidation {
    fn as_str(self) -> &'static str {
        match self {
            FieldValidation::Ignore => "Ignore",
            FieldValidation::Warn => "Warn",
            FieldValidation::Strict => "Strict",
        }
    }
}

/// The builder methods and the query of the options every write verb shares (`dryRun`,
/// `fieldManager`, `fieldValidation`), written once for each options type.
macro_rules! write_options {
    ($ty:ident) => {
        impl $ty {
            /// Sets dry-run.
            pub fn dry_run(mut self) -> Self {
                self.dry_run = true;
                self
            }
            /// Sets the field manager.
            pub fn field_manager(mut self, manager: &str) -> Self {
                self.field_manager = Some(manager.to_owned());
                self
            }
            /// Sets field validation.
            pub fn validation(mut self, validation: FieldValidation) -> Self {
                self.field_validation = Some(validation);
                self
            }

            /// Writes the shared options; `force` (apply only) goes between the field manager
            /// and the validation, where the API server's own clients put it.
            fn write_shared(&self, q: &mut Query, force: bool) {
                if self.dry_run {
                    q.push("dryRun", "All");
                }
                q.push_opt("fieldManager", self.field_manager.as_deref());
                q.push_flag("force", force);
                q.push_opt(
                    "fieldValidation",
                    self.field_validation.map(FieldValidation::as_str),
                );
            }
        }
    };
}

/// Options of `create` and `replace` (and the subresource writes).
///
/// ```
/// use kubeset_clientset::PostParams;
///
/// let pp = PostParams::default().dry_run().field_manager("my-controller");
/// assert!(pp.dry_run);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostParams {
    /// Validate and default but do not persist (`dryRun=All`).
    pub dry_run: bool,
    /// Who owns the written fields (`fieldManager`).
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
}

write_options!(PostParams);

impl PostParams {
    pub(crate) fn write(&self, q: &mut Query) {
        self.write_shared(q, false);
    }
}

/// Options of `patch`.
///
/// ```
/// use kubeset_clientset::PatchParams;
///
/// // Server-side apply needs a field manager; force takes over conflicting fields.
/// let pp = PatchParams::apply("my-controller").force();
/// assert!(pp.force);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatchParams {
    /// Validate and default but do not persist (`dryRun=All`).
    pub dry_run: bool,
    /// Who owns the written fields (`fieldManager`; required for apply).
    pub field_manager: Option<String>,
    /// Take over fields owned by other managers (`force`, apply only).
    pub force: bool,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
}

impl PatchParams {
    /// Options for server-side apply as `manager`.
    pub fn apply(manager: &str) -> Self {
        Self {
            field_manager: Some(manager.to_owned()),
            ..Self::default()
        }
    }
    /// Sets force (apply conflicts are overridden).
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    pub(crate) fn write(&self, q: &mut Query) {
        self.write_shared(q, self.force);
    }
}

write_options!(PatchParams);

/// What happens to an object's dependents when it is deleted (`propagationPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PropagationPolicy {
    /// Leave dependents, removing their owner references.
    Orphan,
    /// Delete the object now, dependents in the background.
    Background,
    /// Delete dependents first; the object stays with a `foregroundDeletion` finalizer.
    Foreground,
}

/// Preconditions a delete checks (409 Conflict when they fail).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Preconditions {
    /// The object must have this uid (not a re-created namesake).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The object must be at this resourceVersion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

/// Options of `delete` and `delete_collection` (sent as a `DeleteOptions` body).
///
/// ```
/// use kubeset_clientset::{DeleteParams, PropagationPolicy};
///
/// let dp = DeleteParams::default()
///     .grace_period(0)
///     .propagation(PropagationPolicy::Foreground)
///     .precondition_uid("8f0c…");
/// assert_eq!(dp.grace_period_seconds, Some(0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeleteParams {
    /// Validate but do not delete (`dryRun: ["All"]`).
    #[serde(skip)]
    pub dry_run: bool,
    /// Seconds before the object is removed; `0` deletes at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<u32>,
    /// What happens to dependents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation_policy: Option<PropagationPolicy>,
    /// Conditions the object must meet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preconditions: Option<Preconditions>,
}

impl DeleteParams {
    /// Sets dry-run.
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }
    /// Sets the grace period.
    pub fn grace_period(mut self, seconds: u32) -> Self {
        self.grace_period_seconds = Some(seconds);
        self
    }
    /// Sets the propagation policy.
    pub fn propagation(mut self, policy: PropagationPolicy) -> Self {
        self.propagation_policy = Some(policy);
        self
    }
    /// Requires the object's uid.
    pub fn precondition_uid(mut self, uid: &str) -> Self {
        self.preconditions.get_or_insert_with(Default::default).uid = Some(uid.to_owned());
        self
    }
    /// Requires the object's resourceVersion.
    pub fn precondition_version(mut self, version: &str) -> Self {
        self.preconditions
            .get_or_insert_with(Default::default)
            .resource_version = Some(version.to_owned());
        self
    }

    /// The `DeleteOptions` body, or `None` when every option is default (no body is sent).
    pub(crate) fn body(&self) -> Option<serde_json::Value> {
        if *self == Self::default() {
            return None;
        }
        let mut value = serde_json::to_value(self).ok()?;
        if let Some(object) = value.as_object_mut() {
            object.insert("apiVersion".into(), "v1".into());
            object.insert("kind".into(), "DeleteOptions".into());
            if self.dry_run {
                object.insert("dryRun".into(), serde_json::json!(["All"]));
            }
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_options_body() {
        assert_eq!(DeleteParams::default().body(), None);
        let body = DeleteParams::default()
            .dry_run()
            .precondition_uid("u")
            .propagation(PropagationPolicy::Orphan)
            .body()
            .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"apiVersion": "v1", "kind": "DeleteOptions", "dryRun": ["All"],
                "propagationPolicy": "Orphan", "preconditions": {"uid": "u"}})
        );
    }
}
