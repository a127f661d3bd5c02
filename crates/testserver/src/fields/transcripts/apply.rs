//! Server-side apply against the recorded results.

use serde_json::Value;

use super::{normalized, write_steps};
use crate::fields::managed::Write;
use crate::fields::schema::lookup;

#[test]
fn server_side_applies_match_the_real_server() {
    use crate::fields::apply::{apply, parse_apply_body};
    use crate::fields::manager::{OptionsKind, validate_options};
    let mut checked = 0;
    for step in write_steps() {
        if step.content_type != "application/apply-patch+yaml" {
            continue;
        }
        let name = step.name();
        let force = step.query("force").map(|f| f == "true");
        if let Err(invalid) =
            validate_options(OptionsKind::Patch, step.query("fieldManager"), true, force)
        {
            assert_eq!(invalid.to_status(), step.response, "{name}");
            checked += 1;
            continue;
        }
        let body = match &step.request {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let config = match parse_apply_body(&body) {
            Ok(config) => config,
            Err(err) => {
                assert_eq!(err.to_status(), step.response, "{name}");
                checked += 1;
                continue;
            }
        };
        let resource = step
            .path
            .split('?')
            .next()
            .unwrap()
            .rsplit('/')
            .nth(1)
            .unwrap();
        let kind = match resource {
            "pods" => "Pod",
            "configmaps" => "ConfigMap",
            other => panic!("{name}: no kind for {other}"),
        };
        if config["metadata"]["name"]
            != step
                .path
                .split('?')
                .next()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        {
            continue; // the server's name check (not field management)
        }
        let write = Write {
            info: lookup("v1", kind).unwrap(),
            manager: step.query("fieldManager").unwrap(),
            subresource: None,
            time: "<time>",
        };
        match apply(&write, step.old.as_ref(), &config, force == Some(true)) {
            Ok(applied) => {
                assert!(
                    step.status < 300,
                    "{name}: applied but the server answered {}",
                    step.status
                );
                let got = normalized(&applied.object["metadata"]["managedFields"]);
                let expected = normalized(&step.response["metadata"]["managedFields"]);
                assert_eq!(got, expected, "managedFields differ for {name}");
                for pointer in [
                    "/metadata/labels",
                    "/metadata/annotations",
                    "/data",
                    "/spec/containers/0/image",
                ] {
                    assert_eq!(
                        applied.object.pointer(pointer),
                        step.response.pointer(pointer),
                        "{name}: {pointer}"
                    );
                }
            }
            Err(err) => assert_eq!(err.to_status(), step.response, "{name}"),
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} steps checked");
}
