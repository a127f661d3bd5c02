//! The operator as users install it: its CRD from `operator crd` through `kctl apply`, and
//! the binary run as its Deployment's pod would run it, with only the permissions of
//! `examples/deploy/operator/operator.yaml`.

use std::process::Command;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset::clientset::{Api, PostParams};
use kubeset::runtime::wait::crd_established;

use super::website::{READY, Website};
use super::{WAIT, crd, eventually, website};
use crate::kctl::{kctl_bin, run_in};
use crate::support::deploy::{Daemon, apply, manifests};
use crate::support::examples::example_bin;
use crate::support::{ServiceAccountFiles, kubeconfig_path, setup};

/// What `operator crd` prints.
fn crd_yaml() -> String {
    let output = Command::new(example_bin("operator"))
        .arg("crd")
        .env_clear()
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kctl_applies_the_crd_that_operator_crd_prints() {
    let ctx = setup("operator-kctl").await;
    let _turn = crd::turn().await;
    let yaml = crd_yaml();
    let dir = tempfile::tempdir().unwrap();
    let applied = run_in(
        kctl_bin(),
        kubeconfig_path(),
        dir.path(),
        &["apply", "--server-side", "-f", "-"],
        Some(&yaml),
    );
    assert_eq!(
        (applied.code, applied.stdout.as_str()),
        (
            0,
            "customresourcedefinition.apiextensions.k8s.io/websites.kubeset.example serverside-applied\n"
        ),
        "{}",
        applied.stderr
    );
    let crds: Api<CustomResourceDefinition> = Api::cluster(ctx.client.clone());
    let stored = crd_established(&crds, &crd::name(), WAIT).await.unwrap();
    // what the server stored is what the type generated (the server adds only defaults)
    let generated = Website::crd();
    assert_eq!(stored.spec.names, generated.spec.names);
    assert_eq!(
        stored.spec.versions[0].schema,
        generated.spec.versions[0].schema
    );
    assert_eq!(
        stored.spec.versions[0].additional_printer_columns,
        generated.spec.versions[0].additional_printer_columns
    );

    // the kind is usable at once, by kctl too (its discovery sees it), with its columns
    let websites: Api<Website> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    websites
        .create(
            &PostParams::default(),
            &website("docs", "Docs", &[("index.html", "hi")]),
        )
        .await
        .unwrap();
    let listed = run_in(
        kctl_bin(),
        kubeconfig_path(),
        dir.path(),
        &["get", "websites", "-n", &ctx.ns],
        None,
    );
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let mut lines = listed.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "TITLE", "PAGES", "READY", "AGE"]);
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(row[..2], ["docs", "Docs"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_runs_with_its_manifests_permissions() {
    let ctx = setup("operator-pod").await;
    let _crd = crd::install(&ctx.client).await;
    let _deployed = apply(&ctx, manifests("examples/deploy/operator/operator.yaml")).await;
    let files = ServiceAccountFiles::new(&ctx, "kubeset-website-operator").await;
    let mut daemon = Daemon::start(
        "operator",
        &files,
        "operator-0",
        &["run", "--namespace", &ctx.ns],
    );
    daemon.wait_for("reconciling Websites", WAIT).await;

    let websites: Api<Website> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    websites
        .create(
            &PostParams::default(),
            &website("docs", "Docs", &[("index.html", "<p>{{title}}</p>")]),
        )
        .await
        .unwrap();
    eventually("published and Ready", || async {
        let cm = ctx
            .client
            .config_maps(&ctx.ns)
            .get_opt("website-docs")
            .await
            .unwrap();
        let site = websites.get("docs").await.unwrap();
        cm.and_then(|cm| cm.data)
            .is_some_and(|d| d["index.html"] == "<p>Docs</p>")
            && site.condition(READY).is_some_and(|c| c.status == "True")
    })
    .await;
    // the finalizer lets the Website go once the ConfigMap is deleted
    websites
        .delete("docs", &kubeset::clientset::DeleteParams::default())
        .await
        .unwrap();
    eventually("the Website gone", || async {
        websites.get_opt("docs").await.unwrap().is_none()
    })
    .await;
    assert!(
        daemon.terminate(Duration::from_secs(30)).await,
        "{}",
        daemon.output()
    );
    assert!(!daemon.stderr().contains("error"), "{}", daemon.output());
}
