//! Index bookkeeping: single events and re-lists keep every index equal to the one built from
//! scratch over the store's objects.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;

use super::{Event, Index, Object, Store, Writer, store};

fn cm(ns: &str, name: &str, rv: &str, labels: &[(&str, &str)]) -> Arc<ConfigMap> {
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(name.into());
    cm.metadata.namespace = Some(ns.into());
    cm.metadata.resource_version = Some(rv.into());
    cm.metadata.labels = Some(
        labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    );
    Arc::new(cm)
}

/// `value -> {ns/name}` as the index answers it.
fn contents(index: &Index<ConfigMap>) -> BTreeMap<String, BTreeSet<String>> {
    index
        .values()
        .into_iter()
        .map(|value| {
            let got: BTreeSet<String> = index
                .get(&value)
                .iter()
                .map(|k| format!("{}/{}", k.namespace().unwrap_or(""), k.name().unwrap_or("")))
                .collect();
            let keys: BTreeSet<String> = index.keys(&value).iter().map(|k| k.to_string()).collect();
            assert_eq!(got, keys, "get and keys agree for {value}");
            assert_eq!(index.count(&value), got.len());
            assert!(!got.is_empty(), "no empty value is listed: {value}");
            (value, got)
        })
        .collect()
}

/// `value -> {ns/name}` computed from scratch over the store's objects.
fn expected(
    store: &Store<ConfigMap>,
    f: impl Fn(&ConfigMap) -> Vec<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for k in store.list() {
        for value in f(&k) {
            out.entry(value).or_default().insert(format!(
                "{}/{}",
                k.namespace().unwrap_or(""),
                k.name().unwrap_or("")
            ));
        }
    }
    out
}

/// Every label value of `tier` and `zone` at once: a function with several values.
fn tier_and_zone(k: &ConfigMap) -> Vec<String> {
    ["tier", "zone"]
        .iter()
        .filter_map(|l| k.label(l).map(|v| format!("{l}={v}")))
        .collect()
}

#[track_caller]
fn check(index: &Index<ConfigMap>, want: &[(&str, &[&str])]) {
    let want: BTreeMap<String, BTreeSet<String>> = want
        .iter()
        .map(|(v, keys)| {
            (
                (*v).to_owned(),
                keys.iter().map(|k| (*k).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(contents(index), want);
}

fn apply(writer: &mut Writer<ConfigMap>, events: impl IntoIterator<Item = Event<Arc<ConfigMap>>>) {
    for event in events {
        writer.apply(&event);
    }
}

#[test]
fn relabelling_moves_an_object_between_values_and_delete_removes_it() {
    let (store, mut writer) = store::<ConfigMap>();
    let by_app = store.index_label("app");
    apply(
        &mut writer,
        [
            Event::Apply(cm("a", "x", "1", &[("app", "web")])),
            Event::Apply(cm("b", "x", "2", &[("app", "web")])),
            Event::Apply(cm("a", "y", "3", &[])),
        ],
    );
    check(&by_app, &[("web", &["a/x", "b/x"])]);

    writer.apply(&Event::Apply(cm("a", "x", "4", &[("app", "db")])));
    check(&by_app, &[("web", &["b/x"]), ("db", &["a/x"])]);
    writer.apply(&Event::Apply(cm("a", "y", "5", &[("app", "db")])));
    check(&by_app, &[("web", &["b/x"]), ("db", &["a/x", "a/y"])]);
    // An update that keeps the value (a status change) replaces the object in place: the
    // index returns the new state.
    writer.apply(&Event::Apply(cm("a", "y", "5b", &[("app", "db")])));
    check(&by_app, &[("web", &["b/x"]), ("db", &["a/x", "a/y"])]);
    let held = store.get(Some("a"), "y").unwrap();
    assert_eq!(held.resource_version(), Some("5b"));
    assert!(Arc::ptr_eq(
        &held,
        &by_app
            .get("db")
            .into_iter()
            .find(|k| k.name() == Some("y"))
            .unwrap()
    ));

    // The deletion's object carries newer labels than the held state: the index entry filed
    // by the held state is the one removed.
    writer.apply(&Event::Delete(cm("b", "x", "6", &[("app", "other")])));
    check(&by_app, &[("db", &["a/x", "a/y"])]);
    writer.apply(&Event::Delete(cm("a", "x", "7", &[])));
    writer.apply(&Event::Delete(cm("a", "y", "8", &[])));
    check(&by_app, &[]);
    assert!(by_app.values().is_empty() && store.is_empty());
}

#[test]
fn a_function_may_file_an_object_under_several_values_or_none() {
    let (store, mut writer) = store::<ConfigMap>();
    let index = store.index("tier+zone", tier_and_zone);
    apply(
        &mut writer,
        [
            Event::Apply(cm("a", "x", "1", &[("tier", "1"), ("zone", "z1")])),
            Event::Apply(cm("a", "y", "2", &[("zone", "z1")])),
            Event::Apply(cm("a", "none", "3", &[])),
        ],
    );
    check(
        &index,
        &[("tier=1", &["a/x"]), ("zone=z1", &["a/x", "a/y"])],
    );
    writer.apply(&Event::Apply(cm("a", "x", "4", &[("zone", "z2")])));
    check(&index, &[("zone=z1", &["a/y"]), ("zone=z2", &["a/x"])]);
    assert_eq!(contents(&index), expected(&store, tier_and_zone));
}

#[test]
fn a_relist_swaps_objects_and_indexes_together() {
    let (store, mut writer) = store::<ConfigMap>();
    let by_app = store.index_label("app");
    apply(
        &mut writer,
        [
            Event::Init,
            Event::InitApply(cm("a", "stays", "1", &[("app", "web")])),
            Event::InitApply(cm("a", "relabelled", "2", &[("app", "web")])),
            Event::InitApply(cm("a", "gone", "3", &[("app", "web")])),
            Event::InitDone,
        ],
    );
    check(&by_app, &[("web", &["a/gone", "a/relabelled", "a/stays"])]);

    // A re-list (after 410 Gone): while it comes in, readers see the old state, indexes too.
    apply(
        &mut writer,
        [
            Event::Init,
            Event::InitApply(cm("a", "stays", "1", &[("app", "web")])),
            Event::InitApply(cm("a", "relabelled", "9", &[("app", "db")])),
            Event::InitApply(cm("b", "new", "10", &[("app", "web")])),
        ],
    );
    check(&by_app, &[("web", &["a/gone", "a/relabelled", "a/stays"])]);
    // An index added in the middle of the re-list is complete at once, and rebuilt with it.
    let late = store.index("tier+zone", tier_and_zone);
    assert!(late.values().is_empty());
    writer.apply(&Event::Apply(cm("a", "zoned", "11", &[("zone", "z")])));
    check(&late, &[("zone=z", &["a/zoned"])]);
    apply(
        &mut writer,
        [
            Event::InitApply(cm("a", "zoned", "11", &[("zone", "z"), ("app", "web")])),
            Event::InitDone,
        ],
    );
    check(
        &by_app,
        &[
            ("web", &["a/stays", "a/zoned", "b/new"]),
            ("db", &["a/relabelled"]),
        ],
    );
    check(&late, &[("zone=z", &["a/zoned"])]);
    assert_eq!(
        contents(&by_app),
        expected(&store, |k| k
            .label("app")
            .map(str::to_owned)
            .into_iter()
            .collect())
    );

    // An interrupted re-list (a second Init before InitDone) discards what it brought.
    apply(
        &mut writer,
        [
            Event::Init,
            Event::InitApply(cm("c", "half", "12", &[("app", "web")])),
            Event::Init,
            Event::InitApply(cm("a", "stays", "1", &[("app", "web")])),
            Event::InitDone,
        ],
    );
    check(&by_app, &[("web", &["a/stays"])]);
    check(&late, &[]);
}

#[test]
fn an_index_added_to_a_full_store_is_complete_at_once() {
    let (store, mut writer) = store::<ConfigMap>();
    apply(
        &mut writer,
        (0..50).map(|i| {
            let app = if i % 3 == 0 { "web" } else { "db" };
            Event::Apply(cm("a", &format!("o{i}"), &i.to_string(), &[("app", app)]))
        }),
    );
    let by_app = store.index_label("app");
    assert_eq!((by_app.count("web"), by_app.count("db")), (17, 33));
    let clone = by_app.clone();
    writer.apply(&Event::Delete(cm("a", "o0", "99", &[])));
    assert_eq!(clone.count("web"), 16);
    assert_eq!(format!("{by_app:?}"), format!("{clone:?}"));
    assert_eq!(by_app.name(), "label app");
}
