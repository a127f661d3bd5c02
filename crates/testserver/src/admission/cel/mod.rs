//! The admission CEL environment (`k8s.io/apiserver/pkg/admission/plugin/cel`): the
//! expressions of ValidatingAdmissionPolicies (validations, messageExpressions,
//! auditAnnotations, variables, matchConditions) and of webhooks' matchConditions.
//!
//! What holds, as in kube-apiserver v1.36:
//! - expressions run in the rule environment of CRD rules (`crate::cel::env::base`) plus the
//!   authorizer library (`library/authz.go`, with the field and label selector functions);
//! - they see `object` and `oldObject` (`null` when absent: a create has no old object, a
//!   delete no new one), `request` (the `admission/v1` AdmissionRequest as
//!   `CreateAdmissionRequest` fills it, empty fields left out, see [`Request`]), `params`
//!   (`null` without a paramKind), `namespaceObject` (the request's Namespace stripped as
//!   `CreateNamespaceObject` strips it, `null` for a cluster-scoped resource and in match
//!   conditions), `authorizer` and `authorizer.requestResource` (checks against the server's
//!   authorizer for the requesting user), and `variables` (the policy's variables, in order);
//! - objects are schemaless: JSON numbers are ints when integral, doubles otherwise, and
//!   timestamps are strings;
//! - a failure is Go's `cel.Error` detail: `compilation error: <issues>`, or `expression
//!   '<expr>' resulted in error: <error>`; a variable that failed is reported where it is
//!   used, as `composited variable "<name>" fails to evaluate: <error>`.
//!
//! Known differences: no type checking (a type error is found when evaluated; a reference to an
//! undeclared variable is an evaluation error), no cost limits, variables are evaluated once
//! each when defined rather than on first use, and a Decision's `reason()` is always empty.

mod activation;
mod authorizer;
mod conditions;
mod request;
#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock};

use cel::{Env, Program};

pub(crate) use activation::{Activation, EvalError, Input};
pub(crate) use conditions::{FailurePolicy, MatchConditionsError, match_conditions};
pub(crate) use request::{Request, Resource};

/// The admission environment, built once.
pub(crate) fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = crate::cel::env::base();
        // a library declaring an overload twice is a bug of this module, found by its tests
        if let Err(err) = env.add_extension(authorizer::library) {
            tracing::error!(%err, "CEL authorizer library not registered");
        }
        Arc::new(env)
    })
}

/// Compiles an expression, or says why it does not compile as cel-go does
/// (`ERROR: <input>:1:3: ...` with its snippet).
///
/// # Errors
/// cel-go's issues of the expression.
pub(crate) fn compile(text: &str) -> Result<Program, String> {
    env()
        .compile(text)
        .map_err(|err| crate::cel::go_snippets(&err.to_string()))
}
