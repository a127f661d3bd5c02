//! The store adapter and the authorization seam, over a real in-memory store.

use serde_json::{Value, json};

use super::support::{cluster_binding, cluster_role, rule, sa};
use crate::auth::User;
use crate::rbac::objects::name_of;
use crate::rbac::seam::Request;
use crate::rbac::seam::authorize_request;
use crate::storage::{Key, MemoryStore, Store};

fn store_with(objects: impl IntoIterator<Item = Value>) -> MemoryStore {
    let store = MemoryStore::default();
    for o in objects {
        let resource = match o["kind"].as_str() {
            Some("ClusterRole") => "rbac.authorization.k8s.io/clusterroles",
            Some("ClusterRoleBinding") => "rbac.authorization.k8s.io/clusterrolebindings",
            _ => continue,
        };
        store
            .create(&Key::new(resource, "", name_of(&o)), o.clone())
            .expect("create");
    }
    store
}

#[track_caller]
fn check(store: &MemoryStore, user: &User, req: Request<'_>, want: Result<(), &str>) {
    let got = authorize_request(user, &req, store).map_err(|e| e.message);
    assert_eq!(got, want.map_err(str::to_owned), "{req:?}");
}

#[test]
fn store_backed_decisions() {
    let mut objects = crate::rbac::bootstrap::objects();
    objects.push(cluster_role(
        "node-get",
        json!([rule(&[""], &["nodes"], &["get"])]),
    ));
    objects.push(cluster_binding(
        "node-get",
        "node-get",
        json!([{"kind": "ServiceAccount", "name": "p", "namespace": "s"}]),
    ));
    let store = store_with(objects);
    let p = sa("s", "p");
    let get_node = Request::Resource {
        verb: "get",
        group: "",
        resource: "nodes",
        subresource: "",
        namespace: "",
        name: "n",
    };
    check(&store, &p, get_node.clone(), Ok(()));
    check(
        &store,
        &sa("s", "other"),
        get_node,
        Err(
            "nodes \"n\" is forbidden: User \"system:serviceaccount:s:other\" cannot get resource \"nodes\" in API group \"\" at the cluster scope",
        ),
    );
    check(
        &store,
        &User::anonymous(),
        Request::Path {
            verb: "get",
            path: "/version",
        },
        Ok(()),
    );
    check(
        &store,
        &User::anonymous(),
        Request::Path {
            verb: "get",
            path: "/api",
        },
        Err("forbidden: User \"system:anonymous\" cannot get path \"/api\""),
    );
    check(
        &store,
        &p,
        Request::Path {
            verb: "get",
            path: "/openid/v1/jwks",
        },
        Ok(()),
    );
}

#[test]
fn namespace_objects_are_authorized_in_their_namespace() {
    let store = store_with(crate::rbac::bootstrap::objects());
    let req = Request::Resource {
        verb: "get",
        group: "",
        resource: "namespaces",
        subresource: "",
        namespace: "",
        name: "kube-system",
    };
    check(
        &store,
        &User::anonymous(),
        req,
        Err(
            "namespaces \"kube-system\" is forbidden: User \"system:anonymous\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"kube-system\"",
        ),
    );
}
