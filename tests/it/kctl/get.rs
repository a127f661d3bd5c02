//! `kctl get`: tables, `-o json|yaml|name|wide`, selectors, names, aliases and errors.

use kubeset::clientset::PostParams;
use serde_json::{Value, json};

use super::{compare, kctl};
use crate::support::objects::{config_map, pod};
use crate::support::{Ctx, setup};

/// Two ConfigMaps and a Pod labelled with the namespace, so `-A` can select only them.
async fn seed(ctx: &Ctx) {
    let pp = PostParams::default();
    let cms = ctx.client.config_maps(&ctx.ns);
    let mark = ("kubeset.test/ns", ctx.ns.as_str());
    cms.create(
        &pp,
        &config_map("web-config", &[("app", "web"), mark], &[("a", "1")]),
    )
    .await
    .unwrap();
    cms.create(
        &pp,
        &config_map("db", &[("app", "db"), mark], &[("a", "1"), ("b", "2")]),
    )
    .await
    .unwrap();
    ctx.client
        .pods(&ctx.ns)
        .create(&pp, &pod("web-0", &[("app", "web"), mark]))
        .await
        .unwrap();
}

/// The first column of a table's rows (headers and blank lines dropped).
fn first_column(table: &str) -> Vec<String> {
    table
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|cell| !matches!(*cell, "NAME" | "NAMESPACE"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn tables_match_kubectl() {
    let ctx = setup("kctl-tables").await;
    seed(&ctx).await;
    let ns = ctx.ns.as_str();

    let out = compare(&["get", "configmaps", "-n", ns]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("NAME "), "{out:?}");
    assert!(out.stdout.contains(" DATA "), "{out:?}");
    let names = first_column(&out.stdout);
    assert!(names.contains(&"web-config".to_owned()) && names.contains(&"db".to_owned()));

    let out = compare(&["get", "po", "-n", ns, "-o", "wide"]);
    assert_eq!(first_column(&out.stdout), ["web-0"]);
    assert!(out.stdout.contains("NOMINATED NODE"), "{out:?}");

    // Several kinds: kind-prefixed names, a blank line between the tables.
    let out = compare(&["get", "po,cm", "-n", ns, "-l", "app=web"]);
    assert!(out.stdout.contains("pod/web-0 "), "{out:?}");
    assert!(out.stdout.contains("\n\nNAME "), "{out:?}");
    assert!(out.stdout.contains("configmap/web-config "), "{out:?}");

    let out = compare(&["get", "po,cm", "-n", ns, "-l", "app", "--no-headers"]);
    assert!(
        !out.stdout.contains("NAME") && !out.stdout.contains("\n\n"),
        "{out:?}"
    );
    let out = compare(&["get", "cm", "-n", ns, "-l", "app=db", "--show-labels"]);
    assert!(
        out.stdout.lines().next().unwrap().ends_with("   LABELS"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains(&format!("   app=db,kubeset.test/ns={ns}\n")),
        "{out:?}"
    );

    // A category: every resource listed in `all`.
    let out = compare(&["get", "all", "-n", ns]);
    assert!(out.stdout.contains("pod/web-0 "), "{out:?}");

    // Selectors, across namespaces (only this test's objects carry its label).
    let selector = format!("kubeset.test/ns={ns},app=web");
    let out = compare(&["get", "cm", "-A", "-l", &selector]);
    assert!(out.stdout.starts_with("NAMESPACE "), "{out:?}");
    assert_eq!(first_column(&out.stdout), [ns]);
    let out = compare(&[
        "get",
        "cm",
        "-n",
        ns,
        "--field-selector",
        "metadata.name=db",
    ]);
    assert_eq!(first_column(&out.stdout), ["db"]);

    // Names; missing ones reported after the rest, exit status 1.
    let out = compare(&["get", "cm", "db", "nope", "web-config", "-n", ns]);
    assert_eq!(out.code, 1);
    assert_eq!(first_column(&out.stdout), ["db", "web-config"]);
    assert_eq!(
        out.stderr,
        "Error from server (NotFound): configmaps \"nope\" not found\n"
    );
    let out = compare(&["get", "cm", "db", "-A"]);
    assert_eq!(out.code, 1);
    let out = compare(&["get", "pod/web-0", "cm/db", "-n", ns]);
    assert_eq!(first_column(&out.stdout).len(), 2, "{out:?}");

    // Nothing found: kubectl's message on stderr, exit status 0.
    let out = compare(&["get", "secrets", "-n", ns, "-l", "app=none"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(
        out.stderr,
        format!("No resources found in {ns} namespace.\n")
    );
    let out = compare(&["get", "pv", "-l", "kubeset.test/none=1"]);
    assert_eq!(out.stderr, "No resources found\n");

    let out = compare(&["get", "bogus", "-n", ns]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: the server doesn't have a resource type \"bogus\"\n"
    );
    let out = compare(&["get", "cm", "-n", ns, "-o", "jsonpath"]);
    assert_eq!(
        out.stderr,
        "error: template format specified but no template given\n"
    );
    let out = compare(&["get", "cm", "-n", ns, "-o", "table"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("error: unable to match a printer"));
}

#[tokio::test]
async fn json_yaml_and_name_match_kubectl() {
    let ctx = setup("kctl-json").await;
    seed(&ctx).await;
    let ns = ctx.ns.as_str();

    let out = compare(&["get", "cm", "-n", ns, "-l", "app", "-o", "json"]);
    let list: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["apiVersion"], "v1");
    assert_eq!(list["metadata"], json!({"resourceVersion": ""}));
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    for item in items {
        assert_eq!(
            (item["kind"].as_str(), item["apiVersion"].as_str()),
            (Some("ConfigMap"), Some("v1"))
        );
        assert!(item["metadata"].get("managedFields").is_none(), "{item}");
    }
    assert!(
        out.stdout.contains("\n    \"items\": ["),
        "four-space indent: {out:?}"
    );

    // One name: the object itself.
    let out = compare(&["get", "cm", "db", "-n", ns, "-o", "json"]);
    let object: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(object["metadata"]["name"], "db");
    assert_eq!(object["data"], json!({"a": "1", "b": "2"}));

    // YAML reads back as the same document.
    let out = compare(&["get", "po,cm", "-n", ns, "-l", "app=web", "-o", "yaml"]);
    let list: Value = serde_saphyr::from_str(&out.stdout).unwrap();
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Pod", "ConfigMap"]);

    let out = compare(&["get", "po,cm", "-n", ns, "-l", "app", "-o", "name"]);
    let mut lines: Vec<&str> = out.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["configmap/db", "configmap/web-config", "pod/web-0"]);

    // An empty list is still a List in JSON, and nothing at all for names.
    let out = compare(&["get", "secrets", "-n", ns, "-l", "app=none", "-o", "json"]);
    let list: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list["items"], json!([]));
    let out = compare(&["get", "secrets", "-n", ns, "-l", "app=none", "-o", "name"]);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));

    let out = compare(&["get", "ns", ns, "-o", "yaml"]);
    assert!(out.stdout.contains(&format!("  name: {ns}\n")), "{out:?}");
}

/// Strings go-yaml quotes, folds or writes as blocks in its own ways.
#[tokio::test]
async fn yaml_scalars_match_kubectl() {
    let ctx = setup("kctl-yaml").await;
    let long = "word ".repeat(30);
    let longx = "x".repeat(120);
    let entries: [(&str, &str); 54] = [
        ("yes", "yes"),
        ("num", "123"),
        ("oct", "0777"),
        ("float", "1.5e3"),
        ("colon", "a: b"),
        ("dash", "- x"),
        ("dashplain", "-x"),
        ("hash", "#x"),
        ("midhash", "a #b"),
        ("lead", " lead"),
        ("trail", "trail "),
        ("tab", "a\tb"),
        ("multi", "l1\nl2\n"),
        ("multi2", "l1\nl2"),
        ("multi3", "l1\n\n"),
        ("spacebreak", "line \nnext"),
        ("uni", "h\u{e9}llo \u{2713}"),
        ("empty", ""),
        ("null", "null"),
        ("tilde", "~"),
        ("date", "2024-01-02"),
        ("time", "10:20"),
        ("star", "*x"),
        ("quote", "it's"),
        ("dquote", "say \"hi\""),
        ("long", &long),
        ("longnospace", &longx),
        ("A_key", "x"),
        ("a10", "1"),
        ("a9", "2"),
        ("bang", "!x"),
        ("q1", "?x"),
        ("q2", "? x"),
        ("brace", "{x}"),
        ("comma", "a,b"),
        ("dots", "...x"),
        ("dashes", "---x"),
        ("Y", "N"),
        ("on", "off"),
        ("ip", "10.0.0.1"),
        ("neg", "-5"),
        ("hex", "0x1F"),
        ("inf", ".inf"),
        ("leadnl", "\nx"),
        ("crlf", "a\r\nb"),
        ("backslash", "a\\b"),
        ("e", "1e3"),
        ("plus", "+1"),
        ("under", "1_000"),
        ("dot", ".5"),
        ("base60", "1:20:30"),
        ("bell", "a\u{7}b"),
        ("nbsp", "a\u{a0}b"),
        ("linesep", "a\u{2028}b"),
    ];
    let data: serde_json::Map<String, Value> = entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    let data = Value::Object(data);
    let cm = serde_json::from_value(json!({
        "metadata": {"name": "scalars", "annotations": {"note": "word ".repeat(25)}},
        "data": data,
    }))
    .unwrap();
    ctx.client
        .config_maps(&ctx.ns)
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    let out = compare(&["get", "cm", "scalars", "-n", &ctx.ns, "-o", "yaml"]);
    let mut back: Value = serde_saphyr::from_str(&out.stdout).unwrap();
    // go-yaml indents the line after a U+2028 inside quotes; YAML 1.2 readers keep the spaces.
    assert_eq!(back["data"]["linesep"], "a\u{2028}    b");
    back["data"]["linesep"] = data["linesep"].clone();
    assert_eq!(back["data"], data, "the YAML reads back as the object");
    assert!(
        out.stdout.contains("  multi: |\n    l1\n    l2\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("  num: \"123\"\n"), "{}", out.stdout);
    let out = compare(&["get", "cm", "scalars", "-n", &ctx.ns, "-o", "json"]);
    let back: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(back["data"], data);
}

/// Every resource the issue lists, by its kubectl names (short names included), resolves the
/// way kubectl resolves it, warnings included (`ev` also names `events.events.k8s.io`).
#[tokio::test]
async fn resource_names_and_short_names() {
    let ctx = setup("kctl-names").await;
    let names = [
        ("pods", "po"),
        ("nodes", "no"),
        ("persistentvolumes", "pv"),
        ("persistentvolumeclaims", "pvc"),
        ("storageclasses", "sc"),
        ("namespaces", "ns"),
        ("configmaps", "cm"),
        ("secrets", "secret"),
        ("serviceaccounts", "sa"),
        ("services", "svc"),
        ("events", "ev"),
        ("leases", "lease"),
    ];
    for (plural, short) in names {
        for name in [plural, short, &plural.to_uppercase()] {
            let out = compare(&[
                "get",
                name,
                "-n",
                &ctx.ns,
                "-l",
                "kubeset.test/none=1",
                "-o",
                "json",
            ]);
            assert_eq!(out.code, 0, "{name}: {out:?}");
            let list: Value = serde_json::from_str(&out.stdout).unwrap();
            assert_eq!(list["items"], json!([]), "{name}");
        }
    }
    let out = kctl(&["get", "ev", "-n", &ctx.ns]);
    assert!(
        out.stderr.starts_with("Warning: short name \"ev\" could also match lower priority resource events.events.k8s.io\n"),
        "{out:?}"
    );
    compare(&["get", "leases.coordination.k8s.io", "-n", &ctx.ns]);
}
