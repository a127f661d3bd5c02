//! kubeconfig parsing, merging, resolving and viewing: two documents split at the first NUL.
#![no_main]

use std::path::Path;

use kubeset_config::kubeconfig::{Kubeconfig, Overrides};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (first, second) = text.split_once('\0').unwrap_or((text, ""));
    let parsed: Vec<Kubeconfig> = [(first, "/fuzz/a/config"), (second, "/fuzz/b/config")]
        .into_iter()
        .filter_map(|(doc, path)| Kubeconfig::from_yaml(doc, Path::new(path)).ok())
        .collect();
    let mut merged = Kubeconfig::merge(parsed);
    let _ = format!("{merged:?}");
    if let Ok(config) = merged.to_config_unchecked(&Overrides::default()) {
        let _ = format!("{config:?}");
    }
    let _ = merged.view(false);
    let _ = merged.to_view_json(true);
    let _ = merged.minify();
});
