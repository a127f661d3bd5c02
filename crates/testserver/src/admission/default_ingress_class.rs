//! The DefaultIngressClass plugin (`plugin/pkg/admission/network/defaultingressclass`): an
//! Ingress created without a class gets the default IngressClass.
//!
//! Guarantees: only a create of `ingresses` (no subresource) whose `spec.ingressClassName` is
//! unset and that has no `kubernetes.io/ingress.class` annotation is changed; the default is the
//! class annotated `ingressclass.kubernetes.io/is-default-class: "true"`, the newest one (then
//! the first by name) when there are several; with none the Ingress is left alone.

use serde_json::Value;

use super::{Attributes, Lookup, Operation};
use crate::shared::json::{name, object_at, str_at};

const GROUP: &str = "networking.k8s.io";
const DEFAULT_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";
/// `networkingv1beta1.AnnotationIngressClass`: the class named the old way.
const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// Sets `spec.ingressClassName` of a new Ingress that names no class.
pub(super) fn admit(attrs: &Attributes<'_>, ingress: &mut Value, lookup: &dyn Lookup) {
    if !attrs.is(GROUP, "ingresses") || attrs.operation != Operation::Create {
        return;
    }
    let named = ingress
        .pointer("/spec/ingressClassName")
        .is_some_and(|v| !v.is_null());
    let annotated = ingress
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(CLASS_ANNOTATION))
        .is_some();
    if named || annotated {
        return;
    }
    let Some(class) = default_class(lookup) else {
        return;
    };
    if let Some(spec) = object_at(ingress, &["spec"]) {
        spec.insert("ingressClassName".into(), Value::String(class));
    }
}

/// `getDefaultClass`: the newest class marked default, the first by name among equals.
fn default_class(lookup: &dyn Lookup) -> Option<String> {
    fn created(c: &Value) -> &str {
        str_at(c, &["metadata", "creationTimestamp"]).unwrap_or("")
    }
    lookup
        .list(GROUP, "ingressclasses", None)
        .iter()
        .filter(|c| {
            c.get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get(DEFAULT_ANNOTATION))
                .and_then(Value::as_str)
                == Some("true")
        })
        .min_by(|a, b| {
            created(b)
                .cmp(created(a))
                .then_with(|| name(a).cmp(name(b)))
        })
        .map(|c| name(c).to_owned())
}

#[cfg(test)]
mod tests {
    //! Each test follows `Admit`/`getDefaultClass` of
    //! `plugin/pkg/admission/network/defaultingressclass/admission.go`.

    use serde_json::{Value, json};

    use super::admit;
    use crate::admission::testing::MemLookup;
    use crate::admission::{Attributes, Operation};

    fn attrs(op: Operation) -> Attributes<'static> {
        Attributes {
            group: "networking.k8s.io",
            resource: "ingresses",
            subresource: "",
            version: "v1",
            kind: "Ingress",
            namespace: "ns",
            name: "",
            operation: op,
            user: None,
        }
    }

    fn class(name: &str, created: &str, default: bool) -> Value {
        let mut c = json!({"metadata": {"name": name, "creationTimestamp": created},
            "spec": {"controller": "example.com/ingress"}});
        if default {
            c["metadata"]["annotations"] =
                json!({"ingressclass.kubernetes.io/is-default-class": "true"});
        }
        c
    }

    fn lookup(classes: &[Value]) -> MemLookup {
        classes.iter().fold(MemLookup::default(), |l, c| {
            l.with("networking.k8s.io", "ingressclasses", None, c.clone())
        })
    }

    /// The class an Ingress `spec` ends up with.
    fn admitted(op: Operation, ingress: Value, lookup: &MemLookup) -> Option<String> {
        let mut ingress = ingress;
        admit(&attrs(op), &mut ingress, lookup);
        ingress
            .pointer("/spec/ingressClassName")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn bare() -> Value {
        json!({"metadata": {"name": "i", "namespace": "ns"}, "spec": {}})
    }

    #[test]
    fn the_newest_default_class_is_set() {
        let l = lookup(&[
            class("old", "2024-01-01T00:00:00Z", true),
            class("new", "2024-06-01T00:00:00Z", true),
            class("newest-but-not-default", "2024-07-01T00:00:00Z", false),
            class("also-new", "2024-06-01T00:00:00Z", true),
        ]);
        assert_eq!(
            admitted(Operation::Create, bare(), &l).as_deref(),
            Some("also-new")
        );
    }

    #[test]
    fn a_named_or_annotated_class_and_updates_are_left_alone() {
        let l = lookup(&[class("d", "2024-01-01T00:00:00Z", true)]);
        let named = json!({"metadata": {"name": "i"}, "spec": {"ingressClassName": "x"}});
        assert_eq!(admitted(Operation::Create, named, &l).as_deref(), Some("x"));
        let annotated = json!({"metadata": {"name": "i",
            "annotations": {"kubernetes.io/ingress.class": "nginx"}}, "spec": {}});
        assert_eq!(admitted(Operation::Create, annotated, &l), None);
        assert_eq!(admitted(Operation::Update, bare(), &l), None);
        assert_eq!(admitted(Operation::Create, bare(), &lookup(&[])), None);
    }
}
