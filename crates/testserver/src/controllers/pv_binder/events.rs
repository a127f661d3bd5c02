//! The controller's event recorder (client-go's `record` package, source component
//! `persistentvolume-controller`): core/v1 Events in the object's namespace (`default` for
//! volumes); a repeat of the same event on the same object bumps `count` and `lastTimestamp`
//! of the one already written, as the recorder's correlator does.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::matching::s;
use super::sync::Note;
use crate::api::App;
use crate::api::write::{self, WriteOpts};
use crate::clock;

const COMPONENT: &str = "persistentvolume-controller";

/// Events written so far: (object UID, type, reason, message) -> (namespace, name).
#[derive(Debug, Default)]
pub(super) struct Recorder {
    written: HashMap<(String, &'static str, &'static str, String), (String, String)>,
}

fn opts() -> WriteOpts<'static> {
    WriteOpts::by_server(super::super::MANAGER)
}

impl Recorder {
    /// Records one event; failures are dropped, as the recorder drops them.
    pub(super) fn record(&mut self, app: &App, note: &Note) {
        let Some(rt) = app.registry.find("", "v1", "events") else {
            return;
        };
        let obj = &note.object;
        let key = (
            s(obj, "/metadata/uid").to_owned(),
            note.kind,
            note.reason,
            note.message.clone(),
        );
        let now = clock::now();
        if let Some((ns, name)) = self.written.get(&key) {
            let bumped = write::update(app, &rt, ns, name, opts(), &mut |old| {
                let mut new = old.clone();
                let count = old.get("count").and_then(Value::as_i64).unwrap_or(1);
                new["count"] = json!(count + 1);
                new["lastTimestamp"] = json!(now);
                if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("resourceVersion");
                }
                Ok(new)
            });
            if bumped.is_ok() {
                return;
            }
        }
        let kind = s(obj, "/kind");
        let ns = match s(obj, "/metadata/namespace") {
            "" => "default",
            ns => ns,
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("{}.{nanos:x}", s(obj, "/metadata/name"));
        let mut involved = json!({
            "kind": kind,
            "name": s(obj, "/metadata/name"),
            "uid": s(obj, "/metadata/uid"),
            "apiVersion": "v1",
            "resourceVersion": s(obj, "/metadata/resourceVersion"),
        });
        if !s(obj, "/metadata/namespace").is_empty() {
            involved["namespace"] = json!(ns);
        }
        let event = json!({
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": involved,
            "reason": note.reason,
            "message": note.message,
            "source": {"component": COMPONENT},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": note.kind,
            "reportingComponent": COMPONENT,
            "reportingInstance": "",
        });
        if write::create(app, &rt, ns, event, opts()).is_ok() {
            self.written.insert(key, (ns.to_owned(), name));
        }
    }
}
