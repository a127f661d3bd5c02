//! The name rules of resource.k8s.io: driver names (`ValidateCSIDriverName`), pool names,
//! device, request and counter names (DNS labels), qualified attribute and capacity names
//! (`[domain/]C-identifier`), share IDs (`validateUID`), label names and values.

use super::super::{FieldError, csi, names};

/// `DeviceMaxDomainLength`.
pub(crate) const DOMAIN_MAX: usize = 63;
/// `DeviceMaxIDLength`.
pub(crate) const ID_MAX: usize = 32;
/// `PoolNameMaxLength`.
const POOL_NAME_MAX: usize = 253;

/// `validateDriverName` (`ValidateCSIDriverName`).
pub(crate) fn driver(name: &str, path: &str) -> Vec<FieldError> {
    csi::driver_name(name, path)
}

/// `ValidateDNS1123Label` at `path` (device, request and counter names).
pub(crate) fn label(value: &str, path: &str) -> Vec<FieldError> {
    names::dns1123_label(value)
        .into_iter()
        .map(|msg| FieldError::invalid(path, value, msg))
        .collect()
}

/// `ValidateDNS1123Subdomain` at `path` (device class names, node names).
pub(crate) fn subdomain(value: &str, path: &str) -> Vec<FieldError> {
    names::dns1123_subdomain(value)
        .into_iter()
        .map(|msg| FieldError::invalid(path, value, msg))
        .collect()
}

/// `validatePoolName`: required, at most 253 bytes, DNS subdomains separated by slashes.
pub(crate) fn pool(name: &str, path: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let mut errs = Vec::new();
    if name.len() > POOL_NAME_MAX {
        errs.push(FieldError::too_long(path, POOL_NAME_MAX));
    }
    for part in name.split('/') {
        errs.extend(subdomain(part, path));
    }
    errs
}

/// `metav1validation.ValidateLabelName`.
pub(crate) fn label_name(value: &str, path: &str) -> Vec<FieldError> {
    names::qualified_name(value)
        .into_iter()
        .map(|msg| FieldError::invalid(path, value, msg))
        .collect()
}

/// `validateLabelValue` (`IsValidLabelValue`).
pub(crate) fn label_value(value: &str, path: &str) -> Vec<FieldError> {
    names::label_value(value)
        .into_iter()
        .map(|msg| FieldError::invalid(path, value, msg))
        .collect()
}

/// `content.IsCIdentifier`.
fn is_c_identifier(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// `validateCIdentifier`: at most 32 bytes, a C identifier.
fn c_identifier(id: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if id.len() > ID_MAX {
        errs.push(FieldError::too_long(path, ID_MAX));
    }
    if !is_c_identifier(id) {
        errs.push(FieldError::invalid(
            path,
            id,
            names::regex_error(
                "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'",
                "[A-Za-z_][A-Za-z0-9_]*",
                &["my_name", "MY_NAME", "MyName"],
            ),
        ));
    }
    errs
}

/// `validateQualifiedName`: a C identifier, or a driver-name domain and a C identifier
/// separated by one slash (more slashes are not checked, as in Go).
pub(crate) fn qualified(name: &str, path: &str) -> Vec<FieldError> {
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        [id] => c_identifier(id, path),
        [domain, id] => {
            let mut errs = Vec::new();
            if domain.is_empty() {
                errs.push(FieldError::invalid(
                    path,
                    "",
                    "the domain must not be empty",
                ));
            } else {
                errs.extend(driver(domain, path));
            }
            if id.is_empty() {
                errs.push(FieldError::invalid(path, "", "the name must not be empty"));
            } else {
                errs.extend(c_identifier(id, path));
            }
            errs
        }
        _ => Vec::new(),
    }
}

/// `validateFullyQualifiedName`: [`qualified`], and there must be a domain.
pub(crate) fn fully_qualified(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = qualified(name, path);
    if !name.contains('/') {
        errs.push(FieldError::invalid(
            path,
            name,
            "a fully qualified name must be a domain and a name separated by a slash",
        ));
    }
    errs
}

/// The problem google/uuid's `Validate` finds in `uid`, if any.
fn uuid_problem(uid: &str) -> Option<String> {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let dashed = |s: &str| {
        let b = s.as_bytes();
        b[8] == b'-'
            && b[13] == b'-'
            && b[18] == b'-'
            && b[23] == b'-'
            && [&s[..8], &s[9..13], &s[14..18], &s[19..23], &s[24..]]
                .iter()
                .all(|p| hex(p))
    };
    let ok = match uid.len() {
        36 => uid.is_ascii() && dashed(uid),
        38 => uid.is_ascii() && uid.starts_with('{') && uid.ends_with('}') && dashed(&uid[1..37]),
        45 => uid.is_ascii() && uid[..9].eq_ignore_ascii_case("urn:uuid:") && dashed(&uid[9..]),
        32 => hex(uid),
        n => return Some(format!("invalid UUID length: {n}")),
    };
    (!ok).then(|| "invalid UUID format".to_owned())
}

/// `validateUID` (share IDs): a UUID in its normalized form.
pub(crate) fn uid(uid: &str, path: &str) -> Vec<FieldError> {
    if let Some(problem) = uuid_problem(uid) {
        return vec![FieldError::invalid(
            path,
            uid,
            format!("error validating uid: {problem}"),
        )];
    }
    if uid.len() != 36 || uid != uid.to_lowercase() {
        return vec![FieldError::invalid(
            path,
            uid,
            "uid must be in RFC 4122 normalized form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` with lowercase hexadecimal characters",
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validation::texts;

    /// `validateQualifiedName` and `validateFullyQualifiedName`.
    #[test]
    fn qualified_names() {
        assert!(qualified("model", "a").is_empty());
        assert!(qualified("gpu.example.com/model_2", "a").is_empty());
        assert_eq!(
            texts(qualified("gpu.example.com/2-model", "a")),
            [
                "a: Invalid value: \"2-model\": a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')"
            ]
        );
        assert_eq!(
            texts(qualified("/", "a")),
            [
                "a: Invalid value: \"\": the domain must not be empty",
                "a: Invalid value: \"\": the name must not be empty"
            ]
        );
        assert_eq!(
            texts(fully_qualified("model", "m")),
            [
                "m: Invalid value: \"model\": a fully qualified name must be a domain and a name separated by a slash"
            ]
        );
        assert_eq!(
            texts(qualified(&"x".repeat(33), "a")),
            ["a: Too long: may not be more than 32 bytes"]
        );
    }

    /// `validatePoolName` and `validateUID`.
    #[test]
    fn pools_and_uids() {
        assert!(pool("node-1/pool.a", "p").is_empty());
        assert_eq!(texts(pool("", "p")), ["p: Required value"]);
        assert_eq!(pool("a//b", "p").len(), 1);
        assert!(uid("0b8b5b3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "s").is_empty());
        assert_eq!(
            texts(uid("abc", "s")),
            ["s: Invalid value: \"abc\": error validating uid: invalid UUID length: 3"]
        );
        assert_eq!(
            texts(uid("0B8B5B3A-1C2D-4E5F-8A9B-0C1D2E3F4A5B", "s")),
            [
                "s: Invalid value: \"0B8B5B3A-1C2D-4E5F-8A9B-0C1D2E3F4A5B\": uid must be in RFC 4122 normalized form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` with lowercase hexadecimal characters"
            ]
        );
    }
}
