//! The quota evaluators (`pkg/quota/v1/evaluator/core` and the generic object-count evaluator):
//! which quota resource names an object kind is charged for, and how much one object uses.
//!
//! Guarantees: a usage holds only names the kind's evaluator matches; quantities keep Go's
//! format rule (a sum takes the format of its first non-zero term), so texts print as the real
//! server prints them.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::shared::quantity::Quantity;

/// One quantity and whether it prints in binary (`Mi`, `Gi`) or decimal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Amount {
    /// The value.
    pub(crate) q: Quantity,
    /// Go's `BinarySI` format.
    pub(crate) binary: bool,
}

impl Amount {
    /// A count.
    pub(crate) fn count(n: i64) -> Amount {
        Amount {
            q: Quantity::parse(&n.to_string()).unwrap_or(Quantity::ZERO),
            binary: false,
        }
    }

    /// Parses a quantity text.
    pub(crate) fn parse(text: &str) -> Option<Amount> {
        Some(Amount {
            q: Quantity::parse(text)?,
            binary: text.trim().ends_with('i'),
        })
    }

    /// `Quantity.Add`: a zero receiver takes the other's format.
    pub(crate) fn add(self, other: Amount) -> Amount {
        Amount {
            q: self.q.add(other.q),
            binary: if self.q == Quantity::ZERO {
                other.binary
            } else {
                self.binary
            },
        }
    }

    /// `max(self - other, 0)`, in self's format.
    pub(crate) fn sub_non_negative(self, other: Amount) -> Amount {
        let diff = self.q.milli_value().saturating_sub(other.q.milli_value());
        Amount {
            q: milli(diff.max(0)),
            binary: self.binary,
        }
    }

    /// Whether the amount is zero.
    pub(crate) fn is_zero(self) -> bool {
        self.q == Quantity::ZERO
    }

    /// `Quantity.String()`, canonical.
    pub(crate) fn text(self) -> String {
        let m = self.q.milli_value();
        if m % 1000 == 0 {
            let units = m / 1000;
            if self.binary && units != 0 && units % 1024 == 0 {
                let canonical = Quantity::canonical(&format!("{}Ki", units / 1024));
                return canonical.unwrap_or_else(|| units.to_string());
            }
            return units.to_string();
        }
        Quantity::canonical(&format!("{m}m")).unwrap_or_else(|| format!("{m}m"))
    }
}

fn milli(m: i64) -> Quantity {
    Quantity::parse(&format!("{m}m")).unwrap_or(Quantity::ZERO)
}

/// Usage by quota resource name.
pub(crate) type Usage = BTreeMap<String, Amount>;

/// Adds `b` into `a`.
pub(crate) fn add_into(a: &mut Usage, b: &Usage) {
    for (k, v) in b {
        let sum = a.get(k).map_or(*v, |x| x.add(*v));
        a.insert(k.clone(), sum);
    }
}

/// The generic evaluator's name for a kind: `count/<resource>[.<group>]`.
pub(crate) fn count_name(group: &str, resource: &str) -> String {
    if group.is_empty() {
        format!("count/{resource}")
    } else {
        format!("count/{resource}.{group}")
    }
}

const STORAGE_CLASS_SUFFIX: &str = ".storageclass.storage.k8s.io/";
const POD_COMPUTE: [&str; 11] = [
    "pods",
    "count/pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
];

/// `!helper.IsNativeResource`: a domain-prefixed name outside `kubernetes.io/`.
fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/")
}

/// `podEvaluator.MatchingResources` for one name.
fn pod_matches(name: &str) -> bool {
    POD_COMPUTE.contains(&name)
        || name.starts_with("hugepages-")
        || name.starts_with("requests.hugepages-")
        || (name.starts_with("requests.") && is_extended(name))
}

/// The kind (group, plural resource) whose evaluator matches quota resource `name`, if any.
pub(crate) fn target(name: &str) -> Option<(String, String)> {
    if let Some(rest) = name.strip_prefix("count/") {
        return Some(match rest.split_once('.') {
            Some((resource, group)) => (group.to_owned(), resource.to_owned()),
            None => (String::new(), rest.to_owned()),
        });
    }
    let core = |r: &str| Some((String::new(), r.to_owned()));
    match name {
        "services" | "services.nodeports" | "services.loadbalancers" => core("services"),
        "persistentvolumeclaims" | "requests.storage" => core("persistentvolumeclaims"),
        "configmaps" | "secrets" | "replicationcontrollers" | "resourcequotas" => core(name),
        _ if name.contains(STORAGE_CLASS_SUFFIX) => core("persistentvolumeclaims"),
        _ if pod_matches(name) => core("pods"),
        _ => None,
    }
}

/// `Evaluator.MatchingResources`: whether the evaluator of `group`/`resource` charges `name`.
pub(crate) fn matches(group: &str, resource: &str, name: &str) -> bool {
    target(name).is_some_and(|(g, r)| g == group && r == resource)
}

fn s<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `Evaluator.Usage`: what one object of `group`/`resource` uses.
pub(crate) fn usage(group: &str, resource: &str, obj: &Value) -> Usage {
    let mut out = Usage::new();
    out.insert(count_name(group, resource), Amount::count(1));
    if !group.is_empty() {
        return out;
    }
    match resource {
        "pods" => pod_usage(obj, &mut out),
        "services" => service_usage(obj, &mut out),
        "persistentvolumeclaims" => pvc_usage(obj, &mut out),
        "configmaps" | "secrets" | "replicationcontrollers" | "resourcequotas" => {
            out.insert(resource.to_owned(), Amount::count(1));
        }
        _ => {}
    }
    out
}

/// `QuotaV1Pod`: terminal pods are not charged compute resources.
fn quota_pod(pod: &Value) -> bool {
    !matches!(s(pod, "/status/phase"), "Failed" | "Succeeded")
}

/// `PodUsageFunc` (with `resourcehelper.PodRequests`/`PodLimits`).
fn pod_usage(pod: &Value, out: &mut Usage) {
    if !quota_pod(pod) {
        return;
    }
    let requests = pod_totals(pod, "requests");
    let limits = pod_totals(pod, "limits");
    add_into(out, &compute_usage(&requests, &limits));
}

/// `podComputeUsageHelper`: the quota names charged for the given requests and limits.
pub(crate) fn compute_usage(requests: &Usage, limits: &Usage) -> Usage {
    let mut out = Usage::new();
    out.insert("pods".into(), Amount::count(1));
    for (name, amount) in requests {
        match name.as_str() {
            "cpu" | "memory" | "ephemeral-storage" => {
                out.insert(name.clone(), *amount);
                out.insert(format!("requests.{name}"), *amount);
            }
            n if n.starts_with("hugepages-") => {
                out.insert(name.clone(), *amount);
                out.insert(format!("requests.{n}"), *amount);
            }
            // `helper.IsExtendedResourceName`: not native, not itself `requests.`-prefixed
            n if is_extended(n) && !n.starts_with("requests.") => {
                out.insert(format!("requests.{n}"), *amount);
            }
            _ => {}
        }
    }
    for (name, amount) in limits {
        if matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage") {
            out.insert(format!("limits.{name}"), *amount);
        }
    }
    out
}

/// A container's `resources.<field>`.
pub(crate) fn container_list(container: &Value, field: &str) -> Usage {
    container
        .pointer(&format!("/resources/{field}"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), Amount::parse(v.as_str()?)?)))
        .collect()
}

fn max_into(a: &mut Usage, b: &Usage) {
    for (k, v) in b {
        if a.get(k).is_none_or(|x| x.q < v.q) {
            a.insert(k.clone(), *v);
        }
    }
}

/// `resourcehelper.PodRequests`/`PodLimits`: containers summed; each init container's need
/// (plus the sidecars started before it) as a floor; sidecars summed in; the overhead added.
fn pod_totals(pod: &Value, field: &str) -> Usage {
    let containers = |key: &str| {
        pod.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut total = Usage::new();
    for c in containers("containers") {
        add_into(&mut total, &container_list(&c, field));
    }
    let mut sidecars = Usage::new();
    let mut init_floor = Usage::new();
    for c in containers("initContainers") {
        let own = container_list(&c, field);
        if s(&c, "/restartPolicy") == "Always" {
            add_into(&mut total, &own);
            add_into(&mut sidecars, &own);
        } else {
            let mut need = own;
            add_into(&mut need, &sidecars);
            max_into(&mut init_floor, &need);
        }
    }
    max_into(&mut total, &init_floor);
    if field == "requests" {
        let overhead = pod
            .pointer("/spec/overhead")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), Amount::parse(v.as_str()?)?)))
            .collect();
        add_into(&mut total, &overhead);
    }
    total
}

/// `serviceEvaluator.Usage`.
fn service_usage(svc: &Value, out: &mut Usage) {
    out.insert("services".into(), Amount::count(1));
    let ports = svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let all = i64::try_from(ports.len()).unwrap_or(i64::MAX);
    match s(svc, "/spec/type") {
        "NodePort" => {
            out.insert("services.nodeports".into(), Amount::count(all));
        }
        "LoadBalancer" => {
            let allocate = svc
                .pointer("/spec/allocateLoadBalancerNodePorts")
                .and_then(Value::as_bool);
            let n = if allocate == Some(false) {
                let explicit = ports
                    .iter()
                    .filter(|p| {
                        p.get("nodePort")
                            .and_then(Value::as_i64)
                            .is_some_and(|n| n != 0)
                    })
                    .count();
                i64::try_from(explicit).unwrap_or(i64::MAX)
            } else {
                all
            };
            out.insert("services.nodeports".into(), Amount::count(n));
            out.insert("services.loadbalancers".into(), Amount::count(1));
        }
        _ => {}
    }
}

/// `pvcEvaluator.Usage`: the claim, its storage request (or what was allocated, if larger),
/// and both again under its storage class.
fn pvc_usage(pvc: &Value, out: &mut Usage) {
    out.insert("persistentvolumeclaims".into(), Amount::count(1));
    let class = match s(pvc, "/spec/storageClassName") {
        "" => s(
            pvc,
            "/metadata/annotations/volume.beta.kubernetes.io~1storage-class",
        ),
        c => c,
    };
    if !class.is_empty() {
        out.insert(
            format!("{class}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"),
            Amount::count(1),
        );
    }
    let requested = Amount::parse(s(pvc, "/spec/resources/requests/storage"));
    let allocated = Amount::parse(s(pvc, "/status/allocatedResources/storage"));
    let storage = match (requested, allocated) {
        (Some(r), Some(a)) if a.q > r.q => Some(a),
        (Some(r), _) => Some(r),
        (None, a) => a,
    };
    if let Some(storage) = storage {
        out.insert("requests.storage".into(), storage);
        if !class.is_empty() {
            out.insert(
                format!("{class}{STORAGE_CLASS_SUFFIX}requests.storage"),
                storage,
            );
        }
    }
}

/// What `objects` of `group`/`resource` use together, for the quota names `names` (each
/// present, zero when nothing uses it): the controller's `CalculateUsageStats`.
pub(crate) fn namespace_usage<'a>(
    group: &str,
    resource: &str,
    objects: impl IntoIterator<Item = &'a Value>,
    names: &[&str],
) -> Usage {
    let mut total: Usage = names
        .iter()
        .map(|n| ((*n).to_owned(), Amount::count(0)))
        .collect();
    for obj in objects {
        let used = usage(group, resource, obj);
        for n in names {
            if let Some(v) = used.get(*n) {
                let sum = total.get(*n).map_or(*v, |x| x.add(*v));
                total.insert((*n).to_owned(), sum);
            }
        }
    }
    total
}
