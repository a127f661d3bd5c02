//! Secrets (`pkg/registry/core/secret/strategy.go`): `stringData` folded into `data`,
//! validation (immutability first on update), the `type` field selector, table columns.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, secret};
use crate::registry::ResourceType;
use crate::registry::print::{self, text};
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::{self, Column, col};
use crate::selector::{Getter, NAME, NAMESPACE, SelectorError, supported};
use crate::validation::{Invalid, NameRule};

/// The Secret strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Secrets;

fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::Subdomain,
    }
}

impl Strategy for Secrets {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        secret::secret(obj)
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = checks(rt);
        c.create(obj, crate::validation::secret::validate(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = checks(rt);
        c.update(subresource, new, old, || {
            let mut errs = crate::validation::secret::validate_update(new, old);
            errs.extend(c.object(new, crate::validation::secret::validate(new)));
            errs
        })
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        supported(
            &[
                ("metadata.name", NAME),
                ("metadata.namespace", NAMESPACE),
                ("type", Getter::Str("/type")),
            ],
            label,
        )
    }

    /// `printSecret`: the type and the number of `data` keys.
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col(
                    "Type",
                    "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
                    0,
                    |v| text(v, "/type").into(),
                ),
                col(
                    "Data",
                    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
                    0,
                    |v| print::len(v, "/data").into(),
                ),
            ],
            Vec::new(),
        )
    }
}
