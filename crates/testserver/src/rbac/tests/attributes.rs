//! Request attributes derived from method, path and query as kube-apiserver does.

use crate::rbac::attributes::Attributes;

#[track_caller]
fn check(method: &str, url: &str, want: &str) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let a = Attributes::from_request(method, path, query);
    let got = if a.resource_request {
        format!(
            "{} {}/{} {} ns={} name={}",
            a.verb,
            a.api_group,
            a.api_version,
            a.combined_resource(),
            a.namespace,
            a.name
        )
    } else {
        format!("{} path {}", a.verb, a.path)
    };
    assert_eq!(got, want, "{method} {url}");
}

#[test]
fn request_info() {
    check("GET", "/api", "get path /api");
    check("GET", "/api/v1", "get path /api/v1");
    check("GET", "/apis/apps/v1", "get path /apis/apps/v1");
    check("HEAD", "/healthz", "head path /healthz");
    check("GET", "/api/v1/pods", "list /v1 pods ns= name=");
    check("GET", "/api/v1/pods?watch=true", "watch /v1 pods ns= name=");
    check("GET", "/api/v1/pods?watch=0", "list /v1 pods ns= name=");
    check("GET", "/api/v1/pods?watch=FALSE", "list /v1 pods ns= name=");
    check("GET", "/api/v1/pods?watch=", "watch /v1 pods ns= name=");
    check(
        "GET",
        "/api/v1/pods?watch=1&watch=0",
        "watch /v1 pods ns= name=",
    );
    check(
        "GET",
        "/api/v1/pods?watch=false&fieldSelector=metadata.name%3Dp",
        "list /v1 pods ns= name=p",
    );
    check(
        "GET",
        "/api/v1/pods?fieldSelector=metadata.name%21%3Dp",
        "list /v1 pods ns= name=",
    );
    check(
        "GET",
        "/api/v1/namespaces/a/pods/p",
        "get /v1 pods ns=a name=p",
    );
    check(
        "GET",
        "/api/v1/namespaces/a/pods/p/log",
        "get /v1 pods/log ns=a name=p",
    );
    check(
        "POST",
        "/api/v1/namespaces/a/pods/p/binding",
        "create /v1 pods/binding ns=a name=p",
    );
    check(
        "POST",
        "/api/v1/namespaces/a/pods",
        "create /v1 pods ns=a name=",
    );
    check(
        "PUT",
        "/api/v1/namespaces/a/pods/p/status",
        "update /v1 pods/status ns=a name=p",
    );
    check(
        "PATCH",
        "/apis/apps/v1/namespaces/a/deployments/d/scale",
        "patch apps/v1 deployments/scale ns=a name=d",
    );
    check(
        "DELETE",
        "/api/v1/namespaces/a/configmaps",
        "deletecollection /v1 configmaps ns=a name=",
    );
    check(
        "DELETE",
        "/api/v1/namespaces/a",
        "delete /v1 namespaces ns=a name=a",
    );
    check("GET", "/api/v1/namespaces", "list /v1 namespaces ns= name=");
    check(
        "PUT",
        "/api/v1/namespaces/a/finalize",
        "update /v1 namespaces/finalize ns=a name=a",
    );
    check(
        "GET",
        "/api/v1/watch/namespaces/a/pods",
        "watch /v1 pods ns=a name=",
    );
    check(
        "GET",
        "/api/v1/watch/namespaces/a/pods/p",
        "watch /v1 pods ns=a name=p",
    );
    check(
        "GET",
        "/api/v1/proxy/nodes/n/stats/summary",
        "proxy /v1 nodes ns= name=n",
    );
    check(
        "GET",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node",
        "get rbac.authorization.k8s.io/v1 clusterroles ns= name=system:node",
    );
    check(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "create authorization.k8s.io/v1 selfsubjectaccessreviews ns= name=",
    );
}
