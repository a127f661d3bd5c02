//! What validating admission adds to a request it does not refuse, as Go's admission plugins add
//! it through the request's context: `Warning` headers (`warning.AddWarning`) and audit
//! annotations (`Attributes.AddAnnotation`); and who sends the request, for the paths that do
//! not carry the user to admission (deletes).
//!
//! The server runs each write synchronously on one thread: [`record`] opens a scope on this
//! thread around it, plugins add to the scope, and the caller gets what was added. Outside a
//! scope (the server's own writes) additions are dropped and there is no requester.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::Value;

use super::UserInfo;

/// The requesting user, owned (after impersonation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Requester {
    /// `GetName()`.
    pub(crate) name: String,
    /// `GetUID()`.
    pub(crate) uid: String,
    /// `GetGroups()`.
    pub(crate) groups: Vec<String>,
    /// `GetExtra()`.
    pub(crate) extra: BTreeMap<String, Vec<String>>,
}

impl Requester {
    /// The admission view of the user.
    pub(crate) fn info(&self) -> UserInfo<'_> {
        UserInfo {
            name: &self.name,
            uid: &self.uid,
            groups: &self.groups,
            extra: &self.extra,
        }
    }
}

/// What admission needs to know of a request that its attributes do not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RequestInfo {
    /// Who sends it (`None` for the server's own writes).
    pub(crate) user: Option<Requester>,
    /// Whether it is a dry run.
    pub(crate) dry_run: bool,
    /// Its options object (`CreateOptions`, `UpdateOptions`, `DeleteOptions`), when known.
    pub(crate) options: Option<Value>,
}

/// What plugins added to one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Added {
    /// Warning texts, in the order added.
    pub(crate) warnings: Vec<String>,
    /// Audit annotations, in the order added (a key added again keeps its first value, as
    /// `AddAnnotation` refuses to change one).
    pub(crate) annotations: Vec<(String, String)>,
}

struct Scope {
    info: RequestInfo,
    added: Added,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Runs `f` in a scope for the request `info` describes; returns its result and what plugins
/// added. A scope opened inside another replaces it until `f` returns.
pub(crate) fn record<T>(info: RequestInfo, f: impl FnOnce() -> T) -> (T, Added) {
    let outer = SCOPE.with(|s| {
        s.borrow_mut().replace(Scope {
            info,
            added: Added::default(),
        })
    });
    let out = f();
    let scope = SCOPE.with(|s| std::mem::replace(&mut *s.borrow_mut(), outer));
    (out, scope.map(|s| s.added).unwrap_or_default())
}

/// Adds a warning to the request being answered.
pub(crate) fn warn(text: String) {
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut() {
            scope.added.warnings.push(text);
        }
    });
}

/// Adds an audit annotation to the request being answered.
pub(crate) fn annotate(key: String, value: String) {
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut()
            && !scope.added.annotations.iter().any(|(k, _)| *k == key)
        {
            scope.added.annotations.push((key, value));
        }
    });
}

/// What is known of the request being answered (nothing outside a scope).
pub(crate) fn request_info() -> RequestInfo {
    SCOPE.with(|s| {
        s.borrow()
            .as_ref()
            .map(|scope| scope.info.clone())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Additions reach the innermost scope only; none leak out of it or outside every scope.
    #[test]
    fn scopes_collect_their_own_additions() {
        warn("dropped".into());
        let user = Requester {
            name: "alice".into(),
            ..Requester::default()
        };
        let info = RequestInfo {
            user: Some(user.clone()),
            dry_run: true,
            options: None,
        };
        let ((inner, inside), outer) = record(info, || {
            warn("outer".into());
            annotate("a/k".into(), "1".into());
            annotate("a/k".into(), "2".into());
            let ((), inner) = record(RequestInfo::default(), || warn("inner".into()));
            (inner, request_info())
        });
        assert_eq!(inner.warnings, ["inner"]);
        assert_eq!(outer.warnings, ["outer"]);
        assert_eq!(outer.annotations, [("a/k".to_owned(), "1".to_owned())]);
        assert_eq!(inside.user, Some(user));
        assert!(inside.dry_run);
        assert_eq!(request_info(), RequestInfo::default());
    }
}
