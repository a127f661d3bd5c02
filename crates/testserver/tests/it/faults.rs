//! Fault injection hooks.

use std::time::Duration;

use http::Method;
use kubeset_testserver::{TestServer, WatchScope};
use serde_json::{Value, json};

use crate::support::{self, Who, admin, namespace, send};

#[tokio::test]
async fn throttling_and_server_errors() {
    let server = TestServer::start().await.unwrap();
    server.faults().throttle_next(1, 7);
    let a = admin(&server, Method::GET, "/api/v1/namespaces", None).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.headers["retry-after"], "7");
    assert_eq!(a.json()["reason"], "TooManyRequests");
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        200
    );
    server.faults().fail_next(2, 503);
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        503
    );
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        503
    );
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn compacted_history_answers_410_to_old_watches() {
    let server = TestServer::start().await.unwrap();
    let cm = json!({"metadata": {"name": "a"}, "data": {"x": "1"}});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        Some(cm),
    )
    .await;
    let rv = a.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = json!({"metadata": {"name": "b"}});
    admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        Some(b),
    )
    .await;
    server.faults().compact_history();
    let path = format!(
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1"
    );
    let a = admin(&server, Method::GET, &path, None).await;
    assert_eq!(a.status, 200);
    let event: serde_json::Value =
        serde_json::from_slice(a.body.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(event["type"], "ERROR");
    assert_eq!(event["object"]["code"], 410);
}

#[tokio::test]
async fn expired_tokens_are_rejected() {
    let server = TestServer::start().await.unwrap();
    let env = server
        .service_account_env("default", "default")
        .await
        .unwrap();
    let t = env.token().expose().to_owned();
    assert_eq!(
        send(&server, Who::Token(&t), Method::GET, "/api", None)
            .await
            .status,
        200
    );
    server.faults().expire_tokens();
    assert_eq!(
        send(&server, Who::Token(&t), Method::GET, "/api", None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn closing_watches_ends_the_stream() {
    let server = TestServer::start().await.unwrap();
    let faults = server.faults();
    let closer = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        faults.close_watches();
    });
    // without the fault this watch would run for an hour
    let a = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=3600",
        None,
    )
    .await;
    closer.await.unwrap();
    assert_eq!(a.status, 200);
    assert!(String::from_utf8_lossy(&a.body).contains("\"ADDED\""));
}

/// An open watch, read one event at a time.
struct Watch {
    body: hyper::body::Incoming,
    buf: Vec<u8>,
}

impl Watch {
    /// Opens `path` (a watch) as admin; the status must be 200.
    async fn open(server: &TestServer, path: &str) -> Watch {
        use rustls::pki_types::ServerName;
        let tls =
            tokio_rustls::TlsConnector::from(support::config(server, Some(server.admin_cert())));
        let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let tls = tls
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
        let io = hyper_util::rt::TokioIo::new(tls);
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        let req = http::Request::get(path)
            .header("host", "localhost")
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        Watch {
            body: resp.into_body(),
            buf: Vec::new(),
        }
    }

    /// The next event, or `None` when the server ended the watch; fails after [`WAIT`].
    async fn next(&mut self) -> Option<Value> {
        use http_body_util::BodyExt;
        loop {
            if let Some(end) = self.buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                return Some(serde_json::from_slice(&line).unwrap());
            }
            let frame = tokio::time::timeout(WAIT, self.body.frame())
                .await
                .expect("the watch neither sent an event nor ended in time");
            match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => panic!("watch body: {e}"),
                None => {
                    assert!(self.buf.is_empty(), "a partial event at the end");
                    return None;
                }
            }
        }
    }

    /// The next event, which must be `kind` of the object named `name`.
    async fn expect(&mut self, kind: &str, name: &str) -> Value {
        let event = self.next().await.expect("the watch ended");
        assert_eq!(
            (
                event["type"].as_str(),
                event["object"]["metadata"]["name"].as_str()
            ),
            (Some(kind), Some(name)),
            "{event}"
        );
        event
    }
}

/// Longest wait for an event.
const WAIT: Duration = Duration::from_secs(10);

/// Creates the ConfigMap `name` in `ns`; returns its resourceVersion.
async fn create_cm(server: &TestServer, ns: &str, name: &str) -> String {
    let path = format!("/api/v1/namespaces/{ns}/configmaps");
    let a = admin(
        server,
        Method::POST,
        &path,
        Some(json!({"metadata": {"name": name}})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    rv_of(&a.json())
}

fn rv_of(object: &Value) -> String {
    object["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The ERROR event (exactly as kube-apiserver v1.36 sends it, see the `watch-too-old`
/// transcript) for a watch from `requested` when `oldest` is the oldest version a watch can
/// start from.
fn too_old(requested: &str, oldest: u64) -> Value {
    json!({"type": "ERROR", "object": {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("too old resource version: {requested} ({oldest})"),
        "reason": "Expired",
        "code": 410
    }})
}

/// Creates `ns` and waits until its controllers are done with it (default ServiceAccount,
/// `kube-root-ca.crt`), so later watches see only the tests' own objects.
async fn settled_namespace(server: &TestServer, ns: &str) {
    namespace(server, ns).await;
    let path = format!("/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt");
    for _ in 0..200 {
        if admin(server, Method::GET, &path, None).await.status == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no kube-root-ca.crt in {ns}");
}

/// Two namespaces with a watch each, both known to be streaming (each has delivered an event
/// created after it opened); returns the watches and the last resourceVersion each saw.
async fn two_watches(server: &TestServer) -> [(Watch, String); 2] {
    let mut out = Vec::new();
    for ns in ["fa", "fb"] {
        settled_namespace(server, ns).await;
        let rv = create_cm(server, ns, "first").await;
        let path = format!("/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}");
        let mut w = Watch::open(server, &path).await;
        let rv = create_cm(server, ns, "second").await;
        w.expect("ADDED", "second").await;
        out.push((w, rv));
    }
    let [a, b] = <[_; 2]>::try_from(out).ok().unwrap();
    [a, b]
}

/// The oldest version to watch from a `too old resource version: X (Y)` message names (Y).
fn oldest_of(status: &Value) -> u64 {
    let message = status["message"].as_str().unwrap();
    let (_, y) = message.rsplit_once(" (").unwrap();
    y.trim_end_matches(')').parse().unwrap()
}

#[tokio::test]
async fn expiring_one_namespace_ends_its_watches_with_410_and_leaves_the_others() {
    let server = TestServer::start().await.unwrap();
    let [(mut a, a_rv), (mut b, _)] = two_watches(&server).await;
    // a page of fa started before the expiry
    let page = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/fa/configmaps?limit=1",
        None,
    )
    .await;
    let token = page.json()["metadata"]["continue"]
        .as_str()
        .unwrap()
        .to_owned();
    let before: u64 = rv_of(&page.json()).parse().unwrap();
    // a write after the page: compaction at the current revision keeps that revision readable
    create_cm(&server, "fb", "between").await;
    b.expect("ADDED", "between").await;

    server
        .faults()
        .expire_watches_in(&WatchScope::namespace("fa"));

    // the open watch in fa gets the ERROR naming the version it would resume from, and ends
    let error = a.next().await.expect("an ERROR event");
    let oldest = oldest_of(&error["object"]);
    assert!(oldest > before, "compacted at the expiry, not before");
    assert_eq!(error, too_old(&a_rv, oldest));
    assert_eq!(a.next().await, None, "the expired watch ends");
    // the watch in fb goes on and sees later events
    create_cm(&server, "fb", "third").await;
    b.expect("ADDED", "third").await;

    // resuming in fa from the version it had: the same ERROR, then the end
    let path = format!("/api/v1/namespaces/fa/configmaps?watch=1&resourceVersion={a_rv}");
    let mut resumed = Watch::open(&server, &path).await;
    assert_eq!(resumed.next().await, Some(too_old(&a_rv, oldest)));
    assert_eq!(resumed.next().await, None);

    // an older exact list and an older continue token in fa are gone, as after compaction
    let path = format!(
        "/api/v1/namespaces/fa/configmaps?resourceVersion={a_rv}&resourceVersionMatch=Exact"
    );
    let list = admin(&server, Method::GET, &path, None).await;
    assert_eq!(list.status, 410);
    assert_eq!(
        list.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "The resourceVersion for the provided list is too old.",
            "reason": "Expired", "code": 410})
    );
    let path = format!("/api/v1/namespaces/fa/configmaps?limit=1&continue={token}");
    let next_page = admin(&server, Method::GET, &path, None).await;
    assert_eq!(next_page.status, 410);
    assert_eq!(next_page.json()["reason"], "Expired");
    let message = next_page.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("The provided continue parameter is too old"),
        "{message}"
    );
    // reads of the current state in fa work (NotOlderThan is served from "now", as in the
    // watch-too-old transcript), and so do the same old reads in fb and across namespaces
    for path in [
        format!(
            "/api/v1/namespaces/fa/configmaps?resourceVersion={a_rv}&resourceVersionMatch=NotOlderThan"
        ),
        format!(
            "/api/v1/namespaces/fb/configmaps?resourceVersion={a_rv}&resourceVersionMatch=Exact"
        ),
        format!("/api/v1/configmaps?resourceVersion={a_rv}&resourceVersionMatch=Exact"),
    ] {
        assert_eq!(
            admin(&server, Method::GET, &path, None).await.status,
            200,
            "{path}"
        );
    }

    // the version the ERROR names is the oldest one to watch from
    let older = oldest - 1;
    let path = format!("/api/v1/namespaces/fa/configmaps?watch=1&resourceVersion={older}");
    let mut too_early = Watch::open(&server, &path).await;
    assert_eq!(
        too_early.next().await,
        Some(too_old(&older.to_string(), oldest))
    );
    let path = format!("/api/v1/namespaces/fa/configmaps?watch=1&resourceVersion={oldest}");
    let mut from_oldest = Watch::open(&server, &path).await;
    create_cm(&server, "fa", "from-oldest").await;
    from_oldest.expect("ADDED", "from-oldest").await;

    // listing fa again gives a version to watch from
    let list = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/fa/configmaps",
        None,
    )
    .await;
    let rv = rv_of(&list.json());
    let path = format!("/api/v1/namespaces/fa/configmaps?watch=1&resourceVersion={rv}");
    let mut again = Watch::open(&server, &path).await;
    create_cm(&server, "fa", "after").await;
    again.expect("ADDED", "after").await;
}

#[tokio::test]
async fn closing_one_namespace_ends_its_watches_and_they_resume() {
    let server = TestServer::start().await.unwrap();
    let [(mut a, a_rv), (mut b, _)] = two_watches(&server).await;
    // across all namespaces: outside the namespace scope
    let path = format!("/api/v1/configmaps?watch=1&resourceVersion={a_rv}");
    let mut all = Watch::open(&server, &path).await;
    let rv = create_cm(&server, "fb", "seen-by-all").await;
    while rv_of(&all.next().await.expect("the cluster-wide watch ended")["object"]) != rv {}
    b.expect("ADDED", "seen-by-all").await;

    server
        .faults()
        .close_watches_in(&WatchScope::namespace("fa"));

    assert_eq!(a.next().await, None, "closed without an ERROR event");
    create_cm(&server, "fb", "third").await;
    b.expect("ADDED", "third").await;
    all.expect("ADDED", "third").await;
    // nothing is too old: resuming from the last version gets what happened since
    create_cm(&server, "fa", "missed").await;
    let path = format!("/api/v1/namespaces/fa/configmaps?watch=1&resourceVersion={a_rv}");
    let mut resumed = Watch::open(&server, &path).await;
    resumed.expect("ADDED", "missed").await;
}

#[tokio::test]
async fn expiring_a_cluster_scoped_resource_leaves_namespaced_watches() {
    let server = TestServer::start().await.unwrap();
    let [(mut a, _), _] = two_watches(&server).await;
    let list = admin(&server, Method::GET, "/api/v1/namespaces", None).await;
    let rv = rv_of(&list.json());
    let path = format!("/api/v1/namespaces?watch=1&resourceVersion={rv}");
    let mut namespaces = Watch::open(&server, &path).await;
    let pending = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces",
        Some(json!({"metadata": {"name": "fc"}})),
    )
    .await;
    assert_eq!(pending.status, 201);
    let fc_rv = rv_of(&namespaces.expect("ADDED", "fc").await["object"]);

    server
        .faults()
        .expire_watches_in(&WatchScope::resource("", "namespaces"));

    let error = namespaces.next().await.expect("an ERROR event");
    let oldest = oldest_of(&error["object"]);
    assert_eq!(error, too_old(&fc_rv, oldest));
    assert_eq!(namespaces.next().await, None);
    // the namespaced watch is outside the scope
    create_cm(&server, "fa", "later").await;
    a.expect("ADDED", "later").await;
    let path = format!("/api/v1/namespaces?watch=1&resourceVersion={fc_rv}");
    let mut resumed = Watch::open(&server, &path).await;
    assert_eq!(resumed.next().await, Some(too_old(&fc_rv, oldest)));
}
