//! Dynamic resource claims of a pod (kube-apiserver v1.36): `validatePodResourceClaims` of
//! `spec.resourceClaims` and `validateResourceClaimNames` of a container's
//! `resources.claims`. Where Go prints a claim struct (`%#v`, with pointer addresses) the
//! value is its JSON.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::{items, s};
use crate::validation::{FieldError, names};

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `gatherPodResourceClaimNames`: the non-empty names of `spec.resourceClaims`.
pub(crate) fn claim_names(spec: &Value) -> BTreeSet<String> {
    items(spec.get("resourceClaims"))
        .iter()
        .map(|c| s(c, "name").to_owned())
        .filter(|n| !n.is_empty())
        .collect()
}

/// `validatePodResourceClaims` of `spec.resourceClaims` at `{path}.resourceClaims`.
pub(crate) fn pod_claims(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for (i, claim) in items(spec.get("resourceClaims")).iter().enumerate() {
        let at = format!("{path}.resourceClaims[{i}]");
        let name = s(claim, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else if seen.contains(name) {
            errs.push(FieldError::duplicate(format!("{at}.name"), name));
        } else {
            for msg in names::dns1123_label(name) {
                errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
            }
            seen.insert(name);
        }
        let (claim_name, template) = (
            set(claim, "resourceClaimName"),
            set(claim, "resourceClaimTemplateName"),
        );
        if claim_name.is_some() && template.is_some() {
            errs.push(FieldError::invalid(
                at.as_str(),
                claim.clone(),
                "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified",
            ));
        }
        if claim_name.is_none() && template.is_none() {
            errs.push(FieldError::invalid(
                at.as_str(),
                claim.clone(),
                "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`",
            ));
        }
        for (key, value) in [
            ("resourceClaimName", claim_name),
            ("resourceClaimTemplateName", template),
        ] {
            let Some(value) = value.map(|v| v.as_str().unwrap_or("")) else {
                continue;
            };
            for msg in names::dns1123_subdomain(value) {
                errs.push(FieldError::invalid(format!("{at}.{key}"), value, msg));
            }
        }
    }
    errs
}

/// `validateResourceClaimNames` of the container's `resources.claims`: each names a pod
/// claim, at most once (a whole claim or its requests, not both).
pub(crate) fn container_claims(
    c: &Value,
    path: &str,
    pod_claims: &BTreeSet<String>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for (i, claim) in items(c.pointer("/resources/claims")).iter().enumerate() {
        let at = format!("{path}.resources.claims[{i}]");
        let name = s(claim, "name");
        if name.is_empty() {
            errs.push(FieldError::required(at, ""));
            continue;
        }
        if taken.iter().any(|k| k == name) {
            errs.push(FieldError::duplicate(at.as_str(), name));
        } else {
            let request = s(claim, "request");
            let mut key = name.to_owned();
            if !request.is_empty() {
                for msg in names::dns1123_label(request) {
                    errs.push(FieldError::invalid(format!("{at}.request"), request, msg));
                }
                key = format!("{name}/{request}");
            }
            if taken.contains(&key) {
                errs.push(FieldError::duplicate(at.as_str(), key.as_str()));
            } else if request.is_empty() {
                for other in &taken {
                    if other
                        .split_once('/')
                        .is_some_and(|(claim, _)| claim == name)
                    {
                        errs.push(FieldError::duplicate(at.as_str(), name));
                    }
                }
            }
            taken.push(key);
        }
        if !pod_claims.contains(name) {
            let mut err = FieldError::not_found(at, name);
            err.detail = if pod_claims.is_empty() {
                "must be one of the names in pod.spec.resourceClaims which is empty".to_owned()
            } else {
                let all: Vec<&str> = pod_claims.iter().map(String::as_str).collect();
                format!(
                    "must be one of the names in pod.spec.resourceClaims: {}",
                    all.join(", ")
                )
            };
            errs.push(err);
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    /// `validatePodResourceClaims`: names, one source each, valid object names.
    #[test]
    fn pod_resource_claims() {
        let spec = json!({"resourceClaims": [
            {"name": "gpu", "resourceClaimTemplateName": "gpu-template"},
            {"name": "gpu", "resourceClaimName": "Bad"},
            {"name": "none"},
        ]});
        let got = texts(pod_claims(&spec, "spec"));
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            "spec.resourceClaims[1].name: Duplicate value: \"gpu\""
        );
        assert!(
            got[1].starts_with("spec.resourceClaims[1].resourceClaimName: Invalid value: \"Bad\""),
            "{got:?}"
        );
        assert_eq!(
            got[2],
            "spec.resourceClaims[2]: Invalid value: {\"name\":\"none\"}: must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"
        );
    }

    /// `validateResourceClaimNames`: known names, no claim twice or beside one of its requests.
    #[test]
    fn container_resource_claims() {
        let pod: BTreeSet<String> = ["gpu".to_owned(), "net".to_owned()].into();
        let c = json!({"resources": {"claims": [
            {"name": "gpu", "request": "a"}, {"name": "gpu"}, {"name": "gpu", "request": "a"},
            {"name": "other"}, {"name": ""},
        ]}});
        assert_eq!(
            texts(container_claims(&c, "spec.containers[0]", &pod)),
            [
                "spec.containers[0].resources.claims[1]: Duplicate value: \"gpu\"",
                "spec.containers[0].resources.claims[2]: Duplicate value: \"gpu\"",
                "spec.containers[0].resources.claims[3]: Not found: \"other\": must be one of the names in pod.spec.resourceClaims: gpu, net",
                "spec.containers[0].resources.claims[4]: Required value",
            ]
        );
        let none = BTreeSet::new();
        assert_eq!(
            texts(container_claims(
                &json!({"resources": {"claims": [{"name": "x"}]}}),
                "spec.containers[0]",
                &none
            )),
            [
                "spec.containers[0].resources.claims[0]: Not found: \"x\": must be one of the names in pod.spec.resourceClaims which is empty"
            ]
        );
    }
}
