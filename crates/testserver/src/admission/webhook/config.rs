//! The webhooks of the stored MutatingWebhookConfigurations and
//! ValidatingWebhookConfigurations, in the order kube-apiserver calls them: configurations
//! sorted by name, each one's webhooks in their listed order (Go's
//! `configuration/{mutating,validating}_webhook_manager.go` sort the configurations; the
//! generic webhook source flattens them).
//!
//! Configurations are stored defaulted (`failurePolicy: Fail`, `timeoutSeconds: 10`,
//! `matchPolicy: Equivalent`, `reinvocationPolicy: Never`, the selectors `{}`), so the fields
//! are read as stored; the defaults are applied again here for safety.

use serde_json::Value;

use crate::admission::Lookup;

const GROUP: &str = "admissionregistration.k8s.io";

/// Which kind of configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// MutatingWebhookConfiguration.
    Mutating,
    /// ValidatingWebhookConfiguration.
    Validating,
}

impl Kind {
    fn resource(self) -> &'static str {
        match self {
            Kind::Mutating => "mutatingwebhookconfigurations",
            Kind::Validating => "validatingwebhookconfigurations",
        }
    }
}

/// One webhook of one configuration.
#[derive(Debug, Clone)]
pub(crate) struct Hook {
    /// `<configuration>/<webhook>/<index>`: what reinvocation tracks a webhook by.
    pub(crate) uid: String,
    /// The configuration's name.
    pub(crate) configuration: String,
    /// The webhook's `name`.
    pub(crate) name: String,
    /// The webhook as stored (rules, selectors, clientConfig, ...).
    pub(crate) spec: Value,
}

impl Hook {
    fn str(&self, key: &str) -> Option<&str> {
        self.spec.get(key).and_then(Value::as_str)
    }

    /// `failurePolicy: Ignore` (the default is `Fail`).
    pub(crate) fn ignores_failures(&self) -> bool {
        self.str("failurePolicy") == Some("Ignore")
    }

    /// `sideEffects` is `None` or `NoneOnDryRun`: the webhook may see dry-run requests.
    pub(crate) fn dry_run_safe(&self) -> bool {
        matches!(self.str("sideEffects"), Some("None" | "NoneOnDryRun"))
    }

    /// `reinvocationPolicy: IfNeeded`.
    pub(crate) fn reinvocable(&self) -> bool {
        self.str("reinvocationPolicy") == Some("IfNeeded")
    }

    /// `timeoutSeconds` (default 10).
    pub(crate) fn timeout_seconds(&self) -> u64 {
        self.spec
            .get("timeoutSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(10)
    }

    /// `admissionReviewVersions`, in the webhook's order of preference.
    pub(crate) fn review_versions(&self) -> Vec<&str> {
        self.spec
            .get("admissionReviewVersions")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

/// Every stored webhook of `kind`, in calling order.
pub(crate) fn hooks(kind: Kind, lookup: &dyn Lookup) -> Vec<Hook> {
    let mut configurations = lookup.list(GROUP, kind.resource(), None);
    configurations.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    let mut out = Vec::new();
    for configuration in &configurations {
        let webhooks = configuration
            .get("webhooks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (index, spec) in webhooks.iter().enumerate() {
            let name = spec.get("name").and_then(Value::as_str).unwrap_or("");
            out.push(Hook {
                uid: format!("{}/{name}/{index}", name_of(configuration)),
                configuration: name_of(configuration).to_owned(),
                name: name.to_owned(),
                spec: spec.clone(),
            });
        }
    }
    out
}

/// Whether any webhook configuration is stored (the cheap check before a request is moved to
/// the blocking pool).
pub(crate) fn any_stored(lookup: &dyn Lookup) -> bool {
    [Kind::Mutating, Kind::Validating].into_iter().any(|kind| {
        lookup.list(GROUP, kind.resource(), None).iter().any(|c| {
            c.get("webhooks")
                .and_then(Value::as_array)
                .is_some_and(|w| !w.is_empty())
        })
    })
}

fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}
