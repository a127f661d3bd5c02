//! What a 403 means in RBAC terms: who was denied, what, and the rule that would allow it.

use std::fmt;

use http::Method;
use k8s_openapi::api::authentication::v1::UserInfo;
use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;

/// One thing a caller may or may not be allowed to do, in RBAC's terms.
///
/// ```
/// use kubeset_clientset::Permission;
///
/// let p = Permission::new("list", "nodes");
/// assert_eq!(p.to_string(), "list nodes (cluster-wide)");
/// let p = Permission::new("get", "pods").subresource("log").namespace("apps");
/// assert_eq!(p.to_string(), "get pods/log in namespace apps");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Permission {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, ...
    pub verb: String,
    /// The API group (`""` for core).
    pub group: String,
    /// The resource (plural, `pods`).
    pub resource: String,
    /// The subresource (`status`, `log`, `binding`, `eviction`, `token`), if any.
    pub subresource: Option<String>,
    /// The namespace, `None` for cluster scope.
    pub namespace: Option<String>,
    /// The object name, if the request named one.
    pub name: Option<String>,
}

impl Permission {
    /// `verb` on `resource` in the core group, cluster-wide.
    pub fn new(verb: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            verb: verb.into(),
            resource: resource.into(),
            ..Self::default()
        }
    }
    /// Sets the API group.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self
    }
    /// Sets the subresource.
    pub fn subresource(mut self, subresource: impl Into<String>) -> Self {
        self.subresource = Some(subresource.into());
        self
    }
    /// Sets the namespace.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }
    /// Sets the object name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `resource` or `resource/subresource`, as RBAC rules spell it.
    pub fn rbac_resource(&self) -> String {
        match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.resource),
            None => self.resource.clone(),
        }
    }

    /// The narrowest RBAC rule that grants this permission.
    pub fn rule(&self) -> PolicyRule {
        // RBAC cannot restrict create, list, watch or deletecollection by name.
        let by_name = matches!(self.verb.as_str(), "get" | "update" | "patch" | "delete");
        PolicyRule {
            api_groups: Some(vec![self.group.clone()]),
            resources: Some(vec![self.rbac_resource()]),
            verbs: vec![self.verb.clone()],
            resource_names: self.name.clone().filter(|_| by_name).map(|n| vec![n]),
            non_resource_urls: None,
        }
    }

    /// The rule as YAML, ready for a Role (namespaced) or ClusterRole's `rules:`.
    pub fn rule_yaml(&self) -> String {
        serde_saphyr::to_string(&vec![self.rule()])
            .unwrap_or_else(|e| format!("# cannot render the rule as YAML: {e}\n"))
    }

    /// `Role` when the permission is in a namespace, else `ClusterRole`.
    pub fn role_kind(&self) -> &'static str {
        if self.namespace.is_some() {
            "Role"
        } else {
            "ClusterRole"
        }
    }

    /// The permission a request needs, as kube-apiserver's RequestInfo derives it from the
    /// method and path. `None` for non-resource paths (`/version`, `/apis`).
    pub fn for_request(method: &Method, url: &str) -> Option<Self> {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (group, rest) = match segments.as_slice() {
            ["api", _version, rest @ ..] => ("", rest),
            ["apis", group, _version, rest @ ..] => (*group, rest),
            _ => return None,
        };
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(*ns), rest),
            _ => (None, rest),
        };
        let (resource, name, subresource) = match rest {
            [resource] => (*resource, None, None),
            [resource, name] => (*resource, Some(*name), None),
            [resource, name, sub, ..] => (*resource, Some(*name), Some(*sub)),
            _ => return None,
        };
        let watch = form_urlencoded::parse(query.as_bytes())
            .any(|(k, v)| k == "watch" && (v == "1" || v == "true"));
        let verb = match (method.as_str(), name.is_some()) {
            (_, _) if watch => "watch",
            ("GET" | "HEAD", true) => "get",
            ("GET" | "HEAD", false) => "list",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", true) => "delete",
            ("DELETE", false) => "deletecollection",
            _ => return None,
        };
        Some(Self {
            verb: verb.to_owned(),
            group: group.to_owned(),
            resource: resource.to_owned(),
            subresource: subresource.map(str::to_owned),
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
        })
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.verb)?;
        if !self.group.is_empty() {
            write!(f, "{}.", self.group)?;
        }
        write!(f, "{}", self.rbac_resource())?;
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        match &self.namespace {
            Some(ns) => write!(f, " in namespace {ns}"),
            None => write!(f, " (cluster-wide)"),
        }
    }
}

/// Who was denied what by a 403, and the RBAC rule that would allow it.
///
/// Built from the request and the server's message at no cost; [`Client::explain_forbidden`]
/// can add the caller's groups with one `SelfSubjectReview` request.
///
/// [`Client::explain_forbidden`]: crate::Client::explain_forbidden
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Denial {
    /// The user name the server reported (`system:serviceaccount:ns:name`), if it said.
    pub user: Option<String>,
    /// The caller's full identity, when it was looked up.
    pub caller: Option<Caller>,
    /// What the request needed, when it was a resource request.
    pub permission: Option<Permission>,
    /// `(verb, path)` when it was a non-resource request (`/metrics`, `/apis`).
    pub non_resource: Option<(String, String)>,
}

/// A caller's identity as the server sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Caller {
    /// The user name.
    pub username: String,
    /// The groups.
    pub groups: Vec<String>,
}

impl From<UserInfo> for Caller {
    fn from(info: UserInfo) -> Self {
        Self {
            username: info.username.unwrap_or_default(),
            groups: info.groups.unwrap_or_default(),
        }
    }
}

impl Denial {
    pub(crate) fn from_request(method: &Method, url: &str, status: &Status) -> Self {
        let permission = Permission::for_request(method, url);
        let non_resource = permission.is_none().then(|| {
            let path = url.split_once('?').map_or(url, |(path, _)| path);
            (method.as_str().to_ascii_lowercase(), path.to_owned())
        });
        Self {
            user: status.message.as_deref().and_then(user_in_message),
            caller: None,
            permission,
            non_resource,
        }
    }
}

/// The quoted name after `User "` in kube-apiserver's forbidden message.
fn user_in_message(message: &str) -> Option<String> {
    let start = message.find("User \"")? + "User \"".len();
    let len = message[start..].find('"')?;
    Some(message[start..start + len].to_owned())
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.caller, &self.user) {
            (Some(caller), _) => {
                write!(f, "caller: {}", caller.username)?;
                if !caller.groups.is_empty() {
                    write!(f, " (groups: {})", caller.groups.join(", "))?;
                }
                writeln!(f)?;
            }
            (None, Some(user)) => writeln!(f, "caller: {user}")?,
            (None, None) => writeln!(f, "caller: unknown")?,
        }
        match &self.permission {
            Some(permission) => {
                writeln!(f, "denied: {permission}")?;
                let place = match &permission.namespace {
                    Some(ns) => format!("a Role in namespace {ns}"),
                    None => String::from("a ClusterRole"),
                };
                write!(
                    f,
                    "{place} with this rule, bound to the caller, would allow it:\n{}",
                    permission.rule_yaml().trim_end()
                )
            }
            None => match &self.non_resource {
                Some((verb, path)) => write!(
                    f,
                    "denied: {verb} {path}\na ClusterRole with this rule, bound to the caller, \
                     would allow it:\n- nonResourceURLs:\n  - {path}\n  verbs:\n  - {verb}"
                ),
                None => write!(f, "denied: the request"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(method: Method, url: &str, expected: Option<&str>) {
        let got = Permission::for_request(&method, url).map(|p| p.to_string());
        assert_eq!(got.as_deref(), expected);
    }

    #[test]
    fn permissions_from_requests() {
        check(
            Method::GET,
            "/api/v1/nodes",
            Some("list nodes (cluster-wide)"),
        );
        check(
            Method::GET,
            "/api/v1/nodes/n1",
            Some("get nodes \"n1\" (cluster-wide)"),
        );
        check(
            Method::GET,
            "/api/v1/namespaces/a/pods?watch=1&labelSelector=x",
            Some("watch pods in namespace a"),
        );
        check(
            Method::PATCH,
            "/api/v1/persistentvolumes/pv/status",
            Some("patch persistentvolumes/status \"pv\" (cluster-wide)"),
        );
        check(
            Method::GET,
            "/api/v1/namespaces/a",
            Some("get namespaces \"a\" (cluster-wide)"),
        );
        check(
            Method::POST,
            "/api/v1/namespaces",
            Some("create namespaces (cluster-wide)"),
        );
        check(
            Method::POST,
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            Some("create authentication.k8s.io.selfsubjectreviews (cluster-wide)"),
        );
        check(
            Method::DELETE,
            "/apis/coordination.k8s.io/v1/namespaces/a/leases",
            Some("deletecollection coordination.k8s.io.leases in namespace a"),
        );
        check(Method::GET, "/version", None);
        check(Method::GET, "/apis", None);
    }

    #[test]
    fn a_non_resource_denial_names_the_url_rule() {
        let status = Status {
            message: Some(
                "forbidden: User \"system:anonymous\" cannot get path \"/metrics\"".into(),
            ),
            ..Status::default()
        };
        let text = Denial::from_request(&Method::GET, "/metrics?x=1", &status).to_string();
        assert!(text.contains("caller: system:anonymous"), "{text}");
        assert!(text.contains("denied: get /metrics"), "{text}");
        assert!(
            text.contains("- nonResourceURLs:\n  - /metrics\n  verbs:\n  - get"),
            "{text}"
        );
    }

    #[test]
    fn forbidden_message_names_caller_denial_and_rule() {
        let status = Status {
            message: Some("persistentvolumes \"pv\" is forbidden: User \"system:serviceaccount:a:b\" cannot patch resource \"persistentvolumes/status\" in API group \"\" at the cluster scope".into()),
            ..Status::default()
        };
        let denial = Denial::from_request(
            &Method::PATCH,
            "/api/v1/persistentvolumes/pv/status",
            &status,
        );
        let text = denial.to_string();
        assert!(text.contains("caller: system:serviceaccount:a:b"), "{text}");
        assert!(
            text.contains("denied: patch persistentvolumes/status \"pv\""),
            "{text}"
        );
        assert!(text.contains("ClusterRole"), "{text}");
        let yaml = denial.permission.as_ref().unwrap().rule_yaml();
        let rule: serde_json::Value =
            serde_json::to_value(denial.permission.unwrap().rule()).unwrap();
        assert_eq!(rule["resources"][0], "persistentvolumes/status");
        assert_eq!(rule["resourceNames"][0], "pv");
        assert!(yaml.contains("apiGroups"), "{yaml}");
        assert!(yaml.contains("persistentvolumes/status"), "{yaml}");
        assert!(yaml.contains("- patch"), "{yaml}");
    }
}
