//! The API server refuses Websites its CRD's schema and CEL rules rule out, with
//! kube-apiserver's messages naming the field; a valid one is accepted.

use kubeset::clientset::{Api, PostParams};

use super::website::Website;
use super::{crd, website};
use crate::support::setup;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_server_refuses_websites_the_schema_rules_out() {
    let ctx = setup("operator-validation").await;
    let _crd = crd::install(&ctx.client).await;
    let websites: Api<Website> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let pp = PostParams::default();

    let untitled = website("untitled", "", &[("index.html", "hi")]);
    let err = websites.create(&pp, &untitled).await.unwrap_err();
    assert!(err.is_invalid(), "{err}");
    let message = err.to_string();
    // "char" or "chars": kube-openapi's wording differs across releases
    assert!(
        message.contains(
            r#"spec.title: Invalid value: "": spec.title in body should be at least 1 char"#
        ),
        "{message}"
    );

    let long = "t".repeat(101);
    let err = websites
        .create(&pp, &website("long", &long, &[("index.html", "hi")]))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("spec.title: Too long: may not be more than 100"),
        "{err}"
    );

    // the CEL rules (`x-kubernetes-validations`) on the spec, with their messages
    let err = websites
        .create(
            &pp,
            &website("no-index", "No index", &[("about.html", "hi")]),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"spec: Invalid value: a website needs an index.html page"#),
        "{err}"
    );
    let err = websites
        .create(
            &pp,
            &website("slash", "Slash", &[("index.html", "hi"), ("a/b.html", "x")]),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(
            r#"spec: Invalid value: page names are ConfigMap keys: letters, digits, '-', '_' and '.'"#
        ),
        "{err}"
    );

    // nothing was stored; a valid one is
    assert!(websites.get_opt("untitled").await.unwrap().is_none());
    websites
        .create(&pp, &website("fine", "Fine", &[("index.html", "hi")]))
        .await
        .unwrap();
}
