//! Hostile or broken servers seen through the client: 2xx answers that are failures, redirects,
//! bodies over the transport's limits, and error excerpts of Secrets cut anywhere.

use std::error::Error as _;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kubeset_clientset::{Client, Error, ListParams, WatchParams};
use kubeset_config::Config;
use kubeset_transport::{BodyError, BodyLimits};
use serde_json::json;

use crate::support::{bytes, chunked, json, serve};

/// A Failure `Status` as an answer of HTTP `code`.
fn failure(code: u16) -> crate::support::Reply {
    json(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "etcdserver: request timed out", "reason": "InternalError", "code": 500}),
    )
}

#[tokio::test]
async fn a_failure_status_in_a_2xx_answer_is_an_error_for_gets_and_lists() {
    let server = serve(|_| failure(200)).await;
    let cms = server.client.config_maps("a");
    let get = cms.get("c").await.unwrap_err();
    let list = cms.list(&ListParams::default()).await.unwrap_err();
    for (err, url) in [
        (get, "/api/v1/namespaces/a/configmaps/c"),
        (list, "/api/v1/namespaces/a/configmaps"),
    ] {
        let api = err
            .api()
            .unwrap_or_else(|| panic!("not an API error: {err:?}"));
        assert_eq!(api.code, 500, "{err}");
        assert_eq!(api.message(), "etcdserver: request timed out");
        assert!(api.url.starts_with(url), "{}", api.url);
    }
    // A Status of success (a delete's answer) is no error.
    let server = serve(|_| {
        json(
            200,
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}),
        )
    })
    .await;
    let list = server
        .client
        .config_maps("a")
        .list(&ListParams::default())
        .await;
    assert!(list.is_ok_and(|l| l.items.is_empty()));
}

#[tokio::test]
async fn a_redirect_is_an_error_naming_where_it_pointed_and_is_not_followed() {
    let server = serve(|seen| {
        assert!(!seen.uri.contains("elsewhere"), "the redirect was followed");
        http::Response::builder()
            .status(302)
            .header(
                "location",
                "https://elsewhere.example:6443/api/v1/secrets?token=x",
            )
            .body(http_body_util::BodyExt::boxed(http_body_util::Empty::new()))
            .unwrap()
    })
    .await;
    let err = server.client.config_maps("a").get("c").await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.code, 302);
    assert_eq!(
        api.message(),
        "the server redirected the request to https://elsewhere.example:6443/api/v1/secrets; \
         redirects are never followed"
    );
    assert_eq!(server.seen().len(), 1);
}

/// A client through the whole transport (so its body limits apply) to `addr` over plain HTTP.
fn limited_client(addr: std::net::SocketAddr, limits: BodyLimits) -> Client {
    let config = Config::new(format!("http://{addr}").parse().unwrap());
    Client::builder(config).body_limits(limits).build().unwrap()
}

#[tokio::test]
async fn bodies_over_the_limits_fail_naming_the_request() {
    let item = json!({"metadata": {"name": "c", "namespace": "a"}, "data": {"k": "v".repeat(512)}});
    let list = json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {},
        "items": vec![item; 64]});
    let list = Bytes::from(serde_json::to_vec(&list).unwrap());
    let server = serve(move |seen| {
        if seen.uri.contains("watch=true") {
            // One event that never ends (as far as the limit cares).
            chunked(200, vec![Bytes::from(vec![b'{'; 16 * 1024])])
        } else {
            bytes(200, "application/json", list.clone())
        }
    })
    .await;
    let mut limits = BodyLimits::default();
    limits.max_response_bytes = Some(8 * 1024);
    limits.max_watch_event_bytes = Some(4 * 1024);
    let client = limited_client(server.addr, limits);
    let cms = client.config_maps("a");

    let err = cms.list(&ListParams::default()).await.unwrap_err();
    assert!(matches!(err, Error::ReadBody { .. }), "{err:?}");
    let cause = err.source().and_then(|s| s.downcast_ref::<BodyError>());
    assert!(
        matches!(cause, Some(BodyError::TooLarge { limit: 8192, .. })),
        "{err:?}"
    );
    assert_eq!(
        cause.unwrap().to_string(),
        format!(
            "GET http://{}/api/v1/namespaces/a/configmaps: the response body exceeds 8192 bytes (max_response_bytes)",
            server.addr
        )
    );

    let mut events = cms.watch(&WatchParams::default()).await.unwrap();
    let err = tokio::time::timeout(Duration::from_secs(30), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    let cause = err.source().and_then(|s| s.downcast_ref::<BodyError>());
    assert!(
        matches!(cause, Some(BodyError::EventTooLarge { limit: 4096, .. })),
        "{err:?}"
    );
    assert!(
        events.next().await.is_none(),
        "the stream ends after the error"
    );
    // The limits are the client's: the same answers within them decode.
    let relaxed = limited_client(server.addr, BodyLimits::default());
    let list = relaxed
        .config_maps("a")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), 64);
    let _: Option<&ConfigMap> = list.items.first();
}

/// The values of the Secret below that must never be shown: its data (base64 and decoded),
/// and a token in an annotation that holds JSON with escaped quotes.
const SECRETS: [&str; 6] = [
    "WnE5LXVudXN1YWwtdmFsdWUtNDE=",
    "Zq9-unusual-value-41",
    "V3Q3LWhpZGRlbi10b2tlbi05OQ==",
    "Wt7-hidden-token-99",
    r#"Qx4\"kq-Vb7-zz-53"#,
    r#"Qx4"kq-Vb7-zz-53"#,
];

fn secret_list() -> String {
    let annotation =
        r#"{"data":{"password":"WnE5LXVudXN1YWwtdmFsdWUtNDE="},"token":"Qx4\"kq-Vb7-zz-53"}"#;
    let secret = json!({
        "metadata": {"name": "db", "namespace": "a",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": annotation}},
        "type": "Opaque",
        "data": {"password": "WnE5LXVudXN1YWwtdmFsdWUtNDE=", "token": "V3Q3LWhpZGRlbi10b2tlbi05OQ=="},
    });
    json!({"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "7"},
        "items": [secret.clone(), secret]})
    .to_string()
}

/// Every piece of at least 6 bytes of every secret (a partial value is a leak too).
fn pieces() -> Vec<&'static str> {
    SECRETS
        .iter()
        .flat_map(|s| (0..=s.len() - 6).map(move |i| &s[i..i + 6]))
        .collect()
}

/// The error as a user could ever see it: `Display`, `Debug` and every `source()`.
fn shown(err: &Error) -> String {
    let mut text = format!("{err}\n{err:?}");
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    text
}

#[track_caller]
fn assert_no_secret(err: &Error, pieces: &[&str], what: &str) {
    let text = shown(err);
    if let Some(piece) = pieces.iter().find(|p| text.contains(**p)) {
        panic!("{piece:?} shown for {what}:\n{text}");
    }
}

#[test]
fn error_excerpts_of_a_secret_list_never_show_a_value_however_the_body_is_cut() {
    let body = secret_list();
    let body = body.as_bytes();
    let pieces = pieces();
    assert!(
        kubeset_clientset::fuzzing::read_list::<Secret>(&[body]).is_ok(),
        "the whole list decodes"
    );
    let mut errors = 0;
    let item = r#"{"metadata":{"name":"db"},"data":{"password":"WnE5LXVudXN1YWwtdmFsdWUtNDE=","token":"V3Q3LWhpZGRlbi10b2tlbi05OQ=="},"type":"Qx4\"kq-Vb7-zz-53"}"#;
    for cut in 1..body.len() {
        // Truncated there, and split there (the second frame starting anywhere: inside
        // strings, right after backslashes).
        let whole: [(&str, Vec<&[u8]>); 2] = [
            ("truncated", vec![&body[..cut]]),
            (
                "split with a control byte there",
                vec![&body[..cut], b"\x01", &body[cut..]],
            ),
        ];
        for (how, chunks) in whole {
            if let Err(err) = kubeset_clientset::fuzzing::read_list::<Secret>(&chunks) {
                errors += 1;
                assert_no_secret(&err, &pieces, &format!("the list {how} at byte {cut}"));
            }
        }
        // Broken there by a server or proxy: a byte turned into JSON punctuation (a quote
        // lost or added, an escape undone, a comma made a colon), then split there.
        for byte in [b'}', b':', b'"', b','] {
            let mut broken = body.to_vec();
            broken[cut] = byte;
            let what = format!("the list with byte {cut} made {:?}", char::from(byte));
            if let Err(err) =
                kubeset_clientset::fuzzing::read_list::<Secret>(&[&broken[..cut], &broken[cut..]])
            {
                errors += 1;
                assert_no_secret(&err, &pieces, &what);
            }
            // One Secret (a get's answer), and a watch event holding it, cut and broken alike.
            if cut >= item.len() {
                continue;
            }
            let mut broken = item.as_bytes().to_vec();
            broken[cut] = byte;
            for doc in [&item.as_bytes()[..cut], &broken[..]] {
                if let Err(err) = kubeset_clientset::fuzzing::decode::<Secret>(doc) {
                    errors += 1;
                    assert_no_secret(&err, &pieces, &format!("a Secret cut or broken at {cut}"));
                }
                let event = [br#"{"type":"ADDED","object":"#.as_slice(), doc, b"}\n"].concat();
                for result in kubeset_clientset::fuzzing::watch_events::<Secret>(&[&event]) {
                    if let Err(err) = result {
                        errors += 1;
                        assert_no_secret(
                            &err,
                            &pieces,
                            &format!("an event cut or broken at {cut}"),
                        );
                    }
                }
            }
        }
    }
    assert!(errors > 1000, "the cuts made errors to check: {errors}");
}

#[test]
fn a_wrongly_typed_secret_value_is_not_quoted_by_the_decoder() {
    // serde's "invalid type" messages quote the value they met.
    let bodies = [
        r#"{"metadata":{"name":"db"},"data":"WnE5LXVudXN1YWwtdmFsdWUtNDE="}"#,
        r#"{"metadata":{"name":"db"},"data":{"password":"Zq9-unusual-value-41!"}}"#,
        r#"{"metadata":{"name":"db"},"type":["Zq9-unusual-value-41"]}"#,
        r#"{"metadata":{"name":"db"},"immutable":"Zq9-unusual-value-41"}"#,
    ];
    let pieces = pieces();
    for body in bodies {
        let err = kubeset_clientset::fuzzing::decode::<Secret>(body.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert_no_secret(&err, &pieces, body);
    }
}
