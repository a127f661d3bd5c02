//! Unit tests of the ResourceQuota plugin and its evaluators, each citing the Go function it
//! follows (`k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go`,
//! `pkg/quota/v1/evaluator/core/*.go`).

use serde_json::{Value, json};

use super::usage::{self, Amount, target, usage};
use super::{matches_scopes, validate};
use crate::admission::testing::MemLookup;
use crate::admission::{Attributes, Lookup, Operation, StatusConflict};

fn attrs<'a>(resource: &'a str, op: Operation) -> Attributes<'a> {
    let (group, resource) = resource.split_once('/').unwrap_or(("", resource));
    Attributes {
        group,
        resource,
        subresource: "",
        version: "v1",
        kind: "",
        namespace: "ns",
        name: "",
        operation: op,
        user: None,
    }
}

fn quota(name: &str, hard: Value, used: Option<Value>) -> Value {
    let mut q = json!({"metadata": {"name": name, "namespace": "ns"}, "spec": {"hard": hard}});
    if let Some(used) = used {
        q["status"] = json!({"hard": hard, "used": used});
    }
    q
}

fn pod(name: &str, containers: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": "ns"}, "spec": {"containers": containers}})
}

fn cpu_pod(name: &str, cpu: &str, memory: &str) -> Value {
    pod(
        name,
        json!([{"name": "c", "image": "x", "resources": {
            "requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}}}]),
    )
}

/// The plugin's answer for a create of `obj`: `Ok` or the Status message.
fn create(resource: &str, obj: &Value, lookup: &MemLookup) -> Result<(), String> {
    validate(&attrs(resource, Operation::Create), obj, None, lookup).map_err(|e| e.message())
}

fn text(usage: &usage::Usage, key: &str) -> Option<String> {
    usage.get(key).map(|a| a.text())
}

// controller.go checkRequest: the exceeded message, resources sorted, values canonical.
#[test]
fn exceeding_a_count_is_refused_with_the_real_message() {
    let lookup = MemLookup::default()
        .with(
            "",
            "resourcequotas",
            Some("ns"),
            quota("q", json!({"pods": "1"}), Some(json!({"pods": "1"}))),
        )
        .with("", "pods", Some("ns"), cpu_pod("a", "100m", "64Mi"));
    assert_eq!(
        create("pods", &cpu_pod("b", "100m", "64Mi"), &lookup),
        Err("pods \"b\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1".into())
    );
}

#[test]
fn exceeded_lists_every_exceeded_resource_in_order() {
    let hard = json!({"requests.cpu": "1", "requests.memory": "128Mi", "pods": "10"});
    let used = json!({"requests.cpu": "600m", "requests.memory": "100Mi", "pods": "1"});
    let lookup = MemLookup::default()
        .with(
            "",
            "resourcequotas",
            Some("ns"),
            quota("q", hard, Some(used)),
        )
        .with("", "pods", Some("ns"), cpu_pod("a", "600m", "100Mi"));
    assert_eq!(
        create("pods", &cpu_pod("b", "500m", "64Mi"), &lookup),
        Err("pods \"b\" is forbidden: exceeded quota: q, requested: requests.cpu=500m,requests.memory=64Mi, used: requests.cpu=600m,requests.memory=100Mi, limited: requests.cpu=1,requests.memory=128Mi".into())
    );
}

#[test]
fn within_the_limit_is_allowed() {
    let lookup = MemLookup::default()
        .with(
            "",
            "resourcequotas",
            Some("ns"),
            quota("q", json!({"pods": "2"}), Some(json!({"pods": "1"}))),
        )
        .with("", "pods", Some("ns"), cpu_pod("a", "1", "1Gi"));
    assert_eq!(create("pods", &cpu_pod("b", "1", "1Gi"), &lookup), Ok(()));
}

// generic.Matches reads status.hard: a quota the controller has not synced does not apply.
#[test]
fn a_quota_without_status_does_not_apply() {
    let lookup = MemLookup::default().with(
        "",
        "resourcequotas",
        Some("ns"),
        quota("q", json!({"pods": "0"}), None),
    );
    assert_eq!(create("pods", &cpu_pod("b", "1", "1Gi"), &lookup), Ok(()));
}

// controller.go hasUsageStats / prettyPrintResourceNames.
#[test]
fn missing_usage_is_status_unknown() {
    let mut q = quota("q", json!({"pods": "5", "count/pods": "5"}), None);
    q["status"] = json!({"hard": {"pods": "5", "count/pods": "5"}, "used": {"pods": "0"}});
    let lookup = MemLookup::default().with("", "resourcequotas", Some("ns"), q);
    assert_eq!(
        create("pods", &cpu_pod("b", "1", "1Gi"), &lookup),
        Err(
            "pods \"b\" is forbidden: status unknown for quota: q, resources: count/pods,pods"
                .into()
        )
    );
}

// pods.go podEvaluator.Constraints: each resource with the containers lacking it, both sorted.
#[test]
fn unconstrained_containers_must_specify() {
    let hard = json!({"limits.cpu": "2", "requests.memory": "1Gi"});
    let lookup = MemLookup::default().with(
        "",
        "resourcequotas",
        Some("ns"),
        quota("q", hard.clone(), Some(hard)),
    );
    let p = pod(
        "b",
        json!([
            {"name": "two", "image": "x", "resources": {"requests": {"memory": "1Mi"}}},
            {"name": "one", "image": "x"},
        ]),
    );
    assert_eq!(
        create("pods", &p, &lookup),
        Err("pods \"b\" is forbidden: failed quota: q: must specify limits.cpu for: one,two; requests.memory for: one".into())
    );
}

// controller.go: an update is charged only what it adds (SubtractWithNonNegativeResult).
#[test]
fn an_update_is_charged_only_the_increase() {
    let hard = json!({"requests.storage": "10Gi"});
    let claim = |size: &str| {
        json!({"metadata": {"name": "c", "namespace": "ns"},
            "spec": {"resources": {"requests": {"storage": size}}}})
    };
    let lookup = MemLookup::default()
        .with(
            "",
            "resourcequotas",
            Some("ns"),
            quota("q", hard, Some(json!({"requests.storage": "8Gi"}))),
        )
        .with("", "persistentvolumeclaims", Some("ns"), claim("8Gi"));
    let update = |new: &str| {
        validate(
            &attrs("persistentvolumeclaims", Operation::Update),
            &claim(new),
            Some(&claim("8Gi")),
            &lookup,
        )
        .map_err(|e| e.message())
    };
    assert_eq!(update("4Gi"), Ok(()));
    assert_eq!(
        update("12Gi"),
        Err("persistentvolumeclaims \"c\" is forbidden: exceeded quota: q, requested: requests.storage=4Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi".into())
    );
}

#[test]
fn count_quotas_apply_to_any_group() {
    let hard = json!({"count/deployments.apps": "0"});
    let lookup = MemLookup::default().with(
        "",
        "resourcequotas",
        Some("ns"),
        quota(
            "q",
            hard.clone(),
            Some(json!({"count/deployments.apps": "0"})),
        ),
    );
    let d = json!({"metadata": {"name": "d", "namespace": "ns"}});
    assert_eq!(
        create("apps/deployments", &d, &lookup),
        Err("deployments.apps \"d\" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0".into())
    );
    assert_eq!(create("configmaps", &d, &lookup), Ok(()));
}

// pods.go PodUsageFunc + resourcehelper.PodRequests: containers summed, init containers a floor.
#[test]
fn pod_usage_sums_containers_and_floors_with_init_containers() {
    let mut p = cpu_pod("a", "100m", "64Mi");
    p["spec"]["containers"].as_array_mut().unwrap().push(
        json!({"name": "d", "resources": {"requests": {"cpu": "200m", "example.com/gpu": "1"}}}),
    );
    p["spec"]["initContainers"] =
        json!([{"name": "i", "resources": {"requests": {"memory": "1Gi"}}}]);
    let u = usage("", "pods", &p);
    assert_eq!(text(&u, "pods").as_deref(), Some("1"));
    assert_eq!(text(&u, "count/pods").as_deref(), Some("1"));
    assert_eq!(text(&u, "requests.cpu").as_deref(), Some("300m"));
    assert_eq!(text(&u, "cpu").as_deref(), Some("300m"));
    assert_eq!(text(&u, "requests.memory").as_deref(), Some("1Gi"));
    assert_eq!(text(&u, "limits.cpu").as_deref(), Some("100m"));
    assert_eq!(text(&u, "requests.example.com/gpu").as_deref(), Some("1"));
}

// pods.go QuotaV1Pod: terminal pods only count as objects.
#[test]
fn terminal_pods_are_not_charged_compute() {
    let mut p = cpu_pod("a", "1", "1Gi");
    p["status"] = json!({"phase": "Succeeded"});
    let u = usage("", "pods", &p);
    assert_eq!(u.keys().collect::<Vec<_>>(), ["count/pods"]);
}

// services.go serviceEvaluator.Usage.
#[test]
fn service_usage_counts_node_ports_and_load_balancers() {
    let svc = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 1}, {"port": 2}]}});
    let u = usage("", "services", &svc);
    assert_eq!(text(&u, "services").as_deref(), Some("1"));
    assert_eq!(text(&u, "services.nodeports").as_deref(), Some("2"));
    assert_eq!(text(&u, "services.loadbalancers").as_deref(), Some("1"));
    let cluster_ip = usage("", "services", &json!({"spec": {"type": "ClusterIP"}}));
    assert!(!cluster_ip.contains_key("services.nodeports"));
}

// persistent_volume_claims.go pvcEvaluator.Usage.
#[test]
fn claim_usage_is_charged_to_its_class_too() {
    let c = json!({"spec": {"storageClassName": "gold", "resources": {"requests": {"storage": "1Gi"}}},
        "status": {"allocatedResources": {"storage": "2Gi"}}});
    let u = usage("", "persistentvolumeclaims", &c);
    assert_eq!(text(&u, "requests.storage").as_deref(), Some("2Gi"));
    assert_eq!(
        text(&u, "gold.storageclass.storage.k8s.io/requests.storage").as_deref(),
        Some("2Gi")
    );
    assert_eq!(
        text(
            &u,
            "gold.storageclass.storage.k8s.io/persistentvolumeclaims"
        )
        .as_deref(),
        Some("1")
    );
}

#[test]
fn every_name_has_its_evaluator() {
    let core = |r: &str| Some((String::new(), r.to_owned()));
    assert_eq!(target("requests.storage"), core("persistentvolumeclaims"));
    assert_eq!(target("requests.cpu"), core("pods"));
    assert_eq!(target("memory"), core("pods"));
    assert_eq!(target("services.nodeports"), core("services"));
    assert_eq!(target("secrets"), core("secrets"));
    assert_eq!(
        target("count/jobs.batch"),
        Some(("batch".into(), "jobs".into()))
    );
    assert_eq!(target("count/configmaps"), core("configmaps"));
    assert_eq!(target("requests.nvidia.com/gpu"), core("pods"));
    assert_eq!(target("hugepages-2Mi"), core("pods"));
    assert_eq!(target("requests.hugepages-2Mi"), core("pods"));
    assert_eq!(target("nvidia.com/gpu"), None);
    assert_eq!(target("bogus"), None);
}

// Quantity.Add keeps the first non-zero term's format; String() is canonical.
#[test]
fn sums_print_as_go_prints_them() {
    let a = |t: &str| Amount::parse(t).unwrap();
    assert_eq!(
        Amount::count(0).add(a("512Mi")).add(a("512Mi")).text(),
        "1Gi"
    );
    assert_eq!(a("500m").add(a("1500m")).text(), "2");
    assert_eq!(a("1Gi").add(a("1")).text(), "1073741825");
    assert_eq!(a("250m").add(a("1")).text(), "1250m");
}

// pods.go podMatchesScopeFunc.
#[test]
fn scopes_select_pods() {
    let scoped = |scope: Value| json!({"spec": {"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [scope]}}});
    let best_effort = pod("a", json!([{"name": "c"}]));
    let burstable = cpu_pod("b", "1", "1Gi");
    let be = scoped(json!({"scopeName": "BestEffort", "operator": "Exists"}));
    assert!(matches_scopes(&be, "", "pods", &best_effort));
    assert!(!matches_scopes(&be, "", "pods", &burstable));
    let mut high = burstable.clone();
    high["spec"]["priorityClassName"] = json!("high");
    let pc = scoped(json!({"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}));
    assert!(matches_scopes(&pc, "", "pods", &high));
    assert!(!matches_scopes(&pc, "", "pods", &burstable));
    assert!(!matches_scopes(&pc, "", "configmaps", &json!({})));
    let terminating = json!({"spec": {"scopes": ["Terminating"]}});
    high["spec"]["activeDeadlineSeconds"] = json!(30);
    assert!(matches_scopes(&terminating, "", "pods", &high));
    assert!(!matches_scopes(&terminating, "", "pods", &burstable));
}

// services.go portsWithNodePorts: without allocated node ports only explicit ones count.
#[test]
fn load_balancers_without_node_ports_count_only_explicit_ones() {
    let svc = json!({"spec": {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": false,
        "ports": [{"port": 1, "nodePort": 30001}, {"port": 2}, {"port": 3, "nodePort": 0}]}});
    let u = usage("", "services", &svc);
    assert_eq!(text(&u, "services.nodeports").as_deref(), Some("1"));
}

// generic.CalculateUsageStats: every matched name is reported, zero when nothing uses it.
#[test]
fn namespace_usage_reports_every_name() {
    let pods = [cpu_pod("a", "250m", "512Mi"), cpu_pod("b", "250m", "512Mi")];
    let u = usage::namespace_usage(
        "",
        "pods",
        &pods,
        &["pods", "requests.memory", "requests.example.com/gpu"],
    );
    assert_eq!(text(&u, "pods").as_deref(), Some("2"));
    assert_eq!(text(&u, "requests.memory").as_deref(), Some("1Gi"));
    assert_eq!(text(&u, "requests.example.com/gpu").as_deref(), Some("0"));
    assert_eq!(u.len(), 3);
}

/// The quota's `status.used` as the lookup holds it now.
fn used_now(lookup: &dyn Lookup) -> Value {
    lookup
        .get("", "resourcequotas", Some("ns"), "q")
        .and_then(|q| q.pointer("/status/used").cloned())
        .unwrap_or(Value::Null)
}

// controller.go checkQuotas: what is admitted is added to status.used, so a burst of creates
// (none stored yet) stops at the limit.
#[test]
fn admitted_creates_are_charged_so_a_burst_cannot_overshoot() {
    let hard = json!({"pods": "2", "requests.cpu": "1"});
    let lookup = MemLookup::default().with(
        "",
        "resourcequotas",
        Some("ns"),
        quota("q", hard, Some(json!({"pods": "0", "requests.cpu": "0"}))),
    );
    assert_eq!(
        create("pods", &cpu_pod("a", "400m", "1Mi"), &lookup),
        Ok(())
    );
    assert_eq!(
        used_now(&lookup),
        json!({"pods": "1", "requests.cpu": "400m"})
    );
    assert_eq!(
        create("pods", &cpu_pod("b", "400m", "1Mi"), &lookup),
        Ok(())
    );
    assert_eq!(
        create("pods", &cpu_pod("c", "100m", "1Mi"), &lookup),
        Err("pods \"c\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2".into())
    );
    assert_eq!(
        used_now(&lookup),
        json!({"pods": "2", "requests.cpu": "800m"})
    );
}

// checkRequest: an update is charged only its increase; a decrease charges nothing.
#[test]
fn updates_charge_only_their_increase() {
    let claim = |size: &str| {
        json!({"metadata": {"name": "c", "namespace": "ns"},
            "spec": {"resources": {"requests": {"storage": size}}}})
    };
    let lookup = MemLookup::default().with(
        "",
        "resourcequotas",
        Some("ns"),
        quota(
            "q",
            json!({"requests.storage": "10Gi"}),
            Some(json!({"requests.storage": "2Gi"})),
        ),
    );
    let update = |new: &str, old: &str| {
        validate(
            &attrs("persistentvolumeclaims", Operation::Update),
            &claim(new),
            Some(&claim(old)),
            &lookup,
        )
    };
    assert!(update("1Gi", "2Gi").is_ok());
    assert_eq!(used_now(&lookup), json!({"requests.storage": "2Gi"}));
    assert!(update("5Gi", "2Gi").is_ok());
    assert_eq!(used_now(&lookup), json!({"requests.storage": "5Gi"}));
}

/// A lookup whose first status write loses a race: another request charged one pod first.
struct RacedOnce {
    inner: MemLookup,
    raced: std::cell::Cell<bool>,
}

impl Lookup for RacedOnce {
    fn get(&self, g: &str, r: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        self.inner.get(g, r, ns, name)
    }
    fn list(&self, g: &str, r: &str, ns: Option<&str>) -> Vec<Value> {
        self.inner.list(g, r, ns)
    }
    fn allows(
        &self,
        user: &crate::admission::UserInfo<'_>,
        q: &crate::admission::AuthzQuestion<'_>,
    ) -> bool {
        self.inner.allows(user, q)
    }
    fn write_status(&self, g: &str, r: &str, obj: &Value) -> Result<(), StatusConflict> {
        if self.raced.replace(false) {
            let mut other = self.inner.get(g, r, Some("ns"), "q").unwrap_or_default();
            other["status"]["used"]["pods"] = json!("1");
            self.inner.write_status(g, r, &other)?;
            return Err(StatusConflict);
        }
        self.inner.write_status(g, r, obj)
    }
}

// checkQuotas: a charge that conflicts is computed again from the quota as it now is.
#[test]
fn a_conflicting_charge_is_retried_on_the_new_usage() {
    let lookup = RacedOnce {
        inner: MemLookup::default().with(
            "",
            "resourcequotas",
            Some("ns"),
            quota("q", json!({"pods": "2"}), Some(json!({"pods": "0"}))),
        ),
        raced: std::cell::Cell::new(true),
    };
    let a = attrs("pods", Operation::Create);
    assert!(validate(&a, &cpu_pod("a", "1", "1Mi"), None, &lookup).is_ok());
    assert_eq!(used_now(&lookup), json!({"pods": "2"}));
    assert!(validate(&a, &cpu_pod("b", "1", "1Mi"), None, &lookup).is_err());
}
