//! Kubernetes' authorizer library (`k8s.io/apiserver/pkg/cel/library/authz.go`, with the
//! `fieldSelector`/`labelSelector` functions of its selectors library): `authorizer.path(p)`,
//! `.group(g).resource(r)`, `.subresource(s)`, `.namespace(n)`, `.name(n)`, `.check(verb)`,
//! `authorizer.serviceAccount(ns, name)`, and a Decision's `allowed()`, `reason()`,
//! `errored()`, `error()`.
//!
//! Library functions are plain functions, so a check cannot call the server's authorizer
//! itself: it answers from [`Answers`] and records what it did not know; the evaluation
//! ([`super::Activation`]) then asks the authorizer those questions and evaluates again, until
//! nothing new is asked. Expressions are pure, so the last evaluation is the one every check
//! answered truly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use cel::common::types::{STRING_TYPE, Type};
use cel::objects::{Opaque, Value};
use cel::{DeclarationError, Env};

use crate::admission::{AuthzQuestion, Lookup, UserInfo};
use crate::cel::env::overload;
use crate::validation::names;

const AUTHORIZER: &str = "kubernetes.authorization.Authorizer";
const PATH_CHECK: &str = "kubernetes.authorization.PathCheck";
const GROUP_CHECK: &str = "kubernetes.authorization.GroupCheck";
const RESOURCE_CHECK: &str = "kubernetes.authorization.ResourceCheck";
const DECISION: &str = "kubernetes.authorization.Decision";

/// Whose permissions a check asks about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Subject {
    /// The requesting user.
    Request,
    /// `authorizer.serviceAccount(namespace, name)`.
    ServiceAccount {
        /// The ServiceAccount's namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

/// One question to the authorizer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct Ask {
    subject: Option<Subject>,
    path: String,
    group: String,
    resource: String,
    subresource: String,
    namespace: String,
    name: String,
    verb: String,
}

/// The answers known so far, and the questions asked without one.
#[derive(Debug, Default)]
pub(super) struct Answers {
    known: HashMap<Ask, bool>,
    pending: Vec<Ask>,
}

/// The answers of one evaluation, shared by the values of the library.
#[derive(Debug, Clone, Default)]
pub(super) struct Shared(Arc<Mutex<Answers>>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Shared {}

impl Shared {
    fn decide(&self, ask: Ask) -> bool {
        let mut answers = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match answers.known.get(&ask) {
            Some(allowed) => *allowed,
            None => {
                answers.pending.push(ask);
                false
            }
        }
    }

    /// Asks `lookup` the questions without an answer (for `user`; `None`, the server itself, is
    /// allowed everything); whether there were any.
    pub(super) fn answer_pending(&self, lookup: &dyn Lookup, user: Option<&UserInfo<'_>>) -> bool {
        let mut answers = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let pending = std::mem::take(&mut answers.pending);
        let any = !pending.is_empty();
        for ask in pending {
            let allowed = answer(&ask, lookup, user);
            answers.known.insert(ask, allowed);
        }
        any
    }

    /// The `authorizer` variable.
    pub(super) fn authorizer(&self) -> Value {
        Value::Opaque(Arc::new(Check {
            kind: AUTHORIZER,
            ask: Ask {
                subject: Some(Subject::Request),
                ..Ask::default()
            },
            answers: self.clone(),
        }))
    }

    /// The `authorizer.requestResource` variable: a check of the request's own resource.
    pub(super) fn request_resource(&self, resource: [&str; 5]) -> Value {
        let [group, resource, subresource, namespace, name] = resource.map(str::to_owned);
        Value::Opaque(Arc::new(Check {
            kind: RESOURCE_CHECK,
            ask: Ask {
                subject: Some(Subject::Request),
                group,
                resource,
                subresource,
                namespace,
                name,
                ..Ask::default()
            },
            answers: self.clone(),
        }))
    }
}

fn answer(ask: &Ask, lookup: &dyn Lookup, user: Option<&UserInfo<'_>>) -> bool {
    let question = AuthzQuestion {
        verb: &ask.verb,
        group: &ask.group,
        resource: &ask.resource,
        subresource: &ask.subresource,
        namespace: &ask.namespace,
        name: &ask.name,
        path: &ask.path,
    };
    match &ask.subject {
        Some(Subject::ServiceAccount { namespace, name }) => {
            // serviceaccount.ServiceAccountInfo.UserInfo(): no implicit authenticated group
            let groups = [
                "system:serviceaccounts".to_owned(),
                format!("system:serviceaccounts:{namespace}"),
            ];
            let extra = std::collections::BTreeMap::new();
            let sa = UserInfo {
                name: &format!("system:serviceaccount:{namespace}:{name}"),
                uid: "",
                groups: &groups,
                extra: &extra,
            };
            lookup.allows(&sa, &question)
        }
        _ => user.is_none_or(|u| lookup.allows(u, &question)),
    }
}

/// A value of the library: an Authorizer, PathCheck, GroupCheck or ResourceCheck (what it
/// would ask so far), or a Decision (`allowed` in `ask.verb`'s answer).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Check {
    kind: &'static str,
    ask: Ask,
    answers: Shared,
}

impl Opaque for Check {
    fn runtime_type_name(&self) -> &str {
        self.kind
    }
}

/// A Decision.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decision {
    allowed: bool,
}

impl Opaque for Decision {
    fn runtime_type_name(&self) -> &str {
        DECISION
    }
}

fn no_overload() -> String {
    "no such overload".to_owned()
}

/// The target of a member function, when it is of `kind`, and its string argument.
fn target<'a>(args: &'a [Value], kind: &str) -> Result<(&'a Check, String), String> {
    let check = match args.first() {
        Some(Value::Opaque(o)) => o.downcast_ref::<Check>().filter(|c| c.kind == kind),
        _ => None,
    }
    .ok_or_else(no_overload)?;
    let arg = match args.get(1) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    };
    Ok((check, arg))
}

fn opaque(kind: &'static str, ask: Ask, answers: &Shared) -> Value {
    Value::Opaque(Arc::new(Check {
        kind,
        ask,
        answers: answers.clone(),
    }))
}

fn decision(args: &[Value]) -> Result<&Decision, String> {
    match args.first() {
        Some(Value::Opaque(o)) => o.downcast_ref::<Decision>().ok_or_else(no_overload),
        _ => Err(no_overload()),
    }
}

/// `resourceCheck.<field>(value)` for the fields a ResourceCheck sets freely.
fn set(args: &[Value], field: fn(&mut Ask) -> &mut String) -> Result<Value, String> {
    let (check, value) = target(args, RESOURCE_CHECK)?;
    let mut ask = check.ask.clone();
    *field(&mut ask) = value;
    Ok(opaque(RESOURCE_CHECK, ask, &check.answers))
}

/// `check(verb)` of a PathCheck or ResourceCheck.
fn check(args: &[Value], kind: &str) -> Result<Value, String> {
    let (check, verb) = target(args, kind)?;
    let mut ask = check.ask.clone();
    ask.verb = verb;
    let allowed = check.answers.decide(ask);
    Ok(Value::Opaque(Arc::new(Decision { allowed })))
}

/// Registers the library on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    let ty = Type::new_opaque_type;
    for name in [
        AUTHORIZER,
        PATH_CHECK,
        GROUP_CHECK,
        RESOURCE_CHECK,
        DECISION,
    ] {
        env.add_type(ty(name))?;
    }
    env.add_member_overload(
        "path",
        "authorizer_path",
        ty(AUTHORIZER),
        vec![STRING_TYPE],
        overload!("path", |args| {
            let (check, path) = target(&args, AUTHORIZER)?;
            if path.trim().is_empty() {
                return Err("path must not be empty".to_owned());
            }
            let ask = Ask {
                path,
                ..check.ask.clone()
            };
            Ok(opaque(PATH_CHECK, ask, &check.answers))
        }),
    )?;
    env.add_member_overload(
        "group",
        "authorizer_group",
        ty(AUTHORIZER),
        vec![STRING_TYPE],
        overload!("group", |args| {
            let (check, group) = target(&args, AUTHORIZER)?;
            let ask = Ask {
                group,
                ..check.ask.clone()
            };
            Ok(opaque(GROUP_CHECK, ask, &check.answers))
        }),
    )?;
    env.add_member_overload(
        "serviceAccount",
        "authorizer_serviceaccount",
        ty(AUTHORIZER),
        vec![STRING_TYPE, STRING_TYPE],
        overload!("serviceAccount", |args| {
            let (check, namespace) = target(&args, AUTHORIZER)?;
            let name = match args.get(2) {
                Some(Value::String(s)) => s.to_string(),
                _ => return Err(no_overload()),
            };
            if !names::dns1123_subdomain(&name).is_empty() {
                return Err("Invalid service account name".to_owned());
            }
            if !names::dns1123_label(&namespace).is_empty() {
                return Err("Invalid service account namespace".to_owned());
            }
            let ask = Ask {
                subject: Some(Subject::ServiceAccount { namespace, name }),
                ..Ask::default()
            };
            Ok(opaque(AUTHORIZER, ask, &check.answers))
        }),
    )?;
    env.add_member_overload(
        "resource",
        "groupcheck_resource",
        ty(GROUP_CHECK),
        vec![STRING_TYPE],
        overload!("resource", |args| {
            let (check, resource) = target(&args, GROUP_CHECK)?;
            if resource.trim().is_empty() {
                return Err("resource must not be empty".to_owned());
            }
            let ask = Ask {
                resource,
                ..check.ask.clone()
            };
            Ok(opaque(RESOURCE_CHECK, ask, &check.answers))
        }),
    )?;
    let setters: [(&str, cel::common::functions::Function); 5] = [
        (
            "subresource",
            overload!("subresource", |args| set(&args, |a| &mut a.subresource)),
        ),
        (
            "namespace",
            overload!("namespace", |args| set(&args, |a| &mut a.namespace)),
        ),
        (
            "name",
            overload!("name", |args| set(&args, |a| &mut a.name)),
        ),
        // the server's authorizer does not look at selectors: they are kept and not asked
        (
            "fieldSelector",
            overload!("fieldSelector", |args| target(&args, RESOURCE_CHECK)
                .map(|_| args[0].clone())),
        ),
        (
            "labelSelector",
            overload!("labelSelector", |args| target(&args, RESOURCE_CHECK)
                .map(|_| args[0].clone())),
        ),
    ];
    for (name, function) in setters {
        let id = format!("resourcecheck_{}", name.to_lowercase());
        env.add_member_overload(name, &id, ty(RESOURCE_CHECK), vec![STRING_TYPE], function)?;
    }
    env.add_member_overload(
        "check",
        "pathcheck_check",
        ty(PATH_CHECK),
        vec![STRING_TYPE],
        overload!("check", |args| check(&args, PATH_CHECK)),
    )?;
    env.add_member_overload(
        "check",
        "resourcecheck_check",
        ty(RESOURCE_CHECK),
        vec![STRING_TYPE],
        overload!("check", |args| check(&args, RESOURCE_CHECK)),
    )?;
    let getters: [(&str, cel::common::functions::Function); 4] = [
        (
            "allowed",
            overload!("allowed", |args| Ok(Value::Bool(decision(&args)?.allowed))),
        ),
        (
            "reason",
            overload!("reason", |args| decision(&args).map(|_| Value::from(""))),
        ),
        (
            "errored",
            overload!("errored", |args| decision(&args)
                .map(|_| Value::Bool(false))),
        ),
        (
            "error",
            overload!("error", |args| decision(&args).map(|_| Value::from(""))),
        ),
    ];
    for (name, function) in getters {
        let id = format!("decision_{name}");
        env.add_member_overload(name, &id, ty(DECISION), vec![], function)?;
    }
    Ok(())
}
