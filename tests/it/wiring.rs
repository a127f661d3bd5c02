//! `Client::new` builds the real transport (the clientset's wiring seam): a configuration
//! that cannot become a transport fails at once, naming the file.

use std::error::Error as _;

use kubeset::clientset::{Client, Error};
use kubeset::config::{Config, Material};

#[test]
fn a_missing_ca_file_fails_client_new_naming_the_file() {
    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.tls.root_certs = Some(Material::File("/nonexistent/kubeset/ca.crt".into()));
    let err = Client::new(config).unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("https://127.0.0.1:6443"), "{err}");
    let mut chain = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    assert!(
        chain
            .iter()
            .any(|c| c.contains("/nonexistent/kubeset/ca.crt")),
        "{chain:?}"
    );
}

#[tokio::test]
async fn a_built_client_reports_an_unreachable_server_as_a_transport_error() {
    // Nothing listens on port 1 of loopback.
    let client = Client::new(Config::new("https://127.0.0.1:1".parse().unwrap())).unwrap();
    let err = client.get_raw("/version").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("/version"), "{err}");
}
