//! Compile-time checks: what users share across tasks is `Send`/`Sync`, and every verb's
//! future can be `tokio::spawn`ed.

use k8s_openapi::api::core::v1::{Node, Pod};
use std::future::IntoFuture;

use kubeset_clientset::{Api, Client, Error, Patch, WatchStream};

fn send_sync<T: Send + Sync + 'static>() {}
fn send<T: Send + 'static>() {}
fn spawnable<F: std::future::Future + Send>(_: F) {}

#[test]
fn shared_types_are_send_and_sync() {
    send_sync::<Client>();
    send_sync::<Api<Pod>>();
    send_sync::<Error>();
    send::<WatchStream<Pod>>();
}

#[allow(dead_code, reason = "only compiled: the futures are never polled")]
fn verb_futures_are_send(client: Client, pods: Api<Pod>, nodes: Api<Node>) {
    let patch = Patch::Merge(serde_json::json!({}));
    spawnable(pods.get("p"));
    spawnable(pods.list(&Default::default()));
    spawnable(pods.watch(&Default::default()));
    spawnable(pods.patch("p", &Default::default(), &patch));
    spawnable(pods.delete("p", &Default::default()));
    spawnable(pods.logs("p", &Default::default()));
    spawnable(pods.list_metadata(&Default::default()));
    spawnable(nodes.cordon("n"));
    spawnable(client.whoami());
    spawnable(client.can_i("get", "pods").into_future());
    spawnable(client.discover());
}
