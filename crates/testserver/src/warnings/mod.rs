//! The `Warning` texts kube-apiserver's strategies send on accepted writes (`WarningsOnCreate`,
//! `WarningsOnUpdate`), one module per `pkg/api/<kind>` package followed, as pure functions
//! of the stored JSON objects. The registry's strategies choose which to call.
//!
//! Guarantees: the texts are Go's, in Go's order (Go's map iterations, which have none, walk
//! the keys sorted); a function warns about what it is given only, never about what the
//! server would have to look up.

pub(crate) mod custom;
pub(crate) mod ip;
pub(crate) mod networking;
pub(crate) mod node;
pub(crate) mod pod;
pub(crate) mod resource_quota;
pub(crate) mod service;
pub(crate) mod storage;
pub(crate) mod workloads;

use serde_json::Value;

/// `parent.child` as Go's `field.Path` prints it (`child` alone under the nil path).
pub(crate) fn child(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// The string at `pointer`, or `""`.
pub(crate) fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The items of the array at `pointer` (none when absent).
pub(crate) fn items<'a>(obj: &'a Value, pointer: &str) -> &'a [Value] {
    obj.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether `obj[key]` is set to something other than `null`.
pub(crate) fn has(obj: &Value, key: &str) -> bool {
    obj.get(key).is_some_and(|v| !v.is_null())
}

/// `%v` of a Go `[]string`.
pub(crate) fn go_list(msgs: &[String]) -> String {
    format!("[{}]", msgs.join(" "))
}

/// The warning of the workloads whose names become pod names and hostnames
/// (`utilvalidation.IsDNS1123Label` in their `WarningsOnCreate`); `used` is what the name
/// is used in, as each strategy words it.
pub(crate) fn dns_label_name(obj: &Value, used: &str) -> Option<String> {
    let msgs = crate::validation::names::dns1123_label(str_at(obj, "/metadata/name"));
    (!msgs.is_empty()).then(|| {
        format!(
            "metadata.name: this is used in {used}, which can result in surprising behavior; a DNS label is recommended: {}",
            go_list(&msgs)
        )
    })
}

/// The warnings of one request as the warning recorder keeps them: empty texts dropped, each
/// text once (`endpoints/filters/warning.go`), in the order they were added.
pub(crate) fn recorded(warnings: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    warnings
        .into_iter()
        .filter(|w| !w.is_empty() && seen.insert(w.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `recorder.AddWarning`: empty and repeated texts are not sent again.
    #[test]
    fn the_recorder_drops_repeats_and_empty_texts() {
        let got = recorded(vec!["a".into(), String::new(), "b".into(), "a".into()]);
        assert_eq!(got, ["a", "b"]);
    }

    /// The workloads' `IsDNS1123Label` warning, `%v` of the messages.
    #[test]
    fn names_that_are_no_dns_label_are_warned_about() {
        let obj = serde_json::json!({"metadata": {"name": "a.b"}});
        assert_eq!(
            dns_label_name(&obj, "the Pod's hostname").as_deref(),
            Some(
                "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]"
            )
        );
        assert_eq!(
            dns_label_name(&serde_json::json!({"metadata": {"name": "ab"}}), "x"),
            None
        );
    }
}
