//! The `priority-and-fairness-config-producer` post-start hook of kube-apiserver
//! (`pkg/registry/flowcontrol/rest/storage_flowcontrol.go`) and its ensurer
//! (`pkg/registry/flowcontrol/ensurer/strategy.go`), run once at start-up and then
//! periodically (a minute on a real server):
//!
//! - every bootstrap object (`validation::flow_control::bootstrap`) that is missing is created
//!   again, suggested PriorityLevelConfigurations and FlowSchemas first, then the mandatory ones;
//! - a mandatory object gets its spec (except the `exempt` level's `spec.exempt`) and the
//!   annotation `apf.kubernetes.io/autoupdate-spec: "true"` back;
//! - a suggested object gets its spec back while the annotation parses as true, or when it
//!   has none (or one that is no boolean) and `metadata.generation` is 1; the annotation is
//!   then rewritten to say which (`"false"` for one edited without it);
//! - any other FlowSchema or PriorityLevelConfiguration annotated `"true"` is deleted.
//!
//! The writes are updates and creates by the field manager
//! `api-priority-and-fairness-config-producer-v1`. As in Go, the first failing write ends the
//! round; the next round tries again.

use serde_json::Value;

use crate::api::delete::{self, DeleteOptions};
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts};
use crate::api::{App, meta_str};
use crate::registry::ResourceType;
use crate::validation::flow_control::bootstrap::{self, AUTO_UPDATE, Kind};
use crate::validation::flow_control::{flow_schema_defaults, normalized, priority_level_defaults};

/// The producer's field manager (`ensurer.fieldManager`).
pub(crate) const MANAGER: &str = "api-priority-and-fairness-config-producer-v1";
/// The API group.
pub(crate) const GROUP: &str = "flowcontrol.apiserver.k8s.io";
/// How often the real producer runs its ensurer after start-up.
pub(crate) const PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// One of the two types, with its bootstrap list and how its specs compare.
#[derive(Clone, Copy)]
struct Type {
    plural: &'static str,
    boots: fn() -> &'static [(Kind, Value)],
    spec_equalish: fn(&Value, &Value) -> bool,
}

const LEVELS: Type = Type {
    plural: "prioritylevelconfigurations",
    boots: bootstrap::priority_levels,
    spec_equalish: level_spec_equalish,
};
const SCHEMAS: Type = Type {
    plural: "flowschemas",
    boots: bootstrap::flow_schemas,
    spec_equalish: schema_spec_equalish,
};

fn opts() -> WriteOpts<'static> {
    WriteOpts::by_server(MANAGER)
}

/// One round of the ensurer (`ensure`): suggested, then mandatory configuration, then the
/// removal of unwanted objects.
pub(crate) fn ensure(app: &App) {
    let rounds = [
        (Kind::Suggested, LEVELS),
        (Kind::Suggested, SCHEMAS),
        (Kind::Mandatory, LEVELS),
        (Kind::Mandatory, SCHEMAS),
    ];
    for (kind, ty) in rounds {
        let Some(rt) = app.registry.find(GROUP, "v1", ty.plural) else {
            return;
        };
        for (_, boot) in (ty.boots)().iter().filter(|(k, _)| *k == kind) {
            if let Err(e) = ensure_one(app, &rt, kind, ty, boot) {
                tracing::warn!(object = meta_str(boot, "name"), error = %e, "APF bootstrap ensurer");
                return;
            }
        }
    }
    for ty in [SCHEMAS, LEVELS] {
        if let Some(rt) = app.registry.find(GROUP, "v1", ty.plural)
            && let Err(e) = remove_unwanted(app, &rt, ty)
        {
            tracing::warn!(error = %e, "APF bootstrap ensurer");
            return;
        }
    }
}

/// `EnsureConfiguration`: create when missing, else revise when needed.
fn ensure_one(
    app: &App,
    rt: &ResourceType,
    kind: Kind,
    ty: Type,
    boot: &Value,
) -> Result<(), ApiError> {
    let name = meta_str(boot, "name");
    let Some(current) = app.store.get(&app.key(rt, "", name)) else {
        return match write::create(app, rt, "", boot.clone(), opts()) {
            Err(e) if e.code != 409 => Err(e),
            _ => Ok(()),
        };
    };
    if revise(kind, ty.spec_equalish, &current, boot).is_none() {
        return Ok(());
    }
    let updated = write::update(app, rt, "", name, opts(), &mut |current| {
        Ok(revise(kind, ty.spec_equalish, current, boot).unwrap_or_else(|| current.clone()))
    });
    match updated {
        // deleted or changed in the meantime: the next round looks again
        Err(e) if e.code == 404 || e.code == 409 => Ok(()),
        other => other.map(drop),
    }
}

/// `strategy.ReviseIfNeeded`: the object to write instead of `current`, if any.
fn revise(
    kind: Kind,
    spec_equalish: fn(&Value, &Value) -> bool,
    current: &Value,
    boot: &Value,
) -> Option<Value> {
    let auto_update = kind == Kind::Mandatory || should_update_spec(current);
    let update_annotation = annotation(current) != Some(auto_update);
    let spec_changed = auto_update && !spec_equalish(boot, current);
    if !update_annotation && !spec_changed {
        return None;
    }
    let mut revised = current.clone();
    if spec_changed {
        revised["spec"] = boot["spec"].clone();
    }
    if update_annotation && let Some(meta) = crate::api::meta_mut(&mut revised) {
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if !annotations.is_object() {
            *annotations = Value::Object(serde_json::Map::new());
        }
        annotations[AUTO_UPDATE] = Value::String(auto_update.to_string());
    }
    Some(revised)
}

/// The annotation's value as Go's `strconv.ParseBool` reads it, if it is one.
fn annotation(obj: &Value) -> Option<bool> {
    let value = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(AUTO_UPDATE))
        .and_then(Value::as_str)?;
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `shouldUpdateSpec`: the annotation when it is a boolean, else whether the object was
/// never edited (generation 1).
fn should_update_spec(obj: &Value) -> bool {
    annotation(obj)
        .unwrap_or_else(|| obj.pointer("/metadata/generation").and_then(Value::as_i64) == Some(1))
}

/// `flowSchemaSpecEqual`: the bootstrap spec, defaulted, semantically equal to the stored one.
fn schema_spec_equalish(boot: &Value, actual: &Value) -> bool {
    let mut expected = boot.clone();
    flow_schema_defaults(&mut expected);
    normalized(&expected["spec"]) == normalized(&actual["spec"])
}

/// `plcSpecEqualish`: as for FlowSchemas, except that the `exempt` level's
/// `spec.exempt` fields are the operator's (and a missing `spec.exempt` differs).
fn level_spec_equalish(boot: &Value, actual: &Value) -> bool {
    let mut expected = boot.clone();
    priority_level_defaults(&mut expected);
    if meta_str(boot, "name") == "exempt" {
        let Some(have) = actual.pointer("/spec/exempt").filter(|e| e.is_object()) else {
            return false;
        };
        for key in ["nominalConcurrencyShares", "lendablePercent"] {
            expected["spec"]["exempt"][key] = have.get(key).cloned().unwrap_or(Value::Null);
        }
    }
    normalized(&expected["spec"]) == normalized(&actual["spec"])
}

/// `RemoveUnwantedObjects`: deletes the objects that are not bootstrap ones but say
/// `apf.kubernetes.io/autoupdate-spec: "true"`.
fn remove_unwanted(app: &App, rt: &ResourceType, ty: Type) -> Result<(), ApiError> {
    let Ok(snapshot) = app.store.snapshot(None) else {
        return Ok(());
    };
    let scope = crate::storage::Scope {
        resource: rt.storage_prefix(),
        namespace: None,
    };
    let boots = (ty.boots)();
    let unwanted: Vec<String> = snapshot
        .range(&scope, None)
        .map(|(_, obj)| obj)
        .filter(|obj| annotation(obj) == Some(true))
        .map(|obj| meta_str(obj, "name").to_owned())
        .filter(|name| !boots.iter().any(|(_, b)| meta_str(b, "name") == name))
        .collect();
    for name in unwanted {
        match delete::delete_object(app, rt, "", &name, &DeleteOptions::default()) {
            Err(e) if e.code != 404 => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
