//! `pods/exec`, `pods/attach` and `pods/portforward`: kube-apiserver's checks, then the
//! WebSocket handshake the kubelet would answer, then a session with the scripted
//! [`NodeAgent`](crate::node_agent::NodeAgent).
//!
//! The order is the real server's (`streamLocation` / `portForwardLocation`, then the
//! kubelet): the pod (404), the container (400: `a container name must be specified for pod
//! P, choose one of: [...]`, `container C is not valid for pod P`), the node
//! (400 `pod P does not have a host assigned`; the Node object's 404), then the kubelet's
//! answers: 400 `you must specify at least 1 of stdin, stdout, stderr`, 400 for a request that
//! is no WebSocket upgrade, and a text/plain 500 `container not found ("C")` when no handler
//! serves the pod. RBAC (`create` on the subresource, also for the `GET` of a WebSocket
//! upgrade) is checked by the caller before any of this.

use std::sync::Arc;

use http::{HeaderValue, Response, StatusCode, header};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::log::container_for;
use super::{pods, text};
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};
use crate::node_agent::{self, Kind, SessionRequest};

/// The port-forward protocol the kubelet serves over WebSocket.
const PORT_FORWARD_PROTOCOLS: [&str; 1] = ["v4.channel.k8s.io"];

/// Answers a connect request for `subresource` (`exec`, `attach` or `portforward`).
pub(crate) fn connect(
    app: &Arc<App>,
    ctx: &Ctx,
    target: &Target,
    subresource: &str,
    upgrade: Option<OnUpgrade>,
) -> Result<Response<Body>, ApiError> {
    let name = target.name.as_deref().unwrap_or("");
    let ns = target.namespace.as_deref().unwrap_or("");
    let pods = pods(app)?;
    let pod = app
        .store
        .get(&app.key(&pods, ns, name))
        .ok_or_else(|| ApiError::not_found(&pods, name))?;
    let container = if subresource == "portforward" {
        String::new()
    } else {
        container_for(&pod, ctx.query.get("container").unwrap_or(""))?
    };
    let node_name = text(&pod, "/spec/nodeName");
    if node_name.is_empty() {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let nodes = app
        .registry
        .find("", "v1", "nodes")
        .ok_or_else(ApiError::no_resource)?;
    if app.store.get(&app.key(&nodes, "", node_name)).is_none() {
        return Err(ApiError::not_found(&nodes, node_name));
    }
    // the kubelet from here on
    let is_websocket = ctx
        .header("upgrade")
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let (Some(upgrade), true, Some(key)) = (upgrade, is_websocket, ctx.header("sec-websocket-key"))
    else {
        return Err(ApiError::bad_request("Upgrade request required"));
    };
    let offered: Vec<&str> = ctx
        .header("sec-websocket-protocol")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let supported: &[&str] = if subresource == "portforward" {
        &PORT_FORWARD_PROTOCOLS
    } else {
        &node_agent::PROTOCOLS
    };
    let chosen = match offered.iter().find(|p| supported.contains(p)) {
        Some(p) => Some((*p).to_owned()),
        None if offered.is_empty() => None,
        None => {
            return Err(ApiError::bad_request(format!(
                "requested protocol(s) are not supported: [{}]; supports [{}]",
                offered.join(" "),
                supported.join(" ")
            )));
        }
    };
    let agent = app.node_agent.clone();
    let pod_uid = text(&pod, "/metadata/uid").to_owned();
    let start: Session = if subresource == "portforward" {
        let ports = ctx
            .query
            .all("ports")
            .iter()
            .flat_map(|v| v.split(','))
            .map(|p| p.trim().parse::<u16>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ApiError::bad_request("invalid port in the ports query parameter"))?;
        let pod = node_agent::ForwardedPod {
            namespace: ns.to_owned(),
            name: name.to_owned(),
            uid: pod_uid,
        };
        Session::PortForward { pod, ports, agent }
    } else {
        let kind = if subresource == "exec" {
            Kind::Exec
        } else {
            Kind::Attach
        };
        let stdin = ctx.query.bool("stdin")?;
        let stdout = ctx.query.bool("stdout")?;
        let tty = ctx.query.bool("tty")?;
        let stderr = ctx.query.bool("stderr")? && !tty;
        if !stdin && !stdout && !stderr {
            return Err(ApiError::bad_request(
                "you must specify at least 1 of stdin, stdout, stderr",
            ));
        }
        let Some(handler) = agent.session_handler(kind, ns, name) else {
            return Err(ApiError {
                plain: true,
                ..ApiError::internal(format!("container not found ({container:?})"))
            });
        };
        let command = if kind == Kind::Exec {
            ctx.query
                .all("command")
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        };
        let request = SessionRequest {
            namespace: ns.to_owned(),
            pod: name.to_owned(),
            container,
            command,
            stdin,
            stdout,
            stderr,
            tty,
            protocol: chosen
                .clone()
                .unwrap_or_else(|| "channel.k8s.io".to_owned()),
        };
        Session::Exec { request, handler }
    };
    let mut response = Response::new(respond::full(bytes::Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    let accept = derive_accept_key(key.as_bytes());
    if let Ok(v) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if let Some(chosen) = chosen
        && let Ok(v) = HeaderValue::from_str(&chosen)
    {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, v);
    }
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else {
            return;
        };
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        match start {
            Session::Exec { request, handler } => {
                node_agent::serve_session(socket, request, handler).await;
            }
            Session::PortForward { pod, ports, agent } => {
                node_agent::serve_port_forward(socket, pod, ports, agent).await;
            }
        }
    });
    Ok(response)
}

/// What runs once the connection is upgraded.
enum Session {
    Exec {
        request: SessionRequest,
        handler: node_agent::Handler,
    },
    PortForward {
        pod: node_agent::ForwardedPod,
        ports: Vec<u16>,
        agent: node_agent::NodeAgent,
    },
}
