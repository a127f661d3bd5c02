//! `validatePodDNSConfig` (kube-apiserver v1.36): with `dnsPolicy: None` a config with at
//! least one nameserver is required; nameservers are IPs (at most 3), searches DNS subdomains
//! that may hold underscores, or `.` (`RelaxedDNSSearchValidation`, on by default; at most 32,
//! 2048 characters), options named.

use serde_json::Value;

use crate::validation::common_status::legacy_ip;
use crate::validation::{BadValue, FieldError, go_quote, names};

const MAX_NAMESERVERS: usize = 3;
const MAX_SEARCHES: usize = 32;
const MAX_SEARCH_CHARS: usize = 2048;
/// `dns1123SubdomainFmtWithUnderscore`.
const SUBDOMAIN_WITH_UNDERSCORE: &str =
    "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*";

/// `IsDNS1123SubdomainWithUnderscore`.
fn subdomain_with_underscore(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(names::max_len_error(253));
    }
    let pattern = format!("^{SUBDOMAIN_WITH_UNDERSCORE}$");
    if !regex_automata::meta::Regex::new(&pattern).is_ok_and(|re| re.is_match(value)) {
        errs.push(names::regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character",
            SUBDOMAIN_WITH_UNDERSCORE,
            &["example.com"],
        ));
    }
    errs
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|s| s.as_str().unwrap_or("")).collect())
        .unwrap_or_default()
}

/// Go's `%v` of a `[]string` in a field error: `[]string{"a", "b"}`.
fn go_strings(list: &[&str]) -> BadValue {
    let inner: Vec<String> = list.iter().map(|s| go_quote(s)).collect();
    BadValue::Raw(format!("[]string{{{}}}", inner.join(", ")))
}

/// `validatePodDNSConfig` of `spec.dnsConfig`.
pub(crate) fn dns_config(spec: &Value, path: &str) -> Vec<FieldError> {
    let at = format!("{path}.dnsConfig");
    let config = spec.get("dnsConfig").filter(|v| v.is_object());
    let nameservers = strings(config.and_then(|c| c.get("nameservers")));
    if spec.get("dnsPolicy").and_then(Value::as_str) == Some("None") {
        if config.is_none() {
            return vec![FieldError::required(
                at,
                "must provide `dnsConfig` when `dnsPolicy` is None",
            )];
        }
        if nameservers.is_empty() {
            return vec![FieldError::required(
                format!("{at}.nameservers"),
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            )];
        }
    }
    let mut errs = Vec::new();
    let Some(config) = config else {
        return errs;
    };
    if nameservers.len() > MAX_NAMESERVERS {
        errs.push(FieldError::invalid(
            format!("{at}.nameservers"),
            go_strings(&nameservers),
            format!("must not have more than {MAX_NAMESERVERS} nameservers"),
        ));
    }
    for (i, ns) in nameservers.iter().enumerate() {
        errs.extend(legacy_ip(&format!("{at}.nameservers[{i}]"), ns, false));
    }
    let searches = strings(config.get("searches"));
    if searches.len() > MAX_SEARCHES {
        errs.push(FieldError::invalid(
            format!("{at}.searches"),
            go_strings(&searches),
            format!("must not have more than {MAX_SEARCHES} search paths"),
        ));
    }
    if searches.join(" ").len() > MAX_SEARCH_CHARS {
        errs.push(FieldError::invalid(
            format!("{at}.searches"),
            go_strings(&searches),
            format!(
                "must not have more than {MAX_SEARCH_CHARS} characters (including spaces) in the search list"
            ),
        ));
    }
    for (i, search) in searches.iter().enumerate() {
        if *search == "." {
            continue;
        }
        let search = search.strip_suffix('.').unwrap_or(search);
        for msg in subdomain_with_underscore(search) {
            errs.push(FieldError::invalid(
                format!("{at}.searches[{i}]"),
                search,
                msg,
            ));
        }
    }
    if let Some(options) = config.get("options").and_then(Value::as_array) {
        for (i, option) in options.iter().enumerate() {
            if option
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
            {
                errs.push(FieldError::required(
                    format!("{at}.options[{i}]"),
                    "must not be empty",
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errs(spec: Value) -> Vec<String> {
        dns_config(&spec, "spec")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// `validatePodDNSConfig` with `dnsPolicy: None`: config, then a nameserver, required.
    #[test]
    fn policy_none_needs_nameservers() {
        assert_eq!(
            errs(json!({"dnsPolicy": "None"})),
            ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]
        );
        assert_eq!(
            errs(json!({"dnsPolicy": "None", "dnsConfig": {"searches": ["x"]}})),
            [
                "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"
            ]
        );
        assert!(errs(json!({"dnsPolicy": "ClusterFirst"})).is_empty());
    }

    /// `validatePodDNSConfig`: nameserver count and IPs, search names, option names.
    #[test]
    fn config_fields() {
        let got = errs(json!({"dnsPolicy": "ClusterFirst", "dnsConfig": {
            "nameservers": ["1.1.1.1", "2.2.2.2", "3.3.3.3", "dns"],
            "searches": ["ok.example.", "Bad_"],
            "options": [{"name": "ndots", "value": "2"}, {"value": "1"}],
        }}));
        assert_eq!(
            got[0],
            "spec.dnsConfig.nameservers: Invalid value: []string{\"1.1.1.1\", \"2.2.2.2\", \"3.3.3.3\", \"dns\"}: must not have more than 3 nameservers"
        );
        assert_eq!(
            got[1],
            "spec.dnsConfig.nameservers[3]: Invalid value: \"dns\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
        );
        assert!(got[2].starts_with("spec.dnsConfig.searches[1]: Invalid value: \"Bad_\": a lowercase RFC 1123 subdomain"), "{got:?}");
        assert_eq!(
            got[3],
            "spec.dnsConfig.options[1]: Required value: must not be empty"
        );
        assert_eq!(got.len(), 4, "{got:?}");
    }

    /// `validatePodDNSConfig` with `AllowRelaxedDNSSearchValidation`: `.` and underscores pass;
    /// the limits are 32 paths and 2048 characters (`MaxDNSSearchPaths`,
    /// `MaxDNSSearchListChars`).
    #[test]
    fn relaxed_searches_and_limits() {
        let ok = json!({"dnsConfig": {"searches": [".", "_srv._tcp.example.com", "a_b."]}});
        assert!(errs(ok).is_empty());
        let many: Vec<String> = (0..33).map(|i| format!("s{i}")).collect();
        let got = errs(json!({"dnsConfig": {"searches": many}}));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].ends_with(": must not have more than 32 search paths"),
            "{got:?}"
        );
        let long = vec!["x".repeat(250); 9];
        let got = errs(json!({"dnsConfig": {"searches": long}}));
        assert!(
            got[0].ends_with(
                ": must not have more than 2048 characters (including spaces) in the search list"
            ),
            "{got:?}"
        );
    }
}
