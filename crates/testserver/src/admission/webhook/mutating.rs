//! MutatingAdmissionWebhook (Go's `mutating/dispatcher.go`): the matching webhooks are called
//! one after another, each seeing the object as the previous ones patched it; a JSONPatch
//! answer is applied to the object; a refusal or a failure (under `failurePolicy: Fail`) ends
//! admission with its error.
//!
//! Reinvocation (`reinvocationPolicy: IfNeeded`): when a webhook changed the object, the
//! `IfNeeded` webhooks called before that change are called once more, in order, in a second
//! round (round 1), as `webhookReinvokeContext` decides; a webhook is never called for the
//! first time in round 1. The in-tree mutating plugins are not run again between the rounds.
//!
//! Audit annotations per call: `mutation.webhook.admission.k8s.io/round_<r>_index_<i>`
//! (`{"configuration":..,"webhook":..,"mutated":..}`) and, when a failure was ignored,
//! `failed-open.mutation.webhook.admission.k8s.io/round_<r>_index_<i>`; `<i>` counts every
//! mutating webhook, matched or not.

use std::collections::BTreeSet;

use serde_json::Value;

use super::bridge::RequestInfo;
use super::call::{self, Failed, Subject};
use super::config::{self, Hook};
use super::matching;
use super::response;
use crate::admission::matching::Matched;
use crate::admission::{AdmissionError, Attributes, Lookup};

/// Runs the mutating webhooks on `obj` (`None` for a delete; `old` the stored object).
///
/// # Errors
/// The first refusal, or failure under `failurePolicy: Fail`.
pub(crate) fn admit(
    attrs: &Attributes<'_>,
    mut obj: Option<&mut Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
    info: &RequestInfo,
) -> Result<(), AdmissionError> {
    let hooks = config::hooks(config::Kind::Mutating, lookup);
    if hooks.is_empty() {
        return Ok(());
    }
    let mut reinvocation = Reinvocation::default();
    for round in 0..2 {
        if round == 1 && !reinvocation.needed {
            break;
        }
        for (index, hook) in hooks.iter().enumerate() {
            let current = obj.as_deref();
            let Some(invocation) =
                matching::invocation(hook, attrs, (current, old), (lookup, info))?
            else {
                continue;
            };
            if round == 1 && !reinvocation.reinvoke.contains(&hook.uid) {
                continue;
            }
            let subject = Subject {
                attrs,
                object: current,
                old_object: old,
            };
            let outcome = call::call(hook, &invocation, subject, (info, true), lookup);
            let changed = match outcome {
                Ok(answer) if !answer.allowed => {
                    annotate_mutation(hook, round, index, false);
                    return Err(response::denied(&hook.name, answer.result.as_ref()));
                }
                Ok(answer) => {
                    let applied = apply(hook, obj.as_deref_mut(), (&answer, &invocation), info);
                    annotate_mutation(hook, round, index, applied.as_ref().is_ok_and(|c| *c));
                    match applied {
                        Ok(changed) => changed,
                        Err(Failed::Calling(text)) => {
                            fail_or_ignore(hook, &text, round, index)?;
                            false
                        }
                        Err(Failed::Refused(e)) => return Err(e),
                    }
                }
                Err(Failed::Calling(text)) => {
                    annotate_mutation(hook, round, index, false);
                    fail_or_ignore(hook, &text, round, index)?;
                    false
                }
                Err(Failed::Refused(e)) => {
                    annotate_mutation(hook, round, index, false);
                    return Err(e);
                }
            };
            if changed {
                reinvocation.require_previous();
                reinvocation.needed = true;
            }
            if hook.reinvocable() {
                reinvocation.previously_invoked.insert(hook.uid.clone());
            }
        }
    }
    Ok(())
}

/// Go's `webhookReinvokeContext`.
#[derive(Debug, Default)]
struct Reinvocation {
    /// Some webhook changed the object: a second round runs.
    needed: bool,
    /// The `IfNeeded` webhooks called since the last change.
    previously_invoked: BTreeSet<String>,
    /// The webhooks to call again in round 1.
    reinvoke: BTreeSet<String>,
}

impl Reinvocation {
    /// `RequireReinvokingPreviouslyInvokedPlugins`.
    fn require_previous(&mut self) {
        self.reinvoke.append(&mut self.previously_invoked);
    }
}

/// Under `failurePolicy: Ignore` records the failed-open annotation and goes on; under `Fail`
/// the 500 of `apierrors.NewInternalError`.
fn fail_or_ignore(
    hook: &Hook,
    text: &str,
    round: usize,
    index: usize,
) -> Result<(), AdmissionError> {
    if hook.ignores_failures() {
        tracing::warn!(webhook = %hook.name, error = %text, "failed calling webhook, failing open");
        crate::admission::recorder::annotate(
            format!("failed-open.mutation.webhook.admission.k8s.io/round_{round}_index_{index}"),
            hook.name.clone(),
        );
        Ok(())
    } else {
        Err(response::internal(text))
    }
}

fn annotate_mutation(hook: &Hook, round: usize, index: usize, mutated: bool) {
    // Go's `MutationAuditAnnotation`, its fields in struct order
    let value = format!(
        "{{\"configuration\":{},\"webhook\":{},\"mutated\":{mutated}}}",
        Value::from(hook.configuration.as_str()),
        Value::from(hook.name.as_str())
    );
    crate::admission::recorder::annotate(
        format!("mutation.webhook.admission.k8s.io/round_{round}_index_{index}"),
        value,
    );
}

/// Applies the answer's patch to `obj`; whether the object changed.
fn apply(
    hook: &Hook,
    obj: Option<&mut Value>,
    (answer, invocation): (&response::Answer, &Matched),
    info: &RequestInfo,
) -> Result<bool, Failed> {
    if answer.patch.is_empty() {
        return Ok(false);
    }
    let calling = |reason: String| Failed::Calling(response::calling(&hook.name, &reason));
    let patch: json_patch::Patch = serde_json::from_slice(&answer.patch).map_err(|e| {
        calling(format!(
            "received undecodable patch in webhook response: {e}"
        ))
    })?;
    if patch.0.is_empty() {
        return Ok(false);
    }
    let Some(obj) = obj else {
        return Err(Failed::Refused(response::internal(&format!(
            "admission webhook {} attempted to modify the object, which is not supported for this operation",
            crate::validation::go_quote(&hook.name)
        ))));
    };
    if answer.patch_type != "JSONPatch" {
        return Err(calling(format!(
            "unsupported patch type {}",
            crate::validation::go_quote(&answer.patch_type)
        )));
    }
    // the patch applies to the object in the version the webhook matched
    let versioned = info.view(obj, invocation);
    let mut patched = versioned.clone();
    json_patch::patch(&mut patched, &patch.0)
        .map_err(|e| Failed::Refused(response::internal(&e.to_string())))?;
    let changed = patched != versioned;
    *obj = info.back(&patched, invocation);
    if let Some(defaults) = &info.defaults {
        (defaults.0)(obj);
    }
    Ok(changed)
}
