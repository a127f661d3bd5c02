//! The Website CRD, shared by the tests that use it: they take turns (one lock), each
//! installs it and waits until it is Established, and each removes it when done (also when
//! it panics), so a real cluster is left as it was.

use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset::clientset::{Api, Client, DeleteParams, ListParams, Patch, PatchParams};
use kubeset::runtime::wait::crd_established;
use serde_json::json;
use tokio::sync::{Mutex, MutexGuard};

use super::website::Website;
use crate::support::admin_config;

static TURN: Mutex<()> = Mutex::const_new(());

/// The CRD's name.
pub(super) fn name() -> String {
    Website::crd().metadata.name.unwrap()
}

/// This test's turn with the CRD; dropping it removes the CRD.
pub(super) struct Turn {
    _turn: MutexGuard<'static, ()>,
}

/// Waits for this test's turn; the test installs the CRD itself.
pub(super) async fn turn() -> Turn {
    Turn {
        _turn: TURN.lock().await,
    }
}

/// Waits for this test's turn, applies `Website::crd()` (server-side) and waits until it is
/// Established.
pub(super) async fn install(client: &Client) -> Turn {
    let turn = turn().await;
    let crds: Api<CustomResourceDefinition> = Api::cluster(client.clone());
    let mut body = serde_json::to_value(Website::crd()).unwrap();
    body["apiVersion"] = "apiextensions.k8s.io/v1".into();
    body["kind"] = "CustomResourceDefinition".into();
    crds.patch(
        &name(),
        &PatchParams::apply("kubeset-e2e").force(),
        &Patch::Apply(body),
    )
    .await
    .unwrap();
    crd_established(&crds, &name(), Duration::from_secs(30))
        .await
        .unwrap();
    turn
}

impl Drop for Turn {
    fn drop(&mut self) {
        // A runtime of its own: the test's may be shutting down (a panic).
        let joined = std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(remove());
        })
        .join();
        if joined.is_err() {
            eprintln!("removing the Website CRD failed");
        }
    }
}

/// Deletes the CRD and waits until it is gone. Websites whose operator stopped would keep
/// their finalizer and hold the CRD (and the namespace) forever: it is taken off first.
async fn remove() {
    let client = Client::new(admin_config()).unwrap();
    let websites: Api<Website> = Api::all(client.clone());
    if let Ok(list) = websites.list(&ListParams::default()).await {
        for site in list
            .items
            .iter()
            .filter(|w| w.metadata.finalizers.is_some())
        {
            let ns = site.metadata.namespace.as_deref().unwrap_or_default();
            let _ = Api::<Website>::namespaced(client.clone(), ns)
                .patch(
                    site.name(),
                    &PatchParams::default(),
                    &Patch::Merge(json!({"metadata": {"finalizers": null}})),
                )
                .await;
        }
    }
    let crds: Api<CustomResourceDefinition> = Api::cluster(client);
    match crds.delete(&name(), &DeleteParams::default()).await {
        Ok(_) => {}
        Err(err) if err.is_not_found() => return,
        Err(err) => panic!("deleting the Website CRD: {err}"),
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while crds.get_opt(&name()).await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the Website CRD is not gone");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
