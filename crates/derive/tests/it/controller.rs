//! A `kubeset_runtime::Controller` over `Api<Foo>` on the test server: the derived type is
//! watched, cached and reconciled as a Pod is, and its reconciler writes `/status`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kubeset_clientset::{Api, PostParams};
use kubeset_runtime::WatcherConfig;
use kubeset_runtime::controller::{Action, Controller};
use kubeset_testserver::TestServer;

use crate::fixture::{Foo, FooStatus};
use crate::server::{client, install, namespace, spec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_reconciles_foos_and_writes_their_status() {
    let server = TestServer::start().await.unwrap();
    let client = client(&server).await;
    install(&client, &Foo::crd()).await;
    namespace(&client, "demo").await;
    let foos: Api<Foo> = Api::namespaced(client, "demo");
    foos.create(&PostParams::default(), &Foo::new("one", spec()))
        .await
        .unwrap();

    let controller = Controller::new(foos.clone(), WatcherConfig::default()).run(
        |foo: Arc<Foo>, foos: Arc<Api<Foo>>| async move {
            let mut updated = (*foo).clone();
            updated.status = Some(FooStatus {
                replicas: foo.spec.replicas,
                message: Some("reconciled".into()),
            });
            let name = foo.metadata.name.clone().unwrap_or_default();
            foos.replace_status(&name, &PostParams::default(), &updated)
                .await?;
            Ok::<_, kubeset_clientset::Error>(Action::await_change())
        },
        |_foo, _err, _foos| Action::backoff(),
        Arc::new(foos.clone()),
    );
    let running = tokio::spawn(controller.for_each(|_| async {}));

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let foo = foos.get("one").await.unwrap();
        if let Some(status) = foo.status {
            assert_eq!(status.replicas, 2);
            assert_eq!(status.message.as_deref(), Some("reconciled"));
            break;
        }
        assert!(Instant::now() < deadline, "never reconciled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.abort();
}
