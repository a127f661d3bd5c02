//! Server verification, client certificates and TLS failure messages.

use kubeset_config::{Config, Material};
use kubeset_transport::{TlsFailure, find_connect_error};

use crate::support::{Ca, Server, ServerTls, chain, fixture, get, ok, write};

fn trusting(server: &Server, ca_path: &std::path::Path) -> Config {
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path.to_owned()));
    config
}

#[tokio::test]
async fn ip_sans_verify_for_ipv4_and_ipv6() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("cluster CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    for bind in ["127.0.0.1:0", "[::1]:0"] {
        let leaf = ca.server(&["127.0.0.1", "::1"]);
        let Ok(server) = tokio::net::TcpListener::bind(bind).await else {
            continue; // No IPv6 loopback on this machine.
        };
        drop(server);
        let server = Server::start_on(bind, Some(ServerTls::h2(leaf)), ok()).await;
        let service = kubeset_transport::connect(&trusting(&server, &ca_path)).unwrap();
        let (response, body) = get(&service, "/version").await.unwrap();
        assert_eq!(response.status(), 200, "{bind}");
        assert_eq!(&body[..], br#"{"ok":true}"#);
    }
}

#[tokio::test]
async fn wrong_ca_fails_naming_the_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let server_ca = Ca::new("server CA");
    let other_ca = Ca::new("other CA");
    let ca_path = write(dir.path(), "ca.crt", &other_ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(server_ca.server(&["127.0.0.1"]))), ok()).await;
    let service = kubeset_transport::connect(&trusting(&server, &ca_path)).unwrap();
    let err = get(&service, "/version").await.unwrap_err();
    let connect = find_connect_error(&*err).unwrap_or_else(|| panic!("{}", chain(&*err)));
    assert_eq!(
        connect.tls_failure(),
        Some(&TlsFailure::UnknownCa {
            trusted: format!("CA file {}", ca_path.display()),
            ca_problem: None,
        })
    );
    let text = chain(&*err);
    assert!(text.contains("unknown certificate authority"), "{text}");
    assert!(text.contains(&ca_path.display().to_string()), "{text}");
    // A certificate problem is not retried: one connection attempt only.
    assert_eq!(server.connections(), 1, "{text}");
}

#[tokio::test]
async fn unknown_ca_says_why_the_configured_ca_was_not_used() {
    let ca = Ca::new("server CA");
    let server = Server::start(Some(ServerTls::h2(ca.server(&["127.0.0.1"]))), ok()).await;
    let mut config = Config::new(server.url());
    config.tls.root_certs_problem = Some(String::from(
        "ca.crt at /var/run/secrets/.../ca.crt holds no certificate",
    ));
    let service = kubeset_transport::connect(&config).unwrap();
    let err = get(&service, "/").await.unwrap_err();
    match find_connect_error(&*err).and_then(|e| e.tls_failure()) {
        Some(TlsFailure::UnknownCa {
            trusted,
            ca_problem: Some(problem),
        }) => {
            assert_eq!(trusted, "the platform roots");
            assert!(problem.contains("holds no certificate"));
        }
        other => panic!("{other:?}: {}", chain(&*err)),
    }
}

#[tokio::test]
async fn ca_file_replaced_and_the_new_ca_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let old_ca = Ca::new("old CA");
    let new_ca = Ca::new("new CA");
    let ca_path = write(dir.path(), "ca.crt", &old_ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(old_ca.server(&["127.0.0.1"]))), ok()).await;
    let service = kubeset_transport::connect(&trusting(&server, &ca_path)).unwrap();
    assert_eq!(get(&service, "/").await.unwrap().0.status(), 200);

    // The cluster CA rotates: new file, new serving certificate, connections dropped.
    write(
        dir.path(),
        "ca.crt",
        &format!("{}{}", new_ca.cert_pem, old_ca.cert_pem),
    );
    server.set_tls(ServerTls::h2(new_ca.server(&["127.0.0.1"])));
    server.drop_connections();
    let (response, _) = get(&service, "/").await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(server.connections() >= 2);
}

#[tokio::test]
async fn a_broken_ca_file_keeps_the_last_good_bundle_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let stranger = Ca::new("stranger");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(ca.server(&["127.0.0.1"]))), ok()).await;
    let service = kubeset_transport::connect(&trusting(&server, &ca_path)).unwrap();
    assert_eq!(get(&service, "/").await.unwrap().0.status(), 200);

    write(dir.path(), "ca.crt", "not a certificate");
    server.set_tls(ServerTls::h2(stranger.server(&["127.0.0.1"])));
    server.drop_connections();
    let err = get(&service, "/").await.unwrap_err();
    match find_connect_error(&*err).and_then(|e| e.tls_failure()) {
        Some(TlsFailure::UnknownCa {
            ca_problem: Some(problem),
            ..
        }) => assert!(problem.contains("ca.crt"), "{problem}"),
        other => panic!("{other:?}: {}", chain(&*err)),
    }
}

#[tokio::test]
async fn name_mismatch_and_tls_server_name() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(
        Some(ServerTls::h2(ca.server(&["kubernetes.default.svc"]))),
        ok(),
    )
    .await;

    let service = kubeset_transport::connect(&trusting(&server, &ca_path)).unwrap();
    let err = get(&service, "/").await.unwrap_err();
    match find_connect_error(&*err).and_then(|e| e.tls_failure()) {
        Some(TlsFailure::NameMismatch {
            expected,
            presented,
        }) => {
            assert_eq!(expected, "127.0.0.1");
            assert_eq!(presented, &["kubernetes.default.svc"]);
        }
        other => panic!("{other:?}: {}", chain(&*err)),
    }

    let mut config = trusting(&server, &ca_path);
    config.tls.server_name = Some("kubernetes.default.svc".into());
    let service = kubeset_transport::connect(&config).unwrap();
    assert_eq!(get(&service, "/").await.unwrap().0.status(), 200);
}

#[tokio::test]
async fn expired_server_certificate_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let leaf = ca.server_with(&["127.0.0.1"], |p| {
        p.not_before = rcgen::date_time_ymd(2000, 1, 1);
        p.not_after = rcgen::date_time_ymd(2001, 1, 1);
    });
    let server = Server::start(Some(ServerTls::h2(leaf)), ok()).await;
    let service = kubeset_transport::connect(&trusting(&server, &ca_path)).unwrap();
    let err = get(&service, "/").await.unwrap_err();
    let failure = find_connect_error(&*err)
        .and_then(|e| e.tls_failure())
        .cloned();
    assert_eq!(
        failure,
        Some(TlsFailure::Expired {
            not_after: Some(978_307_200)
        })
    );
    assert!(
        chain(&*err).contains("expired at 2001-01-01T00:00:00Z"),
        "{}",
        chain(&*err)
    );
}

#[tokio::test]
async fn danger_accept_invalid_certs_skips_verification() {
    let ca = Ca::new("CA");
    let server = Server::start(Some(ServerTls::h2(ca.server(&["elsewhere.example"]))), ok()).await;
    let mut config = Config::new(server.url());
    config.tls.danger_accept_invalid_certs = true;
    let service = kubeset_transport::connect(&config).unwrap();
    assert_eq!(get(&service, "/").await.unwrap().0.status(), 200);
}

#[track_caller]
fn client_config(server: &Server, ca_path: &std::path::Path, cert: String, key: String) -> Config {
    let mut config = trusting(server, ca_path);
    config.tls.client_cert = Some(Material::Inline(cert.into_bytes().into()));
    config.tls.client_key = Some(Material::Inline(key.into_bytes().into()));
    config
}

#[tokio::test]
async fn client_certificates_in_every_key_encoding_reach_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let mut tls = ServerTls::h2(ca.server(&["127.0.0.1"]));
    tls.client_ca = Some(ca.cert_pem.clone());
    let server = Server::start(Some(tls), ok()).await;

    // (key given to kubeset, key rcgen signs the certificate for)
    let cases = [
        ("rsa-pkcs1.pem", "rsa-pkcs8.pem"),
        ("rsa-pkcs8.pem", "rsa-pkcs8.pem"),
        ("ec-sec1.pem", "ec-pkcs8.pem"),
        ("ec-pkcs8.pem", "ec-pkcs8.pem"),
    ];
    for (given, signing) in cases {
        let key = rcgen::KeyPair::from_pem(&fixture(signing)).unwrap();
        let cert = ca.client("jane", &key);
        let config = client_config(&server, &ca_path, cert.clone(), fixture(given));
        let service = kubeset_transport::connect(&config).unwrap();
        get(&service, "/")
            .await
            .unwrap_or_else(|e| panic!("{given}: {}", chain(&*e)));
        let seen = server.seen().pop().unwrap();
        let expected = rustls::pki_types::CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        assert_eq!(seen.client_cert.as_deref(), Some(&expected[..]), "{given}");
    }
}

use rustls::pki_types::pem::PemObject as _;

#[tokio::test]
async fn client_certificate_files_are_reread_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let mut tls = ServerTls::h2(ca.server(&["127.0.0.1"]));
    tls.client_ca = Some(ca.cert_pem.clone());
    let server = Server::start(Some(tls), ok()).await;

    let first = ca.client_leaf("first");
    let cert_path = write(dir.path(), "client.crt", &first.cert_pem);
    let key_path = write(dir.path(), "client.key", &first.key_pem);
    let mut config = trusting(&server, &ca_path);
    config.tls.client_cert = Some(Material::File(cert_path));
    config.tls.client_key = Some(Material::File(key_path));
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();

    let second = ca.client_leaf("second");
    write(dir.path(), "client.key", &second.key_pem);
    write(dir.path(), "client.crt", &second.cert_pem);
    server.drop_connections();
    get(&service, "/").await.unwrap();
    let seen = server.seen();
    let der = |pem: &str| {
        rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
            .unwrap()
            .to_vec()
    };
    assert_eq!(seen[0].client_cert, Some(der(&first.cert_pem)));
    assert_eq!(
        seen.last().unwrap().client_cert,
        Some(der(&second.cert_pem))
    );
}

#[test]
fn broken_pem_is_reported_at_build_time_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "ca.crt", "garbage");
    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.tls.root_certs = Some(Material::File(bad.clone()));
    let err = kubeset_transport::connect(&config).err().unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "CA certificate from {} holds no CERTIFICATE PEM block",
            bad.display()
        )
    );

    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.tls.client_cert = Some(Material::File(dir.path().join("missing.crt")));
    config.tls.client_key = Some(Material::File(dir.path().join("missing.key")));
    let err = kubeset_transport::connect(&config).err().unwrap();
    assert!(err.to_string().contains("missing.crt"), "{err}");

    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.tls.client_cert = Some(Material::File(dir.path().join("only.crt")));
    let err = kubeset_transport::connect(&config).err().unwrap();
    assert!(
        err.to_string().contains("only the certificate is set"),
        "{err}"
    );
}

#[tokio::test]
async fn https_to_a_plain_http_server_says_so() {
    let server = Server::start(None, ok()).await;
    let config = Config::new(format!("https://{}", server.addr).parse().unwrap());
    let service = kubeset_transport::connect(&config).unwrap();
    let err = get(&service, "/").await.unwrap_err();
    let failure = find_connect_error(&*err)
        .and_then(|e| e.tls_failure())
        .cloned();
    assert_eq!(failure, Some(TlsFailure::NotTls), "{}", chain(&*err));
}
