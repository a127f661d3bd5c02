//! A container's `securityContext` (`ValidateSecurityContext`): user and group ids, procMount,
//! seccomp and AppArmor profiles, `allowPrivilegeEscalation: false` beside `privileged` or
//! `CAP_SYS_ADMIN`, Windows options. Not checked: `privileged` against the cluster policy (the
//! test server allows privileged containers, like `--allow-privileged=true`) and `Unmasked`
//! procMount against the pod's `hostUsers` (not passed in). Where Go prints a whole struct
//! (`%#v`, with pointer addresses) the value is printed as compact JSON instead.

use serde_json::Value;

use crate::validation::{BadValue, FieldError, names};

use super::s;

const MAX_ID: i64 = 2_147_483_647;

fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `ValidateSecurityContext` of the container's `securityContext`, under
/// `{path}.securityContext`.
pub(crate) fn security_context(c: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(sc) = present(c, "securityContext") else {
        return errs;
    };
    let at = format!("{path}.securityContext");
    for key in ["runAsUser", "runAsGroup"] {
        if let Some(id) = present(sc, key).and_then(Value::as_i64)
            && !(0..=MAX_ID).contains(&id)
        {
            errs.push(FieldError::invalid(
                format!("{at}.{key}"),
                id,
                format!("must be between 0 and {MAX_ID}, inclusive"),
            ));
        }
    }
    if let Some(mount) = present(sc, "procMount") {
        let mount = mount.as_str().unwrap_or("");
        if !matches!(mount, "Default" | "Unmasked") {
            errs.push(FieldError::not_supported(
                format!("{at}.procMount"),
                mount,
                &["Default", "Unmasked"],
            ));
        }
    }
    if let Some(sp) = present(sc, "seccompProfile") {
        errs.extend(seccomp(sp, &format!("{at}.seccompProfile")));
    }
    if present(sc, "allowPrivilegeEscalation").and_then(Value::as_bool) == Some(false) {
        let dump = BadValue::Raw(sc.to_string());
        if present(sc, "privileged").and_then(Value::as_bool) == Some(true) {
            errs.push(FieldError::invalid(
                at.as_str(),
                dump.clone(),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        let added = sc
            .pointer("/capabilities/add")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for cap in added {
            if cap.as_str() == Some("CAP_SYS_ADMIN") {
                errs.push(FieldError::invalid(
                    at.as_str(),
                    dump.clone(),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                ));
            }
        }
    }
    if let Some(w) = present(sc, "windowsOptions") {
        errs.extend(windows(w, &format!("{at}.windowsOptions")));
    }
    if let Some(p) = present(sc, "appArmorProfile") {
        errs.extend(app_armor(p, &format!("{at}.appArmorProfile")));
    }
    errs
}

/// `validateSeccompProfileField`.
fn seccomp(sp: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let kind = s(sp, "type");
    const TYPES: [&str; 3] = ["Localhost", "RuntimeDefault", "Unconfined"];
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{at}.type"),
            "type is required when seccompProfile is set",
        ));
    } else if !TYPES.contains(&kind) {
        errs.push(FieldError::not_supported(
            format!("{at}.type"),
            kind,
            &TYPES,
        ));
    }
    let profile = present(sp, "localhostProfile");
    if kind == "Localhost" {
        match profile {
            None => errs.push(FieldError::required(
                format!("{at}.localhostProfile"),
                "must be set when seccomp type is Localhost",
            )),
            Some(p) => {
                let p = p.as_str().unwrap_or("");
                let here = format!("{at}.localhostProfile");
                if p.starts_with('/') {
                    errs.push(FieldError::invalid(
                        here.as_str(),
                        p,
                        "must be a relative path",
                    ));
                }
                if p.split('/').any(|part| part == "..") {
                    errs.push(FieldError::invalid(here, p, "must not contain '..'"));
                }
            }
        }
    } else if profile.is_some() {
        errs.push(FieldError::invalid(
            format!("{at}.localhostProfile"),
            BadValue::Raw(sp.to_string()),
            "can only be set when seccomp type is Localhost",
        ));
    }
    errs
}

/// `ValidateAppArmorProfileField`.
pub(super) fn app_armor(p: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let here = format!("{at}.localhostProfile");
    let profile = present(p, "localhostProfile");
    match s(p, "type") {
        "Localhost" => match profile.map(|v| v.as_str().unwrap_or("")) {
            None => errs.push(FieldError::required(
                here,
                "must be set when AppArmor type is Localhost",
            )),
            Some(name) => {
                if name.trim() != name {
                    errs.push(FieldError::invalid(
                        here.as_str(),
                        name,
                        "must not be padded with whitespace",
                    ));
                } else if name.is_empty() {
                    errs.push(FieldError::required(
                        here.as_str(),
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                if name.len() > 4095 {
                    errs.push(FieldError::too_long(here, 4095));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(v) = profile {
                errs.push(FieldError::invalid(
                    here,
                    v.clone(),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(FieldError::required(
            format!("{at}.type"),
            "type is required when appArmorProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            format!("{at}.type"),
            other,
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    errs
}

fn netbios_domain(d: &str) -> bool {
    const BAD: &[char] = &['\\', '/', ':', '*', '?', '"', '<', '>', '|'];
    let mut chars = d.chars();
    match chars.next() {
        Some(first) if !BAD.contains(&first) && first != '.' => {}
        _ => return false,
    }
    let rest: Vec<char> = chars.collect();
    rest.len() <= 14 && rest.iter().all(|c| !BAD.contains(c))
}

fn dns_domain(d: &str) -> bool {
    d.split('.').all(|label| {
        let b = label.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    })
}

/// `validateWindowsSecurityContextOptions`.
pub(super) fn windows(w: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(name) = present(w, "gmsaCredentialSpecName").and_then(Value::as_str) {
        for msg in names::dns1123_subdomain(name) {
            errs.push(FieldError::invalid(
                format!("{at}.gmsaCredentialSpecName"),
                name,
                msg,
            ));
        }
    }
    if let Some(spec) = present(w, "gmsaCredentialSpec").and_then(Value::as_str) {
        let here = format!("{at}.gmsaCredentialSpec");
        if spec.is_empty() {
            errs.push(FieldError::invalid(
                here,
                spec,
                "gmsaCredentialSpec cannot be an empty string",
            ));
        } else if spec.len() > 64 * 1024 {
            errs.push(FieldError::invalid(
                here,
                spec,
                "gmsaCredentialSpec size must be under 64 KiB",
            ));
        }
    }
    let Some(user_name) = present(w, "runAsUserName").and_then(Value::as_str) else {
        return errs;
    };
    let here = format!("{at}.runAsUserName");
    let bad = |msg: &str| FieldError::invalid(here.as_str(), user_name, msg.to_owned());
    let parts: Vec<&str> = user_name.split('\\').collect();
    if user_name.is_empty() {
        errs.push(bad("runAsUserName cannot be an empty string"));
    } else if user_name.chars().any(|c| c.is_ascii_control()) {
        errs.push(bad("runAsUserName cannot contain control characters"));
    } else if parts.len() > 2 {
        errs.push(bad("runAsUserName cannot contain more than one backslash"));
    } else {
        let (domain, user) = match parts.as_slice() {
            [user] => (None, *user),
            [domain, user] => (Some(*domain), *user),
            _ => (None, ""),
        };
        if domain.is_some_and(|d| d.len() >= 256) {
            errs.push(bad(
                "runAsUserName's Domain length must be under 256 characters",
            ));
        }
        if let Some(d) = domain
            && !(netbios_domain(d) || dns_domain(d))
        {
            errs.push(bad(
                "runAsUserName's Domain doesn't match the NetBios nor the DNS format",
            ));
        }
        if user.is_empty() {
            errs.push(bad("runAsUserName's User cannot be empty"));
        } else if user.len() > 104 {
            errs.push(bad(
                "runAsUserName's User length must not be longer than 104 characters",
            ));
        }
        if !user.is_empty() && user.chars().all(|c| c == '.' || c == ' ') {
            errs.push(bad(
                "runAsUserName's User cannot contain only periods or spaces",
            ));
        }
        if user.contains([
            '"', '/', '\\', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>', '@', '[', ']',
        ]) {
            errs.push(bad(
                "runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]",
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests;
