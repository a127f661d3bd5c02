//! Server `Warning` headers (deprecated APIs, unknown fields): logged once per distinct text and
//! handed to the caller as a [`Warnings`] response extension.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};
use std::task::{Context, Poll};

use futures_util::TryFutureExt as _;
use futures_util::future::MapOk;
use http::header::WARNING;
use http::{HeaderMap, Request, Response};
use tower::{Layer, Service};

/// The warnings the server sent with a response, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warnings(pub Vec<String>);

/// Distinct texts already logged; bounded so a chatty server cannot grow it without end.
static SEEN: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(|| Mutex::new(HashSet::new()));
const SEEN_LIMIT: usize = 4096;

/// Surfaces `Warning: 299 - "..."` headers.
///
/// ```
/// use kubeset_transport::WarningsLayer;
///
/// let layer = WarningsLayer::default();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Default)]
pub struct WarningsLayer {
    _priv: (),
}

impl<S> Layer<S> for WarningsLayer {
    type Service = WarningsService<S>;

    fn layer(&self, inner: S) -> WarningsService<S> {
        WarningsService { inner }
    }
}

/// The service made by [`WarningsLayer`].
#[derive(Debug, Clone)]
pub struct WarningsService<S> {
    inner: S,
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

type Surface<RB> = fn(Response<RB>) -> Response<RB>;

impl<S, B, RB> Service<Request<B>> for WarningsService<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = MapOk<S::Future, Surface<RB>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        self.inner.call(req).map_ok(surface as Surface<RB>)
    }
}

fn surface<RB>(mut response: Response<RB>) -> Response<RB> {
    let texts = parse(response.headers());
    if texts.is_empty() {
        return response;
    }
    for text in &texts {
        let first = SEEN.lock().is_ok_and(|mut seen| {
            if seen.len() >= SEEN_LIMIT {
                seen.clear();
            }
            seen.insert(text.clone())
        });
        if first {
            tracing::warn!(warning = %text, "the API server sent a warning");
        }
    }
    response.extensions_mut().insert(Warnings(texts));
    response
}

/// The texts of every `Warning` header (RFC 7234: `code agent "text" ["date"]`, comma-separated).
pub(crate) fn parse(headers: &HeaderMap) -> Vec<String> {
    let mut out = Vec::new();
    for value in headers.get_all(WARNING) {
        // Warning texts may be UTF-8, which `to_str` (visible ASCII only) would refuse.
        let text = String::from_utf8_lossy(value.as_bytes());
        let mut rest: &str = &text;
        while let Some(open) = rest.find('"') {
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
            out.push(text);
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

    #[track_caller]
    fn check(values: &[&str], expected: &[&str]) {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(WARNING, v.parse().unwrap());
        }
        assert_eq!(parse(&headers), expected);
    }

    #[test]
    fn parses_kubernetes_warnings() {
        check(
            &[r#"299 - "v1 ComponentStatus is deprecated in v1.19+""#],
            &["v1 ComponentStatus is deprecated in v1.19+"],
        );
        check(
            &[r#"299 - "unknown field \"spec.foo\"", 299 - "second""#],
            &[r#"unknown field "spec.foo""#, "second"],
        );
        check(
            &[
                r#"299 - "dated" "Sat, 01 Jan 2000 00:00:00 GMT""#,
                r#"299 - "other""#,
            ],
            &["dated", "other"],
        );
        check(&["garbage"], &[]);
        check(&[r#"""#], &[]);
        check(&[r#"299 - "a\"#], &[]);
        check(&[r#"299 - "é", 299 - "ü" "#], &["é", "ü"]);
        check(&[r#"299 - "x" ""#], &["x"]);
        check(&[r#"299 - "unterminated"#], &[]);
    }
}
