//! The strategy of built-in types the test server stores without behaviour of their own but
//! validates as far as their `ObjectMeta` (`ValidateObjectMeta` with the type's name function):
//! a name the real server would refuse is refused here too, while their spec rules are not
//! reproduced (the crate's README lists them).

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::strategy::{Checks, Strategy};
use crate::validation::{Invalid, NameRule};

/// `ObjectMeta` validation only, with names checked by `0`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetadataOnly(pub(crate) NameRule);

impl Strategy for MetadataOnly {
    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.0,
        };
        c.create(obj, Vec::new())
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.0,
        };
        c.update(subresource, new, old, || c.object(new, Vec::new()))
    }
}
