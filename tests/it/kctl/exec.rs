//! `kctl exec`, `attach` and `port-forward` through the test server's node agent, compared
//! with kubectl (v1.32 execs over WebSocket first, as kctl does) when it is installed.
//! kubectl's port-forward speaks SPDY or the SPDY-over-WebSocket tunnel, which the test server
//! does not, so only port-forward's refusals are compared with it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{Api, Patch, PatchParams, PostParams};
use kubeset_testserver::node_agent::{NodeAgent, Outcome, Pods, PortTarget};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Run, assert_same, compare, kctl_bin, kubectl, run_in};
use crate::support::objects::pod;
use crate::support::{Ctx, kubeconfig_path};

/// The node agent, a namespace, and pod `p` bound to a node, in phase `phase`.
async fn pod_in_phase(name: &str, phase: &str) -> Option<(NodeAgent, Ctx, Api<Pod>)> {
    let (agent, ctx, pods) = crate::exec::running_pod(name).await?;
    pods.patch_status(
        "p",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": phase}})),
    )
    .await
    .unwrap();
    Some((agent, ctx, pods))
}

/// kctl and kubectl with the same arguments and standard input.
#[track_caller]
fn compare_stdin(args: &[&str], stdin: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let ours = run_in(kctl_bin(), kubeconfig_path(), dir.path(), args, Some(stdin));
    if let Some(kubectl) = kubectl() {
        let theirs = run_in(&kubectl, kubeconfig_path(), dir.path(), args, Some(stdin));
        assert_same(&ours, &theirs, &args.join(" "));
    }
    ours
}

#[tokio::test]
async fn exec_prints_output_and_exits_with_the_commands_code() {
    let Some((agent, ctx, _pods)) = pod_in_phase("kctl-exec", "Running").await else {
        return;
    };
    agent.on_exec(Pods::named(&ctx.ns, "p"), |mut session| async move {
        let mut input = String::new();
        if let Some(stdin) = session.stdin.as_mut() {
            stdin.read_to_string(&mut input).await.unwrap();
        }
        let line = format!("{}|{}\n", session.command.join(" "), input);
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(line.as_bytes()).await.unwrap();
        }
        if let Some(err) = session.stderr.as_mut() {
            err.write_all(b"warning: from the container\n")
                .await
                .unwrap();
        }
        match session.command.last().map(String::as_str) {
            Some("exit 3") => Outcome::Exit(3),
            _ => Outcome::Exit(0),
        }
    });
    let ns = ctx.ns.as_str();

    let ok = compare(&["exec", "p", "-n", ns, "--", "echo", "hi"]);
    assert_eq!(
        (ok.code, ok.stdout.as_str(), ok.stderr.as_str()),
        (0, "echo hi|\n", "warning: from the container\n")
    );

    let failed = compare(&["exec", "-n", ns, "pod/p", "--", "sh", "-c", "exit 3"]);
    assert_eq!(failed.code, 3, "{failed:?}");
    assert_eq!(
        failed.stderr,
        "warning: from the container\ncommand terminated with exit code 3\n"
    );

    let piped = compare_stdin(&["exec", "-i", "p", "-n", ns, "--", "cat"], "from stdin");
    assert_eq!((piped.code, piped.stdout.as_str()), (0, "cat|from stdin\n"));

    // -t without a terminal on stdin: none is asked for (with -i, kubectl says so)
    let no_tty = compare(&["exec", "-t", "p", "-n", ns, "--", "echo", "t"]);
    assert_eq!((no_tty.code, no_tty.stdout.as_str()), (0, "echo t|\n"));
    let warned = compare_stdin(&["exec", "-it", "p", "-n", ns, "--", "cat"], "x");
    assert_eq!(
        (warned.code, warned.stdout.as_str(), warned.stderr.as_str()),
        (
            0,
            "cat|x\n",
            "Unable to use a TTY - input is not a terminal or the right kind of file\nwarning: from the container\n"
        )
    );
}

#[tokio::test]
async fn exec_and_attach_refusals_match_kubectl() {
    let Some((agent, ctx, pods)) = pod_in_phase("kctl-exec-refused", "Running").await else {
        return;
    };
    agent.on_attach(Pods::named(&ctx.ns, "p"), |mut session| async move {
        if let Some(out) = session.stdout.as_mut() {
            out.write_all(b"attached\n").await.unwrap();
        }
        Outcome::Exit(0)
    });
    let ns = ctx.ns.as_str();

    let out = compare(&["exec", "p", "-n", ns]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "error: you must specify at least one command for the container\n"
        )
    );
    let out = compare(&["exec", "missing", "-n", ns, "--", "true"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "Error from server (NotFound): pods \"missing\" not found\n"
        )
    );
    let mut done = pod("done", &[]);
    done.spec.as_mut().unwrap().node_name = Some(format!("node-{ns}"));
    pods.create(&PostParams::default(), &done).await.unwrap();
    pods.patch_status(
        "done",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": "Succeeded"}})),
    )
    .await
    .unwrap();
    let out = compare(&["exec", "done", "-n", ns, "--", "true"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"
        )
    );

    let attached = compare(&["attach", "p", "-n", ns]);
    assert_eq!(
        (
            attached.code,
            attached.stdout.as_str(),
            attached.stderr.as_str()
        ),
        (
            0,
            "attached\n",
            "If you don't see a command prompt, try pressing enter.\n"
        )
    );
}

#[tokio::test]
async fn port_forward_prints_kubectls_lines_and_forwards() {
    let Some((agent, ctx, pods)) = pod_in_phase("kctl-forward", "Running").await else {
        return;
    };
    agent.on_port_forward(Pods::named(&ctx.ns, "p"), 7000, PortTarget::Echo);
    let ns = ctx.ns.as_str();

    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(kctl_bin())
        .arg("--kubeconfig")
        .arg(kubeconfig_path())
        .args([
            "port-forward",
            "p",
            "-n",
            ns,
            ":7000",
            "--address",
            "127.0.0.1",
        ])
        .env_clear()
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port: u16 = first
        .strip_prefix("Forwarding from 127.0.0.1:")
        .and_then(|rest| rest.strip_suffix(" -> 7000"))
        .unwrap_or_else(|| panic!("kubectl's line, got {first:?}"))
        .parse()
        .unwrap();

    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    conn.write_all(b"echo me").unwrap();
    let mut back = [0u8; 7];
    conn.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"echo me");
    assert_eq!(
        lines.next().unwrap().unwrap(),
        format!("Handling connection for {port}")
    );
    drop(conn);
    child.kill().unwrap();
    let _ = child.wait();

    let mut pending = pod("pending", &[]);
    pending.spec.as_mut().unwrap().node_name = Some(format!("node-{ns}"));
    pods.create(&PostParams::default(), &pending).await.unwrap();
    let out = compare(&["port-forward", "pending", "-n", ns, "8080"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "error: unable to forward port because pod is not running. Current status=Pending\n"
        )
    );
}
