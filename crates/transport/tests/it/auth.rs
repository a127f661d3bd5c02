//! Bearer tokens (static and rotating files), basic auth, 401 handling, secrets kept out of logs.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use kubeset_config::{BasicAuth, BearerToken, Config, Secret};

use crate::support::{Capture, Server, get, json, ok, write};

/// A server that accepts only `Bearer <good>` (the good token is changeable).
fn only(good: Arc<Mutex<String>>) -> crate::support::Handler {
    Arc::new(move |seen| {
        let expected = format!("Bearer {}", good.lock().unwrap());
        if seen.header("authorization") == Some(expected.as_str()) {
            json(StatusCode::OK, "{}")
        } else {
            json(
                StatusCode::UNAUTHORIZED,
                r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#,
            )
        }
    })
}

const HOUR: Duration = Duration::from_secs(3600);

/// A transport checking token files for changes every `interval` (an hour: only a 401 makes
/// it notice a change).
fn connect_checking(config: &Config, interval: Duration) -> kubeset_transport::BoxService {
    let mut options = kubeset_transport::TransportOptions::default();
    options.token_check_interval = interval;
    kubeset_transport::connect_with(config, &options).unwrap()
}

fn file_token(server: &Server, path: std::path::PathBuf) -> Config {
    let mut config = Config::new(server.url());
    config.auth.bearer = Some(BearerToken::File {
        path,
        initial: None,
    });
    config
}

#[tokio::test]
async fn token_file_replaced_mid_run_is_used_by_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "token", "first\n");
    let server = Server::start(None, ok()).await;
    let service = connect_checking(&file_token(&server, path), Duration::ZERO);
    get(&service, "/").await.unwrap();
    write(dir.path(), "token", "second");
    // The file is stat'ed at most once a second; wait past that window.
    // Checked on every request here (the default is once a second).
    get(&service, "/").await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].header("authorization"), Some("Bearer first"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer second"));
}

#[tokio::test]
async fn a_401_rereads_the_token_file_and_retries_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "token", "old");
    let good = Arc::new(Mutex::new(String::from("old")));
    let server = Server::start(None, only(good.clone())).await;
    let service = connect_checking(&file_token(&server, path), HOUR);
    get(&service, "/").await.unwrap();

    // The server moves on to the new token before the client has noticed the file changed.
    write(dir.path(), "token", "new");
    *good.lock().unwrap() = String::from("new");
    let (response, _) = get(&service, "/").await.unwrap();
    assert_eq!(response.status(), 200);
    let auth: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth, ["Bearer old", "Bearer old", "Bearer new"]);
}

#[tokio::test]
async fn a_401_with_an_unchanged_token_is_returned_not_looped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "token", "wrong");
    let server = Server::start(None, only(Arc::new(Mutex::new("right".into())))).await;
    let service = kubeset_transport::connect(&file_token(&server, path)).unwrap();
    let (response, body) = get(&service, "/").await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(String::from_utf8_lossy(&body).contains("Unauthorized"));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn tokens_with_whitespace_are_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "token", "  abc.def.ghi \r\n\n");
    let server = Server::start(None, ok()).await;
    let service = kubeset_transport::connect(&file_token(&server, path)).unwrap();
    get(&service, "/").await.unwrap();

    let mut config = Config::new(server.url());
    config.auth.bearer = Some(BearerToken::Static(Secret::new(" static-token\n".into())));
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].header("authorization"), Some("Bearer abc.def.ghi"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer static-token"));
}

#[tokio::test]
async fn a_missing_token_file_is_an_error_naming_it_and_a_vanished_one_keeps_the_old_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(None, ok()).await;
    let missing = dir.path().join("no-such-token");
    let service = kubeset_transport::connect(&file_token(&server, missing.clone())).unwrap();
    let err = get(&service, "/").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("could not read token file {}", missing.display())
    );

    let path = write(dir.path(), "token", "kept");
    let service = connect_checking(&file_token(&server, path.clone()), Duration::ZERO);
    get(&service, "/").await.unwrap();
    std::fs::remove_file(&path).unwrap();

    get(&service, "/").await.unwrap();
    assert_eq!(
        server.seen().last().unwrap().header("authorization"),
        Some("Bearer kept")
    );
}

#[tokio::test]
async fn basic_auth_is_sent() {
    let server = Server::start(None, ok()).await;
    let mut config = Config::new(server.url());
    config.auth.basic = Some(BasicAuth {
        username: "admin".into(),
        password: Secret::new("pa55".into()),
    });
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();
    // base64("admin:pa55")
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Basic YWRtaW46cGE1NQ==")
    );
}

#[tokio::test]
async fn logs_at_trace_level_never_show_the_token() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Other tests run without a subscriber; make tracing re-ask which callsites are enabled.
    tracing::callsite::rebuild_interest_cache();

    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "token", "sekrit-token-1");
    let good = Arc::new(Mutex::new(String::from("sekrit-token-2")));
    let server = Server::start(None, only(good)).await;
    let mut config = file_token(&server, path);
    config.impersonate.user = Some("jane".into());
    let service = connect_checking(&config, HOUR);
    get(&service, "/api/v1/secrets?fieldSelector=x")
        .await
        .unwrap();
    write(dir.path(), "token", "sekrit-token-2");
    get(&service, "/api/v1/secrets").await.unwrap();
    tracing::debug!(config = ?config, "config");

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("using the rotated token"),
        "nothing was logged: {logs}"
    );
    assert!(!logs.contains("sekrit"), "{logs}");
    assert!(
        !logs.contains("fieldSelector"),
        "queries are not logged: {logs}"
    );
    let _ = std::io::stderr().flush();
}

#[tokio::test]
async fn the_token_read_with_the_config_is_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(None, ok()).await;
    let mut config = Config::new(server.url());
    config.auth.bearer = Some(BearerToken::File {
        path: dir.path().join("not-yet-there"),
        initial: Some(Secret::new("from-config".into())),
    });
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Bearer from-config")
    );
}

#[test]
fn building_a_transport_needs_no_runtime() {
    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.auth.bearer = Some(BearerToken::Static(Secret::new("t".into())));
    kubeset_transport::connect(&config).unwrap();
}
