//! `GET pods/NAME/log`: what kube-apiserver answers when no kubelet serves the logs.
//!
//! The order is the real server's: query parameters are converted into `PodLogOptions` (400 on
//! a malformed number or time), validated (422 `PodLogOptions "NAME" is invalid`), the pod is
//! looked up (404), the container checked (400), and then
//! - an unscheduled pod answers **204 No Content** with no body and no content type;
//! - a pod bound to a missing node answers the node's 404;
//! - otherwise the server would proxy to the node's kubelet. The test server runs none, so the
//!   answer is the 500 a real server gives when the kubelet does not answer (the node's
//!   preferred address and kubelet port, as `--kubelet-preferred-address-types` picks them).
//!
//! A container with a scripted log ([`crate::logs`]) is answered from it instead, at the point
//! where the real server would ask the kubelet (after validation and the container check).

use http::{Response, StatusCode};
use serde_json::Value;

use super::{pods, text};
use crate::api::query::Query;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};

/// `PodLogOptions` from the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LogOptions {
    /// `container`; empty picks the only container.
    pub(crate) container: String,
    /// `follow`.
    pub(crate) follow: bool,
    /// `previous`.
    pub(crate) previous: bool,
    /// `sinceSeconds`.
    pub(crate) since_seconds: Option<i64>,
    /// `sinceTime` (RFC 3339, as sent).
    pub(crate) since_time: Option<String>,
    /// `timestamps`.
    pub(crate) timestamps: bool,
    /// `tailLines`.
    pub(crate) tail_lines: Option<i64>,
    /// `limitBytes`.
    pub(crate) limit_bytes: Option<i64>,
    /// `stream` (`All`, `Stdout`, `Stderr`).
    pub(crate) stream: Option<String>,
}

impl LogOptions {
    /// Converts the query like the generated `url.Values` conversion: fields in declaration
    /// order, the first malformed one is the 400.
    pub(crate) fn parse(q: &Query) -> Result<Self, ApiError> {
        Ok(LogOptions {
            container: q.get("container").unwrap_or("").to_owned(),
            follow: go_bool(q.get("follow")),
            previous: go_bool(q.get("previous")),
            since_seconds: go_int(q.get("sinceSeconds"))?,
            since_time: go_time(q.get("sinceTime"))?,
            timestamps: go_bool(q.get("timestamps")),
            tail_lines: go_int(q.get("tailLines"))?,
            limit_bytes: go_int(q.get("limitBytes"))?,
            stream: q.get("stream").map(str::to_owned),
        })
    }

    /// `ValidatePodLogOptions` of the options of pod `pod`: the 422 when they are invalid.
    pub(crate) fn validate(&self, pod: &str) -> Result<(), ApiError> {
        crate::validation::pod_log_options(
            pod,
            &crate::validation::PodLogOptions {
                tail_lines: self.tail_lines,
                limit_bytes: self.limit_bytes,
                since_seconds: self.since_seconds,
                since_time: self.since_time.is_some(),
                stream: self.stream.as_deref(),
            },
        )
        .map_err(|invalid| ApiError::from_status(422, invalid.status()))
    }

    /// The lines these options pick: `sinceTime` reaches the kubelet with second precision.
    fn selection(&self) -> crate::logs::Selection {
        use time::format_description::well_known::Rfc3339;
        let since = match (self.since_seconds, &self.since_time) {
            (Some(n), _) => Some(time::OffsetDateTime::now_utc() - time::Duration::seconds(n)),
            (None, Some(t)) => time::OffsetDateTime::parse(t, &Rfc3339)
                .ok()
                .and_then(|t| t.replace_nanosecond(0).ok()),
            (None, None) => None,
        };
        crate::logs::Selection {
            tail: self
                .tail_lines
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            since,
            timestamps: self.timestamps,
            limit_bytes: self
                .limit_bytes
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        }
    }

    /// The kubelet query the server would proxy to (keys sorted, as `url.Values.Encode`).
    fn kubelet_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.follow {
            pairs.push(("follow", "true".into()));
        }
        if let Some(n) = self.limit_bytes {
            pairs.push(("limitBytes", n.to_string()));
        }
        if self.previous {
            pairs.push(("previous", "true".into()));
        }
        if let Some(n) = self.since_seconds {
            pairs.push(("sinceSeconds", n.to_string()));
        }
        if let Some(t) = &self.since_time {
            pairs.push(("sinceTime", t.clone()));
        }
        if let Some(s) = &self.stream {
            pairs.push(("stream", s.clone()));
        }
        if let Some(n) = self.tail_lines {
            pairs.push(("tailLines", n.to_string()));
        }
        if self.timestamps {
            pairs.push(("timestamps", "true".into()));
        }
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }
}

/// `runtime.Convert_Slice_string_To_bool`: only absence, `0` and `false` (any case) are false.
fn go_bool(v: Option<&str>) -> bool {
    v.is_some_and(|s| s != "0" && !s.eq_ignore_ascii_case("false"))
}

/// `strconv.ParseInt(s, 10, 64)` with Go's error text.
fn go_int(v: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(s) = v else { return Ok(None) };
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    match s.parse::<i64>() {
        Ok(n) => Ok(Some(n)),
        _ if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Err(ApiError::bad_request(format!(
                "strconv.ParseInt: parsing \"{s}\": value out of range"
            )))
        }
        _ => Err(ApiError::bad_request(format!(
            "strconv.ParseInt: parsing \"{s}\": invalid syntax"
        ))),
    }
}

/// `metav1.Time.UnmarshalQueryParameter`: RFC 3339, `""`/`null` meaning unset.
fn go_time(v: Option<&str>) -> Result<Option<String>, ApiError> {
    match v {
        None | Some("" | "null") => Ok(None),
        Some(s) => match crate::shared::gotime::rfc3339_error(s) {
            None => Ok(Some(s.to_owned())),
            Some(why) => Err(ApiError::bad_request(format!(
                "parsing time {}{why}",
                Value::from(s)
            ))),
        },
    }
}

/// `validateContainer`: the container whose logs are asked for.
pub(crate) fn container_for(pod: &Value, requested: &str) -> Result<String, ApiError> {
    let name = text(pod, "/metadata/name");
    let names = |key: &str| -> Vec<String> {
        pod.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| text(c, "/name").to_owned())
            .collect()
    };
    let containers = names("containers");
    if !requested.is_empty() {
        let all = [
            names("initContainers"),
            containers,
            names("ephemeralContainers"),
        ];
        if all.iter().flatten().any(|c| c == requested) {
            return Ok(requested.to_owned());
        }
        return Err(ApiError::bad_request(format!(
            "container {requested} is not valid for pod {name}"
        )));
    }
    match containers.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}"
        ))),
        _ => {
            let all: Vec<String> = [
                names("initContainers"),
                containers,
                names("ephemeralContainers"),
            ]
            .concat();
            Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                all.join(" ")
            )))
        }
    }
}

/// `nodeutil.GetPreferredNodeAddress` with kube-apiserver's default preference.
fn preferred_address(node: &Value) -> Option<&str> {
    let addresses = node
        .pointer("/status/addresses")
        .and_then(Value::as_array)?;
    [
        "Hostname",
        "InternalDNS",
        "InternalIP",
        "ExternalDNS",
        "ExternalIP",
    ]
    .iter()
    .find_map(|kind| {
        addresses
            .iter()
            .find(|a| text(a, "/type") == *kind)
            .map(|a| text(a, "/address"))
    })
}

/// Answers `GET .../pods/NAME/log`.
pub(crate) fn get(app: &App, ctx: &Ctx, target: &Target) -> Result<Response<Body>, ApiError> {
    let name = target.name.as_deref().unwrap_or("");
    let ns = target.namespace.as_deref().unwrap_or("");
    let opts = LogOptions::parse(&ctx.query)?;
    opts.validate(name)?;
    let pods = pods(app)?;
    let pod = app
        .store
        .get(&app.key(&pods, ns, name))
        .ok_or_else(|| ApiError::not_found(&pods, name))?;
    let container = container_for(&pod, &opts.container)?;
    if app.logs.has(ns, name, &container) {
        let key = (ns.to_owned(), name.to_owned(), container);
        return crate::logs::respond(&app.logs, key, opts.previous, opts.follow, opts.selection());
    }
    let node_name = text(&pod, "/spec/nodeName");
    if node_name.is_empty() {
        let mut r = Response::new(respond::full(bytes::Bytes::new()));
        *r.status_mut() = StatusCode::NO_CONTENT;
        return Ok(r);
    }
    let nodes = app
        .registry
        .find("", "v1", "nodes")
        .ok_or_else(ApiError::no_resource)?;
    let node = app
        .store
        .get(&app.key(&nodes, "", node_name))
        .ok_or_else(|| ApiError::not_found(&nodes, node_name))?;
    Err(ApiError::internal(unreachable_kubelet(
        &node, ns, name, &container, &opts,
    )))
}

/// The error text of a log request to a node whose kubelet does not answer.
fn unreachable_kubelet(
    node: &Value,
    ns: &str,
    pod: &str,
    container: &str,
    opts: &LogOptions,
) -> String {
    let Some(host) = preferred_address(node) else {
        return "no preferred addresses found; known addresses: []".to_owned();
    };
    let port = node
        .pointer("/status/daemonEndpoints/kubeletEndpoint/Port")
        .and_then(Value::as_i64)
        .filter(|p| *p > 0)
        .unwrap_or(10250);
    let hostport = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let query = opts.kubelet_query();
    let mut url = format!("https://{hostport}/containerLogs/{ns}/{pod}/{container}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        format!("Get \"{url}\": dial tcp {hostport}: connect: connection refused")
    } else {
        format!("Get \"{url}\": dial tcp: lookup {host}: no such host")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(query: &str) -> Result<LogOptions, ApiError> {
        LogOptions::parse(&Query::parse(Some(query)))
    }

    #[track_caller]
    fn check_parse_error(query: &str, message: &str) {
        let e = opts(query).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (400, message));
    }

    #[track_caller]
    fn check_causes(query: &str, expected: &[(&str, &str)]) {
        let got: Vec<(String, String)> = match opts(query).unwrap().validate("p") {
            Ok(()) => Vec::new(),
            Err(e) => {
                let status = e.to_status();
                assert_eq!(status["details"]["name"], "p");
                assert_eq!(status["details"]["kind"], "PodLogOptions");
                status["details"]["causes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
                        (text("field"), text("message"))
                    })
                    .collect()
            }
        };
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
            .collect();
        assert_eq!(got, expected, "{query}");
    }

    #[test]
    fn query_conversion_follows_go() {
        let o = opts("container=c&follow=yes&previous=0&timestamps=FALSE&tailLines=5&sinceTime=2024-01-01T00:00:00Z").unwrap();
        assert_eq!(o.container, "c");
        assert!(o.follow && !o.previous && !o.timestamps);
        assert_eq!(o.tail_lines, Some(5));
        assert_eq!(o.since_time.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert!(opts("follow=").unwrap().follow);
        check_parse_error(
            "tailLines=abc",
            "strconv.ParseInt: parsing \"abc\": invalid syntax",
        );
        check_parse_error(
            "limitBytes=99999999999999999999",
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
        );
        check_parse_error(
            "sinceTime=yesterday",
            "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\"",
        );
        check_parse_error(
            "sinceTime=2024-01-01",
            "parsing time \"2024-01-01\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\"",
        );
        check_parse_error(
            "sinceTime=2024-01-01T00:00:00",
            "parsing time \"2024-01-01T00:00:00\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"Z07:00\"",
        );
        check_parse_error(
            "sinceTime=2024-01-01T00:00:00Zjunk",
            "parsing time \"2024-01-01T00:00:00Zjunk\": extra text: \"junk\"",
        );
        assert!(opts("sinceTime=2024-01-01T00:00:00.5%2B02:00").is_ok());
    }

    #[test]
    fn validation_matches_validate_pod_log_options() {
        check_causes("tailLines=0&limitBytes=1&sinceSeconds=1", &[]);
        check_causes(
            "tailLines=-1",
            &[(
                "tailLines",
                "Invalid value: -1: must be greater than or equal to 0",
            )],
        );
        check_causes(
            "limitBytes=0&sinceSeconds=0",
            &[
                ("limitBytes", "Invalid value: 0: must be greater than 0"),
                ("sinceSeconds", "Invalid value: 0: must be greater than 0"),
            ],
        );
        check_causes(
            "sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z",
            &[(
                "",
                "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified",
            )],
        );
        check_causes(
            "stream=Both",
            &[(
                "stream",
                "Unsupported value: \"Both\": supported values: \"All\", \"Stdout\", \"Stderr\"",
            )],
        );
        check_causes(
            "stream=Stdout&tailLines=1",
            &[(
                "",
                "Forbidden: `tailLines` and specific `stream` are mutually exclusive for now",
            )],
        );
        // the two stream checks are not exclusive: an unknown stream is not `All` either
        check_causes(
            "stream=Both&tailLines=1",
            &[
                (
                    "stream",
                    "Unsupported value: \"Both\": supported values: \"All\", \"Stdout\", \"Stderr\"",
                ),
                (
                    "",
                    "Forbidden: `tailLines` and specific `stream` are mutually exclusive for now",
                ),
            ],
        );
    }

    #[test]
    fn containers_are_checked_like_validate_container() {
        let pod = json!({"metadata": {"name": "p"}, "spec": {
            "initContainers": [{"name": "init"}],
            "containers": [{"name": "a"}, {"name": "b"}],
            "ephemeralContainers": [{"name": "debug"}]}});
        assert_eq!(container_for(&pod, "init").unwrap(), "init");
        assert_eq!(container_for(&pod, "debug").unwrap(), "debug");
        assert_eq!(
            container_for(&pod, "").unwrap_err().message,
            "a container name must be specified for pod p, choose one of: [init a b debug]"
        );
        assert_eq!(
            container_for(&pod, "zzz").unwrap_err().message,
            "container zzz is not valid for pod p"
        );
        let single = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}});
        assert_eq!(container_for(&single, "").unwrap(), "c");
    }

    #[test]
    fn kubelet_errors_name_the_address_the_server_would_dial() {
        let o = opts("tailLines=3&follow=true").unwrap();
        let node = json!({"status": {"addresses": [
            {"type": "ExternalIP", "address": "1.2.3.4"},
            {"type": "InternalIP", "address": "10.0.0.5"}]}});
        assert_eq!(
            unreachable_kubelet(&node, "ns", "p", "c", &o),
            "Get \"https://10.0.0.5:10250/containerLogs/ns/p/c?follow=true&tailLines=3\": dial tcp 10.0.0.5:10250: connect: connection refused"
        );
        let named = json!({"status": {"addresses": [{"type": "Hostname", "address": "n1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10255}}}});
        assert_eq!(
            unreachable_kubelet(&named, "ns", "p", "c", &LogOptions::default()),
            "Get \"https://n1:10255/containerLogs/ns/p/c\": dial tcp: lookup n1: no such host"
        );
        assert_eq!(
            unreachable_kubelet(&json!({}), "ns", "p", "c", &o),
            "no preferred addresses found; known addresses: []"
        );
    }
}
