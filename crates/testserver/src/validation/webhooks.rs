//! admissionregistration.k8s.io/v1 webhook configurations
//! (`ValidateValidatingWebhookConfiguration`, `ValidateMutatingWebhookConfiguration` and their
//! `...Update`): fully qualified, unique webhook names, rules, failure/match/reinvocation
//! policies, side effects, timeouts, selectors, the client config (exactly one of `url` and
//! `service`, `ValidateWebhookURL`, `ValidateWebhookService`), match conditions and admission
//! review versions.
//!
//! An update relaxes what the stored object already broke, as the real server does: side
//! effects other than `None`/`NoneOnDryRun`, review versions this server does not know,
//! duplicate names and selector values that are not label values stay allowed when the stored
//! object had them, and unchanged match conditions are not compiled again.

use std::collections::HashSet;

use serde_json::Value;

use super::admission_rules::{items, match_conditions, opt_str, rule_with_operations, strings};
use super::{ErrorKind, FieldError, go_url, names, net, selector};

/// Which kind of webhook configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hooks {
    /// ValidatingWebhookConfigurations.
    Validating,
    /// MutatingWebhookConfigurations (which also have a reinvocation policy).
    Mutating,
}

/// `validationOptions`, as far as webhooks use them.
#[derive(Debug, Clone, Copy)]
struct Options {
    ignore_match_conditions: bool,
    require_no_side_effects: bool,
    require_recognized_review_version: bool,
    require_unique_names: bool,
    allow_invalid_label_values: bool,
}

const CREATE: Options = Options {
    ignore_match_conditions: false,
    require_no_side_effects: true,
    require_recognized_review_version: true,
    require_unique_names: true,
    allow_invalid_label_values: false,
};

const SELECTORS: [&str; 2] = ["namespaceSelector", "objectSelector"];

/// The review versions this server speaks (`AcceptedAdmissionReviewVersions`).
const REVIEW_VERSIONS: [&str; 2] = ["v1", "v1beta1"];
const FAILURE_POLICIES: [&str; 2] = ["Fail", "Ignore"];
const MATCH_POLICIES: [&str; 2] = ["Equivalent", "Exact"];
const REINVOCATION_POLICIES: [&str; 2] = ["IfNeeded", "Never"];
const ALL_SIDE_EFFECTS: [&str; 4] = ["None", "NoneOnDryRun", "Some", "Unknown"];
const NO_SIDE_EFFECTS: [&str; 2] = ["None", "NoneOnDryRun"];

impl Hooks {
    /// `Validate*WebhookConfiguration` without `ObjectMeta`.
    pub(crate) fn validate(self, obj: &Value) -> Vec<FieldError> {
        self.configuration(obj, CREATE)
    }

    /// `Validate*WebhookConfigurationUpdate` without `ObjectMeta`.
    pub(crate) fn validate_update(self, new: &Value, old: &Value) -> Vec<FieldError> {
        let (new_hooks, old_hooks) = (items(new.get("webhooks")), items(old.get("webhooks")));
        let conditions = |h: &Value| h.get("matchConditions").cloned();
        let opts = Options {
            ignore_match_conditions: new_hooks.len() == old_hooks.len()
                && new_hooks
                    .iter()
                    .zip(old_hooks)
                    .all(|(n, o)| conditions(n) == conditions(o)),
            require_no_side_effects: old_hooks
                .iter()
                .all(|h| opt_str(h, "sideEffects").is_some_and(|s| NO_SIDE_EFFECTS.contains(&s))),
            require_recognized_review_version: old_hooks.iter().all(|h| {
                let versions = strings(h.get("admissionReviewVersions"));
                versions.is_empty() || versions.iter().any(|v| REVIEW_VERSIONS.contains(v))
            }),
            require_unique_names: {
                let mut seen = HashSet::new();
                old_hooks
                    .iter()
                    .all(|h| seen.insert(opt_str(h, "name").unwrap_or("")))
            },
            allow_invalid_label_values: old_hooks.iter().any(|h| {
                SELECTORS
                    .iter()
                    .any(|key| !selector::label_selector(h.get(*key), key).is_empty())
            }),
        };
        self.configuration(new, opts)
    }

    fn configuration(self, obj: &Value, opts: Options) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let mut seen = HashSet::new();
        for (i, hook) in items(obj.get("webhooks")).iter().enumerate() {
            let path = format!("webhooks[{i}]");
            errs.extend(self.webhook(hook, opts, &path));
            errs.extend(review_versions(
                hook.get("admissionReviewVersions"),
                opts.require_recognized_review_version,
                &format!("{path}.admissionReviewVersions"),
            ));
            let name = opt_str(hook, "name").unwrap_or("");
            if opts.require_unique_names && !name.is_empty() && !seen.insert(name) {
                errs.push(FieldError::duplicate(format!("{path}.name"), name));
            }
        }
        errs
    }

    /// `validateValidatingWebhook` / `validateMutatingWebhook`.
    fn webhook(self, hook: &Value, opts: Options, path: &str) -> Vec<FieldError> {
        let mut errs =
            fully_qualified_name(opt_str(hook, "name").unwrap_or(""), &format!("{path}.name"));
        for (i, rule) in items(hook.get("rules")).iter().enumerate() {
            errs.extend(rule_with_operations(rule, &format!("{path}.rules[{i}]")));
        }
        for (key, supported) in [
            ("failurePolicy", &FAILURE_POLICIES),
            ("matchPolicy", &MATCH_POLICIES),
        ] {
            if let Some(v) = opt_str(hook, key)
                && !supported.contains(&v)
            {
                errs.push(FieldError::not_supported(
                    format!("{path}.{key}"),
                    v,
                    supported,
                ));
            }
        }
        let allowed: &[&str] = if opts.require_no_side_effects {
            &NO_SIDE_EFFECTS
        } else {
            &ALL_SIDE_EFFECTS
        };
        match opt_str(hook, "sideEffects") {
            None => errs.push(FieldError::required(
                format!("{path}.sideEffects"),
                format!("must specify one of {}", allowed.join(", ")),
            )),
            Some(s) if !allowed.contains(&s) => errs.push(FieldError::not_supported(
                format!("{path}.sideEffects"),
                s,
                allowed,
            )),
            Some(_) => {}
        }
        if let Some(timeout) = hook.get("timeoutSeconds").and_then(Value::as_i64)
            && !(1..=30).contains(&timeout)
        {
            errs.push(FieldError::invalid(
                format!("{path}.timeoutSeconds"),
                timeout,
                "the timeout value must be between 1 and 30 seconds",
            ));
        }
        for key in SELECTORS {
            let found = selector::label_selector(hook.get(key), &format!("{path}.{key}"));
            // `AllowInvalidLabelValueInSelector` skips the values' label-value rule only
            errs.extend(found.into_iter().filter(|e| {
                !(opts.allow_invalid_label_values
                    && e.kind == ErrorKind::Invalid
                    && e.field.contains(".values["))
            }));
        }
        if self == Hooks::Mutating
            && let Some(policy) = opt_str(hook, "reinvocationPolicy")
            && !REINVOCATION_POLICIES.contains(&policy)
        {
            errs.push(FieldError::not_supported(
                format!("{path}.reinvocationPolicy"),
                policy,
                &REINVOCATION_POLICIES,
            ));
        }
        errs.extend(client_config(
            hook.get("clientConfig").unwrap_or(&Value::Null),
            &format!("{path}.clientConfig"),
        ));
        if !opts.ignore_match_conditions {
            errs.extend(match_conditions(
                hook.get("matchConditions"),
                &format!("{path}.matchConditions"),
            ));
        }
        errs
    }
}

/// `utilvalidation.IsFullyQualifiedName`.
pub(crate) fn fully_qualified_name(name: &str, path: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let problems = names::dns1123_subdomain(name);
    if !problems.is_empty() {
        return vec![FieldError::invalid(path, name, problems.join(","))];
    }
    if name.split('.').count() < 3 {
        return vec![FieldError::invalid(
            path,
            name,
            "should be a domain with at least three segments separated by dots",
        )];
    }
    Vec::new()
}

/// `validateAdmissionReviewVersions`.
fn review_versions(versions: Option<&Value>, require_known: bool, path: &str) -> Vec<FieldError> {
    let versions = strings(versions);
    if versions.is_empty() {
        return vec![FieldError::required(
            path,
            format!("must specify one of {}", REVIEW_VERSIONS.join(", ")),
        )];
    }
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    let mut known = false;
    for (i, v) in versions.iter().enumerate() {
        if !seen.insert(*v) {
            errs.push(FieldError::invalid(
                format!("{path}[{i}]"),
                *v,
                "duplicate version",
            ));
            continue;
        }
        for msg in names::dns1035_label(v) {
            errs.push(FieldError::invalid(format!("{path}[{i}]"), *v, msg));
        }
        known |= REVIEW_VERSIONS.contains(v);
    }
    if require_known && !known {
        errs.push(FieldError::invalid(
            path,
            super::admission_rules::go_slice("string", &versions),
            format!(
                "must include at least one of {}",
                REVIEW_VERSIONS.join(", ")
            ),
        ));
    }
    errs
}

/// The `clientConfig` switch: exactly one of `url` and `service`.
fn client_config(config: &Value, path: &str) -> Vec<FieldError> {
    match (
        opt_str(config, "url"),
        config.get("service").filter(|s| !s.is_null()),
    ) {
        (Some(url), None) => webhook_url(url, &format!("{path}.url"), true),
        (None, Some(service)) => {
            // the real call passes the service's name as the namespace and the namespace as
            // the name, so a missing namespace is reported at `.name` and the reverse
            webhook_service(
                service,
                opt_str(service, "name").unwrap_or(""),
                opt_str(service, "namespace").unwrap_or(""),
                &format!("{path}.service"),
            )
        }
        _ => vec![FieldError::required(
            path,
            "exactly one of url or service is required",
        )],
    }
}

const URL_FORM: &str = "; desired format: https://host[/path]";

/// `webhook.ValidateWebhookURL`.
pub(crate) fn webhook_url(url: &str, path: &str, force_https: bool) -> Vec<FieldError> {
    let u = match go_url::parse(url) {
        Ok(u) => u,
        Err(err) => {
            return vec![FieldError::required(
                path,
                format!("url must be a valid URL: {err}{URL_FORM}"),
            )];
        }
    };
    let mut errs = Vec::new();
    if force_https && u.scheme != "https" {
        errs.push(FieldError::invalid(
            path,
            u.scheme.as_str(),
            format!("'https' is the only allowed URL scheme{URL_FORM}"),
        ));
    }
    if u.host.is_empty() {
        errs.push(FieldError::invalid(
            path,
            "",
            format!("host must be specified{URL_FORM}"),
        ));
    }
    if let Some(user) = &u.user {
        errs.push(FieldError::invalid(
            path,
            user.as_str(),
            "user information is not permitted in the URL",
        ));
    }
    if !u.fragment.is_empty() {
        errs.push(FieldError::invalid(
            path,
            u.fragment.as_str(),
            "fragments are not permitted in the URL",
        ));
    }
    if !u.raw_query.is_empty() {
        errs.push(FieldError::invalid(
            path,
            u.raw_query.as_str(),
            "query parameters are not permitted in the URL",
        ));
    }
    errs
}

/// `webhook.ValidateWebhookService(fldPath, namespace, name, path, port)`; the port defaults
/// to 443.
pub(crate) fn webhook_service(
    service: &Value,
    namespace: &str,
    name: &str,
    path: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    }
    if namespace.is_empty() {
        errs.push(FieldError::required(format!("{path}.namespace"), ""));
    }
    let port = service.get("port").and_then(Value::as_i64).unwrap_or(443);
    let problems = net::port_num(port);
    if !problems.is_empty() {
        errs.push(FieldError::invalid(
            format!("{path}.port"),
            port,
            format!("port is not valid: {}", problems.join(", ")),
        ));
    }
    let Some(url_path) = opt_str(service, "path") else {
        return errs;
    };
    let at = format!("{path}.path");
    if url_path == "/" || url_path.is_empty() {
        return errs;
    }
    if url_path == "//" {
        errs.push(FieldError::invalid(
            at,
            url_path,
            "segment[0] may not be empty",
        ));
        return errs;
    }
    if !url_path.starts_with('/') {
        errs.push(FieldError::invalid(&at, url_path, "must start with a '/'"));
    }
    let mut check = url_path.get(1..).unwrap_or("");
    check = check.strip_suffix('/').unwrap_or(check);
    for (i, step) in check.split('/').enumerate() {
        if step.is_empty() {
            errs.push(FieldError::invalid(
                &at,
                url_path,
                format!("segment[{i}] may not be empty"),
            ));
            continue;
        }
        for failure in names::dns1123_subdomain(step) {
            errs.push(FieldError::invalid(
                &at,
                url_path,
                format!("segment[{i}]: {failure}"),
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests;
