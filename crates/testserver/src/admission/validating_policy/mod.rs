//! The ValidatingAdmissionPolicy plugin (`k8s.io/apiserver/pkg/admission/plugin/policy/
//! validating`, `dispatcher.Dispatch`): every ValidatingAdmissionPolicyBinding whose policy
//! exists and matches the request is evaluated, and its failed validations deny, warn or are
//! audited as the binding's `validationActions` say.
//!
//! What holds, as in kube-apiserver v1.36:
//! - a policy matches by its `matchConstraints`, a binding by its `matchResources` (all the
//!   policy's requests when absent), through `admission::matching`; writes of policies,
//!   bindings and webhook configurations are never validated;
//! - `paramKind` names a served kind, else the policy fails to configure (`failed to configure
//!   policy: failed to find resource referenced by paramKind: '<group>/<version>, Kind=<kind>'`);
//!   `paramRef` selects by name or selector, in the request's namespace unless it names one;
//!   each parameter is one evaluation; none found is allowed unless `parameterNotFoundAction:
//!   Deny` (`failed to configure binding: no params found for policy binding with `Deny`
//!   parameterNotFoundAction`);
//! - per evaluation: matchConditions, variables, validations, auditAnnotations (see
//!   `validator`), in the CEL environment of `admission::cel`;
//! - errors (compilation, evaluation, configuration) deny under `failurePolicy: Fail` (the
//!   default) and are ignored under `Ignore`;
//! - a denial with the `Deny` action refuses the request with the first one:
//!   `<resource> "<name>" is forbidden: ValidatingAdmissionPolicy '<p>' with binding '<b>'
//!   denied request: <message>`, the validation's reason (`Invalid` by default) and its code
//!   (Forbidden 403, Unauthorized 401, RequestEntityTooLarge 413, otherwise 422); `Warn` adds
//!   the warning `Validation failed for ValidatingAdmissionPolicy '<p>' with binding '<b>':
//!   <message>`; `Audit` adds the failure to the audit annotation
//!   `validation.policy.admission.k8s.io/validation_failure`; auditAnnotations become
//!   `<policy>/<key>` annotations (values of one policy's bindings joined by `, `).
//!
//! Policies run in name order and each policy's bindings in name order (Go's order follows its
//! informer's maps); objects are not converted to the version an `Equivalent` rule names.

mod params;
#[cfg(test)]
mod tests;
mod validator;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::cel::{Input, Request, Resource};
use super::matching::{self, Criteria};
use super::{AdmissionError, Attributes, Lookup, recorder};
use crate::shared::json::name;
use validator::{Annotation, Decision};

/// The API group of policies and bindings.
const GROUP: &str = "admissionregistration.k8s.io";

/// The audit annotation of failures with the `Audit` action.
const VALIDATION_FAILURE: &str = "validation.policy.admission.k8s.io/validation_failure";

/// `maxAuditAnnotationValueLength`.
const MAX_ANNOTATION: usize = 10 * 1024;

/// `maxValidationFailures`.
const MAX_FAILURES: usize = 50;

/// One entry of the `validation_failure` annotation (`ValidationFailureValue`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Failure {
    message: String,
    policy: String,
    binding: String,
    expression_index: usize,
    validation_actions: Vec<String>,
}

/// A denial waiting to be reported (the first one is).
#[derive(Debug)]
struct Denied {
    policy: String,
    /// `None` for an error of the policy itself.
    binding: Option<String>,
    message: String,
    reason: String,
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// Runs the plugin for a request: `obj` is the new object (`None` for a delete), `old` the
/// stored one (`None` for a create).
///
/// # Errors
/// The first denial, as [`AdmissionError::Status`]; a 404 when the request's namespace does
/// not exist.
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    let mut bindings = lookup.list(GROUP, "validatingadmissionpolicybindings", None);
    if bindings.is_empty() {
        return Ok(());
    }
    bindings.sort_by(|a, b| name(a).cmp(name(b)));
    let mut by_policy: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for binding in &bindings {
        by_policy
            .entry(text(binding, "/spec/policyName"))
            .or_default()
            .push(binding);
    }
    let mut run = Run {
        attrs,
        obj,
        old,
        lookup,
        denied: Vec::new(),
        failures: Vec::new(),
    };
    for (policy_name, bindings) in by_policy {
        let Some(policy) = lookup.get(GROUP, "validatingadmissionpolicies", None, policy_name)
        else {
            continue;
        };
        run.policy(&policy, &bindings)?;
    }
    if !run.failures.is_empty() {
        run.failures.truncate(MAX_FAILURES);
        if let Ok(value) = serde_json::to_string(&run.failures) {
            recorder::annotate(VALIDATION_FAILURE.to_owned(), value);
        }
    }
    match run.denied.into_iter().next() {
        Some(denied) => Err(refusal(attrs, obj, denied)),
        None => Ok(()),
    }
}

/// The state of one request's dispatch.
struct Run<'a> {
    attrs: &'a Attributes<'a>,
    obj: Option<&'a Value>,
    old: Option<&'a Value>,
    lookup: &'a dyn Lookup,
    denied: Vec<Denied>,
    failures: Vec<Failure>,
}

impl Run<'_> {
    /// `addConfigError`: a denial under `Fail`, nothing under `Ignore`.
    fn config_error(&mut self, policy: &Value, binding: Option<&Value>, err: String) {
        if text(policy, "/spec/failurePolicy") == "Ignore" {
            return;
        }
        let what = if binding.is_some() {
            "binding"
        } else {
            "policy"
        };
        self.denied.push(Denied {
            policy: name(policy).to_owned(),
            binding: binding.map(|b| name(b).to_owned()),
            message: format!("failed to configure {what}: {err}"),
            reason: String::new(),
        });
    }

    /// One policy and its bindings.
    fn policy(&mut self, policy: &Value, bindings: &[&Value]) -> Result<(), AdmissionError> {
        let (attrs, lookup) = (self.attrs, self.lookup);
        let Some(constraints) = policy.pointer("/spec/matchConstraints") else {
            let err = "policy contained no match constraints, a required field".to_owned();
            self.config_error(policy, None, err);
            return Ok(());
        };
        let criteria = Criteria::of_match_resources(constraints);
        let matched = match matching::matches(&criteria, attrs, self.obj, self.old, lookup) {
            Ok(Some(matched)) => matched,
            Ok(None) => return Ok(()),
            Err(err) => {
                self.config_error(policy, None, err.to_string());
                return Ok(());
            }
        };
        let kind = match params::param_kind(policy, lookup) {
            Ok(kind) => kind,
            Err(err) => {
                self.config_error(policy, None, err);
                return Ok(());
            }
        };
        let info = recorder::request_info();
        let mut annotations: Vec<(String, Vec<String>)> = Vec::new();
        for binding in bindings {
            if let Some(resources) = binding.pointer("/spec/matchResources") {
                let criteria = Criteria::of_match_resources(resources);
                match matching::matches(&criteria, attrs, self.obj, self.old, lookup) {
                    Ok(Some(_)) => {}
                    Ok(None) => continue,
                    Err(err) => {
                        self.config_error(policy, Some(binding), err.to_string());
                        continue;
                    }
                }
            }
            let params = match params::collect(kind.as_ref(), binding, attrs.namespace, lookup) {
                Ok(params) => params,
                Err(err) => {
                    self.config_error(policy, Some(binding), err);
                    continue;
                }
            };
            let namespace = self.namespace()?;
            let request = Request {
                matched: Resource {
                    group: &matched.group,
                    version: &matched.version,
                    resource: &matched.resource,
                    subresource: &matched.subresource,
                    kind: &matched.kind,
                },
                requested: Resource {
                    group: attrs.group,
                    version: attrs.version,
                    resource: attrs.resource,
                    subresource: attrs.subresource,
                    kind: attrs.kind,
                },
                dry_run: info.dry_run,
                options: info.options.as_ref(),
            };
            for param in &params {
                let input = Input {
                    attrs,
                    request,
                    object: self.obj,
                    old_object: self.old,
                    params: param.as_ref(),
                    namespace: namespace.as_ref(),
                    lookup,
                };
                let outcome = validator::validate(policy, &input);
                self.decide(policy, binding, outcome.decisions);
                for annotation in outcome.annotations {
                    match annotation {
                        Annotation::Publish { key, mut value } => {
                            truncate(&mut value, MAX_ANNOTATION);
                            add_annotation(&mut annotations, key, value);
                        }
                        Annotation::Error { message } => self.denied.push(Denied {
                            policy: name(policy).to_owned(),
                            binding: Some(name(binding).to_owned()),
                            message,
                            reason: String::new(),
                        }),
                        Annotation::Exclude => {}
                    }
                }
            }
        }
        for (key, values) in annotations {
            recorder::annotate(format!("{}/{key}", name(policy)), values.join(", "));
        }
        Ok(())
    }

    /// The request's Namespace for `namespaceObject` (none for cluster-scoped resources and
    /// for Namespaces themselves).
    fn namespace(&self) -> Result<Option<Value>, AdmissionError> {
        let attrs = self.attrs;
        let is_namespace = attrs.group.is_empty() && attrs.kind == "Namespace";
        if attrs.namespace.is_empty() || is_namespace {
            return Ok(None);
        }
        match self.lookup.get("", "namespaces", None, attrs.namespace) {
            Some(ns) => Ok(Some(ns)),
            None => Err(AdmissionError::NotFound {
                group: String::new(),
                resource: "namespaces".into(),
                name: attrs.namespace.to_owned(),
            }),
        }
    }

    /// The binding's `validationActions` applied to each denial.
    fn decide(&mut self, policy: &Value, binding: &Value, decisions: Vec<Decision>) {
        let actions: Vec<String> = binding
            .pointer("/spec/validationActions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        let (policy, binding) = (name(policy), name(binding));
        for (index, decision) in decisions.into_iter().enumerate() {
            let Decision::Deny { message, reason } = decision else {
                continue;
            };
            for action in &actions {
                match action.as_str() {
                    "Deny" => self.denied.push(Denied {
                        policy: policy.to_owned(),
                        binding: Some(binding.to_owned()),
                        message: message.clone(),
                        reason: reason.clone(),
                    }),
                    "Audit" => self.failures.push(Failure {
                        message: message.clone(),
                        policy: policy.to_owned(),
                        binding: binding.to_owned(),
                        expression_index: index,
                        validation_actions: actions.clone(),
                    }),
                    "Warn" => recorder::warn(format!(
                        "Validation failed for ValidatingAdmissionPolicy '{policy}' with binding \
                         '{binding}': {message}"
                    )),
                    _ => {}
                }
            }
        }
    }
}

/// `auditAnnotationCollector.add`: each value once per key.
fn add_annotation(annotations: &mut Vec<(String, Vec<String>)>, key: String, value: String) {
    match annotations.iter_mut().find(|(k, _)| *k == key) {
        Some((_, values)) => {
            if !values.contains(&value) {
                values.push(value);
            }
        }
        None => annotations.push((key, vec![value])),
    }
}

/// Cuts `value` to at most `max` bytes (at a character boundary).
fn truncate(value: &mut String, max: usize) {
    if value.len() > max {
        let mut end = max;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        value.truncate(end);
    }
}

/// `reasonToCode`.
fn code(reason: &str) -> u16 {
    match reason {
        "Forbidden" => 403,
        "Unauthorized" => 401,
        "RequestEntityTooLarge" => 413,
        _ => 422,
    }
}

/// The refusal of the first denial: `admission.NewForbidden` with the denial's reason and
/// code, and its message as the one cause.
fn refusal(attrs: &Attributes<'_>, obj: Option<&Value>, denied: Denied) -> AdmissionError {
    let message = match &denied.binding {
        Some(binding) => format!(
            "ValidatingAdmissionPolicy '{}' with binding '{binding}' denied request: {}",
            denied.policy, denied.message
        ),
        None => format!(
            "ValidatingAdmissionPolicy '{}' denied request: {}",
            denied.policy, denied.message
        ),
    };
    let forbidden = super::error::forbidden(attrs, obj, message.clone());
    let AdmissionError::Forbidden {
        group,
        resource,
        name,
        ..
    } = &forbidden
    else {
        return forbidden;
    };
    let reason = if denied.reason.is_empty() {
        "Invalid"
    } else {
        &denied.reason
    };
    let mut details = serde_json::Map::new();
    details.insert("name".into(), json!(name));
    if !group.is_empty() {
        details.insert("group".into(), json!(group));
    }
    details.insert("kind".into(), json!(resource));
    details.insert("causes".into(), json!([{"message": message}]));
    let code = code(reason);
    AdmissionError::Status {
        code,
        status: Box::new(json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": forbidden.message(),
            "reason": reason,
            "details": details,
            "code": code,
        })),
    }
}
