//! Opening a WebSocket session through the client's transport: a `GET` with the upgrade
//! headers, sent like every other request (credentials, impersonation, proxy, TLS), which the
//! transport carries over HTTP/1.1 on a connection of its own.

use http::{HeaderValue, Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::RemoteError;
use crate::client::collect;
use crate::forbidden::Denial;
use crate::status::api_error;
use crate::{Client, Error};

/// The session's WebSocket.
pub(crate) type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Upgrades `url` to a WebSocket offering `protocols` (in order of preference); returns the
/// socket and the protocol the server chose (`None` when it named none).
///
/// A refusal is the server's answer as an [`Error::Api`]: a 403 names the `create` permission
/// the real server checks for these subresources.
pub(crate) async fn open(
    client: &Client,
    url: &str,
    protocols: &[&str],
) -> Result<(Socket, Option<String>), Error> {
    let key = generate_key();
    let build = |source| Error::BuildRequest {
        url: url.to_owned(),
        source,
    };
    let offered = protocols.join(", ");
    let request = Request::builder()
        .method(Method::GET)
        .uri(url)
        .header(header::CONNECTION, HeaderValue::from_static("Upgrade"))
        .header(header::UPGRADE, HeaderValue::from_static("websocket"))
        .header(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        )
        .header(header::SEC_WEBSOCKET_KEY, key.as_str())
        .header(header::SEC_WEBSOCKET_PROTOCOL, offered.as_str())
        .body(Default::default())
        .map_err(build)?;
    let mut response = client.send_upgrade(request, url).await?;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        let code = response.status().as_u16();
        let bytes = collect(response.into_body(), url).await?;
        let mut error = api_error(code, &bytes, Method::GET, url.to_owned());
        if let Some(denial) = error.denial.as_mut() {
            // these subresources are authorized as `create`, whatever the method
            **denial = Denial::from_request(&Method::POST, url, &error.status);
        }
        return Err(error.into());
    }
    let handshake = |reason: String| RemoteError::Handshake {
        url: url.to_owned(),
        reason,
    };
    let headers = response.headers();
    let accept = headers
        .get(header::SEC_WEBSOCKET_ACCEPT)
        .map(HeaderValue::as_bytes);
    if accept != Some(derive_accept_key(key.as_bytes()).as_bytes()) {
        return Err(
            handshake("the Sec-WebSocket-Accept header does not match the key".into()).into(),
        );
    }
    let chosen = match headers.get(header::SEC_WEBSOCKET_PROTOCOL) {
        None => None,
        Some(value) => {
            let name = value.to_str().unwrap_or_default().trim().to_owned();
            if !protocols.contains(&name.as_str()) {
                return Err(handshake(format!(
                    "the server chose the protocol {name:?}, which was not offered ({offered})"
                ))
                .into());
            }
            Some(name)
        }
    };
    let upgraded =
        hyper::upgrade::on(&mut response)
            .await
            .map_err(|source| RemoteError::Upgrade {
                url: url.to_owned(),
                source,
            })?;
    let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Client, None).await;
    Ok((socket, chosen))
}
