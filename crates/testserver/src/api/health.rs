//! `/healthz`, `/livez` and `/readyz` as k8s.io/apiserver's `healthz.InstallPathHandler`
//! serves them: the root path runs every check (`handleRootHealth`: `ok`, or with `?verbose`
//! one `[+]<check> ok` line each and `<name> check passed`; `?exclude=<check>` marks a check
//! excluded and warns about names that match none), `/<root>/<check>` runs one
//! (`adaptCheckToHandler`), anything else under the root is the mux's `404 page not found`.
//!
//! Guarantees: every check passes (the emulated server is always healthy); the check names and
//! their order are kube-apiserver's (its post-start hooks as of v1.30, see the README's known
//! differences).

use std::collections::BTreeSet;

use bytes::Bytes;
use http::{HeaderValue, Response, header};

use crate::api::query::Query;
use crate::api::respond::{Body, full};
use crate::api::status::ApiError;

/// kube-apiserver's post-start hooks, in the order their checks are registered.
const POST_START_HOOKS: &[&str] = &[
    "poststarthook/start-apiserver-admission-initializer",
    "poststarthook/generic-apiserver-start-informers",
    "poststarthook/priority-and-fairness-config-consumer",
    "poststarthook/priority-and-fairness-filter",
    "poststarthook/storage-object-count-tracker-hook",
    "poststarthook/start-apiextensions-informers",
    "poststarthook/start-apiextensions-controllers",
    "poststarthook/crd-informer-synced",
    "poststarthook/start-system-namespaces-controller",
    "poststarthook/start-cluster-authentication-info-controller",
    "poststarthook/start-kube-apiserver-identity-lease-controller",
    "poststarthook/start-kube-apiserver-identity-lease-garbage-collector",
    "poststarthook/start-legacy-token-tracking-controller",
    "poststarthook/start-service-ip-repair-controllers",
    "poststarthook/rbac/bootstrap-roles",
    "poststarthook/scheduling/bootstrap-system-priority-classes",
    "poststarthook/priority-and-fairness-config-producer",
    "poststarthook/bootstrap-controller",
    "poststarthook/aggregator-reload-proxy-client-cert",
    "poststarthook/start-kube-aggregator-informers",
    "poststarthook/apiservice-status-local-available-controller",
    "poststarthook/apiservice-status-remote-available-controller",
    "poststarthook/apiservice-registration-controller",
    "poststarthook/apiservice-discovery-controller",
    "poststarthook/kube-apiserver-autoregistration",
    "autoregister-completion",
    "poststarthook/apiservice-openapi-controller",
    "poststarthook/apiservice-openapiv3-controller",
];

/// The checks of one root path (`healthz`, `livez`, `readyz`), in order.
fn checks(name: &str) -> Vec<&'static str> {
    let mut all = vec!["ping", "log", "etcd"];
    if name == "readyz" {
        all.extend(["etcd-readiness", "informer-sync"]);
    }
    all.extend(POST_START_HOOKS);
    if name == "readyz" {
        all.push("shutdown");
    }
    all
}

fn root_of(path: &str) -> Option<(&'static str, &str)> {
    ["healthz", "livez", "readyz"].into_iter().find_map(|name| {
        let rest = path.strip_prefix('/')?.strip_prefix(name)?;
        (rest.is_empty() || rest.starts_with('/')).then_some((name, rest))
    })
}

fn plain(status: u16, text: String) -> Response<Body> {
    let mut r = Response::new(full(Bytes::from(text)));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// The answer for a health `path` (any method, as the real handlers do not look at it).
pub(crate) fn answer(path: &str, query: &Query) -> Result<Response<Body>, ApiError> {
    let Some((name, rest)) = root_of(path) else {
        return Err(ApiError::page_not_found());
    };
    let checks = checks(name);
    if let Some(check) = rest.strip_prefix('/') {
        return if checks.contains(&check) {
            Ok(plain(200, "ok".to_owned()))
        } else {
            Err(ApiError::page_not_found())
        };
    }
    Ok(plain(200, root_body(name, &checks, query)))
}

/// `handleRootHealth`'s body when every check passes.
fn root_body(name: &str, checks: &[&str], query: &Query) -> String {
    let mut excluded: BTreeSet<&str> = query.all("exclude").into_iter().collect();
    let mut out = String::new();
    for check in checks {
        if excluded.remove(check) {
            out.push_str(&format!("[+]{check} excluded: ok\n"));
        } else {
            out.push_str(&format!("[+]{check} ok\n"));
        }
    }
    if !excluded.is_empty() {
        let quoted: Vec<String> = excluded
            .iter()
            .map(|e| crate::validation::go_quote(e))
            .collect();
        out.push_str(&format!(
            "warn: some health checks cannot be excluded: no matches for {}\n",
            quoted.join(", ")
        ));
    }
    if query.all("verbose").is_empty() {
        return "ok".to_owned();
    }
    out.push_str(&format!("{name} check passed\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(path: &str, query: &str, status: u16, expected: &str) {
        let q = Query::parse(Some(query));
        match answer(path, &q) {
            Ok(r) => {
                assert_eq!(r.status(), status, "{path}?{query}");
                assert_eq!(
                    r.headers()[header::CONTENT_TYPE],
                    "text/plain; charset=utf-8"
                );
                let body = futures_util::FutureExt::now_or_never(http_body_util::BodyExt::collect(
                    r.into_body(),
                ))
                .unwrap()
                .unwrap()
                .to_bytes();
                assert_eq!(
                    std::str::from_utf8(&body).unwrap(),
                    expected,
                    "{path}?{query}"
                );
            }
            Err(e) => {
                assert_eq!(e.code, status, "{path}?{query}");
                assert_eq!(e.message, expected);
            }
        }
    }

    /// `handleRootHealth` and `adaptCheckToHandler` of k8s.io/apiserver/pkg/server/healthz.
    #[test]
    fn roots_checks_and_unknown_paths() {
        check("/readyz", "", 200, "ok");
        check("/livez", "exclude=etcd", 200, "ok");
        check("/readyz/ping", "", 200, "ok");
        check("/readyz/shutdown", "", 200, "ok");
        check("/healthz/poststarthook/rbac/bootstrap-roles", "", 200, "ok");
        check("/livez/shutdown", "", 404, "404 page not found\n");
        check("/readyz/nope", "", 404, "404 page not found\n");
        check("/readyz/", "", 404, "404 page not found\n");
    }

    #[test]
    fn verbose_lists_every_check() {
        let q = Query::parse(Some("verbose&exclude=etcd&exclude=nope&exclude=zzz"));
        let body = root_body("readyz", &checks("readyz"), &q);
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(
            &lines[..5],
            [
                "[+]ping ok",
                "[+]log ok",
                "[+]etcd excluded: ok",
                "[+]etcd-readiness ok",
                "[+]informer-sync ok"
            ]
        );
        assert_eq!(
            &lines[lines.len() - 3..],
            [
                "[+]shutdown ok",
                r#"warn: some health checks cannot be excluded: no matches for "nope", "zzz""#,
                "readyz check passed"
            ]
        );
        let livez = root_body("livez", &checks("livez"), &Query::parse(Some("verbose=1")));
        assert!(livez.ends_with(
            "[+]poststarthook/apiservice-openapiv3-controller ok\nlivez check passed\n"
        ));
        assert!(!livez.contains("shutdown"));
    }
}
