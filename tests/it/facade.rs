use kubeset::config::{BearerToken, Config, Secret};

#[test]
fn config_debug_redacts_tokens() {
    let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
    config.auth.bearer = Some(BearerToken::Static(Secret::new("tok-123".into())));
    let shown = format!("{config:?}");
    assert!(!shown.contains("tok-123"), "token leaked: {shown}");
    assert!(shown.contains("<redacted>"));
}
