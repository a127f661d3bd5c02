//! One request's audit event from arrival to `ResponseComplete`: what the request info gives
//! (verb, objectRef), who sent it, the annotations the authorizer adds, the answer's status.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;
use time::OffsetDateTime;

use super::event::{Event, ObjectReference, ResponseStatus, UserInfo};
use crate::auth::User;
use crate::rbac::attributes::Attributes;

/// The annotation naming the authorizer's decision (`allow` or `forbid`).
pub(crate) const DECISION: &str = "authorization.k8s.io/decision";
/// The annotation with the authorizer's reason (`RBAC: allowed by ...`, or empty).
pub(crate) const REASON: &str = "authorization.k8s.io/reason";

tokio::task_local! {
    /// The annotations of the request this task answers (Go's audit context).
    static ANNOTATIONS: RefCell<BTreeMap<String, String>>;
}

/// Adds an annotation to the event of the request this task is answering; a no-op outside
/// a request (controllers, start-up).
pub(crate) fn annotate(key: &str, value: &str) {
    let _ = ANNOTATIONS.try_with(|a| {
        a.borrow_mut().insert(key.to_owned(), value.to_owned());
    });
}

/// Records an authorization decision as kube-apiserver's authorization filter does.
pub(crate) fn annotate_decision(allowed: bool, reason: &str) {
    annotate(DECISION, if allowed { "allow" } else { "forbid" });
    annotate(REASON, reason);
}

/// Runs `answer` with an annotation scope and returns its result with the annotations made.
pub(crate) async fn with_annotations<T>(
    answer: impl Future<Output = T>,
) -> (T, BTreeMap<String, String>) {
    ANNOTATIONS
        .scope(RefCell::new(BTreeMap::new()), async move {
            let out = answer.await;
            let annotations = ANNOTATIONS.with(|a| std::mem::take(&mut *a.borrow_mut()));
            (out, annotations)
        })
        .await
}

/// An event being built: everything known when the request arrived.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    event: Event,
    attrs: Attributes,
}

/// What the request looked like on arrival.
pub(crate) struct Arrival<'a> {
    /// The HTTP method.
    pub(crate) method: &'a str,
    /// Path and query as sent.
    pub(crate) uri: &'a str,
    /// The URL path.
    pub(crate) path: &'a str,
    /// The raw query (without `?`).
    pub(crate) query: &'a str,
    /// The request headers.
    pub(crate) headers: &'a http::HeaderMap,
    /// The peer's address.
    pub(crate) peer: IpAddr,
    /// When it arrived.
    pub(crate) received: OffsetDateTime,
}

impl Pending {
    /// The event of a request from `user`, as it arrived.
    pub(crate) fn new(arrival: &Arrival<'_>, user: &User) -> Self {
        let attrs = Attributes::from_request(arrival.method, arrival.path, arrival.query);
        let header = |name: &str| {
            arrival
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        let audit_id = match header("audit-id") {
            "" => uuid::Uuid::new_v4().to_string(),
            id => id.to_owned(),
        };
        let object_ref = attrs.resource_request.then(|| ObjectReference {
            resource: attrs.resource.clone(),
            namespace: attrs.namespace.clone(),
            name: attrs.name.clone(),
            api_group: attrs.api_group.clone(),
            api_version: attrs.api_version.clone(),
            subresource: attrs.subresource.clone(),
            ..ObjectReference::default()
        });
        let received = micro_time(arrival.received);
        let event = Event {
            kind: "Event".into(),
            api_version: "audit.k8s.io/v1".into(),
            level: "Metadata".into(),
            audit_id,
            stage: "ResponseComplete".into(),
            request_uri: arrival.uri.to_owned(),
            verb: attrs.verb.clone(),
            user: user_info(user),
            impersonated_user: None,
            source_ips: source_ips(header("x-forwarded-for"), header("x-real-ip"), arrival.peer),
            user_agent: header("user-agent").to_owned(),
            object_ref,
            response_status: None,
            request_received_timestamp: received.clone(),
            stage_timestamp: received,
            annotations: BTreeMap::new(),
        };
        Pending { event, attrs }
    }

    /// The request's audit ID (the `Audit-Id` response header).
    pub(crate) fn audit_id(&self) -> &str {
        &self.event.audit_id
    }

    /// Whether the request is long-running (a watch, logs, exec...): its event is written when
    /// the response ends, not when it starts.
    pub(crate) fn long_running(&self) -> bool {
        matches!(self.attrs.verb.as_str(), "watch" | "proxy")
            || matches!(
                self.attrs.subresource.as_str(),
                "attach" | "exec" | "proxy" | "log" | "portforward"
            )
    }

    /// The request ran as `user` after `Impersonate-*` headers.
    pub(crate) fn impersonated(&mut self, user: &User) {
        self.event.impersonated_user = Some(user_info(user));
    }

    /// Completes the objectRef from a create's or update's decoded body, as the handlers'
    /// `LogRequestObject` does: the name, namespace, uid and resourceVersion the URL lacks.
    pub(crate) fn request_object(&mut self, body: &[u8]) {
        if !matches!(self.attrs.verb.as_str(), "create" | "update") {
            return;
        }
        let Some(object_ref) = &mut self.event.object_ref else {
            return;
        };
        let Ok(object) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let Some(meta) = object.get("metadata") else {
            return;
        };
        for (field, slot) in [
            ("namespace", &mut object_ref.namespace),
            ("name", &mut object_ref.name),
            ("uid", &mut object_ref.uid),
            ("resourceVersion", &mut object_ref.resource_version),
        ] {
            if slot.is_empty()
                && let Some(value) = meta.get(field).and_then(Value::as_str)
            {
                value.clone_into(slot);
            }
        }
    }

    /// The finished event: the answer's status and the annotations made while answering.
    pub(crate) fn complete(
        mut self,
        status: ResponseStatus,
        annotations: BTreeMap<String, String>,
    ) -> Event {
        self.event.response_status = Some(status);
        self.event.annotations = annotations;
        self.event.stage_timestamp = now();
        self.event
    }
}

/// Now as a `metav1.MicroTime`.
pub(super) fn now() -> String {
    micro_time(OffsetDateTime::now_utc())
}

/// `authentication.k8s.io/v1` `UserInfo` of a user.
fn user_info(user: &User) -> UserInfo {
    UserInfo {
        username: user.name.clone(),
        uid: user.uid.clone(),
        groups: user.groups.clone(),
        extra: user.extra.clone(),
    }
}

/// `utilnet.SourceIPs`: the `X-Forwarded-For` addresses, `X-Real-Ip` unless already listed,
/// then the peer unless it is the last one listed.
fn source_ips(forwarded: &str, real_ip: &str, peer: IpAddr) -> Vec<String> {
    let mut ips: Vec<String> = forwarded
        .split(',')
        .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_string())
        .collect();
    if let Ok(ip) = real_ip.trim().parse::<IpAddr>()
        && !ips.contains(&ip.to_string())
    {
        ips.push(ip.to_string());
    }
    let peer = peer.to_string();
    if ips.last() != Some(&peer) {
        ips.push(peer);
    }
    ips
}

/// A `metav1.MicroTime`: UTC with six fractional digits.
fn micro_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ips_follow_forwarding_headers() {
        let peer: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(source_ips("", "", peer), ["127.0.0.1"]);
        assert_eq!(
            source_ips("10.0.0.1, 10.0.0.2", "10.0.0.2", peer),
            ["10.0.0.1", "10.0.0.2", "127.0.0.1"]
        );
        assert_eq!(source_ips("127.0.0.1", "", peer), ["127.0.0.1"]);
    }

    #[test]
    fn micro_time_has_six_digits() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(micro_time(t), "2023-11-14T22:13:20.123456Z");
    }
}
