//! Authorization attributes of a request and how kube-apiserver derives them from the HTTP
//! method, path and query (its `RequestInfoFactory`): `list`/`watch`/`deletecollection`,
//! the namespace of a Namespace object, subresources, `fieldSelector=metadata.name=x`.

/// What a request asks to do, as an authorizer sees it (`authorizer.Attributes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Attributes {
    /// Resource verb (`get`, `list`, `watch`, `create`, ...) or lowercase HTTP method for
    /// non-resource requests.
    pub(crate) verb: String,
    /// Whether this is a request for an API resource (else a non-resource URL).
    pub(crate) resource_request: bool,
    /// URL path of a non-resource request (`/api`, `/healthz`).
    pub(crate) path: String,
    /// API group (`""` for core).
    pub(crate) api_group: String,
    /// API version (`v1`; `*` from access reviews that leave it empty).
    pub(crate) api_version: String,
    /// Resource (plural).
    pub(crate) resource: String,
    /// Subresource, empty if none.
    pub(crate) subresource: String,
    /// Namespace, empty at the cluster scope.
    pub(crate) namespace: String,
    /// Object name, empty for collections.
    pub(crate) name: String,
}

impl Attributes {
    /// A resource request at the cluster scope; refine with [`Self::in_namespace`],
    /// [`Self::named`], [`Self::with_subresource`].
    pub(crate) fn resource(verb: &str, group: &str, resource: &str) -> Self {
        Attributes {
            verb: verb.to_owned(),
            resource_request: true,
            api_group: group.to_owned(),
            resource: resource.to_owned(),
            ..Attributes::default()
        }
    }

    /// A non-resource request (`get` `/api`).
    pub(crate) fn non_resource(verb: &str, path: &str) -> Self {
        Attributes {
            verb: verb.to_owned(),
            path: path.to_owned(),
            ..Attributes::default()
        }
    }

    /// The same request in a namespace.
    pub(crate) fn in_namespace(mut self, namespace: &str) -> Self {
        namespace.clone_into(&mut self.namespace);
        self
    }

    /// The same request for one named object.
    pub(crate) fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    /// The same request on a subresource.
    pub(crate) fn with_subresource(mut self, subresource: &str) -> Self {
        subresource.clone_into(&mut self.subresource);
        self
    }

    /// `resource` or `resource/subresource`, what rules and messages name.
    pub(crate) fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The attributes kube-apiserver derives from a request: `method` (`GET`), decoded URL
    /// `path`, raw `query` (without `?`).
    pub(crate) fn from_request(method: &str, path: &str, query: &str) -> Self {
        let non_resource = Attributes::non_resource(&method.to_ascii_lowercase(), path);
        let trimmed = path.trim_matches('/');
        let mut parts: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        if parts.len() < 3 || !matches!(parts[0], "api" | "apis") {
            return non_resource;
        }
        let mut attrs = Attributes {
            resource_request: true,
            ..Attributes::default()
        };
        if parts[0] == "apis" {
            if parts.len() < 4 {
                return non_resource;
            }
            parts[1].clone_into(&mut attrs.api_group);
            parts.drain(..2);
        } else {
            parts.drain(..1);
        }
        parts[0].clone_into(&mut attrs.api_version);
        parts.drain(..1);
        if matches!(parts[0], "watch" | "proxy") {
            if parts.len() < 2 {
                // kube-apiserver refuses such a URL before authorization; keep it non-resource
                return non_resource;
            }
            parts[0].clone_into(&mut attrs.verb);
            parts.drain(..1);
        } else {
            attrs.verb = match method {
                "POST" => "create",
                "GET" | "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "",
            }
            .to_owned();
        }
        if parts[0] == "namespaces"
            && let Some(ns) = parts.get(1)
        {
            (*ns).clone_into(&mut attrs.namespace);
            if parts.len() > 2 && !matches!(parts[2], "status" | "finalize") {
                parts.drain(..2);
            }
        }
        if let Some(resource) = parts.first() {
            (*resource).clone_into(&mut attrs.resource);
        }
        if let Some(name) = parts.get(1) {
            (*name).clone_into(&mut attrs.name);
        }
        if attrs.verb != "proxy"
            && let Some(sub) = parts.get(2)
        {
            (*sub).clone_into(&mut attrs.subresource);
        }
        if attrs.name.is_empty() && attrs.verb == "get" {
            let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let first = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            // like the parameter codec: present and neither "0" nor "false" means true
            let watch =
                first("watch").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"));
            if let Some(name) = first("fieldSelector").and_then(|s| exact_name(s)) {
                attrs.name = name;
            }
            attrs.verb = if watch { "watch" } else { "list" }.to_owned();
        }
        if attrs.name.is_empty() && attrs.verb == "delete" {
            "deletecollection".clone_into(&mut attrs.verb);
        }
        attrs
    }
}

/// The name a field selector pins with `metadata.name=x` / `metadata.name==x`, if it is a
/// valid path segment.
fn exact_name(selector: &str) -> Option<String> {
    selector.split(',').find_map(|term| {
        let (field, value) = term
            .split_once("==")
            .or_else(|| term.split_once('='))
            .filter(|(f, _)| !f.ends_with('!'))?;
        (field.trim() == "metadata.name" && valid_path_segment(value)).then(|| value.to_owned())
    })
}

fn valid_path_segment(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '%'])
}
