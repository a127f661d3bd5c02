//! What a caller reports: an event's type, reason, action, note and the objects it concerns.

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};

/// The most bytes of a note the API server accepts; longer notes are cut at a char boundary.
pub(crate) const MAX_NOTE_BYTES: usize = 1024;

/// The most bytes of `reportingInstance` the API server accepts.
const MAX_INSTANCE_BYTES: usize = 128;

/// `Normal` or `Warning`, the two types the API server accepts.
///
/// ```
/// use kubeset_runtime::events::EventType;
/// assert_eq!(EventType::Warning.as_str(), "Warning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Something expected happened (scheduled, provisioned, scaled).
    Normal,
    /// Something may need attention (a failed mount, a retried reconcile).
    Warning,
}

impl EventType {
    /// The name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Who reports: `reportingController` (a qualified name such as `example.com/provisioner`)
/// and `reportingInstance` (this replica, such as its pod name; cut to 128 bytes).
///
/// ```
/// use kubeset_runtime::events::Reporter;
/// let reporter = Reporter::new("example.com/provisioner", "provisioner-7d9f-x2x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    pub(crate) controller: String,
    pub(crate) instance: String,
}

impl Reporter {
    /// A reporter named `controller`, running as `instance`.
    pub fn new(controller: impl Into<String>, instance: impl Into<String>) -> Self {
        let mut instance = instance.into();
        truncate(&mut instance, MAX_INSTANCE_BYTES);
        Self {
            controller: controller.into(),
            instance,
        }
    }
}

/// One event to record: about the `regarding` object, optionally naming a `related` one.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_runtime::events::{NewEvent, reference_to};
///
/// let mut pod = Pod::default();
/// pod.metadata.name = Some("web-0".into());
/// pod.metadata.namespace = Some("apps".into());
/// let event = NewEvent::warning(reference_to(&pod), "FailedMount", "Mounting")
///     .note("volume data is not attached yet");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub(crate) type_: EventType,
    pub(crate) reason: String,
    pub(crate) action: String,
    pub(crate) note: Option<String>,
    pub(crate) regarding: ObjectReference,
    pub(crate) related: Option<ObjectReference>,
}

impl NewEvent {
    /// An event of `type_`: `reason` says why (`FailedMount`, UpperCamelCase), `action` what
    /// was done or tried (`Mounting`).
    pub fn new(
        type_: EventType,
        regarding: ObjectReference,
        reason: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Self {
            type_,
            reason: reason.into(),
            action: action.into(),
            note: None,
            regarding,
            related: None,
        }
    }

    /// A `Normal` event.
    ///
    /// ```
    /// # use kubeset_runtime::events::NewEvent;
    /// # let reference = k8s_openapi::api::core::v1::ObjectReference::default();
    /// let event = NewEvent::normal(reference, "Provisioned", "Provisioning");
    /// ```
    pub fn normal(
        regarding: ObjectReference,
        reason: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Self::new(EventType::Normal, regarding, reason, action)
    }

    /// A `Warning` event.
    pub fn warning(
        regarding: ObjectReference,
        reason: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        Self::new(EventType::Warning, regarding, reason, action)
    }

    /// A human-readable note (at most 1 KiB is kept). Repeats of an event with another note
    /// still join its series: the series keeps the first note, as client-go's does.
    ///
    /// ```
    /// # use kubeset_runtime::events::NewEvent;
    /// # let reference = k8s_openapi::api::core::v1::ObjectReference::default();
    /// let event = NewEvent::normal(reference, "Bound", "Binding").note("bound to pv-17");
    /// ```
    pub fn note(mut self, note: impl Into<String>) -> Self {
        let mut note = note.into();
        truncate(&mut note, MAX_NOTE_BYTES);
        self.note = Some(note);
        self
    }

    /// A second object the event concerns (the node of a scheduling event, the PV of a bind).
    ///
    /// ```
    /// # use kubeset_runtime::events::NewEvent;
    /// # let (pvc, pv) = (Default::default(), Default::default());
    /// let event = NewEvent::normal(pvc, "Bound", "Binding").related(pv);
    /// ```
    pub fn related(mut self, related: ObjectReference) -> Self {
        self.related = Some(related);
        self
    }
}

/// Cuts `s` to at most `max` bytes, at a char boundary.
pub(crate) fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// A reference to `object` for an event's `regarding` or `related` field: its apiVersion,
/// kind, namespace, name, uid and resourceVersion.
///
/// ```
/// use k8s_openapi::api::core::v1::Node;
/// use kubeset_runtime::events::reference_to;
///
/// let mut node = Node::default();
/// node.metadata.name = Some("node-1".into());
/// let reference = reference_to(&node);
/// assert_eq!(reference.kind.as_deref(), Some("Node"));
/// assert_eq!(reference.namespace, None);
/// ```
pub fn reference_to<K>(object: &K) -> ObjectReference
where
    K: Resource + Metadata<Ty = ObjectMeta>,
{
    let meta = object.metadata();
    ObjectReference {
        api_version: Some(K::API_VERSION.to_owned()),
        kind: Some(K::KIND.to_owned()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_notes_are_cut_at_a_char_boundary() {
        let note = "é".repeat(600); // 1200 bytes
        let event = NewEvent::normal(ObjectReference::default(), "R", "A").note(note);
        let kept = event.note.unwrap();
        assert!(kept.len() <= MAX_NOTE_BYTES);
        assert_eq!(kept.len(), 1024);
        assert!(kept.chars().all(|c| c == 'é'));
    }
}
