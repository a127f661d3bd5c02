//! Carrying out the binder's steps through the API's write path, each write conditional on
//! the resourceVersion the decision was made from (a PUT, as the controller's `Update` and
//! `UpdateStatus`); a conflict or any other failure ends the sync, which runs again later.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::bind;
use super::events::Recorder;
use super::matching::s;
use super::sync::{Note, Step};
use crate::api::App;
use crate::api::delete::{self, DeleteOptions};
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts};

/// The field manager of the scheduler's volume binder.
const SCHEDULER: &str = "kube-scheduler";

/// What a run of steps produced besides writes: claims to sync next.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Claims (namespace, name) to sync.
    pub(super) claims: Vec<(String, String)>,
}

/// The newest version of each object the steps wrote (the controller's own cache update after
/// a write), so a later step builds on it.
#[derive(Debug, Default)]
struct Latest(HashMap<(String, String, String), Arc<Value>>);

impl Latest {
    fn key(obj: &Value) -> (String, String, String) {
        (
            s(obj, "/kind").to_owned(),
            s(obj, "/metadata/namespace").to_owned(),
            s(obj, "/metadata/name").to_owned(),
        )
    }

    fn of(&self, obj: &Arc<Value>) -> Arc<Value> {
        self.0
            .get(&Self::key(obj))
            .filter(|l| s(l, "/metadata/uid") == s(obj, "/metadata/uid"))
            .cloned()
            .unwrap_or_else(|| obj.clone())
    }

    fn put(&mut self, obj: Arc<Value>) -> Arc<Value> {
        self.0.insert(Self::key(&obj), obj.clone());
        obj
    }
}

/// Runs `steps` in order until one fails.
pub(super) fn run(
    app: &App,
    recorder: &mut Recorder,
    steps: Vec<Step>,
) -> Result<Outcome, ApiError> {
    let mut latest = Latest::default();
    let mut outcome = Outcome::default();
    for step in steps {
        match step {
            Step::Bind { volume, claim } => {
                let mut v = latest.of(&volume);
                let mut c = latest.of(&claim);
                if let Some(new) = bind::volume_bound_to(&v, &c) {
                    v = latest.put(put(app, &new, "", super::super::MANAGER)?);
                }
                if let Some(new) = bind::with_volume_phase(&v, "Bound", "") {
                    v = latest.put(put(app, &new, "status", super::super::MANAGER)?);
                }
                if let Some(new) = bind::claim_bound_to(&c, &v) {
                    c = latest.put(put(app, &new, "", super::super::MANAGER)?);
                }
                if let Some(new) = bind::with_claim_status(&c, "Bound", Some(&v)) {
                    latest.put(put(app, &new, "status", super::super::MANAGER)?);
                }
            }
            Step::SchedulerBind { volume, claim } => {
                let (v, c) = (latest.of(&volume), latest.of(&claim));
                if let Some(new) = bind::volume_bound_to(&v, &c) {
                    latest.put(put(app, &new, "", SCHEDULER)?);
                }
            }
            Step::ClaimPhase { claim, phase, note } => {
                let c = latest.of(&claim);
                if note.is_some() && s(&c, "/status/phase") == phase {
                    continue;
                }
                let mut written = c.clone();
                if let Some(new) = bind::with_claim_status(&c, phase, None) {
                    written = latest.put(put(app, &new, "status", super::super::MANAGER)?);
                }
                if let Some(n) = note {
                    recorder.record(
                        app,
                        &Note {
                            object: written,
                            ..n
                        },
                    );
                }
            }
            Step::VolumePhase {
                volume,
                phase,
                message,
                note,
            } => {
                let v = latest.of(&volume);
                let Some(new) = bind::with_volume_phase(&v, phase, &message) else {
                    continue;
                };
                let written = latest.put(put(app, &new, "status", super::super::MANAGER)?);
                if let Some(n) = note {
                    recorder.record(
                        app,
                        &Note {
                            object: written,
                            ..n
                        },
                    );
                }
            }
            Step::Record(n) => {
                let object = latest.of(&n.object);
                recorder.record(app, &Note { object, ..n });
            }
            Step::Unbind { volume } => {
                let v = latest.of(&volume);
                let v = latest.put(put(
                    app,
                    &bind::volume_unbound(&v),
                    "",
                    super::super::MANAGER,
                )?);
                if let Some(new) = bind::with_volume_phase(&v, "Available", "") {
                    latest.put(put(app, &new, "status", super::super::MANAGER)?);
                }
            }
            Step::DeleteVolume { volume } => {
                let v = latest.of(&volume);
                let rt = rt_of(app, &v)?;
                // `Delete(ctx, name, metav1.DeleteOptions{})`: no preconditions
                let o = DeleteOptions::default();
                match delete::delete_object(app, &rt, "", s(&v, "/metadata/name"), &o) {
                    Ok(_) => {}
                    Err(e) if e.code == 404 => {}
                    Err(e) => return Err(e),
                }
            }
            Step::AssignClass { claim, class } => {
                let c = latest.of(&claim);
                latest.put(put(
                    app,
                    &bind::claim_with_class(&c, &class),
                    "",
                    super::super::MANAGER,
                )?);
            }
            Step::SetProvisioner { claim, provisioner } => {
                let c = latest.of(&claim);
                if let Some(new) = bind::claim_with_provisioner(&c, &provisioner) {
                    latest.put(put(app, &new, "", super::super::MANAGER)?);
                }
            }
            Step::EnqueueClaim(ns, name) => outcome.claims.push((ns, name)),
        }
    }
    Ok(outcome)
}

fn rt_of(app: &App, obj: &Value) -> Result<Arc<crate::registry::ResourceType>, ApiError> {
    let plural = match s(obj, "/kind") {
        "PersistentVolume" => "persistentvolumes",
        _ => "persistentvolumeclaims",
    };
    app.registry
        .find("", "v1", plural)
        .ok_or_else(ApiError::no_resource)
}

/// A PUT of `new` (main resource or `status`), conditional on its resourceVersion.
fn put(app: &App, new: &Value, subresource: &str, manager: &str) -> Result<Arc<Value>, ApiError> {
    let rt = rt_of(app, new)?;
    let opts = WriteOpts {
        subresource,
        ..WriteOpts::by_server(manager)
    };
    let ns = s(new, "/metadata/namespace").to_owned();
    let name = s(new, "/metadata/name").to_owned();
    write::update(app, &rt, &ns, &name, opts, &mut |_| Ok(new.clone()))
}
