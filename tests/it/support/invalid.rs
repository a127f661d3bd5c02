//! Reading a 422 Invalid answer: what the validation tests compare with the real server's.

use kubeset::clientset::Error;
use serde_json::{Value, json};

/// The 422's message, and its causes as `(field, reason)`.
#[track_caller]
pub(crate) fn invalid(err: &Error) -> (String, Vec<(String, String)>) {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!((api.code, api.reason()), (422, "Invalid"), "{err}");
    let causes = err
        .status()
        .and_then(|s| s.details.as_ref())
        .and_then(|d| d.causes.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.field.unwrap_or_default(), c.reason.unwrap_or_default()))
        .collect();
    (api.message().to_owned(), causes)
}

/// A pod spec with one pause container and `restart` as its restart policy.
pub(crate) fn pod_spec(restart: &str) -> Value {
    json!({"restartPolicy": restart,
        "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]})
}
