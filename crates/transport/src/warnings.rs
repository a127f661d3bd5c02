//! Server `Warning` headers (deprecated APIs, unknown fields, admission webhooks): each one is
//! handed to the client's [`WarningHandler`] with the request it answered, and the texts of a
//! response are attached to it as a [`Warnings`] extension.
//!
//! Guarantees: by default a handler sees each distinct text once per layer (so once per client,
//! as client-go's `WarningWriter` with `Deduplicate`); the set of texts already reported is
//! bounded (4096 entries, then it starts over), so a chatty server cannot grow it without end.
//! The [`Warnings`] extension always holds every warning of its response.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::header::WARNING;
use http::{HeaderMap, Method, Request, Response, Uri};
use tower::{Layer, Service};

use crate::warning::{LogWarnings, Warning, WarningHandler};

/// The texts of the warnings the server sent with a response, in order (not deduplicated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warnings(pub Vec<String>);

/// How many distinct texts a layer remembers before it starts over.
const SEEN_LIMIT: usize = 4096;

/// Where warnings go, shared by every service a layer makes.
struct Report {
    handler: Arc<dyn WarningHandler>,
    /// Texts already reported; `None` when every warning is reported.
    seen: Option<Mutex<HashSet<String>>>,
}

impl Report {
    /// Whether `text` should reach the handler (it has not been reported yet).
    fn first(&self, text: &str) -> bool {
        let Some(seen) = &self.seen else {
            return true;
        };
        let mut seen = match seen.lock() {
            Ok(seen) => seen,
            Err(poisoned) => poisoned.into_inner(),
        };
        if seen.contains(text) {
            return false;
        }
        if seen.len() >= SEEN_LIMIT {
            seen.clear();
        }
        seen.insert(text.to_owned());
        true
    }
}

/// Hands `Warning: 299 - "..."` headers to a [`WarningHandler`].
///
/// The default logs each distinct text once through `tracing` ([`LogWarnings`]).
///
/// ```
/// use kubeset_transport::{CollectWarnings, WarningsLayer};
///
/// let logged = WarningsLayer::default();
/// let collected = CollectWarnings::default();
/// let every_one = WarningsLayer::new(collected.clone()).deduplicate(false);
/// # let _ = (logged, every_one);
/// ```
#[derive(Clone)]
pub struct WarningsLayer {
    report: Arc<Report>,
}

impl std::fmt::Debug for WarningsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarningsLayer")
            .field("deduplicate", &self.report.seen.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for WarningsLayer {
    fn default() -> Self {
        Self::new(LogWarnings)
    }
}

impl WarningsLayer {
    /// A layer handing warnings to `handler`, each distinct text once.
    pub fn new(handler: impl WarningHandler) -> Self {
        Self::from_shared(Arc::new(handler))
    }

    /// [`WarningsLayer::new`] for a handler that is already shared.
    pub fn from_shared(handler: Arc<dyn WarningHandler>) -> Self {
        Self {
            report: Arc::new(Report {
                handler,
                seen: Some(Mutex::new(HashSet::new())),
            }),
        }
    }

    /// Whether a text already reported is withheld from the handler (`true`, the default) or
    /// every warning of every response reaches it (`false`).
    #[must_use]
    pub fn deduplicate(self, deduplicate: bool) -> Self {
        let seen = deduplicate.then(|| Mutex::new(HashSet::new()));
        Self {
            report: Arc::new(Report {
                handler: self.report.handler.clone(),
                seen,
            }),
        }
    }
}

impl<S> Layer<S> for WarningsLayer {
    type Service = WarningsService<S>;

    fn layer(&self, inner: S) -> WarningsService<S> {
        WarningsService {
            inner,
            report: self.report.clone(),
        }
    }
}

/// The service made by [`WarningsLayer`].
#[derive(Clone)]
pub struct WarningsService<S> {
    inner: S,
    report: Arc<Report>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for WarningsService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarningsService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S> WarningsService<S> {
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

impl<S, B, RB> Service<Request<B>> for WarningsService<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = WarningsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let request = Some((req.method().clone(), req.uri().clone()));
        WarningsFuture {
            inner: self.inner.call(req),
            request,
            report: self.report.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`WarningsService`]: the inner response, its warnings reported.
    pub struct WarningsFuture<F> {
        #[pin]
        inner: F,
        request: Option<(Method, Uri)>,
        report: Arc<Report>,
    }
}

impl<F> std::fmt::Debug for WarningsFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarningsFuture").finish_non_exhaustive()
    }
}

impl<F, RB, E> Future for WarningsFuture<F>
where
    F: Future<Output = Result<Response<RB>, E>>,
{
    type Output = Result<Response<RB>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        if let Some((method, uri)) = this.request.take() {
            surface(&mut response, this.report, method, &uri);
        }
        Poll::Ready(Ok(response))
    }
}

/// Reports the response's warnings and attaches their texts to it.
fn surface<RB>(response: &mut Response<RB>, report: &Report, method: Method, uri: &Uri) {
    if !response.headers().contains_key(WARNING) {
        return;
    }
    let parsed = parse(response.headers());
    if parsed.is_empty() {
        return;
    }
    let mut texts = Vec::with_capacity(parsed.len());
    for one in parsed {
        if report.first(&one.text) {
            report.handler.handle(&Warning {
                code: one.code,
                agent: one.agent,
                text: one.text.clone(),
                method: method.clone(),
                path: uri.path().to_owned(),
            });
        }
        texts.push(one.text);
    }
    response.extensions_mut().insert(Warnings(texts));
}

/// One parsed warning-value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) code: u16,
    pub(crate) agent: String,
    pub(crate) text: String,
}

/// Every warning-value of the `Warning` headers (RFC 7234: `code agent "text" ["date"]`,
/// comma-separated). A value whose code is not three digits is skipped, as client-go does.
pub(crate) fn parse(headers: &HeaderMap) -> Vec<Parsed> {
    let mut out = Vec::new();
    for value in headers.get_all(WARNING) {
        // Warning texts may be UTF-8, which `to_str` (visible ASCII only) would refuse.
        let text = String::from_utf8_lossy(value.as_bytes());
        let mut rest: &str = &text;
        while let Some(open) = rest.find('"') {
            let mut words = rest[..open].split_whitespace();
            let code = words
                .next()
                .filter(|c| c.len() == 3)
                .and_then(|c| c.parse::<u16>().ok());
            let agent = words.next().unwrap_or("-").to_owned();
            let mut text = String::new();
            let mut escaped = false;
            let mut end = None;
            for (i, c) in rest[open + 1..].char_indices() {
                match (escaped, c) {
                    (true, c) => {
                        text.push(c);
                        escaped = false;
                    }
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        end = Some(open + 1 + i);
                        break;
                    }
                    (false, c) => text.push(c),
                }
            }
            let Some(end) = end else { break };
            if let Some(code) = code {
                out.push(Parsed { code, agent, text });
            }
            rest = &rest[end + 1..];
            // Skip an optional quoted date (it holds a comma), then up to the next warning.
            let trimmed = rest.trim_start();
            if let Some(date) = trimmed.strip_prefix('"') {
                rest = date.find('"').map_or("", |close| &date[close + 1..]);
            }
            match rest.find(',') {
                Some(comma) => rest = &rest[comma + 1..],
                None => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warning::CollectWarnings;
    use tower::ServiceExt;

    #[track_caller]
    fn check(values: &[&str], expected: &[&str]) {
        let mut headers = HeaderMap::new();
        for v in values {
            // from_bytes: servers send UTF-8 (obs-text), which http 1.6's `parse` refuses
            headers.append(
                WARNING,
                http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        let parsed: Vec<String> = parse(&headers)
            .into_iter()
            .map(|p| format!("{} {} {}", p.code, p.agent, p.text))
            .collect();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn parses_kubernetes_warnings() {
        check(
            &[r#"299 - "v1 ComponentStatus is deprecated in v1.19+""#],
            &["299 - v1 ComponentStatus is deprecated in v1.19+"],
        );
        check(
            &[r#"299 - "unknown field \"spec.foo\"", 299 - "second""#],
            &[r#"299 - unknown field "spec.foo""#, "299 - second"],
        );
        check(
            &[
                r#"299 - "dated" "Sat, 01 Jan 2000 00:00:00 GMT""#,
                r#"299 - "other""#,
            ],
            &["299 - dated", "299 - other"],
        );
        check(
            &[r#"299 validating-webhook.example.com "replicas is high""#],
            &["299 validating-webhook.example.com replicas is high"],
        );
        check(
            &[r#"199 - "misc", x - "no code", 299 - "ok""#],
            &["199 - misc", "299 - ok"],
        );
        check(&["garbage"], &[]);
        check(&[r#"""#], &[]);
        check(&[r#"299 - "a\"#], &[]);
        check(&[r#"299 - "é", 299 - "ü" "#], &["299 - é", "299 - ü"]);
        check(&[r#"299 - "x" ""#], &["299 - x"]);
        check(&[r#"299 - "unterminated"#], &[]);
    }

    /// A service answering every request with the given `Warning` values.
    fn warning_service(
        values: &'static [&'static str],
    ) -> impl Service<Request<()>, Response = Response<()>, Error = std::convert::Infallible> + Clone
    {
        tower::service_fn(move |_req: Request<()>| async move {
            let mut response = Response::new(());
            for v in values {
                response
                    .headers_mut()
                    .append(WARNING, http::HeaderValue::from_static(v));
            }
            Ok(response)
        })
    }

    async fn send<S>(service: &S, method: Method, uri: &str) -> Response<()>
    where
        S: Service<Request<()>, Response = Response<()>, Error = std::convert::Infallible> + Clone,
    {
        let request = Request::builder().method(method).uri(uri).body(()).unwrap();
        service.clone().oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn each_distinct_text_reaches_the_handler_once_with_its_request() {
        let collected = CollectWarnings::default();
        let service = WarningsLayer::new(collected.clone()).layer(warning_service(&[
            r#"299 - "old API", 299 - "unknown field""#,
        ]));
        let first = send(
            &service,
            Method::GET,
            "https://h/apis/x/v1beta1/things?limit=1",
        )
        .await;
        let second = send(&service, Method::POST, "https://h/apis/x/v1beta1/things").await;
        let seen: Vec<_> = collected
            .take()
            .into_iter()
            .map(|w| format!("{} {} {} {} {}", w.code, w.agent, w.method, w.path, w.text))
            .collect();
        assert_eq!(
            seen,
            [
                "299 - GET /apis/x/v1beta1/things old API",
                "299 - GET /apis/x/v1beta1/things unknown field",
            ]
        );
        // The response extension keeps every warning, also the repeated ones.
        let texts = Warnings(vec!["old API".into(), "unknown field".into()]);
        assert_eq!(first.extensions().get::<Warnings>(), Some(&texts));
        assert_eq!(second.extensions().get::<Warnings>(), Some(&texts));
    }

    #[tokio::test]
    async fn without_deduplication_every_warning_is_reported() {
        let collected = CollectWarnings::default();
        let service = WarningsLayer::new(collected.clone())
            .deduplicate(false)
            .layer(warning_service(&[r#"299 - "old API""#]));
        for _ in 0..3 {
            send(&service, Method::GET, "/api/v1/componentstatuses").await;
        }
        assert_eq!(collected.take().len(), 3);
    }

    #[tokio::test]
    async fn layers_deduplicate_separately() {
        let collected = CollectWarnings::default();
        let inner = warning_service(&[r#"299 - "old API""#]);
        let one = WarningsLayer::new(collected.clone()).layer(inner.clone());
        let other = WarningsLayer::new(collected.clone()).layer(inner);
        send(&one, Method::GET, "/a").await;
        send(&one.clone(), Method::GET, "/a").await;
        send(&other, Method::GET, "/b").await;
        let paths: Vec<_> = collected.take().into_iter().map(|w| w.path).collect();
        assert_eq!(paths, ["/a", "/b"]);
    }

    #[test]
    fn the_seen_set_is_bounded() {
        let report = Report {
            handler: Arc::new(LogWarnings),
            seen: Some(Mutex::new(HashSet::new())),
        };
        for i in 0..=SEEN_LIMIT {
            assert!(report.first(&i.to_string()));
        }
        let len = report.seen.as_ref().unwrap().lock().unwrap().len();
        assert!(len <= SEEN_LIMIT, "{len}");
    }
}
