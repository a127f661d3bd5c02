//! ConfigMaps (`pkg/registry/core/configmap/strategy.go`): `binaryData` decoding,
//! validation (immutability first on update), table columns.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, secret};
use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy};
use crate::registry::table::{self, Column, col};
use crate::validation::{Invalid, NameRule, configmap};

const DATA_DESC: &str = "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";

/// The ConfigMap strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConfigMaps;

fn checks(rt: &ResourceType) -> Checks<'_> {
    Checks {
        rt,
        name_rule: NameRule::Subdomain,
    }
}

impl Strategy for ConfigMaps {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        secret::config_map(obj)
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = checks(rt);
        c.create(obj, configmap::validate(obj))
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
            let mut errs = configmap::validate_update(new, old);
            errs.extend(c.object(new, configmap::validate(new)));
            errs
        })
    }

    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![col("Data", DATA_DESC, 0, |v| {
                table::count(v, &["data", "binaryData"])
            })],
            Vec::new(),
        )
    }
}
