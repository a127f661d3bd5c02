//! apiregistration.k8s.io/v1 APIServices: the kube-aggregator's table convertor
//! (`pkg/registry/apiservice/etcd`): the service and the `Available` condition.

use crate::registry::print::{items, text};
use crate::registry::status_types::{self, ResetsMetaForStatus};
use crate::registry::table::{self, Column, col};

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

/// APIServices.
pub(crate) const API_SERVICES: ResetsMetaForStatus = ResetsMetaForStatus {
    columns: api_services,
    ..status_types::API_SERVICES
};

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

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
}
