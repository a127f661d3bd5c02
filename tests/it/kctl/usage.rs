//! Command lines kubectl rejects before talking to the server (or right after discovery),
//! and kctl's answers to them: the same words, the same exit status.

use super::compare;
use crate::support::setup;

#[track_caller]
fn check(args: &[&str], stderr: &str) {
    let out = compare(args);
    assert_eq!(out.code, 1, "{args:?}: {out:?}");
    assert_eq!(out.stdout, "", "{args:?}");
    assert_eq!(out.stderr, stderr, "{args:?}");
}

#[tokio::test]
async fn usage_errors_match_kubectl() {
    let ctx = setup("kctl-usage").await;
    let ns = ctx.ns.as_str();
    check(
        &["get", "po", "--no-such-flag"],
        "Error: unknown flag: --no-such-flag\nSee 'kubectl get --help' for usage.\n",
    );
    check(
        &["get", "po", "-Z"],
        "Error: unknown shorthand flag: 'Z' in -Z\nSee 'kubectl get --help' for usage.\n",
    );
    check(
        &["get", "cm", "-o", "bogus"],
        "error: unable to match a printer suitable for the output format \"bogus\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n",
    );
    check(
        &["get", "cm", "-o", "custom-columns"],
        "error: custom-columns format specified but no custom columns given\n",
    );
    check(
        &["get", "cm", "x", "-A"],
        "error: a resource cannot be retrieved by name across all namespaces\n",
    );
    check(
        &["logs"],
        "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n",
    );
    check(
        &["logs", "x", "-n", ns, "--since", "5"],
        "Error: invalid argument \"5\" for \"--since\" flag: time: missing unit in duration \"5\"\nSee 'kubectl logs --help' for usage.\n",
    );
    check(
        &["auth", "can-i", "get"],
        "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.\n",
    );
    check(
        &["create", "token"],
        "error: exactly one NAME is required, got 0\nSee 'kubectl create token -h' for help and examples\n",
    );
    check(
        &["delete", "cm", "x", "-f", "objects.yaml"],
        "error: the path \"objects.yaml\" does not exist\n",
    );
    check(
        &["delete", "cm", "-n", ns],
        "error: resource(s) were provided, but no name was specified\n",
    );
    check(
        &["get", "nosuchkind"],
        "error: the server doesn't have a resource type \"nosuchkind\"\n",
    );
}
