//! What one user did according to an audit log: the requests allowed and those denied.

use std::collections::{BTreeMap, BTreeSet};

use crate::event::Event;
use crate::request::Request;

/// The requests one user (or ServiceAccount) made, as an audit log records them.
///
/// ```
/// let log = r#"{"stage":"ResponseComplete","verb":"list","user":{"username":"jane","groups":["system:authenticated"]},"objectRef":{"resource":"pods","namespace":"a"},"annotations":{"authorization.k8s.io/decision":"allow"}}
/// {"stage":"ResponseComplete","verb":"list","user":{"username":"jane"},"objectRef":{"resource":"secrets","namespace":"a"},"annotations":{"authorization.k8s.io/decision":"forbid"}}"#;
/// let usage = kubeset_audit::Usage::of(&kubeset_audit::parse_log(log)?, "jane");
/// assert_eq!(usage.allowed.len(), 1);
/// assert_eq!(usage.denied.len(), 1);
/// # Ok::<_, kubeset_audit::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// The user name (`system:serviceaccount:NS:NAME` for a ServiceAccount).
    pub user: String,
    /// Every group the user was seen with (bindings to groups grant to it too).
    pub groups: BTreeSet<String>,
    /// Each distinct request that was allowed.
    pub allowed: BTreeSet<Request>,
    /// Each distinct request that was denied, with how many times.
    pub denied: BTreeMap<Request, usize>,
}

impl Usage {
    /// The requests authorized as `user` (the impersonated user of impersonated requests).
    pub fn of(events: &[Event], user: &str) -> Usage {
        let mut usage = Usage {
            user: user.to_owned(),
            ..Usage::default()
        };
        for event in events {
            let who = event.effective_user();
            if who.username != user {
                continue;
            }
            usage.groups.extend(who.groups.iter().cloned());
            let request = Request::of(event);
            if event.denied() {
                *usage.denied.entry(request).or_default() += 1;
            } else {
                usage.allowed.insert(request);
            }
        }
        usage
    }

    /// Every request, allowed or denied: what the user needs.
    pub fn needed(&self) -> impl Iterator<Item = &Request> {
        self.allowed.iter().chain(self.denied.keys())
    }
}
