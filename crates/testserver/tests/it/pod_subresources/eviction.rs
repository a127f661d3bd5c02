//! pods/eviction: budgets that allow, refuse or are ignored; graceful eviction; edge cases.

use http::Method;
use serde_json::json;

use super::*;

#[tokio::test]
async fn eviction_of_pending_pods_ignores_budgets() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    create_pdb(&server, "pdb", "x").await;

    let dry = evict(&server, "p", json!({"deleteOptions": {"dryRun": ["All"]}})).await;
    assert_eq!(dry.status, 201, "{}", dry.json());
    let pod = get_pod(&server, "p").await.json();
    assert!(pod["metadata"]["uid"].is_string(), "{pod}");

    let stale = json!({"deleteOptions": {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}});
    check(
        &evict(&server, "p", stale).await,
        409,
        &format!(
            "Operation cannot be fulfilled on Pod \"p\": the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record ({}). The object might have been deleted and then recreated",
            pod["metadata"]["uid"].as_str().unwrap()
        ),
    );

    let a = evict(&server, "p", json!({})).await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.status, 404);
    check(
        &evict(&server, "p", json!({})).await,
        404,
        "pods \"p\" not found",
    );
}

#[tokio::test]
async fn eviction_is_refused_while_the_budget_is_unprocessed() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    run(&server, "p", true).await;
    create_pdb(&server, "pdb", "x").await;

    let a = evict(&server, "p", json!({})).await;
    check(
        &a,
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert_eq!(a.headers["retry-after"], "10");
    assert_eq!(
        a.json()["details"],
        json!({"causes": [{"reason": "DisruptionBudget",
            "message": "The disruption budget pdb is still being processed by the server."}],
            "retryAfterSeconds": 10})
    );
    assert_eq!(get_pod(&server, "p").await.status, 200);

    // processed, but no disruption left
    pdb_status(
        &server,
        "pdb",
        json!({"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 1,
               "desiredHealthy": 1, "expectedPods": 1}),
    )
    .await;
    let a = evict(&server, "p", json!({})).await;
    check(
        &a,
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert!(a.headers.get("retry-after").is_none());
    assert_eq!(
        a.json()["details"]["causes"][0]["message"],
        "The disruption budget pdb needs 1 healthy pods and has 1 currently"
    );
}

#[tokio::test]
async fn eviction_spends_a_disruption_and_deletes_gracefully() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    assert_eq!(bind(&server, "p", binding("p", "n1")).await.status, 201);
    run(&server, "p", true).await;
    create_pdb(&server, "pdb", "x").await;
    pdb_status(
        &server,
        "pdb",
        json!({"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 2,
               "desiredHealthy": 1, "expectedPods": 2}),
    )
    .await;

    let dry = evict(&server, "p", json!({"deleteOptions": {"dryRun": ["All"]}})).await;
    assert_eq!(dry.status, 201, "{}", dry.json());
    let path = format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/pdb");
    let pdb = admin(&server, Method::GET, &path, None).await.json();
    assert_eq!(pdb["status"]["disruptionsAllowed"], 1, "{pdb}");

    let a = evict(&server, "p", json!({})).await;
    assert_eq!(a.status, 201, "{}", a.json());
    let pdb = admin(&server, Method::GET, &path, None).await.json();
    assert_eq!(pdb["status"]["disruptionsAllowed"], 0, "{pdb}");
    assert!(pdb["status"]["disruptedPods"]["p"].is_string(), "{pdb}");
    assert_eq!(pdb["status"]["conditions"][0]["reason"], "InsufficientPods");
    let managers: Vec<&str> = pdb["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"kube-apiserver"), "{managers:?}");

    // a bound pod is deleted gracefully and carries the DisruptionTarget condition meanwhile
    let pod = get_pod(&server, "p").await.json();
    assert!(pod["metadata"]["deletionTimestamp"].is_string(), "{pod}");
    assert_eq!(pod["metadata"]["deletionGracePeriodSeconds"], 30);
    let target = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "DisruptionTarget")
        .cloned()
        .unwrap();
    assert_eq!(target["reason"], "EvictionByEvictionAPI");
    // the registry wrote the condition, not a request: no managedFields entry of its own
    let managers: Vec<&str> = pod["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert_eq!(managers, ["kubeset-it", "unknown"], "{pod}");
    assert_eq!(target["message"], "Eviction API: evicting");

    // a terminating pod is evicted without its budget; gracePeriodSeconds=0 removes it
    let a = evict(
        &server,
        "p",
        json!({"deleteOptions": {"gracePeriodSeconds": 0}}),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.status, 404);
}

#[tokio::test]
async fn eviction_edge_cases() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    run(&server, "p", false).await;

    // two budgets: a Failure Status with code 500 inside a 201, the pod stays
    create_pdb(&server, "a", "x").await;
    create_pdb(&server, "b", "x").await;
    let a = evict(&server, "p", json!({})).await;
    assert_eq!(a.status, 201);
    assert_eq!(
        a.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            "code": 500})
    );
    let path = format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/b");
    assert_eq!(
        admin(&server, Method::DELETE, &path, None).await.status,
        200
    );

    // an unready pod may go when the budget is otherwise met
    pdb_status(
        &server,
        "a",
        json!({"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 2,
               "desiredHealthy": 2, "expectedPods": 3}),
    )
    .await;
    check(
        &evict(
            &server,
            "p",
            json!({"metadata": {"name": "q", "namespace": NS}}),
        )
        .await,
        400,
        "name in URL does not match name in Eviction object",
    );
    let wrong = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"}});
    let a = admin(
        &server,
        Method::POST,
        &pods_path("/p/eviction"),
        Some(wrong),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.json());
    // a failed precondition while deleting an unhealthy pod reads as a 429, as the real
    // registry turns any conflict of that delete into "still being processed"
    let a = evict(
        &server,
        "p",
        json!({"deleteOptions": {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}}),
    )
    .await;
    check(
        &a,
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert_eq!(
        a.json()["details"]["causes"][0]["message"],
        "The disruption budget a is still being processed by the server."
    );
    // policy/v1beta1 Evictions are still accepted
    let v1beta1 = json!({"apiVersion": "policy/v1beta1", "kind": "Eviction",
                         "metadata": {"name": "p"}});
    let a = admin(
        &server,
        Method::POST,
        &pods_path("/p/eviction"),
        Some(v1beta1),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.status, 404);
}
