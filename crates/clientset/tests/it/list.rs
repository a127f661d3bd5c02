//! Lists: streaming parallel decoding, paging, list options.

use bytes::Bytes;
use futures_util::TryStreamExt;
use kubeset_clientset::{Error, ListParams, VersionMatch};
use serde_json::{Value, json};

use crate::support::{chunked, json, recorded, serve, status};

/// `count` realistic pods (the real server's answer for one, renamed), as a PodList body.
fn pod_list(count: usize) -> Vec<u8> {
    let mut pod = recorded(
        "pods-create-defaults",
        "GET",
        "/api/v1/namespaces/t-pods-create-defaults/pods/p1",
    );
    let object = pod.as_object_mut().unwrap();
    object.remove("kind");
    object.remove("apiVersion");
    let items: Vec<Value> = (0..count)
        .map(|i| {
            let mut p = pod.clone();
            p["metadata"]["name"] = json!(format!("pod-{i:05}"));
            p
        })
        .collect();
    let list = json!({"kind": "PodList", "apiVersion": "v1",
        "metadata": {"resourceVersion": "777", "continue": "tok"}, "items": items});
    serde_json::to_vec_pretty(&list).unwrap()
}

fn in_pieces(body: &[u8], piece: usize) -> Vec<Bytes> {
    body.chunks(piece).map(Bytes::copy_from_slice).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_list_streams_in_and_decodes_in_order() {
    let body = pod_list(400);
    assert!(
        body.len() > 1_000_000,
        "big enough for several parallel batches"
    );
    for piece in [997, 65_536] {
        let chunks = in_pieces(&body, piece);
        let server = serve(move |_| chunked(200, chunks.clone())).await;
        let list = server
            .client
            .pods("t-pods-create-defaults")
            .list(&ListParams::default())
            .await
            .unwrap();
        assert_eq!(list.items.len(), 400);
        for (i, pod) in list.iter().enumerate() {
            assert_eq!(
                pod.metadata.name.as_deref(),
                Some(format!("pod-{i:05}").as_str())
            );
            assert_eq!(pod.spec.as_ref().unwrap().containers.len(), 1);
        }
        assert_eq!(list.resource_version(), Some("777"));
        assert_eq!(list.continue_token(), Some("tok"));
    }
}

#[tokio::test]
async fn a_small_list_decodes_on_a_current_thread_runtime() {
    let body = pod_list(3);
    let server = serve(move |_| chunked(200, in_pieces(&body, 10))).await;
    let list = server
        .client
        .all_pods()
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(list.items.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_item_is_reported_with_its_index_and_field() {
    let mut list: Value = serde_json::from_slice(&pod_list(300)).unwrap();
    list["items"][217]["spec"]["containers"][0]["name"] = json!(42);
    let body = serde_json::to_vec(&list).unwrap();
    let server = serve(move |_| chunked(200, in_pieces(&body, 4096))).await;
    let err = server
        .client
        .all_pods()
        .list(&Default::default())
        .await
        .unwrap_err();
    let Error::Decode {
        path,
        type_name,
        excerpt,
        url,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(path, "items[217].spec.containers[0].name");
    assert!(type_name.ends_with("Pod"), "{type_name}");
    assert!(excerpt.contains("42"), "{excerpt}");
    assert_eq!(url, "/api/v1/pods");
    assert!(
        err.to_string()
            .contains("items[217].spec.containers[0].name"),
        "{err}"
    );
}

#[tokio::test]
async fn a_list_of_non_objects_is_an_error_pointing_at_the_item() {
    let body = br#"{"kind":"PodList","metadata":{},"items":[{"metadata":{"name":"a"}},17,{}]}"#;
    let server = serve(move |_| chunked(200, vec![Bytes::from_static(body)])).await;
    let err = server
        .client
        .all_pods()
        .list(&Default::default())
        .await
        .unwrap_err();
    let Error::Decode { path, excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "items[1]");
    assert!(excerpt.contains("}},17,{}]}"), "{excerpt}");
    assert!(err.to_string().contains("ObjectList"), "{err}");
}

#[tokio::test]
async fn a_truncated_list_is_an_error_not_a_short_list() {
    let body = pod_list(5);
    let cut = body[..body.len() / 2].to_vec();
    let server = serve(move |_| chunked(200, vec![Bytes::from(cut.clone())])).await;
    let err = server
        .client
        .all_pods()
        .list(&Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { source, .. } if source.to_string().contains("ended in the middle")),
        "{err:?}"
    );
}

#[tokio::test]
async fn list_options_become_the_query() {
    let body = recorded(
        "pods-list-selectors",
        "GET",
        "/api/v1/namespaces/t-pods-list-selectors/pods?labelSelector=app%3Dweb",
    );
    let server = serve(move |_| json(200, &body)).await;
    let lp = ListParams::default()
        .labels("app=web,tier in (a,b)")
        .fields("status.phase!=Running")
        .limit(10)
        .continue_token("c/1=")
        .at("55", VersionMatch::Exact);
    let list = server.client.pods("x").list(&lp).await.unwrap();
    assert!(!list.items.is_empty());
    assert_eq!(
        server.one().uri,
        "/api/v1/namespaces/x/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29\
         &fieldSelector=status.phase%21%3DRunning&limit=10&continue=c%2F1%3D\
         &resourceVersion=55&resourceVersionMatch=Exact"
    );
}

#[tokio::test]
async fn list_all_pages_through_continue_tokens() {
    let server = serve(|seen| {
        let (names, next): (&[&str], &str) = if seen.uri.contains("continue=p2") {
            (&["c"], "")
        } else {
            (&["a", "b"], "p2")
        };
        let items: Vec<Value> = names
            .iter()
            .map(|n| json!({"metadata": {"name": n}}))
            .collect();
        json(
            200,
            &json!({"kind": "ConfigMapList", "apiVersion": "v1",
                "metadata": {"resourceVersion": "9", "continue": next}, "items": items}),
        )
    })
    .await;
    let lp = ListParams::default().limit(2).any_version();
    let all: Vec<_> = server
        .client
        .config_maps("a")
        .list_all(&lp)
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = all
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    let uris: Vec<_> = server.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/namespaces/a/configmaps?limit=2&resourceVersion=0",
            "/api/v1/namespaces/a/configmaps?limit=2&continue=p2",
        ]
    );
}

/// `list_all` over pages of `(namespace, name)` items where the second page's continue token
/// has expired; `full` is what the full list then returns. Yields the names seen and the URIs.
async fn list_all_after_expiry(
    full: &'static [(&'static str, &'static str)],
) -> (Vec<String>, Vec<String>) {
    let item = |(ns, name): &(&str, &str)| json!({"metadata": {"namespace": ns, "name": name}});
    let server = serve(move |seen| {
        if seen.uri.contains("continue=p2") {
            return status(410, "Expired", "The provided continue parameter is too old");
        }
        let (items, next): (Vec<Value>, &str) = if seen.uri.contains("limit=") {
            (vec![item(&("a", "x")), item(&("b", "y"))], "p2")
        } else {
            (full.iter().map(item).collect(), "")
        };
        json(
            200,
            &json!({"kind": "ConfigMapList", "apiVersion": "v1",
                "metadata": {"resourceVersion": "9", "continue": next}, "items": items}),
        )
    })
    .await;
    let all: Vec<_> = server
        .client
        .all_config_maps()
        .list_all(&ListParams::default().limit(2))
        .try_collect()
        .await
        .unwrap();
    let names = all
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c.metadata.namespace.as_deref().unwrap_or(""),
                c.metadata.name.as_deref().unwrap_or("")
            )
        })
        .collect();
    let uris = server.seen().into_iter().map(|s| s.uri).collect();
    (names, uris)
}

#[tokio::test]
async fn list_all_falls_back_to_a_full_list_when_the_continue_token_expires() {
    // Unchanged meanwhile: the full list's first two items were yielded already.
    let (names, uris) =
        list_all_after_expiry(&[("a", "x"), ("b", "y"), ("b", "z"), ("c", "w")]).await;
    assert_eq!(names, ["a/x", "b/y", "b/z", "c/w"]);
    assert_eq!(
        uris,
        [
            "/api/v1/configmaps?limit=2",
            "/api/v1/configmaps?limit=2&continue=p2",
            "/api/v1/configmaps",
        ]
    );
    // Changed meanwhile: b/y was deleted and a/z created (before the last key yielded, so not
    // yielded); namespace "b-2" sorts before "b/" in storage order ('-' < '/'), so it is
    // behind the last key too.
    let (names, _) =
        list_all_after_expiry(&[("a", "x"), ("a", "z"), ("b-2", "q"), ("b", "z"), ("c", "w")])
            .await;
    assert_eq!(names, ["a/x", "b/y", "b/z", "c/w"]);
}
