//! list with label and field selectors, limit/continue paging, the paging stream,
//! delete_collection and metadata-only reads.

use futures_util::TryStreamExt;
use kubeset::clientset::{DeleteParams, Either, ListParams, PostParams};

use crate::support::objects::{config_map, names};
use crate::support::{Ctx, setup, test_server};

/// Creates ConfigMaps `cm-0`..`cm-{n-1}`; even ones get `parity=even`, odd ones
/// `parity=odd`, and every third one `third=yes`.
async fn populate(ctx: &Ctx, n: usize) {
    let cms = ctx.client.config_maps(&ctx.ns);
    for i in 0..n {
        let parity = if i % 2 == 0 { "even" } else { "odd" };
        let mut labels = vec![("parity", parity), ("set", "e2e")];
        if i % 3 == 0 {
            labels.push(("third", "yes"));
        }
        cms.create(
            &PostParams::default(),
            &config_map(&format!("cm-{i}"), &labels, &[]),
        )
        .await
        .unwrap();
    }
}

#[track_caller]
fn check_names(got: Vec<String>, want: &[&str]) {
    let mut got = got;
    got.sort();
    let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn label_and_field_selectors_filter() {
    let ctx = setup("list-selectors").await;
    populate(&ctx, 6).await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let cases: &[(&str, &str, &[&str])] = &[
        ("parity=even", "", &["cm-0", "cm-2", "cm-4"]),
        ("parity!=even,set=e2e", "", &["cm-1", "cm-3", "cm-5"]),
        ("parity in (odd),third", "", &["cm-3"]),
        ("!third,set=e2e", "", &["cm-1", "cm-2", "cm-4", "cm-5"]),
        (
            "set,third notin (yes)",
            "",
            &["cm-1", "cm-2", "cm-4", "cm-5"],
        ),
        ("", "metadata.name=cm-4", &["cm-4"]),
        (
            "set=e2e",
            "metadata.name!=cm-4,metadata.name!=cm-0",
            &["cm-1", "cm-2", "cm-3", "cm-5"],
        ),
        ("parity=even", "metadata.name!=cm-0", &["cm-2", "cm-4"]),
        ("parity=none", "", &[]),
    ];
    for (labels, fields, want) in cases {
        let mut lp = ListParams::default();
        if !labels.is_empty() {
            lp = lp.labels(labels);
        }
        if !fields.is_empty() {
            lp = lp.fields(fields);
        }
        let list = cms.list(&lp).await.unwrap();
        check_names(names(list.iter()), want);
    }
    let err = cms
        .list(&ListParams::default().labels("a in ("))
        .await
        .unwrap_err();
    assert!(err.is_bad_request(), "{err}");
}

#[tokio::test]
async fn limit_and_continue_page_through_a_consistent_list() {
    let ctx = setup("list-paging").await;
    populate(&ctx, 7).await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let lp = ListParams::default().labels("set=e2e").limit(3);
    let mut seen = Vec::new();
    let mut page = cms.list(&lp).await.unwrap();
    let mut pages = 1;
    loop {
        assert!(page.items.len() <= 3, "page of {}", page.items.len());
        seen.extend(names(page.iter()));
        let Some(token) = page.continue_token().map(str::to_owned) else {
            break;
        };
        if pages == 1 {
            // A change after the first page does not show up in later pages.
            cms.create(
                &PostParams::default(),
                &config_map("cm-late", &[("set", "e2e")], &[]),
            )
            .await
            .unwrap();
        }
        page = cms.list(&lp.clone().continue_token(&token)).await.unwrap();
        pages += 1;
    }
    assert_eq!(pages, 3);
    check_names(
        seen,
        &["cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "cm-5", "cm-6"],
    );
}

#[tokio::test]
async fn list_all_streams_every_page() {
    let ctx = setup("list-all").await;
    populate(&ctx, 5).await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let all: Vec<_> = cms
        .list_all(&ListParams::default().labels("set=e2e").limit(2))
        .try_collect()
        .await
        .unwrap();
    check_names(names(all.iter()), &["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"]);
}

#[tokio::test]
async fn list_across_all_namespaces() {
    let ctx = setup("list-all-ns").await;
    populate(&ctx, 2).await;
    let selector = format!("metadata.namespace={}", ctx.ns);
    let list = ctx
        .client
        .all_config_maps()
        .list(&ListParams::default().labels("set=e2e").fields(&selector))
        .await
        .unwrap();
    check_names(names(list.iter()), &["cm-0", "cm-1"]);
    assert!(list.resource_version().is_some());
}

#[tokio::test]
async fn delete_collection_removes_only_the_selected() {
    let ctx = setup("list-delete-collection").await;
    populate(&ctx, 4).await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let answer = cms
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("parity=odd"),
        )
        .await
        .unwrap();
    match answer {
        // BUG(testserver, api/delete.rs delete_collection): the test server lists only the
        // objects whose own delete answered with the object (none, for ConfigMaps), where
        // kube-apiserver answers with every object it deleted. Checked against real clusters.
        Either::Left(deleted) if test_server().is_some() && deleted.items.is_empty() => {}
        Either::Left(deleted) => check_names(names(deleted.iter()), &["cm-1", "cm-3"]),
        Either::Right(status) => assert_eq!(status.status.as_deref(), Some("Success")),
    }
    let left = cms
        .list(&ListParams::default().labels("set=e2e"))
        .await
        .unwrap();
    check_names(names(left.iter()), &["cm-0", "cm-2"]);
}

#[tokio::test]
async fn metadata_only_get_and_list() {
    let ctx = setup("list-metadata").await;
    populate(&ctx, 3).await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let meta = cms.get_metadata("cm-2").await.unwrap();
    assert_eq!(meta.kind, "PartialObjectMetadata");
    assert_eq!(meta.api_version, "meta.k8s.io/v1");
    assert_eq!(meta.metadata.name.as_deref(), Some("cm-2"));
    assert_eq!(meta.metadata.labels.unwrap()["parity"], "even");
    let err = cms.get_metadata("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let list = cms
        .list_metadata(&ListParams::default().labels("parity=even"))
        .await
        .unwrap();
    let got: Vec<_> = list
        .iter()
        .map(|m| m.metadata.name.clone().unwrap_or_default())
        .collect();
    check_names(got, &["cm-0", "cm-2"]);
}
