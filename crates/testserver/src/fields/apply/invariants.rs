//! Invariants over long pseudo-random sequences of applies and updates.

use serde_json::{Value, json};

use super::*;
use crate::fields::schema::lookup;

fn write<'a>(kind: &str, manager: &'a str, time: &'a str) -> Write<'a> {
    Write {
        info: lookup("v1", kind).unwrap(),
        manager,
        subresource: None,
        time,
    }
}

fn cm(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app"}, "data": data})
}

/// Every field a manager owns exists in the object, after any sequence of
/// applies and updates by several managers (a deterministic pseudo-random walk).
#[test]
fn owned_fields_always_exist() {
    use crate::fields::entry::decode;
    use crate::fields::managed::record_update;
    use crate::fields::path::PathElement;

    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let managers = ["a", "b", "c", "u"];
    let keys = ["k0", "k1", "k2", "k3"];
    let mut live: Option<Value> = None;
    let (mut applies, mut conflicts, mut updates) = (0, 0, 0);
    for step in 0..400 {
        let manager = managers[next(4) as usize];
        let time = format!("2026-01-01T00:{:02}:{:02}Z", step / 60 % 60, step % 60);
        let mut data = serde_json::Map::new();
        for key in keys {
            if next(2) == 0 {
                data.insert(key.to_owned(), json!(format!("v{}", next(3))));
            }
        }
        let w = write("ConfigMap", manager, &time);
        let object = if manager == "u" {
            // An Update: replace the data wholesale.
            let Some(old) = live.as_ref() else { continue };
            let mut new = old.clone();
            new["data"] = Value::Object(data);
            let managed = record_update(&w, Some(old), &new);
            set_managed_fields(&mut new, managed);
            updates += 1;
            new
        } else {
            match apply(&w, live.as_ref(), &cm(Value::Object(data)), next(3) == 0) {
                Ok(applied) => {
                    applies += 1;
                    applied.object
                }
                Err(ApplyError::Conflicts { .. }) => {
                    conflicts += 1;
                    continue;
                }
                Err(other) => panic!("step {step}: {other}"),
            }
        };
        for entry in decode(&object).unwrap() {
            for path in entry.fields.paths() {
                let pointer: String = path
                    .iter()
                    .map(|e| match e {
                        PathElement::Field(name) => format!("/{name}"),
                        other => panic!("unexpected element {other:?}"),
                    })
                    .collect();
                assert!(
                    object.pointer(&pointer).is_some(),
                    "step {step}: {} owns missing {pointer}",
                    entry.manager
                );
            }
        }
        live = Some(object);
    }
    assert!(
        applies > 50 && conflicts > 50 && updates > 50,
        "{applies} {conflicts} {updates}"
    );
}

/// The value at `path` (field names, list keys, set values) in `object`.
fn resolve<'a>(object: &'a Value, path: &[crate::fields::path::PathElement]) -> Option<&'a Value> {
    use crate::fields::path::PathElement;
    let Some((first, rest)) = path.split_first() else {
        return Some(object);
    };
    let child = match first {
        PathElement::Field(name) => object.get(name)?,
        PathElement::Key(fields) => object.as_array()?.iter().find(|item| {
            fields.iter().all(|(k, v)| {
                item.get(k) == Some(v) || (k == "protocol" && item.get(k).is_none() && v == "TCP")
            })
        })?,
        PathElement::Value(value) => object.as_array()?.iter().find(|item| *item == value)?,
        PathElement::Index(i) => object.as_array()?.get(*i)?,
    };
    resolve(child, rest)
}

/// The same invariant with keyed lists, sets and nested keyed lists (Pods).
#[test]
fn owned_list_items_always_exist() {
    use crate::fields::entry::decode;
    use crate::fields::managed::record_update;

    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let random_pod = |next: &mut dyn FnMut(u64) -> u64| {
        let mut containers = Vec::new();
        for name in ["a", "b", "c"] {
            if next(2) == 0 {
                let mut c = json!({"name": name});
                if next(2) == 0 {
                    c["image"] = json!(format!("img{}", next(2)));
                }
                if next(2) == 0 {
                    let ports: Vec<Value> = [80, 443]
                        .iter()
                        .filter(|_| next(2) == 0)
                        .map(|p| json!({"containerPort": p}))
                        .collect();
                    c["ports"] = json!(ports);
                }
                containers.push(c);
            }
        }
        let finalizers: Vec<&str> = ["x", "y"].into_iter().filter(|_| next(2) == 0).collect();
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": finalizers},
            "spec": {"containers": containers}})
    };
    let managers = ["a", "b", "u"];
    let mut live: Option<Value> = None;
    let mut applies = 0;
    for step in 0..300 {
        let manager = managers[next(3) as usize];
        let time = format!("2026-01-01T00:{:02}:{:02}Z", step / 60 % 60, step % 60);
        let w = write("Pod", manager, &time);
        let config = random_pod(&mut next);
        let object = if manager == "u" {
            let Some(old) = live.as_ref() else { continue };
            let mut new = old.clone();
            new["spec"] = config["spec"].clone();
            let managed = record_update(&w, Some(old), &new);
            set_managed_fields(&mut new, managed);
            new
        } else {
            match apply(&w, live.as_ref(), &config, next(2) == 0) {
                Ok(applied) => {
                    applies += 1;
                    // What was applied is what the object now says.
                    let mine = decode(&applied.object)
                        .unwrap()
                        .into_iter()
                        .find(|e| e.manager == manager)
                        .map(|e| e.fields)
                        .unwrap_or_default();
                    for path in mine.paths() {
                        let (want, got) =
                            (resolve(&config, &path), resolve(&applied.object, &path));
                        assert!(
                            want.is_some(),
                            "step {step}: {manager} owns unapplied {path:?}"
                        );
                        if want.is_some_and(|v| !v.is_object() && !v.is_array()) {
                            assert_eq!(want, got, "step {step}: {path:?}");
                        }
                    }
                    applied.object
                }
                Err(ApplyError::Conflicts { .. }) => continue,
                Err(other) => panic!("step {step}: {other}"),
            }
        };
        for entry in decode(&object).unwrap() {
            for path in entry.fields.paths() {
                assert!(
                    resolve(&object, &path).is_some(),
                    "step {step}: {} owns missing {}\n{object:#}",
                    entry.manager,
                    crate::fields::path::display_path(&path)
                );
            }
        }
        live = Some(object);
    }
    assert!(applies > 50, "{applies}");
}
