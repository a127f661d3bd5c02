//! `ReviseIfNeeded` and the spec comparisons of `pkg/registry/flowcontrol/ensurer`.

use serde_json::{Value, json};

use super::*;

fn boot(list: &[(Kind, Value)], name: &str) -> Value {
    list.iter()
        .find(|(_, o)| o["metadata"]["name"] == name)
        .map(|(_, o)| o.clone())
        .unwrap()
}

/// A stored object: the bootstrap one with `generation`, and `annotation` as its
/// autoupdate-spec annotation (`None`: no annotations at all).
fn stored(boot: &Value, generation: i64, annotation: Option<&str>) -> Value {
    let mut obj = boot.clone();
    obj["metadata"]["generation"] = json!(generation);
    match annotation {
        Some(a) => obj["metadata"]["annotations"] = json!({AUTO_UPDATE: a}),
        None => {
            obj["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("annotations");
        }
    }
    obj
}

fn revise_schema(kind: Kind, current: &Value, boot: &Value) -> Option<Value> {
    revise(kind, schema_spec_equalish, current, boot)
}

fn annotation_of(obj: &Value) -> &str {
    obj["metadata"]["annotations"][AUTO_UPDATE]
        .as_str()
        .unwrap_or("<none>")
}

/// A mandatory object is always put back: spec and annotation.
#[test]
fn mandatory_objects_are_restored() {
    let exempt = boot(bootstrap::flow_schemas(), "exempt");
    assert_eq!(
        revise_schema(Kind::Mandatory, &stored(&exempt, 1, Some("true")), &exempt),
        None
    );
    let mut changed = stored(&exempt, 3, Some("false"));
    changed["spec"]["matchingPrecedence"] = json!(2);
    let revised = revise_schema(Kind::Mandatory, &changed, &exempt).unwrap();
    assert_eq!(revised["spec"], exempt["spec"]);
    assert_eq!(annotation_of(&revised), "true");
    assert_eq!(revised["metadata"]["generation"], 3, "the rest is kept");
    let unannotated = stored(&exempt, 2, None);
    let revised = revise_schema(Kind::Mandatory, &unannotated, &exempt).unwrap();
    assert_eq!(annotation_of(&revised), "true");
}

/// A suggested object follows its annotation, or its generation when it has none.
#[test]
fn suggested_objects_follow_the_annotation() {
    let global = boot(bootstrap::flow_schemas(), "global-default");
    let edited = |generation, annotation| {
        let mut obj = stored(&global, generation, annotation);
        obj["spec"]["matchingPrecedence"] = json!(9800);
        obj
    };
    // "true" (any Go boolean spelling): the spec comes back, the annotation stays
    let revised = revise_schema(Kind::Suggested, &edited(2, Some("true")), &global).unwrap();
    assert_eq!(revised["spec"], global["spec"]);
    assert_eq!(annotation_of(&revised), "true");
    let revised = revise_schema(Kind::Suggested, &edited(2, Some("T")), &global).unwrap();
    assert_eq!(
        (&revised["spec"], annotation_of(&revised)),
        (&global["spec"], "T"),
        "a value that parses as the wanted one is left as written"
    );
    // "false": the operator's
    assert_eq!(
        revise_schema(Kind::Suggested, &edited(2, Some("false")), &global),
        None
    );
    // none, never edited: restored and marked "true"
    let revised = revise_schema(Kind::Suggested, &edited(1, None), &global).unwrap();
    assert_eq!(
        (&revised["spec"], annotation_of(&revised)),
        (&global["spec"], "true")
    );
    // none (or no boolean), edited: kept and marked "false"
    for annotation in [None, Some("yes")] {
        let revised = revise_schema(Kind::Suggested, &edited(2, annotation), &global).unwrap();
        assert_eq!(revised["spec"]["matchingPrecedence"], 9800);
        assert_eq!(annotation_of(&revised), "false");
    }
}

/// `plcSpecEqualish`: the `exempt` level's shares and lending are the operator's, but not
/// the absence of `spec.exempt`; other levels compare whole.
#[test]
fn priority_level_comparison() {
    let exempt = boot(bootstrap::priority_levels(), "exempt");
    let mut tuned = stored(&exempt, 2, Some("true"));
    tuned["spec"]["exempt"] = json!({"nominalConcurrencyShares": 10, "lendablePercent": 20});
    assert!(level_spec_equalish(&exempt, &tuned));
    assert_eq!(
        revise(Kind::Mandatory, level_spec_equalish, &tuned, &exempt),
        None
    );
    let mut bare = tuned.clone();
    bare["spec"].as_object_mut().unwrap().remove("exempt");
    assert!(!level_spec_equalish(&exempt, &bare));
    let system = boot(bootstrap::priority_levels(), "system");
    let mut lent = system.clone();
    lent["spec"]["limited"]["lendablePercent"] = json!(34);
    assert!(!level_spec_equalish(&system, &lent));
    assert!(level_spec_equalish(&system, &system));
}

/// Status and unset zero values do not count as differences.
#[test]
fn schema_comparison_is_semantic() {
    let probes = boot(bootstrap::flow_schemas(), "probes");
    let mut same = probes.clone();
    same["status"] = json!({"conditions": [{"type": "Dangling", "status": "False"}]});
    same["spec"]["distinguisherMethod"] = Value::Null;
    same["spec"]["rules"][0]["resourceRules"] = json!([]);
    assert!(schema_spec_equalish(&probes, &same));
    let mut other = probes.clone();
    other["spec"]["rules"][0]["nonResourceRules"][0]["verbs"] = json!(["get", "list"]);
    assert!(!schema_spec_equalish(&probes, &other));
}
