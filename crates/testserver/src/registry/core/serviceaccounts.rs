//! ServiceAccounts (`pkg/registry/core/serviceaccount/strategy.go`): `ObjectMeta` validation
//! and the `Secrets` column.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::print;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The ServiceAccount strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceAccounts;

impl Validated for ServiceAccounts {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(_obj: &Value) -> Vec<FieldError> {
        Vec::new()
    }
}

impl Strategy for ServiceAccounts {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        strategy::validate::<Self>(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }

    /// `printServiceAccount`: the number of listed secrets (a `string` column of integers,
    /// as Go declares it).
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![col(
                "Secrets",
                "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
                0,
                |v| print::len(v, "/secrets").into(),
            )],
            Vec::new(),
        )
    }
}
