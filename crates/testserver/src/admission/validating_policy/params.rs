//! A policy's parameters: `paramKind` resolved to a served resource
//! (`policySource.ensureParamsForPolicyLocked`) and a binding's `paramRef` to the objects it
//! names (`generic.CollectParams`), with Go's texts for what cannot be resolved.

use serde_json::Value;

use crate::admission::Lookup;
use crate::selector::LabelSelector;

/// The resource a policy's `paramKind` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ParamKind {
    api_version: String,
    kind: String,
    group: String,
    resource: String,
    namespaced: bool,
}

/// The policy's `paramKind`: `Ok(None)` without one; `Err` with Go's configuration error when
/// no served resource has that kind.
pub(super) fn param_kind(policy: &Value, lookup: &dyn Lookup) -> Result<Option<ParamKind>, String> {
    let Some(kind) = policy.pointer("/spec/paramKind").filter(|k| !k.is_null()) else {
        return Ok(None);
    };
    let text = |k: &str| kind.get(k).and_then(Value::as_str).unwrap_or("");
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    match lookup.resource_for(group, version, kind) {
        Some((resource, namespaced)) => Ok(Some(ParamKind {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            group: group.to_owned(),
            resource,
            namespaced,
        })),
        // schema.GroupVersionKind's String()
        None => Err(format!(
            "failed to find resource referenced by paramKind: '{group}/{version}, Kind={kind}'"
        )),
    }
}

/// The parameter objects a binding selects for a request in `namespace` (`""` for a
/// cluster-scoped resource): `[None]` when the policy or the binding names no parameters, one
/// object per match otherwise (in namespace and name order), none when nothing matches and
/// `parameterNotFoundAction` is `Allow`.
///
/// # Errors
/// Go's text for a `paramRef` that cannot be resolved, or finds nothing under `Deny`.
pub(super) fn collect(
    kind: Option<&ParamKind>,
    binding: &Value,
    namespace: &str,
    lookup: &dyn Lookup,
) -> Result<Vec<Option<Value>>, String> {
    let param_ref = binding.pointer("/spec/paramRef").filter(|r| !r.is_null());
    let (Some(kind), Some(param_ref)) = (kind, param_ref) else {
        return Ok(vec![None]);
    };
    let text = |k: &str| param_ref.get(k).and_then(Value::as_str).unwrap_or("");
    let mut scope = None;
    if kind.namespaced {
        if !text("namespace").is_empty() {
            scope = Some(text("namespace"));
        } else if namespace.is_empty() {
            return Err(
                "cannot use namespaced paramRef in policy binding that matches \
                        cluster-scoped resources"
                    .to_owned(),
            );
        } else {
            scope = Some(namespace);
        }
    } else if !text("namespace").is_empty() {
        return Err(
            "paramRef.namespace must not be provided for a cluster-scoped `paramKind`".to_owned(),
        );
    }
    let selector = param_ref.get("selector").filter(|s| !s.is_null());
    let mut params: Vec<Value> = if !text("name").is_empty() {
        if selector.is_some() {
            return Err("paramRef.name and paramRef.selector are mutually exclusive".to_owned());
        }
        lookup
            .get(&kind.group, &kind.resource, scope, text("name"))
            .into_iter()
            .collect()
    } else if let Some(selector) = selector {
        let selector = LabelSelector::from_object(selector).map_err(|e| e.to_string())?;
        let mut found: Vec<Value> = lookup
            .list(&kind.group, &kind.resource, scope)
            .into_iter()
            .filter(|o| selector.matches_object(o))
            .collect();
        found.sort_by_key(|o| {
            let meta = |k: &str| {
                o.pointer(&format!("/metadata/{k}"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            (meta("namespace"), meta("name"))
        });
        found
    } else {
        return Err("one of name or selector must be provided".to_owned());
    };
    if params.is_empty() && text("parameterNotFoundAction") == "Deny" {
        return Err(
            "no params found for policy binding with `Deny` parameterNotFoundAction".to_owned(),
        );
    }
    for param in &mut params {
        // a parameter without type information is given the paramKind's (`wrappedParam`)
        if let Some(map) = param.as_object_mut()
            && !map.contains_key("kind")
        {
            map.insert("apiVersion".into(), kind.api_version.clone().into());
            map.insert("kind".into(), kind.kind.clone().into());
        }
    }
    Ok(params.into_iter().map(Some).collect())
}
