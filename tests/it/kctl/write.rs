//! `kctl create -f`, `apply --server-side -f` and `delete`: kctl writes in its namespace,
//! kubectl the same objects in a second one; the outputs must agree once the namespaces'
//! names are swapped.

use std::path::Path;

use k8s_openapi::api::core::v1::ConfigMap;

use super::{Run, assert_same, kctl_bin, kubectl, run_in, without_identity};
use crate::support::{Ctx, kubeconfig_path, setup};

/// ConfigMap, ServiceAccount, Lease (namespaced, no namespace given) and a StorageClass
/// (cluster-scoped, named after the namespace so parallel runs do not collide).
fn manifest(ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels: {{app: web}}\ndata:\n  mode: fast\n\
         ---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\n\
         ---\n# an empty document is skipped\n---\n\
         apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: leader\nspec:\n  holderIdentity: me\n\
         ---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: sc-{ns}\nprovisioner: example.com/none\n"
    )
}

/// One namespace with its manifest file in a directory of its own.
struct Side {
    ctx: Ctx,
    dir: tempfile::TempDir,
}

impl Side {
    async fn new(name: &str) -> Self {
        let ctx = setup(name).await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("objects.yaml"), manifest(&ctx.ns)).unwrap();
        Self { ctx, dir }
    }

    fn run(&self, program: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["-n", &self.ctx.ns]);
        run_in(program, kubeconfig_path(), self.dir.path(), &full, stdin)
    }
}

/// kctl on `ours`, kubectl on `theirs` (when installed); returns kctl's run.
#[track_caller]
fn both(ours: &Side, theirs: &Side, args: &[&str], stdin: Option<&str>) -> Run {
    let run = ours.run(kctl_bin(), args, stdin);
    if let Some(kubectl) = kubectl() {
        let mut other = theirs.run(
            &kubectl,
            args,
            stdin
                .map(|s| s.replace(&ours.ctx.ns, &theirs.ctx.ns))
                .as_deref(),
        );
        other.stdout = other.stdout.replace(&theirs.ctx.ns, &ours.ctx.ns);
        other.stderr = other.stderr.replace(&theirs.ctx.ns, &ours.ctx.ns);
        if other.stderr.contains("invalid wire-format data") {
            // kubectl validates against the server's OpenAPI (protobuf; protobuf-go puts
            // random non-breaking spaces in its messages), which the test
            // server does not serve; a real cluster answers it.
            eprintln!(
                "kubectl could not read this server's OpenAPI; `{}` not compared",
                args.join(" ")
            );
        } else {
            assert_same(
                &without_identity(&run),
                &without_identity(&other),
                &args.join(" "),
            );
        }
    }
    run
}

async fn storage_class_exists(ctx: &Ctx) -> bool {
    ctx.client
        .storage_classes()
        .get_opt(&format!("sc-{}", ctx.ns))
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn create_apply_delete_match_kubectl() {
    let ours = Side::new("kctl-write").await;
    let theirs = Side::new("kctl-write-ref").await;
    let ns = ours.ctx.ns.clone();
    let sc = format!("sc-{ns}");

    let out = both(&ours, &theirs, &["create", "-f", "objects.yaml"], None);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!(
            "configmap/settings created\nserviceaccount/robot created\nlease.coordination.k8s.io/leader created\nstorageclass.storage.k8s.io/{sc} created\n"
        )
    );
    let cm: ConfigMap = ours
        .ctx
        .client
        .config_maps(&ns)
        .get("settings")
        .await
        .unwrap();
    assert_eq!(cm.data.unwrap()["mode"], "fast");
    assert!(storage_class_exists(&ours.ctx).await);

    // Again: each object already exists, reported with the file's name.
    let out = both(&ours, &theirs, &["create", "-f", "objects.yaml"], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with(
        "Error from server (AlreadyExists): error when creating \"objects.yaml\": configmaps \"settings\" already exists\n"
    ), "{out:?}");

    // Server-side apply with a changed value, from standard input.
    let changed = manifest(&ns).replace("mode: fast", "mode: slow");
    // The value `kubectl create` set belongs to it: a conflict, then a forced apply.
    let out = both(
        &ours,
        &theirs,
        &["apply", "--server-side", "-f", "-"],
        Some(&changed),
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .starts_with("error: Apply failed with 1 conflict: conflict with \"kubectl-create\""),
        "{out:?}"
    );
    assert!(
        out.stdout
            .starts_with("serviceaccount/robot serverside-applied\n"),
        "{out:?}"
    );
    let args = ["apply", "--server-side", "--force-conflicts", "-f", "-"];
    let out = both(&ours, &theirs, &args, Some(&changed));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .starts_with("configmap/settings serverside-applied\n"),
        "{out:?}"
    );
    let cm: ConfigMap = ours
        .ctx
        .client
        .config_maps(&ns)
        .get("settings")
        .await
        .unwrap();
    assert_eq!(cm.data.unwrap()["mode"], "slow");
    let managers: Vec<String> = cm
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.manager)
        .collect();
    assert!(managers.contains(&"kubectl".to_owned()), "{managers:?}");

    // Delete by type and name, then the rest from the file (the cluster-scoped warning).
    let out = both(&ours, &theirs, &["delete", "cm", "settings", "nope"], None);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "configmap \"settings\" deleted\n");
    assert_eq!(
        out.stderr,
        "Error from server (NotFound): configmaps \"nope\" not found\n"
    );
    let out = both(&ours, &theirs, &["delete", "cm", "-l", "app=none"], None);
    assert_eq!((out.code, out.stdout.as_str()), (0, "No resources found\n"));
    let out = both(&ours, &theirs, &["delete", "-f", "objects.yaml"], None);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("serviceaccount \"robot\" deleted\n"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains(&format!("storageclass.storage.k8s.io \"{sc}\" deleted\n"))
    );
    assert!(
        out.stderr.starts_with(
            "Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n"
        ),
        "{out:?}"
    );
    assert!(!storage_class_exists(&ours.ctx).await);
}

#[tokio::test]
async fn bad_manifests_are_reported_like_kubectl() {
    let ours = Side::new("kctl-badfile").await;
    let theirs = Side::new("kctl-badfile-ref").await;
    let out = both(&ours, &theirs, &["create", "-f", "missing.yaml"], None);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: the path \"missing.yaml\" does not exist\n"
    );
    let unknown = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
    let out = both(&ours, &theirs, &["create", "-f", "-"], Some(unknown));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("no matches for kind \"Widget\" in version \"example.com/v1\""),
        "{out:?}"
    );
    let out = both(&ours, &theirs, &["delete", "cm"], None);
    assert_eq!(out.code, 1);
}
