//! User impersonation (`kubectl --as`, `--as-group`, `--as-uid`, client-go's
//! `ImpersonationConfig`), as kube-apiserver's `WithImpersonation` filter does it: each
//! requested attribute must be allowed by the `impersonate` verb on `users`,
//! `serviceaccounts` (in the account's namespace), `groups`, `uids` or
//! `userextras/<key>`; the request then runs as the impersonated user.
//!
//! A ServiceAccount username (`system:serviceaccount:NS:NAME`) is impersonated as the
//! ServiceAccount: its groups are the ServiceAccount groups unless `Impersonate-Group` says
//! otherwise. A non-anonymous user gains `system:authenticated` (unless it asked for
//! `system:authenticated` or `system:unauthenticated`), `system:anonymous` gains
//! `system:unauthenticated`.

use std::collections::BTreeMap;

use http::HeaderMap;

use super::attributes::Attributes;
use super::evaluate::authorize;
use super::forbidden::Forbidden;
use super::objects::RbacObjects;
use crate::auth::User;

const USER_HEADER: &str = "impersonate-user";
const GROUP_HEADER: &str = "impersonate-group";
const UID_HEADER: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";
const AUTHENTICATION: &str = "authentication.k8s.io";
const AUTHENTICATED: &str = "system:authenticated";
const UNAUTHENTICATED: &str = "system:unauthenticated";
const ANONYMOUS: &str = "system:anonymous";

/// Why impersonation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Refused {
    /// 403: the requestor may not impersonate one of the requested attributes.
    Forbidden {
        /// The 403 to answer.
        answer: Forbidden,
    },
    /// 500 (`InternalError`): groups, extras or a UID were requested without a user.
    WithoutUser {
        /// The error text after `Internal error occurred: `.
        message: String,
    },
}

/// One thing to impersonate, as the filter's `ObjectReference`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    ServiceAccount { namespace: String, name: String },
    User(String),
    Group(String),
    Extra { key: String, value: String },
    Uid(String),
}

impl Target {
    /// Go's `%v` of the `ObjectReference` the real filter builds (used in its error text).
    fn go_value(&self) -> String {
        let (kind, namespace, name, api_version, field_path) = match self {
            Target::ServiceAccount { namespace, name } => {
                ("ServiceAccount", namespace.as_str(), name.as_str(), "", "")
            }
            Target::User(name) => ("User", "", name.as_str(), "", ""),
            Target::Group(name) => ("Group", "", name.as_str(), "", ""),
            Target::Extra { key, value } => (
                "UserExtra",
                "",
                value.as_str(),
                "authentication.k8s.io/v1",
                key.as_str(),
            ),
            Target::Uid(uid) => ("UID", "", uid.as_str(), "authentication.k8s.io/v1", ""),
        };
        // Kind Namespace Name UID APIVersion ResourceVersion FieldPath
        format!("{{{kind} {namespace} {name}  {api_version}  {field_path}}}")
    }

    /// The attributes authorized for this target.
    fn attributes(&self) -> Attributes {
        match self {
            Target::ServiceAccount { namespace, name } => {
                Attributes::resource("impersonate", "", "serviceaccounts")
                    .in_namespace(namespace)
                    .named(name)
            }
            Target::User(name) => Attributes::resource("impersonate", "", "users").named(name),
            Target::Group(name) => Attributes::resource("impersonate", "", "groups").named(name),
            Target::Extra { key, value } => {
                Attributes::resource("impersonate", AUTHENTICATION, "userextras")
                    .with_subresource(key)
                    .named(value)
            }
            Target::Uid(uid) => {
                Attributes::resource("impersonate", AUTHENTICATION, "uids").named(uid)
            }
        }
    }
}

/// `serviceaccount.SplitUsername`: the namespace and name of a ServiceAccount username.
fn split_service_account(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix("system:serviceaccount:")?;
    let (namespace, name) = rest.split_once(':')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    };
    (valid(namespace) && valid(name)).then_some((namespace, name))
}

/// Go's `url.PathUnescape` (invalid escapes are kept as they are).
fn path_unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'%'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The requested targets in the order the filter checks them (user, groups, extras, uid).
fn requested(headers: &HeaderMap) -> Result<Vec<Target>, Refused> {
    let text = |v: &http::HeaderValue| v.to_str().unwrap_or_default().to_owned();
    let mut targets = Vec::new();
    let user = headers.get(USER_HEADER).map(text).filter(|u| !u.is_empty());
    if let Some(user) = &user {
        targets.push(match split_service_account(user) {
            Some((namespace, name)) => Target::ServiceAccount {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            },
            None => Target::User(user.clone()),
        });
    }
    let groups: Vec<Target> = headers
        .get_all(GROUP_HEADER)
        .iter()
        .map(|v| Target::Group(text(v)))
        .collect();
    let has_groups = !groups.is_empty();
    targets.extend(groups);
    let mut extra_headers: Vec<(&str, &http::HeaderValue)> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().strip_prefix(EXTRA_PREFIX)?, value)))
        .collect();
    extra_headers.sort_by(|a, b| a.0.cmp(b.0));
    let has_extra = !extra_headers.is_empty();
    for (key, value) in extra_headers {
        targets.push(Target::Extra {
            // `unescapeExtraKey(strings.ToLower(key))`: header names are lowercase already,
            // and what an escape spells keeps its case
            key: path_unescape(key),
            value: text(value),
        });
    }
    let uid = headers.get(UID_HEADER).map(text).filter(|u| !u.is_empty());
    let has_uid = uid.is_some();
    targets.extend(uid.map(Target::Uid));
    if (has_groups || has_extra || has_uid) && user.is_none() {
        let list: Vec<String> = targets.iter().map(Target::go_value).collect();
        return Err(Refused::WithoutUser {
            message: format!(
                "requested [{}] without impersonating a user",
                list.join(" ")
            ),
        });
    }
    Ok(targets)
}

/// The user a request runs as: `requestor` itself without impersonation headers, else the
/// impersonated user once every requested attribute is allowed.
pub(crate) fn impersonate(
    objects: &dyn RbacObjects,
    requestor: &User,
    headers: &HeaderMap,
) -> Result<User, Refused> {
    let targets = requested(headers)?;
    if targets.is_empty() {
        return Ok(requestor.clone());
    }
    let groups_specified = targets.iter().any(|t| matches!(t, Target::Group(_)));
    let mut user = User {
        name: String::new(),
        uid: String::new(),
        groups: Vec::new(),
        extra: BTreeMap::new(),
    };
    for target in &targets {
        let attrs = target.attributes();
        let decision = authorize(objects, requestor, &attrs);
        if !decision.allowed {
            return Err(Refused::Forbidden {
                answer: Forbidden::new(&requestor.name, &attrs, &decision.reason),
            });
        }
        match target {
            Target::ServiceAccount { namespace, name } => {
                user.name = format!("system:serviceaccount:{namespace}:{name}");
                if !groups_specified {
                    user.groups = vec![
                        "system:serviceaccounts".into(),
                        format!("system:serviceaccounts:{namespace}"),
                    ];
                }
            }
            Target::User(name) => user.name = name.clone(),
            Target::Group(group) => user.groups.push(group.clone()),
            Target::Extra { key, value } => user
                .extra
                .entry(key.clone())
                .or_default()
                .push(value.clone()),
            Target::Uid(uid) => user.uid = uid.clone(),
        }
    }
    let has = |g: &str| user.groups.iter().any(|have| have == g);
    if user.name != ANONYMOUS {
        if !has(AUTHENTICATED) && !has(UNAUTHENTICATED) {
            user.groups.push(AUTHENTICATED.into());
        }
    } else if !has(UNAUTHENTICATED) {
        user.groups.push(UNAUTHENTICATED.into());
    }
    Ok(user)
}
