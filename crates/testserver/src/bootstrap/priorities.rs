//! `apiVersionPriorities`: the `groupPriorityMinimum` and `versionPriority` the aggregator
//! gives the APIService of each built-in group version kube-apiserver serves
//! (`pkg/controlplane/apiserver/aggregator.go` `DefaultGenericAPIServicePriorities`, merged
//! with the kube-apiserver entries of `cmd/kube-apiserver/app/aggregator.go`). A group version
//! missing here gets no APIService (`makeAPIService` skips it), as `apiregistration.k8s.io`
//! itself, which the aggregator serves without one.

/// `(group, version, groupPriorityMinimum, versionPriority)`, the later entry of a group
/// version winning as in Go's `merge`.
const PRIORITIES: &[(&str, &str, i64, i64)] = &[
    // the generic control plane's
    ("", "v1", 18000, 1),
    ("events.k8s.io", "v1", 17750, 15),
    ("events.k8s.io", "v1beta1", 17750, 5),
    ("authentication.k8s.io", "v1", 17700, 15),
    ("authentication.k8s.io", "v1beta1", 17700, 9),
    ("authentication.k8s.io", "v1alpha1", 17700, 1),
    ("authorization.k8s.io", "v1", 17600, 15),
    ("certificates.k8s.io", "v1", 17300, 15),
    ("certificates.k8s.io", "v1beta1", 17300, 9),
    ("certificates.k8s.io", "v1alpha1", 17300, 1),
    ("rbac.authorization.k8s.io", "v1", 17000, 15),
    ("apiextensions.k8s.io", "v1", 16700, 15),
    ("admissionregistration.k8s.io", "v1", 16700, 15),
    ("admissionregistration.k8s.io", "v1beta1", 16700, 12),
    ("admissionregistration.k8s.io", "v1alpha1", 16700, 9),
    ("coordination.k8s.io", "v1", 16500, 15),
    ("coordination.k8s.io", "v1beta1", 16500, 13),
    ("coordination.k8s.io", "v1alpha2", 16500, 12),
    ("discovery.k8s.io", "v1", 16200, 15),
    ("discovery.k8s.io", "v1beta1", 16200, 12),
    ("flowcontrol.apiserver.k8s.io", "v1", 16100, 21),
    ("flowcontrol.apiserver.k8s.io", "v1beta3", 16100, 18),
    ("flowcontrol.apiserver.k8s.io", "v1beta2", 16100, 15),
    ("flowcontrol.apiserver.k8s.io", "v1beta1", 16100, 12),
    ("flowcontrol.apiserver.k8s.io", "v1alpha1", 16100, 9),
    ("internal.apiserver.k8s.io", "v1alpha1", 16000, 9),
    ("resource.k8s.io", "v1alpha3", 15900, 9),
    ("storagemigration.k8s.io", "v1beta1", 15800, 9),
    // kube-apiserver's
    ("apps", "v1", 17800, 15),
    ("autoscaling", "v1", 17500, 15),
    ("autoscaling", "v2", 17500, 30),
    ("autoscaling", "v2beta1", 17500, 9),
    ("autoscaling", "v2beta2", 17500, 1),
    ("batch", "v1", 17400, 15),
    ("batch", "v1beta1", 17400, 9),
    ("batch", "v2alpha1", 17400, 9),
    ("networking.k8s.io", "v1", 17200, 15),
    ("networking.k8s.io", "v1beta1", 17200, 9),
    ("policy", "v1", 17100, 15),
    ("policy", "v1beta1", 17100, 9),
    ("storage.k8s.io", "v1", 16800, 15),
    ("storage.k8s.io", "v1beta1", 16800, 9),
    ("storage.k8s.io", "v1alpha1", 16800, 1),
    ("scheduling.k8s.io", "v1", 16600, 15),
    ("node.k8s.io", "v1", 16300, 15),
    ("node.k8s.io", "v1alpha1", 16300, 1),
    ("node.k8s.io", "v1beta1", 16300, 9),
    ("resource.k8s.io", "v1", 16200, 21),
    ("resource.k8s.io", "v1beta2", 16200, 15),
    ("resource.k8s.io", "v1beta1", 16200, 9),
    ("resource.k8s.io", "v1alpha3", 16200, 1),
];

/// `(groupPriorityMinimum, versionPriority)` of a built-in group version, if it has an
/// APIService.
pub(crate) fn of(group: &str, version: &str) -> Option<(i64, i64)> {
    PRIORITIES
        .iter()
        .rev()
        .find(|(g, v, _, _)| *g == group && *v == version)
        .map(|&(_, _, group_priority, version_priority)| (group_priority, version_priority))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of the Go tables; kube-apiserver's entries override the generic ones.
    #[test]
    fn priorities_of_the_go_tables() {
        assert_eq!(of("", "v1"), Some((18000, 1)));
        assert_eq!(of("apps", "v1"), Some((17800, 15)));
        assert_eq!(of("autoscaling", "v2"), Some((17500, 30)));
        assert_eq!(of("flowcontrol.apiserver.k8s.io", "v1"), Some((16100, 21)));
        assert_eq!(of("resource.k8s.io", "v1alpha3"), Some((16200, 1)));
        assert_eq!(of("apiregistration.k8s.io", "v1"), None);
        assert_eq!(of("example.com", "v1"), None);
    }

    /// Groups sort by `groupPriorityMinimum` (ties by name) as the real `/apis` lists them.
    #[test]
    fn group_order_matches_the_real_discovery_order() {
        // the order of a v1.36 server's /apis (transcript discovery-groups), after
        // apiregistration.k8s.io, which has no APIService
        let real = [
            "apps",
            "events.k8s.io",
            "authentication.k8s.io",
            "authorization.k8s.io",
            "autoscaling",
            "batch",
            "certificates.k8s.io",
            "networking.k8s.io",
            "policy",
            "rbac.authorization.k8s.io",
            "storage.k8s.io",
            "admissionregistration.k8s.io",
            "apiextensions.k8s.io",
            "scheduling.k8s.io",
            "coordination.k8s.io",
            "node.k8s.io",
            "discovery.k8s.io",
            "resource.k8s.io",
            "flowcontrol.apiserver.k8s.io",
        ];
        let mut sorted = real.to_vec();
        sorted.sort_by_key(|g| {
            let (priority, _) = of(g, "v1").unwrap();
            (std::cmp::Reverse(priority), *g)
        });
        assert_eq!(sorted, real);
    }
}
