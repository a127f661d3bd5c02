//! Entry points for the fuzz targets in `fuzz/` and their regression tests: not part of the
//! API, no stability promise.

use serde_json::Value;

use crate::selector::{FieldSelector, LabelSelector};
use crate::shared::quantity::Quantity;

/// Parses a label selector and matches it against `object`: `Ok(matched)` or the server's
/// 400 message.
pub fn label_selector(selector: &str, object: &Value) -> Result<bool, String> {
    let parsed = LabelSelector::parse(selector).map_err(|e| e.message)?;
    Ok(parsed.matches_object(object))
}

/// Parses a field selector for pods (the resource with the most field labels) and matches it
/// against `object`: `Ok(matched)` or the server's 400 message.
pub fn field_selector(selector: &str, object: &Value) -> Result<bool, String> {
    let pods = crate::registry::builtin_strategy("", "pods");
    let parsed =
        FieldSelector::parse(selector, &|label| pods.field_label(label)).map_err(|e| e.message)?;
    Ok(parsed.matches(object))
}

/// Parses a quantity and its canonical form: `None` when it is not a quantity.
pub fn quantity(text: &str) -> Option<String> {
    let parsed = Quantity::parse(text)?;
    let _sum = parsed.add(parsed);
    Quantity::canonical(text)
}
