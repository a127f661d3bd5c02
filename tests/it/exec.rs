//! exec, attach and port-forward through the test server's scripted node agent: output, exit
//! codes, stdin with half-close, a terminal with resizes, RBAC denials, refused ports and a
//! connection that drops mid-session.
//!
//! The node agent is the test server's; against a real cluster these tests return at once.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kubeset::clientset::{
    Api, ChannelProtocol, Client, ExecParams, ForwardEvent, PostParams, RemoteError, TerminalSize,
};
use kubeset_testserver::node_agent::{NodeAgent, Outcome, Pods, PortTarget};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::objects::pod;
use crate::support::{Ctx, admin_config, setup, test_server};

/// Every session here ends well within this; a hang fails the test instead of stalling it.
const DEADLINE: Duration = Duration::from_secs(20);

/// The node agent, a namespace, and pod `p` bound to a node that exists (`None` on a real
/// cluster, which has no scripted node agent).
pub(crate) async fn running_pod(name: &str) -> Option<(NodeAgent, Ctx, Api<Pod>)> {
    let agent = test_server()?.node_agent();
    let ctx = setup(name).await;
    let node_name = format!("node-{}", ctx.ns);
    let node: Node = serde_json::from_value(json!({"metadata": {"name": node_name}})).unwrap();
    ctx.client
        .nodes()
        .create(&PostParams::default(), &node)
        .await
        .unwrap();
    let pods = ctx.client.pods(&ctx.ns);
    let mut p = pod("p", &[]);
    p.spec.as_mut().unwrap().node_name = Some(node_name);
    pods.create(&PostParams::default(), &p).await.unwrap();
    Some((agent, ctx, pods))
}

/// The server's message of an API error.
fn message(err: &kubeset::clientset::Error) -> &str {
    err.status()
        .and_then(|s| s.message.as_deref())
        .unwrap_or_default()
}

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the session ended in time")
}

#[tokio::test]
async fn exec_collects_output_and_exit_codes() {
    let Some((agent, ctx, pods)) = running_pod("exec-output").await else {
        return;
    };
    agent.on_exec(Pods::named(&ctx.ns, "p"), |mut session| async move {
        let line = format!("{} in {}\n", session.command.join(" "), session.container);
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(line.as_bytes()).await.unwrap();
        }
        if let Some(err) = session.stderr.as_mut() {
            err.write_all(b"to stderr\n").await.unwrap();
        }
        match session.command.last().map(String::as_str) {
            Some("exit 3") => Outcome::Exit(3),
            Some("missing") => Outcome::Error("executable file not found in $PATH".into()),
            _ => Outcome::Exit(0),
        }
    });

    let ok = within(pods.exec_output("p", &["echo", "hi"], &ExecParams::default()))
        .await
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "echo hi in c\n");
    assert_eq!(String::from_utf8_lossy(&ok.stderr), "to stderr\n");
    assert!(ok.status.success());

    let failed = within(pods.exec_output("p", &["sh", "-c", "exit 3"], &ExecParams::default()))
        .await
        .unwrap();
    assert_eq!(failed.status.code(), 3, "a non-zero exit is a value");
    assert_eq!(
        String::from_utf8_lossy(&failed.stdout),
        "sh -c exit 3 in c\n"
    );

    let err = within(pods.exec_output("p", &["missing"], &ExecParams::default()))
        .await
        .unwrap_err();
    match err.remote() {
        Some(RemoteError::Failed { message, pod, .. }) => {
            assert_eq!(
                message,
                "Internal error occurred: executable file not found in $PATH"
            );
            assert_eq!(pod, &format!("{}/p", ctx.ns));
        }
        other => panic!("expected a session failure, got {other:?} ({err})"),
    }
}

#[tokio::test]
async fn exec_stdin_is_half_closed_with_the_v5_close_signal() {
    let Some((agent, ctx, pods)) = running_pod("exec-stdin").await else {
        return;
    };
    agent.on_exec(Pods::named(&ctx.ns, "p"), |mut session| async move {
        // reads to the end of its input, as `tr a-z A-Z` would
        let mut input = String::new();
        if let Some(stdin) = session.stdin.as_mut() {
            stdin.read_to_string(&mut input).await.unwrap();
        }
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(input.to_uppercase().as_bytes())
                .await
                .unwrap();
        }
        Outcome::Exit(0)
    });

    let mut process = within(pods.exec("p", &["tr", "a-z", "A-Z"], &ExecParams::default().stdin()))
        .await
        .unwrap();
    assert_eq!(process.protocol(), ChannelProtocol::V5);
    let mut stdin = process.stdin().unwrap();
    let mut stdout = process.stdout().unwrap();
    stdin.write_all(b"hello, ").await.unwrap();
    stdin.write_all(b"pod").await.unwrap();
    stdin.shutdown().await.unwrap();
    let mut out = String::new();
    within(stdout.read_to_string(&mut out)).await.unwrap();
    assert_eq!(out, "HELLO, POD");
    assert!(within(process.status()).await.unwrap().success());
}

#[tokio::test]
async fn exec_under_a_terminal_sends_resizes_and_has_no_stderr() {
    let Some((agent, ctx, pods)) = running_pod("exec-tty").await else {
        return;
    };
    agent.on_exec(Pods::named(&ctx.ns, "p"), |mut session| async move {
        assert!(session.tty && session.stderr.is_none());
        let (width, height) = session.resizes.recv().await.unwrap();
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(format!("{width}x{height}").as_bytes())
                .await
                .unwrap();
        }
        Outcome::Exit(0)
    });

    let ep = ExecParams::default().stdin().tty();
    let mut process = within(pods.exec("p", &["sh"], &ep)).await.unwrap();
    assert!(process.stderr().is_none());
    let resizer = process.resizer().expect("a terminal can be resized");
    resizer
        .resize(TerminalSize {
            width: 132,
            height: 43,
        })
        .await
        .unwrap();
    let mut stdout = process.stdout().unwrap();
    let mut out = String::new();
    within(stdout.read_to_string(&mut out)).await.unwrap();
    assert_eq!(out, "132x43");
    assert!(within(process.status()).await.unwrap().success());
}

#[tokio::test]
async fn attach_reaches_the_attach_handler() {
    let Some((agent, ctx, pods)) = running_pod("exec-attach").await else {
        return;
    };
    agent.on_attach(Pods::named(&ctx.ns, "p"), |mut session| async move {
        assert!(session.command.is_empty());
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(b"main process output").await.unwrap();
        }
        Outcome::Exit(7)
    });

    let mut process = within(pods.attach("p", &ExecParams::default()))
        .await
        .unwrap();
    let mut out = String::new();
    within(process.stdout().unwrap().read_to_string(&mut out))
        .await
        .unwrap();
    assert_eq!(out, "main process output");
    assert_eq!(within(process.status()).await.unwrap().code(), 7);
}

#[tokio::test]
async fn a_dropped_connection_is_an_error_not_a_hang() {
    let Some((agent, ctx, pods)) = running_pod("exec-drop").await else {
        return;
    };
    agent.on_exec(Pods::named(&ctx.ns, "p"), |mut session| async move {
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(b"partial").await.unwrap();
        }
        Outcome::Disconnect
    });

    let mut process = within(pods.exec("p", &["sleep", "1d"], &ExecParams::default()))
        .await
        .unwrap();
    let mut out = String::new();
    within(process.stdout().unwrap().read_to_string(&mut out))
        .await
        .unwrap();
    assert_eq!(out, "partial");
    let err = within(process.status()).await.unwrap_err();
    assert!(
        matches!(
            err.remote(),
            Some(RemoteError::ConnectionLost { .. } | RemoteError::Closed { .. })
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!("pod {}/p", ctx.ns)),
        "{err}"
    );
}

#[tokio::test]
async fn refusals_before_the_session_are_the_servers_answers() {
    let Some((_agent, _ctx, pods)) = running_pod("exec-refused").await else {
        return;
    };
    let ep = ExecParams::default();
    let missing = pods.exec("absent", &["true"], &ep).await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(message(&missing), "pods \"absent\" not found");

    let wrong = pods
        .exec("p", &["true"], &ep.clone().container("nope"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(400));
    assert_eq!(message(&wrong), "container nope is not valid for pod p");

    // no handler for this pod: the kubelet finds no running container
    let no_handler = pods.exec("p", &["true"], &ep).await.unwrap_err();
    assert_eq!(no_handler.code(), Some(500));
    assert_eq!(message(&no_handler), "container not found (\"c\")");

    pods.create(&PostParams::default(), &pod("pending", &[]))
        .await
        .unwrap();
    let unscheduled = pods.exec("pending", &["true"], &ep).await.unwrap_err();
    assert_eq!(unscheduled.code(), Some(400));
    assert_eq!(
        message(&unscheduled),
        "pod pending does not have a host assigned"
    );
}

#[tokio::test]
async fn rbac_requires_create_even_for_the_websocket_get() {
    let Some((agent, ctx, _pods)) = running_pod("exec-rbac").await else {
        return;
    };
    agent.on_exec(Pods::named(&ctx.ns, "p"), |_session| async {
        Outcome::Exit(0)
    });
    let role: Role = serde_json::from_value(json!({
        "metadata": {"name": "exec-get"},
        "rules": [{"apiGroups": [""], "resources": ["pods", "pods/exec", "pods/portforward"], "verbs": ["get"]}],
    }))
    .unwrap();
    Api::<Role>::namespaced(ctx.client.clone(), &ctx.ns)
        .create(&PostParams::default(), &role)
        .await
        .unwrap();
    let binding: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "exec-get"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "exec-get"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}],
    }))
    .unwrap();
    Api::<RoleBinding>::namespaced(ctx.client.clone(), &ctx.ns)
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
    let mut config = admin_config();
    config.impersonate.user = Some("alice".to_owned());
    let alice = Client::new(config).unwrap().pods(&ctx.ns);

    let err = within(alice.exec("p", &["true"], &ExecParams::default()))
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(
        err.to_string().contains("denied: create pods/exec \"p\""),
        "the explanation names the create permission: {err}"
    );
    assert_eq!(
        message(&err),
        format!(
            "pods \"p\" is forbidden: User \"alice\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"{}\"",
            ctx.ns
        )
    );
    let err = within(alice.port_forward("p", &[80])).await.unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert!(
        message(&err).contains("cannot create resource \"pods/portforward\""),
        "{err}"
    );
}

#[tokio::test]
async fn port_forward_echoes_and_surfaces_refused_ports() {
    let Some((agent, ctx, pods)) = running_pod("exec-forward").await else {
        return;
    };
    agent.on_port_forward(Pods::named(&ctx.ns, "p"), 7000, PortTarget::Echo);

    let mut forward = within(pods.port_forward("p", &[7000, 7001])).await.unwrap();
    let mut echo = forward.take_stream(7000).unwrap();
    let mut refused = forward.take_stream(7001).unwrap();
    echo.write_all(b"ping over the tunnel").await.unwrap();
    let mut back = [0u8; 20];
    within(echo.read_exact(&mut back)).await.unwrap();
    assert_eq!(&back, b"ping over the tunnel");

    let mut sink = Vec::new();
    let err = within(refused.read_to_end(&mut sink)).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("an error occurred forwarding port 7001 of pod {}/p: error forwarding port 7001 to pod ", ctx.ns))
            && text.contains("connect: connection refused"),
        "{text}"
    );
    drop((echo, refused));
    let joined = within(forward.join()).await.unwrap_err();
    assert!(
        matches!(
            joined.remote(),
            Some(RemoteError::PortForward { port: 7001, .. })
        ),
        "{joined:?}"
    );
}

#[tokio::test]
async fn forward_local_carries_each_connection_to_a_tcp_target() {
    let Some((agent, ctx, pods)) = running_pod("exec-local").await else {
        return;
    };
    // the pod's port 8080: a loopback service answering "hello <request>"
    let service = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let service_addr = service.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = service.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 64];
                let n = conn.read(&mut buf).await.unwrap_or(0);
                let reply = format!("hello {}", String::from_utf8_lossy(&buf[..n]));
                let _ = conn.write_all(reply.as_bytes()).await;
            });
        }
    });
    agent.on_port_forward(
        Pods::named(&ctx.ns, "p"),
        8080,
        PortTarget::Tcp(service_addr),
    );

    let mut forward = within(pods.forward_local("p", "127.0.0.1:0".parse().unwrap(), 8080))
        .await
        .unwrap();
    let local = forward.local_addr();
    for who in ["one", "two"] {
        let mut conn = tokio::net::TcpStream::connect(local).await.unwrap();
        conn.write_all(who.as_bytes()).await.unwrap();
        let mut reply = String::new();
        within(conn.read_to_string(&mut reply)).await.unwrap();
        assert_eq!(reply, format!("hello {who}"));
        match within(forward.next_event()).await {
            Some(ForwardEvent::Connection {
                local_port,
                remote_port: 8080,
            }) => assert_eq!(local_port, local.port()),
            other => panic!("expected a connection event, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn streams_larger_than_every_buffer_flow_both_ways() {
    let Some((agent, ctx, pods)) = running_pod("exec-large").await else {
        return;
    };
    // `cat`: output blocks until the client reads, while more input keeps arriving
    agent.on_exec(Pods::named(&ctx.ns, "p"), |mut session| async move {
        if let (Some(stdin), Some(stdout)) = (session.stdin.as_mut(), session.stdout.as_mut()) {
            tokio::io::copy(stdin, stdout).await.unwrap();
        }
        Outcome::Exit(0)
    });
    agent.on_port_forward(Pods::named(&ctx.ns, "p"), 9000, PortTarget::Echo);
    const SIZE: usize = 4 << 20;
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();

    let mut process = within(pods.exec("p", &["cat"], &ExecParams::default().stdin()))
        .await
        .unwrap();
    let mut stdin = process.stdin().unwrap();
    let input = data.clone();
    let writer = tokio::spawn(async move {
        stdin.write_all(&input).await.unwrap();
        stdin.shutdown().await.unwrap();
    });
    let mut out = Vec::new();
    within(process.stdout().unwrap().read_to_end(&mut out))
        .await
        .unwrap();
    within(writer).await.unwrap();
    assert!(
        out == data,
        "cat returned {} of {SIZE} bytes intact",
        out.len()
    );
    assert!(within(process.status()).await.unwrap().success());

    let mut forward = within(pods.port_forward("p", &[9000])).await.unwrap();
    let (mut read, mut write) = tokio::io::split(forward.take_stream(9000).unwrap());
    let input = data.clone();
    let writer = tokio::spawn(async move {
        write.write_all(&input).await.unwrap();
        write
    });
    let mut back = vec![0u8; SIZE];
    within(read.read_exact(&mut back)).await.unwrap();
    assert!(back == data, "the echo came back intact");
    drop((read, within(writer).await.unwrap()));
    within(forward.join()).await.unwrap();
}
