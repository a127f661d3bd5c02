//! kubectl's `-v=N` request logging: what was sent and what came back, line by line, in the
//! shapes of client-go's `round_trippers.go`.
//!
//! Guarantees: off unless asked for (the stack adds the layer only when
//! [`TransportOptions::http_log`](crate::TransportOptions::http_log) is set); credentials are
//! masked here, whoever reads the lines: `Authorization` and `Proxy-Authorization` values
//! print as `Bearer <masked>`, `Basic <masked>` or `<masked>`, exactly as kubectl prints them,
//! and URLs lose any userinfo. Bodies are logged as kubectl logs them, except that the bodies
//! of Secrets, TokenRequests and TokenReviews show only their length (kubectl prints them);
//! watch, log-follow and upgrade bodies are never buffered or logged.
//!
//! Each line is a `tracing` event at `INFO` with target `kubeset_transport::http_log` and the
//! line as its message. By level, as kubectl:
//!
//! | level | lines |
//! |---|---|
//! | 6 | `GET https://… 200 OK in 3 milliseconds` |
//! | 7 | `GET https://…`, `Request Headers:` and one line per header, `Response Status: 200 OK in 3 milliseconds` |
//! | 8 | as 7, plus `Response Headers:` and one line per header, and the bodies cut at 1024 bytes (`"Response Body" body="…"`) |
//! | 9 | the request as a `curl -v -XGET  -H "…" 'https://…'` line, the level 6 line, response headers, bodies cut at 10240 bytes |
//! | 10 | as 9, bodies whole |

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::header::{AUTHORIZATION, PROXY_AUTHORIZATION};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use tower::{Layer, Service};

use http_body_util::BodyExt as _;

use crate::body::{BoxError, ResponseBody};

/// Logs requests and responses as kubectl does at `-v=level` (6 to 10; above 10 is 10,
/// below 6 logs nothing).
///
/// ```
/// use kubeset_transport::HttpLogLayer;
///
/// let layer = HttpLogLayer::new(8); // kubectl -v=8
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HttpLogLayer {
    level: u8,
}

impl HttpLogLayer {
    /// A layer logging as kubectl at `-v=level`.
    pub fn new(level: u8) -> Self {
        Self { level }
    }
}

impl<S> Layer<S> for HttpLogLayer {
    type Service = HttpLog<S>;

    fn layer(&self, inner: S) -> HttpLog<S> {
        HttpLog {
            inner,
            level: self.level,
        }
    }
}

/// The service made by [`HttpLogLayer`].
#[derive(Debug, Clone)]
pub struct HttpLog<S> {
    inner: S,
    level: u8,
}

impl<S> HttpLog<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// One line of the log.
fn emit(line: &str) {
    tracing::info!(target: "kubeset_transport::http_log", "{line}");
}

impl<S, B, RB> Service<Request<B>> for HttpLog<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Body<Data = Bytes> + Clone + Unpin,
    RB: Body<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let level = self.level.min(10);
        if level < 6 {
            let future = self.inner.call(req);
            return Box::pin(async move {
                let response = future.await.map_err(Into::into)?;
                Ok(response.map(|body| LoggedBody::new(body, None, false).boxed_unsync()))
            });
        }
        let method = req.method().clone();
        let url = shown_url(req.uri());
        let streams = crate::timeout::is_watch(req.uri())
            || crate::body_limit::is_follow(req.uri())
            || req.headers().contains_key(http::header::UPGRADE);
        let body_limit = body_limit(level);
        let secret = carries_secrets(req.uri().path());
        // As kubectl: the REST client logs the request body before the round tripper logs
        // the request.
        if let Some(limit) = body_limit {
            let sent = request_body(req.body());
            emit(&format!(
                "\"Request Body\" body={}",
                shown_body(&sent, sent.len(), limit, secret)
            ));
        }
        if level >= 9 {
            emit(&curl(method.as_str(), &url, req.headers()));
        } else if level >= 7 {
            emit(&format!("{method} {url}"));
            emit("Request Headers:");
            for line in header_lines(req.headers()) {
                emit(&line);
            }
        }
        let started = Instant::now();
        let future = self.inner.call(req);
        Box::pin(async move {
            let result = future.await.map_err(Into::into);
            let millis = started.elapsed().as_millis();
            let status = match &result {
                Ok(response) => response.status().to_string(),
                Err(_) => String::new(),
            };
            if level >= 9 || level == 6 {
                emit(&format!("{method} {url} {status} in {millis} milliseconds"));
            } else {
                emit(&format!(
                    "Response Status: {status} in {millis} milliseconds"
                ));
            }
            let response = result?;
            if level >= 8 {
                emit("Response Headers:");
                for line in header_lines(response.headers()) {
                    emit(&line);
                }
            }
            let log = body_limit.filter(|_| !streams);
            Ok(response.map(|body| LoggedBody::new(body, log, secret).boxed_unsync()))
        })
    }
}

/// How many bytes of a body are shown at `level`; `None`: bodies are not logged.
fn body_limit(level: u8) -> Option<usize> {
    match level {
        ..=7 => None,
        8 => Some(1024),
        9 => Some(10240),
        _ => Some(usize::MAX),
    }
}

/// The URL as kubectl shows it (with its query), without userinfo.
fn shown_url(uri: &Uri) -> String {
    match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => {
            let host = authority
                .as_str()
                .rsplit_once('@')
                .map_or(authority.as_str(), |(_, h)| h);
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            format!("{scheme}://{host}{path}")
        }
        _ => uri.to_string(),
    }
}

/// Go's canonical form of a header name, as kubectl prints it: `content-type` is
/// `Content-Type`.
fn canonical(name: &HeaderName) -> String {
    let mut upper = true;
    name.as_str()
        .chars()
        .map(|c| {
            let out = if upper { c.to_ascii_uppercase() } else { c };
            upper = c == '-';
            out
        })
        .collect()
}

/// A header value as it may be logged: credentials masked as client-go's `maskValue` does.
fn masked(name: &HeaderName, value: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    if name != AUTHORIZATION && name != PROXY_AUTHORIZATION {
        return text.into_owned();
    }
    if text.is_empty() {
        return String::new();
    }
    let scheme = text.split_once(' ').map_or(&*text, |(scheme, _)| scheme);
    if !["bearer", "basic", "negotiate"].contains(&scheme.to_ascii_lowercase().as_str()) {
        return String::from("<masked>");
    }
    if text.len() > scheme.len() + 1 {
        format!("{scheme} <masked>")
    } else {
        scheme.to_owned()
    }
}

/// `    Name: value` for each header.
fn header_lines(headers: &HeaderMap) -> impl Iterator<Item = String> + '_ {
    headers
        .iter()
        .map(|(name, value)| format!("    {}: {}", canonical(name), masked(name, value)))
}

/// client-go's `toCurl`: `curl -v -XGET  -H "Accept: …" 'https://…'`.
fn curl(method: &str, url: &str, headers: &HeaderMap) -> String {
    let mut line = format!("curl -v -X{method} ");
    for (name, value) in headers {
        let header = format!("{}: {}", canonical(name), masked(name, value));
        line.push_str(" -H ");
        line.push_str(&go_quote(header.as_bytes()));
    }
    line.push_str(&format!(" '{url}'"));
    line
}

/// The request body's bytes (a buffered body answers at once; anything else shows empty).
fn request_body<B: Body<Data = Bytes> + Clone + Unpin>(body: &B) -> Bytes {
    use futures_util::FutureExt as _;
    body.clone()
        .collect()
        .now_or_never()
        .and_then(Result::ok)
        .map(|collected| collected.to_bytes())
        .unwrap_or_default()
}

/// Whether bodies sent to or from `path` may hold secrets: Secrets (their data, and any
/// `last-applied-configuration`), TokenRequests (`…/serviceaccounts/x/token`) and
/// TokenReviews. Those bodies are never logged, only their length (kubectl logs them).
fn carries_secrets(path: &str) -> bool {
    path.split('/')
        .any(|segment| segment == "secrets" || segment == "tokenreviews")
        || path.ends_with("/token")
}

/// A body as klog prints it: quoted, cut at `limit` bytes with client-go's
/// ` [truncated N chars]` note. `total` is the body's full length (`bytes` may be a prefix).
/// A `secret` body shows only its length.
fn shown_body(bytes: &[u8], total: usize, limit: usize, secret: bool) -> String {
    if secret {
        return format!("\"[masked: {total} bytes that may hold secrets]\"");
    }
    if total <= limit {
        return go_quote(bytes);
    }
    let cut = &bytes[..limit.min(bytes.len())];
    let mut quoted = go_quote(cut);
    quoted.insert_str(
        quoted.len() - 1,
        &format!(" [truncated {} chars]", total - limit),
    );
    quoted
}

/// `bytes` quoted as Go's `%q` quotes a string (invalid UTF-8 shown as `\xNN`).
fn go_quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

pin_project_lite::pin_project! {
    /// A response body that logs what it carried when it ends (level 8 and above).
    struct LoggedBody<B> {
        #[pin]
        inner: B,
        // Bytes kept for the log, at most the level's limit, and the body's length so far.
        kept: Option<(BytesMut, usize)>,
        limit: usize,
        secret: bool,
    }
}

impl<B> LoggedBody<B> {
    fn new(inner: B, limit: Option<usize>, secret: bool) -> Self {
        // A secret body is counted, never kept.
        let limit = limit.map(|limit| if secret { 0 } else { limit });
        Self {
            inner,
            kept: limit.map(|_| (BytesMut::new(), 0)),
            limit: limit.unwrap_or(0),
            secret,
        }
    }
}

impl<B> std::fmt::Debug for LoggedBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoggedBody").finish_non_exhaustive()
    }
}

impl<B> Body for LoggedBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        let polled = std::task::ready!(this.inner.poll_frame(cx));
        match &polled {
            Some(Ok(frame)) => {
                if let (Some((kept, total)), Some(data)) = (this.kept.as_mut(), frame.data_ref()) {
                    *total += data.len();
                    let room = (*this.limit).saturating_sub(kept.len());
                    kept.extend_from_slice(&data[..room.min(data.len())]);
                }
            }
            Some(Err(_)) | None => {
                if let Some((kept, total)) = this.kept.take() {
                    emit(&format!(
                        "\"Response Body\" body={}",
                        shown_body(&kept, total, *this.limit, *this.secret)
                    ));
                }
            }
        }
        Poll::Ready(polled.map(|frame| frame.map_err(Into::into)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt as _;

    #[test]
    fn credentials_are_masked_as_kubectl_masks_them() {
        for (value, shown) in [
            ("Bearer eyJhbGciOi.abc.def", "Bearer <masked>"),
            ("Basic dXNlcjpwYXNz", "Basic <masked>"),
            ("bearer lower", "bearer <masked>"),
            ("Negotiate abc", "Negotiate <masked>"),
            ("Bearer", "Bearer"),
            ("sometoken", "<masked>"),
            ("Custom scheme-secret", "<masked>"),
            ("", ""),
        ] {
            let value = HeaderValue::from_str(value).unwrap();
            assert_eq!(masked(&AUTHORIZATION, &value), shown);
            assert_eq!(masked(&PROXY_AUTHORIZATION, &value), shown);
        }
        let agent = HeaderValue::from_static("kubeset/0.1");
        assert_eq!(masked(&http::header::USER_AGENT, &agent), "kubeset/0.1");
    }

    #[test]
    fn names_urls_and_bodies_print_as_kubectl_prints_them() {
        let name = HeaderName::from_static("x-kubernetes-pf-flowschema-uid");
        assert_eq!(canonical(&name), "X-Kubernetes-Pf-Flowschema-Uid");
        assert_eq!(
            shown_url(&"https://u:p@h:6443/api/v1/pods?limit=5".parse().unwrap()),
            "https://h:6443/api/v1/pods?limit=5"
        );
        assert_eq!(
            go_quote(b"{\"a\":\"b\\c\"}\n\x01\xff"),
            r#""{\"a\":\"b\\c\"}\n\u0001\xff""#
        );
        let long = vec![b'x'; 1030];
        let shown = shown_body(&long[..1024], 1030, 1024, false);
        assert!(shown.ends_with("x [truncated 6 chars]\""), "{shown}");
        assert_eq!(shown.len(), 1024 + 2 + " [truncated 6 chars]".len());
    }

    /// Lines logged while `f` runs, timings replaced by `N`.
    async fn logged(level: u8, request: Request<Full<Bytes>>) -> Vec<String> {
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .with_level(false)
            .with_target(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        let server = tower::service_fn(|_req: Request<Full<Bytes>>| async {
            let body = Full::new(Bytes::from_static(br#"{"kind":"Pod"}"#))
                .map_err(|never| match never {})
                .boxed_unsync();
            Ok::<_, BoxError>(
                Response::builder()
                    .header("content-type", "application/json")
                    .header("audit-id", "1")
                    .body(body)
                    .unwrap(),
            )
        });
        let service = HttpLogLayer::new(level).layer(server);
        let response = service.oneshot(request).await.unwrap();
        response.into_body().collect().await.unwrap();
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|line| {
                let line = line.trim_start();
                match line.split_once(" in ") {
                    Some((head, _)) if line.ends_with(" milliseconds") => {
                        format!("{head} in N milliseconds")
                    }
                    _ => line.to_owned(),
                }
            })
            .collect()
    }

    fn request() -> Request<Full<Bytes>> {
        Request::post("https://10.0.0.1:6443/api/v1/namespaces/a/pods?fieldManager=kctl")
            .header("accept", "application/json")
            .header("authorization", "Bearer sekrit-token")
            .body(Full::new(Bytes::from_static(
                br#"{"metadata":{"name":"p"}}"#,
            )))
            .unwrap()
    }

    #[tokio::test]
    async fn each_level_logs_what_kubectl_logs() {
        let url = "https://10.0.0.1:6443/api/v1/namespaces/a/pods?fieldManager=kctl";
        assert!(logged(5, request()).await.is_empty());
        assert_eq!(
            logged(6, request()).await,
            [format!("POST {url} 200 OK in N milliseconds")]
        );
        assert_eq!(
            logged(7, request()).await,
            [
                format!("POST {url}"),
                "Request Headers:".into(),
                "Accept: application/json".into(),
                "Authorization: Bearer <masked>".into(),
                "Response Status: 200 OK in N milliseconds".into(),
            ]
        );
        assert_eq!(
            logged(8, request()).await,
            [
                r#""Request Body" body="{\"metadata\":{\"name\":\"p\"}}""#.into(),
                format!("POST {url}"),
                "Request Headers:".into(),
                "Accept: application/json".into(),
                "Authorization: Bearer <masked>".into(),
                "Response Status: 200 OK in N milliseconds".into(),
                "Response Headers:".into(),
                "Content-Type: application/json".into(),
                "Audit-Id: 1".into(),
                r#""Response Body" body="{\"kind\":\"Pod\"}""#.into(),
            ]
        );
        assert_eq!(
            logged(9, request()).await,
            [
                r#""Request Body" body="{\"metadata\":{\"name\":\"p\"}}""#.into(),
                format!(
                    r#"curl -v -XPOST  -H "Accept: application/json" -H "Authorization: Bearer <masked>" '{url}'"#
                ),
                format!("POST {url} 200 OK in N milliseconds"),
                "Response Headers:".into(),
                "Content-Type: application/json".into(),
                "Audit-Id: 1".into(),
                r#""Response Body" body="{\"kind\":\"Pod\"}""#.into(),
            ]
        );
        // Bodies that may hold secrets show only their length.
        let secret = Request::put("https://h/api/v1/namespaces/a/secrets/db")
            .body(Full::new(Bytes::from_static(
                br#"{"data":{"k":"c2VjcmV0"}}"#,
            )))
            .unwrap();
        let lines = logged(10, secret).await;
        assert!(
            lines.contains(
                &r#""Request Body" body="[masked: 25 bytes that may hold secrets]""#.into()
            ) && lines.contains(
                &r#""Response Body" body="[masked: 14 bytes that may hold secrets]""#.into()
            ),
            "{lines:?}"
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.contains("c2VjcmV0") || l.contains("Pod"))
        );
        for (path, secret) in [
            ("/api/v1/namespaces/a/serviceaccounts/robot/token", true),
            ("/apis/authentication.k8s.io/v1/tokenreviews", true),
            ("/api/v1/secrets", true),
            ("/api/v1/namespaces/secrets/pods", true),
            ("/api/v1/namespaces/a/configmaps/tokens", false),
        ] {
            assert_eq!(carries_secrets(path), secret, "{path}");
        }
        let watch = Request::get("https://h/api/v1/pods?watch=true")
            .body(Full::default())
            .unwrap();
        let lines = logged(9, watch).await;
        assert!(
            !lines.iter().any(|l| l.starts_with("\"Response Body\"")),
            "watch bodies are not logged: {lines:?}"
        );
    }
}
