use std::path::{Path, PathBuf};

use kubeset_config::kubeconfig::{Kubeconfig, Sources};
use kubeset_config::{KubeconfigError, Section};

use crate::support::{Dir, env};

#[track_caller]
fn check_sources(explicit: Option<&str>, pairs: &[(&str, &str)], expected: Sources) {
    assert_eq!(
        Sources::from_env(explicit.map(Path::new), &env(pairs)),
        expected
    );
}

#[test]
fn source_selection() {
    let paths = |list: &[&str]| list.iter().map(PathBuf::from).collect::<Vec<_>>();
    check_sources(
        Some("/x"),
        &[("KUBECONFIG", "/a"), ("HOME", "/h")],
        Sources::Explicit { path: "/x".into() },
    );
    check_sources(
        None,
        &[("KUBECONFIG", "/a:/b::/a:rel/c:"), ("HOME", "/h")],
        Sources::EnvList {
            paths: paths(&["/a", "/b", "rel/c"]),
        },
    );
    check_sources(
        None,
        &[("KUBECONFIG", ""), ("HOME", "/h")],
        Sources::Default {
            path: "/h/.kube/config".into(),
        },
    );
    check_sources(
        Some(""),
        &[("HOME", "/h")],
        Sources::Default {
            path: "/h/.kube/config".into(),
        },
    );
    check_sources(None, &[], Sources::None);
}

#[test]
fn explicit_file_must_exist_for_clients_only() {
    let dir = Dir::new();
    let missing = dir.path().join("missing");
    let sources = Sources::Explicit {
        path: missing.clone(),
    };
    match sources.load() {
        Err(KubeconfigError::NotFound { path }) => assert_eq!(path, missing),
        other => panic!("want NotFound, got {other:?}"),
    }
    assert_eq!(sources.load_lenient().unwrap(), Kubeconfig::default());
}

#[test]
fn missing_list_entries_are_skipped() {
    let dir = Dir::new();
    let a = dir.write("a.yaml", "current-context: a\n");
    let sources = Sources::EnvList {
        paths: vec![dir.path().join("nope"), a],
    };
    assert_eq!(sources.load().unwrap().current_context, "a");
    let none = Sources::EnvList {
        paths: vec![dir.path().join("nope")],
    };
    assert_eq!(none.load().unwrap(), Kubeconfig::default());
    assert_eq!(Sources::None.load().unwrap(), Kubeconfig::default());
}

#[test]
fn unreadable_file_is_an_error() {
    let dir = Dir::new();
    let sources = Sources::EnvList {
        paths: vec![dir.path().to_path_buf()],
    };
    let err = sources.load().unwrap_err();
    assert!(matches!(err, KubeconfigError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains(&dir.path().display().to_string()));
}

#[test]
fn not_utf8_is_an_error() {
    let dir = Dir::new();
    let path = dir.path().join("bin");
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    let err = Sources::Explicit { path }.load().unwrap_err();
    assert!(matches!(err, KubeconfigError::NotUtf8 { .. }), "{err:?}");
}

fn parse(text: &str) -> Result<Kubeconfig, KubeconfigError> {
    Kubeconfig::from_yaml(text, Path::new("/cfg/config"))
}

#[test]
fn merge_first_file_wins_per_name() {
    let one = parse(
        "clusters:\n- name: shared\n  cluster: {server: 'https://one'}\nusers:\n- name: u\n  user: {token: one}\npreferences: {colors: false}\n",
    )
    .unwrap();
    let two = parse(
        "current-context: two\nclusters:\n- name: shared\n  cluster: {server: 'https://two'}\n- name: extra\n  cluster: {server: 'https://extra'}\npreferences: {colors: true}\n",
    )
    .unwrap();
    let three = parse("current-context: three\n").unwrap();
    let merged = Kubeconfig::merge([one, two, three]);
    assert_eq!(merged.files.len(), 3);
    assert_eq!(merged.clusters["shared"].server, "https://one");
    assert_eq!(
        merged.clusters["extra"].server,
        "https://two".replace("two", "extra")
    );
    assert_eq!(merged.users["u"].token.expose(), "one");
    assert_eq!(merged.current_context, "two", "first file that sets it");
    assert!(merged.preferences.colors, "false is the unset value");
}

#[track_caller]
fn check_error(text: &str, expected: &[&str]) {
    let err = parse(text).expect_err(text);
    let shown = err.to_string();
    for part in expected {
        assert!(shown.contains(part), "{shown:?} lacks {part:?}");
    }
}

#[test]
fn errors_name_file_entry_line_and_column() {
    check_error(
        "clusters:\n- name: a\n  cluster:\n    server: [\n",
        &["/cfg/config", "line 4"],
    );
    check_error(
        "clusters:\n- name: a\n  cluster: {certificate-authority-data: '!!'}\n",
        &["certificate-authority-data", "cluster \"a\"", "/cfg/config"],
    );
    check_error(
        "users:\n- name: u\n  user: {}\n- name: u\n  user: {}\n",
        &["duplicate user name \"u\"", "/cfg/config"],
    );
    check_error("kind: Pod\napiVersion: v1\n", &["not a kubeconfig", "Pod"]);
    check_error(
        "clusters:\n- name: a\n  cluster: {server: 8080}\n",
        &["line 3", "column"],
    );
    check_error("clusters: {a: b}\n", &["/cfg/config", "line 1"]);
}

#[test]
fn secrets_of_the_wrong_type_are_not_echoed() {
    for text in [
        "users:\n- name: u\n  user: {token: 987654321}\n",
        "users:\n- name: u\n  user: {password: 987654321}\n",
        "users:\n- name: u\n  user: {auth-provider: {name: x, config: {secret: 987654321}}}\n",
    ] {
        let err = parse(text).unwrap_err().to_string();
        assert!(!err.contains("987654321"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }
}

#[test]
fn debug_redacts_secrets() {
    let config = parse(
        "users:\n- name: u\n  user: {token: tok-secret, password: pw-secret, client-key-data: c2VjcmV0LWtleQ==, auth-provider: {name: oidc, config: {id-token: idt-secret}}}\n",
    )
    .unwrap();
    let shown = format!("{config:?}");
    for secret in [
        "tok-secret",
        "pw-secret",
        "secret-key",
        "c2VjcmV0LWtleQ==",
        "idt-secret",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}

#[test]
fn yaml_odds() {
    let config = parse("\u{feff}current-context: bom\n").unwrap();
    assert_eq!(config.current_context, "bom");
    let config = parse("current-context: a\ncurrent-context: b\n").unwrap();
    assert_eq!(config.current_context, "b", "last duplicate key wins");
    let config = parse("current-context: first\n---\ncurrent-context: second\n").unwrap();
    assert_eq!(config.current_context, "first");
    let config = parse("current-context: first\n---\n[broken\n").unwrap();
    assert_eq!(
        config.current_context, "first",
        "later documents are not parsed"
    );
    let config = parse("~\n---\ncurrent-context: second\n").unwrap();
    assert_eq!(
        config.current_context, "",
        "a null first document is an empty kubeconfig"
    );
    let config = parse(
        "clusters:\n- name: a\n  cluster: {server: 'https://x', insecure-skip-tls-verify: yes}\n",
    )
    .unwrap();
    assert!(config.clusters["a"].insecure_skip_tls_verify);
    assert!(
        parse("clusters:\n- name: a\n  cluster: {insecure-skip-tls-verify: 'true'}\n").is_err()
    );
    let config = parse("{\"current-context\": \"json\"}").unwrap();
    assert_eq!(config.current_context, "json");
    for empty in [
        "",
        "{}",
        "\n  \n",
        "# comment\n",
        "clusters: null\nusers: ~\n",
    ] {
        let config = parse(empty).unwrap();
        assert_eq!(
            config.to_view_json(true),
            Kubeconfig::default().to_view_json(true),
            "{empty:?}"
        );
        assert_eq!(config.files, [Path::new("/cfg/config")]);
    }
}

#[test]
fn entries_remember_their_file() {
    let config = parse("clusters:\n- name: a\n  cluster: {server: 'https://x'}\n").unwrap();
    assert_eq!(
        config.clusters["a"].origin.as_deref(),
        Some(Path::new("/cfg/config"))
    );
}

#[test]
fn base64_follows_go() {
    let data = |text: &str| {
        parse(&format!(
            "clusters:\n- name: a\n  cluster: {{certificate-authority-data: \"{text}\"}}\n"
        ))
        .map(|c| c.clusters["a"].certificate_authority_data.clone())
    };
    assert_eq!(data("Zm9v").unwrap(), b"foo");
    assert_eq!(
        data("Zm9v\\nYmFy").unwrap(),
        b"foobar",
        "line breaks ignored"
    );
    assert!(data("Zm9vYg").is_err(), "padding required");
    assert!(data("Zm9v!").is_err());
}

#[test]
fn section_names() {
    assert_eq!(Section::Cluster.to_string(), "cluster");
    assert_eq!(Section::User.to_string(), "user");
}

/// No input panics: every prefix of a full kubeconfig, and every single-byte corruption of
/// it, either parses or fails with an error; what parses also resolves and prints.
#[test]
fn no_panic_on_truncated_or_corrupted_input() {
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/kubeconfig/04-all-fields/config.yaml"
    ))
    .unwrap();
    let exercise = |text: &str| {
        if let Ok(mut config) = parse(text) {
            let _ = config.to_config_unchecked(&kubeset_config::kubeconfig::Overrides::default());
            let _ = config.to_view_json(false);
            let _ = config.minify();
        }
    };
    let mut cut = 0;
    while cut <= full.len() {
        if full.is_char_boundary(cut) {
            exercise(&full[..cut]);
        }
        cut += 3;
    }
    let bytes = full.as_bytes();
    for (index, replacement) in (0..bytes.len()).step_by(7).zip(
        [b'[', b'{', b':', b'-', b'\'', b'"', b'&', b'*', b'\t', b'#']
            .iter()
            .cycle(),
    ) {
        let mut corrupted = bytes.to_vec();
        corrupted[index] = *replacement;
        if let Ok(text) = std::str::from_utf8(&corrupted) {
            exercise(text);
        }
    }
}

#[test]
fn failed_minify_changes_nothing() {
    let mut config = parse(
        "current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone, user: u}\n- name: d\n  context: {}\nusers:\n- name: u\n  user: {}\n",
    )
    .unwrap();
    let before = config.clone();
    assert!(config.minify().is_err());
    assert_eq!(config, before);
    config.current_context = "d".into();
    config.minify().unwrap();
    assert_eq!(config.contexts.keys().collect::<Vec<_>>(), ["d"]);
    assert!(config.users.is_empty() && config.clusters.is_empty());
}
