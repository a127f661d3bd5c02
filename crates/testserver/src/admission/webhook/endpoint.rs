//! Where a webhook is called: `clientConfig.url`, or `clientConfig.service` resolved to an
//! address through the Service's EndpointSlices (then its Endpoints), as Go's
//! `webhookutil.ClientManager.HookClient` and `proxy.ResolveEndpoint` do.
//!
//! SAFETY: the test server only calls loopback addresses (127.0.0.0/8, `::1`, `localhost`);
//! any other address fails the call (see `Refused::NotLoopback`), so a test can never make
//! the server reach the network.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde_json::Value;

use crate::admission::Lookup;

/// Where to send one webhook request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The URL as Go's client prints it in errors (`https://host[:port]/path`, the path at
    /// least `/`).
    pub(crate) url: String,
    /// The address connected to.
    pub(crate) address: SocketAddr,
    /// The name the server's certificate must hold (the URL's host, or
    /// `<service>.<namespace>.svc`).
    pub(crate) server_name: String,
    /// The request path (with its query, if the URL had one).
    pub(crate) path: String,
}

/// Why a webhook could not be located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Refused {
    /// The URL does not parse.
    #[error("Unparsable URL: {url}")]
    BadUrl {
        /// The URL.
        url: String,
    },
    /// The address is not a loopback address.
    #[error(
        "the test server calls webhooks on loopback addresses only (127.0.0.0/8, ::1), not {host}"
    )]
    NotLoopback {
        /// The host that was refused.
        host: String,
    },
    /// The Service does not exist.
    #[error("service \"{name}\" not found")]
    NoService {
        /// The Service's name.
        name: String,
    },
    /// The Service has no port numbered as asked.
    #[error("no service port {port} found for service \"{name}\"")]
    NoPort {
        /// The port asked for.
        port: i64,
        /// The Service's name.
        name: String,
    },
    /// No ready endpoint.
    #[error("no endpoints available for service \"{name}\"")]
    NoEndpoints {
        /// The Service's name.
        name: String,
    },
}

/// The endpoint of a webhook's `clientConfig`.
///
/// # Errors
/// A URL that does not parse, a Service that cannot be resolved, or an address that is not
/// loopback.
pub(crate) fn locate(client_config: &Value, lookup: &dyn Lookup) -> Result<Endpoint, Refused> {
    if let Some(url) = client_config.get("url").and_then(Value::as_str) {
        return from_url(url);
    }
    let service = client_config.get("service").cloned().unwrap_or_default();
    let text = |k: &str| {
        service
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (namespace, name) = (text("namespace"), text("name"));
    let port = service.get("port").and_then(Value::as_i64).unwrap_or(443);
    let mut path = text("path");
    if path.is_empty() {
        path = "/".into();
    }
    let server_name = format!("{name}.{namespace}.svc");
    let address = resolve(lookup, &namespace, &name, port)?;
    Ok(Endpoint {
        url: format!("https://{server_name}:{port}{path}"),
        address,
        server_name,
        path,
    })
}

fn from_url(url: &str) -> Result<Endpoint, Refused> {
    let bad = || Refused::BadUrl {
        url: url.to_owned(),
    };
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = split_host_port(authority).ok_or_else(bad)?;
    let ip = match host {
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        other => other.parse::<IpAddr>().map_err(|_| Refused::NotLoopback {
            host: other.to_owned(),
        })?,
    };
    loopback(ip, host)?;
    let path = if path.is_empty() || path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Ok(Endpoint {
        url: format!("https://{authority}{path}"),
        address: SocketAddr::new(ip, port),
        server_name: host.to_owned(),
        path,
    })
}

/// `host[:port]` or `[v6][:port]`; the port defaults to 443.
fn split_host_port(authority: &str) -> Option<(&str, u16)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 443,
            None => return None,
        };
        return Some((host, port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, port.parse().ok()?)),
        None => Some((authority, 443)),
    }
}

fn loopback(ip: IpAddr, host: &str) -> Result<(), Refused> {
    if ip.is_loopback() {
        Ok(())
    } else {
        Err(Refused::NotLoopback {
            host: host.to_owned(),
        })
    }
}

/// A ready address of the Service's endpoints for the Service port `port`.
fn resolve(
    lookup: &dyn Lookup,
    namespace: &str,
    name: &str,
    port: i64,
) -> Result<SocketAddr, Refused> {
    let service = lookup
        .get("", "services", Some(namespace), name)
        .ok_or_else(|| Refused::NoService { name: name.into() })?;
    if service.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName") {
        let host = service
            .pointer("/spec/externalName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let ip = match host {
            "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            other => other.parse().map_err(|_| Refused::NotLoopback {
                host: other.to_owned(),
            })?,
        };
        loopback(ip, host)?;
        return Ok(SocketAddr::new(ip, u16::try_from(port).unwrap_or(443)));
    }
    let ports = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let service_port = ports
        .iter()
        .find(|p| p.get("port").and_then(Value::as_i64) == Some(port))
        .ok_or_else(|| Refused::NoPort {
            port,
            name: name.into(),
        })?;
    let port_name = service_port
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let none = || Refused::NoEndpoints { name: name.into() };
    let found = from_slices(lookup, namespace, name, port_name)
        .or_else(|| from_endpoints(lookup, namespace, name, port_name))
        .ok_or_else(none)?;
    loopback(found.ip(), &found.ip().to_string())?;
    Ok(found)
}

/// The first ready endpoint of the Service's EndpointSlices, by slice name (Go picks one at
/// random; a fixed choice keeps tests repeatable).
fn from_slices(
    lookup: &dyn Lookup,
    ns: &str,
    service: &str,
    port_name: &str,
) -> Option<SocketAddr> {
    let mut slices: Vec<Value> = lookup
        .list("discovery.k8s.io", "endpointslices", Some(ns))
        .into_iter()
        .filter(|s| {
            s.pointer("/metadata/labels/kubernetes.io~1service-name")
                .and_then(Value::as_str)
                == Some(service)
        })
        .collect();
    slices.sort_by_key(|s| {
        s.pointer("/metadata/name")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    slices.iter().find_map(|slice| {
        let port = slice
            .get("ports")
            .and_then(Value::as_array)?
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str).unwrap_or("") == port_name)?
            .get("port")
            .and_then(Value::as_u64)?;
        let port = u16::try_from(port).ok()?;
        slice
            .get("endpoints")
            .and_then(Value::as_array)?
            .iter()
            .filter(|e| e.pointer("/conditions/ready").and_then(Value::as_bool) != Some(false))
            .flat_map(|e| {
                e.get("addresses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .filter_map(Value::as_str)
            .find_map(|a| a.parse::<IpAddr>().ok())
            .map(|ip| SocketAddr::new(ip, port))
    })
}

/// The first ready address of the Service's Endpoints object.
fn from_endpoints(
    lookup: &dyn Lookup,
    ns: &str,
    service: &str,
    port_name: &str,
) -> Option<SocketAddr> {
    let endpoints = lookup.get("", "endpoints", Some(ns), service)?;
    endpoints
        .get("subsets")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|subset| {
            let port = subset
                .get("ports")
                .and_then(Value::as_array)?
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str).unwrap_or("") == port_name)?
                .get("port")
                .and_then(Value::as_u64)?;
            let port = u16::try_from(port).ok()?;
            subset
                .get("addresses")
                .and_then(Value::as_array)?
                .iter()
                .filter_map(|a| a.get("ip").and_then(Value::as_str))
                .find_map(|a| a.parse::<IpAddr>().ok())
                .map(|ip| SocketAddr::new(ip, port))
        })
}
