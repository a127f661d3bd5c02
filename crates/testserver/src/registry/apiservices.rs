//! apiregistration.k8s.io/v1 APIServices: the kube-aggregator's strategy
//! (`pkg/registry/apiservice/strategy.go`: local APIServices are `Available` from their
//! creation, `ValidateAPIService`, the service port's default) and its table convertor
//! (`pkg/registry/apiservice/etcd`): the service and the `Available` condition.

use serde_json::{Value, json};

use crate::registry::print::{items, text};
use crate::registry::spec_validated::{Generation, SpecValidated};
use crate::registry::status_types::{self, ResetsMetaForStatus};
use crate::registry::table::{self, Column, col};
use crate::validation::api_service;

fn api_services() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Service",
                "The reference to the service that hosts this API endpoint.",
                0,
                |v| match v.pointer("/spec/service") {
                    Some(s) if s.is_object() => {
                        format!("{}/{}", text(s, "/namespace"), text(s, "/name")).into()
                    }
                    _ => "Local".into(),
                },
            ),
            col("Available", "Whether this service is available.", 0, |v| {
                let Some(c) = items(v, "/status/conditions")
                    .iter()
                    .find(|c| text(c, "/type") == "Available")
                else {
                    return "Unknown".into();
                };
                let (status, reason) = (text(c, "/status"), text(c, "/reason"));
                if status != "True" && !reason.is_empty() {
                    format!("{status} ({reason})").into()
                } else {
                    status.into()
                }
            }),
        ],
        Vec::new(),
    )
}

/// `SetDefaults_ServiceReference`: port 443.
fn defaults(obj: &mut Value) {
    if let Some(service) = obj
        .pointer_mut("/spec/service")
        .and_then(Value::as_object_mut)
        && service.get("port").is_none_or(Value::is_null)
    {
        service.insert("port".into(), json!(443));
    }
}

/// `PrepareForCreate` after the status reset: a local APIService (no `service`) is available
/// at once (`NewLocalAvailableAPIServiceCondition`).
fn created(obj: &mut Value, now: &str) {
    if obj.pointer("/spec/service").is_some_and(|s| !s.is_null()) {
        return;
    }
    if let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut) {
        status.insert(
            "conditions".into(),
            json!([{"type": "Available", "status": "True", "lastTransitionTime": now,
                "reason": "Local", "message": "Local APIServices are always available"}]),
        );
    }
}

/// APIServices.
pub(crate) const API_SERVICES: SpecValidated<ResetsMetaForStatus> = SpecValidated {
    base: ResetsMetaForStatus {
        columns: api_services,
        ..status_types::API_SERVICES
    },
    defaults,
    created,
    validate: api_service::api_service,
    validate_update: api_service::api_service_update,
    validate_status: None,
    generation: Generation::Base,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::Strategy;

    #[test]
    fn service_and_availability() {
        let local = json!({"status": {"conditions": [{"type": "Available", "status": "True"}]}});
        let cells: Vec<Value> = api_services().iter().map(|c| c.cell(&local)).collect();
        assert_eq!(cells[1..3].to_vec(), vec![json!("Local"), json!("True")]);
        let remote = json!({"spec": {"service": {"namespace": "kube-system", "name": "metrics"}},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}});
        let cells: Vec<Value> = api_services().iter().map(|c| c.cell(&remote)).collect();
        assert_eq!(
            cells[1..3].to_vec(),
            vec![
                json!("kube-system/metrics"),
                json!("False (MissingEndpoints)")
            ]
        );
        assert_eq!(api_services()[2].cell(&json!({})), json!("Unknown"));
    }

    /// `apiServerStrategy.PrepareForCreate`: only local APIServices start `Available`.
    #[test]
    fn local_api_services_are_available_at_once() {
        let mut local = json!({"spec": {"group": "a.io"}, "status": {"conditions": []}});
        API_SERVICES.prepare_for_create(&mut local, "2026-01-01T00:00:00Z");
        assert_eq!(
            local["status"]["conditions"][0]["reason"],
            json!("Local"),
            "{local}"
        );
        let mut remote = json!({"spec": {"service": {"name": "s", "namespace": "n"}},
            "status": {"conditions": [{"type": "Available", "status": "True"}]}});
        API_SERVICES.prepare_for_create(&mut remote, "2026-01-01T00:00:00Z");
        assert_eq!(remote["status"], json!({}));
    }
}
