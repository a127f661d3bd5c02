//! Field manager names: derived from the User-Agent, validated as the server does.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// The longest field manager name the server accepts, in bytes.
pub const FIELD_MANAGER_MAX_LENGTH: usize = 128;

/// The manager a write is recorded under: `fieldManager` when given and not
/// empty, otherwise the User-Agent up to its first `/` (printable characters
/// only, at most 128 bytes), as kube-apiserver does.
///
/// ```
/// use kubeset_testserver::fields::manager::manager_name;
///
/// assert_eq!(manager_name(None, Some("k8s-transcript/1.0 (linux)")), "k8s-transcript");
/// assert_eq!(manager_name(Some("ctl"), Some("kubectl/v1.32")), "ctl");
/// assert_eq!(manager_name(None, None), "");
/// ```
pub fn manager_name(field_manager: Option<&str>, user_agent: Option<&str>) -> String {
    match field_manager {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => prefix_from_user_agent(user_agent.unwrap_or("")),
    }
}

fn prefix_from_user_agent(user_agent: &str) -> String {
    let prefix = user_agent.split('/').next().unwrap_or("");
    let mut out = String::new();
    for c in prefix.chars().filter(|c| is_print(*c)) {
        if out.len() + c.len_utf8() > FIELD_MANAGER_MAX_LENGTH {
            break;
        }
        out.push(c);
    }
    out
}

/// Go's `unicode.IsPrint`, closely enough: no control, format or space
/// characters other than the ASCII space.
fn is_print(c: char) -> bool {
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'))
}

/// Which request options the error is about (the `kind` of the 422 Status).
///
/// ```
/// use kubeset_testserver::fields::manager::{OptionsKind, validate_options};
///
/// let err = validate_options(OptionsKind::Create, Some("bad\u{0}"), false, None).unwrap_err();
/// assert_eq!(err.to_status()["details"]["kind"], "CreateOptions");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsKind {
    /// POST.
    Create,
    /// PUT.
    Update,
    /// PATCH.
    Patch,
}

impl OptionsKind {
    fn name(self) -> &'static str {
        match self {
            OptionsKind::Create => "CreateOptions",
            OptionsKind::Update => "UpdateOptions",
            OptionsKind::Patch => "PatchOptions",
        }
    }
}

/// One field error of invalid request options.
///
/// ```
/// use kubeset_testserver::fields::manager::{OptionsKind, validate_options};
///
/// let err = validate_options(OptionsKind::Patch, None, true, None).unwrap_err();
/// assert_eq!(err.causes[0].field, "fieldManager");
/// assert_eq!(err.causes[0].reason, "FieldValueRequired");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsCause {
    /// The Status cause reason (`FieldValueRequired`, ...).
    pub reason: &'static str,
    /// The cause message (`Required value: is required for apply patch`).
    pub message: String,
    /// The option (`fieldManager`, `force`).
    pub field: &'static str,
}

/// Request options the server rejects with 422 Invalid.
///
/// ```
/// use kubeset_testserver::fields::manager::{OptionsKind, validate_options};
///
/// let err = validate_options(OptionsKind::Patch, None, true, None).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
/// );
/// assert_eq!(err.to_status()["code"], 422);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct InvalidOptions {
    /// Which options.
    pub kind: OptionsKind,
    /// What is wrong, in the server's order.
    pub causes: Vec<OptionsCause>,
}

impl InvalidOptions {
    /// The Status message.
    pub fn message(&self) -> String {
        let errors: Vec<String> = self
            .causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let list = match errors.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        format!("{}.meta.k8s.io \"\" is invalid: {list}", self.kind.name())
    }

    /// The whole 422 Status object.
    pub fn to_status(&self) -> Value {
        let causes: Vec<Value> = self
            .causes
            .iter()
            .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
            .collect();
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": "Invalid",
            "details": {"group": "meta.k8s.io", "kind": self.kind.name(), "causes": causes},
            "code": 422,
        })
    }
}

/// Validates `fieldManager` and `force` as kube-apiserver validates
/// Create/Update/PatchOptions: apply patches need a field manager, `force`
/// (even `false`) is only for apply patches, names are at most 128 bytes of
/// printable characters.
pub fn validate_options(
    kind: OptionsKind,
    field_manager: Option<&str>,
    apply: bool,
    force: Option<bool>,
) -> Result<(), InvalidOptions> {
    let manager = field_manager.unwrap_or("");
    let mut causes = Vec::new();
    if kind == OptionsKind::Patch {
        if !apply && force.is_some() {
            causes.push(OptionsCause {
                reason: "FieldValueForbidden",
                message: "Forbidden: may not be specified for non-apply patch".to_owned(),
                field: "force",
            });
        }
        if apply && manager.is_empty() {
            causes.push(OptionsCause {
                reason: "FieldValueRequired",
                message: "Required value: is required for apply patch".to_owned(),
                field: "fieldManager",
            });
        }
    }
    if manager.len() > FIELD_MANAGER_MAX_LENGTH {
        causes.push(OptionsCause {
            reason: "FieldValueTooLong",
            message: format!("Too long: may not be more than {FIELD_MANAGER_MAX_LENGTH} bytes"),
            field: "fieldManager",
        });
    }
    for (position, c) in manager.char_indices().filter(|(_, c)| !is_print(*c)) {
        causes.push(OptionsCause {
            reason: "FieldValueInvalid",
            message: format!(
                "Invalid value: {}: invalid character U+{:04X} (at position {position})",
                go_quote(manager),
                u32::from(c)
            ),
            field: "fieldManager",
        });
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(InvalidOptions { kind, causes })
    }
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(
        kind: OptionsKind,
        manager: Option<&str>,
        apply: bool,
        force: Option<bool>,
        expected: Option<&str>,
    ) {
        let got = validate_options(kind, manager, apply, force)
            .err()
            .map(|e| e.to_string());
        assert_eq!(got.as_deref(), expected);
    }

    #[test]
    fn options_are_validated_like_the_server() {
        use OptionsKind::*;
        check(Patch, Some("a"), true, Some(true), None);
        check(Patch, None, false, None, None);
        check(Create, None, false, None, None);
        check(
            Patch,
            None,
            false,
            Some(true),
            Some(
                "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch",
            ),
        );
        check(
            Patch,
            None,
            false,
            Some(false),
            Some(
                "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch",
            ),
        );
        check(
            Create,
            Some(&"x".repeat(129)),
            false,
            None,
            Some(
                "CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be more than 128 bytes",
            ),
        );
        check(
            Update,
            Some("a\u{0}b\n"),
            false,
            None,
            Some(
                "UpdateOptions.meta.k8s.io \"\" is invalid: [fieldManager: Invalid value: \"a\\x00b\\n\": invalid character U+0000 (at position 1), fieldManager: Invalid value: \"a\\x00b\\n\": invalid character U+000A (at position 3)]",
            ),
        );
    }

    #[test]
    fn status_has_the_causes() {
        let err = validate_options(OptionsKind::Patch, None, false, Some(true)).unwrap_err();
        let status = err.to_status();
        assert_eq!(
            status["details"]["causes"][0]["reason"],
            "FieldValueForbidden"
        );
        assert_eq!(status["details"]["kind"], "PatchOptions");
    }

    #[test]
    fn names_come_from_the_user_agent() {
        assert_eq!(
            manager_name(Some(""), Some("kubectl/v1.32.0 (linux/amd64)")),
            "kubectl"
        );
        assert_eq!(manager_name(None, Some("no-slash")), "no-slash");
        assert_eq!(manager_name(None, Some("a\u{1}b/1")), "ab");
        assert_eq!(manager_name(None, Some(&"é".repeat(100))).len(), 128);
    }
}
