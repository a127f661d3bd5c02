use serde_json::json;

use super::*;

use crate::validation::texts;

/// A probe as the defaults leave it.
fn probe_with(handler: Value) -> Value {
    let mut p = json!({"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3});
    if let (Some(base), Some(extra)) = (p.as_object_mut(), handler.as_object()) {
        base.extend(extra.clone());
    }
    p
}

/// validateContainers: valid probes and hooks pass; restartPolicy is forbidden.
#[test]
fn regular_container_valid_and_restart_policy() {
    let c = json!({
        "lifecycle": {"preStop": {"sleep": {"seconds": 5}}, "postStart": {"exec": {"command": ["true"]}}},
        "livenessProbe": probe_with(json!({"httpGet": {"path": "/", "port": "http", "scheme": "HTTP",
            "httpHeaders": [{"name": "X-A", "value": "1"}]}})),
        "readinessProbe": probe_with(json!({"tcpSocket": {"port": 80}})),
        "startupProbe": probe_with(json!({"grpc": {"port": 9000}})),
    });
    assert!(texts(lifecycle_and_probes(&c, "spec.containers[0]", None)).is_empty());
    let c = json!({"restartPolicy": "Always"});
    assert_eq!(
        texts(lifecycle_and_probes(&c, "spec.containers[0]", None)),
        ["spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"]
    );
}

/// validateHandler: one handler; validateHTTPGetAction/TCP/gRPC/exec fields.
#[test]
fn handler_rules() {
    let at = "spec.containers[0]";
    let c = json!({
        "lifecycle": {"postStart": {}, "preStop": {"exec": {"command": []}, "httpGet": {"path": "/", "port": 1}}},
        "livenessProbe": probe_with(json!({"httpGet": {"path": "", "port": 0, "scheme": "FTP",
            "httpHeaders": [{"name": "Bad Header"}]}})),
        "readinessProbe": probe_with(json!({"tcpSocket": {"port": "toolong-port-name"}})),
        "startupProbe": probe_with(json!({"grpc": {"port": 70000}})),
    });
    assert_eq!(
        texts(lifecycle_and_probes(&c, at, None)),
        [
            format!("{at}.lifecycle.postStart: Required value: must specify a handler type"),
            format!("{at}.lifecycle.preStop.exec.command: Required value"),
            format!(
                "{at}.lifecycle.preStop.httpGet: Forbidden: may not specify more than 1 handler type"
            ),
            format!("{at}.livenessProbe.httpGet.path: Required value"),
            format!(
                "{at}.livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"
            ),
            format!(
                "{at}.livenessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\""
            ),
            format!(
                "{at}.livenessProbe.httpGet.httpHeaders: Invalid value: \"Bad Header\": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"
            ),
            format!(
                "{at}.readinessProbe.tcpSocket.port: Invalid value: \"toolong-port-name\": {}",
                net::port_name("toolong-port-name")[0]
            ),
            format!(
                "{at}.startupProbe.grpc.port: Invalid value: 70000: must be between 1 and 65535, inclusive"
            ),
        ]
    );
}

/// validateProbe numbers; liveness/startup successThreshold must be 1; readiness may not set
/// terminationGracePeriodSeconds.
#[test]
fn probe_numbers() {
    let at = "spec.containers[0]";
    let exec = json!({"exec": {"command": ["true"]}});
    let mut live = probe_with(exec.clone());
    live["initialDelaySeconds"] = json!(-1);
    live["successThreshold"] = json!(2);
    live["terminationGracePeriodSeconds"] = json!(0);
    let mut ready = probe_with(exec.clone());
    ready["successThreshold"] = json!(3);
    ready["terminationGracePeriodSeconds"] = json!(5);
    let mut startup = probe_with(exec);
    startup["failureThreshold"] = json!(-2);
    let c = json!({"livenessProbe": live, "readinessProbe": ready, "startupProbe": startup});
    assert_eq!(
        texts(lifecycle_and_probes(&c, at, None)),
        [
            format!(
                "{at}.livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0"
            ),
            format!(
                "{at}.livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"
            ),
            format!("{at}.livenessProbe.successThreshold: Invalid value: 2: must be 1"),
            format!(
                "{at}.readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"
            ),
            format!(
                "{at}.startupProbe.failureThreshold: Invalid value: -2: must be greater than or equal to 0"
            ),
        ]
    );
}

/// validateInitContainers: only restartPolicy Always; hooks and probes only on sidecars.
#[test]
fn init_containers_and_sidecars() {
    let at = "spec.initContainers[0]";
    let exec = probe_with(json!({"exec": {"command": ["true"]}}));
    let plain = json!({"lifecycle": {"preStop": {"exec": {"command": ["x"]}}}, "livenessProbe": exec, "startupProbe": exec});
    assert_eq!(
        texts(lifecycle_and_probes(&plain, at, None)),
        [
            format!(
                "{at}.lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always"
            ),
            format!(
                "{at}.livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"
            ),
            format!(
                "{at}.startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always"
            ),
        ]
    );
    let mut never = plain.clone();
    never["restartPolicy"] = json!("Never");
    assert_eq!(
        texts(lifecycle_and_probes(&never, at, None))[0],
        format!("{at}.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"")
    );
    let mut sidecar = plain;
    sidecar["restartPolicy"] = json!("Always");
    assert!(texts(lifecycle_and_probes(&sidecar, at, None)).is_empty());
    sidecar["readinessProbe"] = json!({"successThreshold": 1});
    assert_eq!(
        texts(lifecycle_and_probes(&sidecar, at, None)),
        [format!(
            "{at}.readinessProbe: Required value: must specify a handler type"
        )]
    );
}

/// `validateSleepAction` with `AllowPodLifecycleSleepActionZeroValue`: 0 up to the grace
/// period; unbounded without one.
#[test]
fn sleep_is_bounded_by_the_grace_period() {
    let c = |seconds: i64| {
        json!({"lifecycle": {"preStop": {"sleep": {"seconds": seconds}},
            "postStart": {"sleep": {"seconds": 0}}}})
    };
    let at = "spec.containers[0]";
    assert!(texts(lifecycle_and_probes(&c(30), at, Some(30))).is_empty());
    assert_eq!(
        texts(lifecycle_and_probes(&c(31), at, Some(30))),
        [
            "spec.containers[0].lifecycle.preStop.sleep: Invalid value: 31: must be non-negative and less than terminationGracePeriodSeconds (30)"
        ]
    );
    assert_eq!(texts(lifecycle_and_probes(&c(-1), at, Some(30))).len(), 1);
    assert!(texts(lifecycle_and_probes(&c(31), at, None)).is_empty());
}
